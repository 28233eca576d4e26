"""Fuzzing: schemathesis against every service's OpenAPI document, in process, on the real Postgres and broker.

The four apps run in their lifespans (consumers, relays, workers) on a database and a broker of this module's
own, so that what the fuzzer writes (directories, subscriptions, reports, closures) reaches no other test. A
small world is made through the APIs first (the demo directory, a subscription, a report routing refers, a
WhatsApp draft), so that generated requests reach the handlers with ids that exist as well as with ids that do
not. Each operation is called by the public (no token) and by people of the roles the service lets further in,
with valid requests and invalid ones. Every response must be no 5xx, carry a documented status code, content
type and headers, and match the documented schema; an invalid request must be refused. Derandomized and
bounded: the same requests on every run, a few seconds per operation.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import hypothesis
import pytest
import schemathesis
from hypothesis import HealthCheck, Phase
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.python import asgi
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from intake.settings import DEVELOPMENT_GATEWAY_SECRET
from routing.directory_data import demo_directory
from shared.auth import Role
from shared.webhooks import SIGNATURE_HEADER, sign
from sinergi_local import processes, tansu
from sinergi_local.infrastructure import Infrastructure
from tests.apps import SERVICES
from tests.databases import on_database, provision, scratch_database

pytestmark = [
    pytest.mark.integration,
    # schemathesis' own strategies draw from `random`; nothing this module can act on.
    pytest.mark.filterwarnings("ignore::hypothesis.errors.HypothesisDeprecationWarning"),
]

REPO_ROOT = Path(__file__).parents[1]
AGENCY = {"agency_id": "uptd-ppa-62.13", "agency_type": "uptd_ppa"}  # the lead agency for a case in 62.13
# Who calls: the public (no token), and people of the roles the services let further in.
CALLERS: dict[str, tuple[tuple[Role, ...], dict[str, str]] | None] = {
    "public": None,
    "operator": ((Role.OPERATOR,), {}),
    "agency-staff": ((Role.AGENCY_STAFF,), AGENCY),
    "agency-supervisor": ((Role.AGENCY_SUPERVISOR,), AGENCY),
    "province-admin": ((Role.PROVINCE_ADMIN,), {"province_code": "62"}),
    "auditor": ((Role.AUDITOR,), {"province_code": "62"}),
}
SERVICE_CALLERS = {
    "intake": ("public", "operator", "agency-staff", "province-admin"),
    "routing": ("public", "agency-staff", "province-admin"),
    "notifications": ("public", "agency-supervisor", "province-admin"),
    "reporting": ("public", "province-admin", "auditor"),
}
# Requests per operation and caller: valid ones and invalid ones (which must be refused), with whatever ids the
# fuzzer makes up; and valid ones with the world's ids, for operations that name one in their path.
EXAMPLES = {GenerationMode.POSITIVE: 5, GenerationMode.NEGATIVE: 3}
KNOWN_ID_EXAMPLES = 4
SCALE = int(os.environ.get("SINERGI_FUZZ_SCALE", "1"))  # e.g. 20 for a longer hunt than the suite's
# Two choices of what to generate, each for a reason:
# - no made-up Authorization headers: the callers' tokens are ours (a token schemathesis made up, or dropped from a
#   negative case, would test the token check, which the access matrix does, instead of the operation);
# - no parameters the document does not name: the services, like HTTP APIs generally, ignore a query parameter
#   they do not know, so an unknown one makes no invalid request.
CONFIG = schemathesis.Config.from_dict(
    {"generation": {"with-security-parameters": False, "allow-extra-parameters": False}}
)
RESPONSE_CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
                   response_headers_conformance, response_schema_conformance]
RECENTLY = (date.today() - timedelta(days=2)).isoformat()  # noqa: DTZ011 - a calendar date, like the API's
REPORT = {
    "incident": {"date": RECENTLY, "precision": "day"},
    "location": {"province_code": "62", "regency_code": "62.13", "place": "rumah_tangga"},
    "violence_types": ["fisik"], "victims": [{"sex": "perempuan", "age": 12, "name": "Korban Uji Fuzz"}],
    "reporter": {"relation": "tetangga", "phone": "+62 813-5550-7000"},
    "narrative": "Narasi uji fuzz.", "channel": "hotline",
}


@dataclass(frozen=True)
class Isolated:
    """A database on the session's server and a broker, both of this module's own."""

    database: str
    bootstrap_servers: str

    def overrides(self, env: dict[str, str], service: str) -> dict[str, str]:
        prefix = service.upper()
        return {
            "database_url": self._moved(env[f"{prefix}_DATABASE_URL"]),
            "migrations_database_url": self._moved(env[f"{prefix}_MIGRATIONS_DATABASE_URL"]),
            "kafka_bootstrap_servers": self.bootstrap_servers,
        }

    def _moved(self, url: str) -> str:
        return on_database(url, self.database)


@dataclass(frozen=True)
class World:
    apps: dict[str, Any]
    clients: dict[str, Any]  # schemathesis' ASGI clients (requests sessions), one per app
    known: dict[str, str]  # ids that exist, by the name of the path parameter that takes them


@pytest.fixture(scope="module")
def isolated(
    infra: Infrastructure, service_env: Callable[[str], dict[str, str]], test_run_dir: Path
) -> Iterator[Isolated]:
    with scratch_database(infra.admin_dsn, "sinergi_fuzz") as database:
        broker_dir = test_run_dir / database
        world = Isolated(database, tansu.start(broker_dir, processes.free_port()))
        try:
            for service in SERVICES:
                env = service_env(service)  # the roles exist, with these passwords
                provision(infra.admin_dsn, database, service, test_run_dir)
                moved = {f"{service.upper()}_{key.upper()}": value
                         for key, value in world.overrides(env, service).items()}
                subprocess.run([sys.executable, "-m", service, "migrate"], env={**env, **moved}, check=True,
                               cwd=REPO_ROOT, capture_output=True)
            yield world
        finally:
            tansu.stop(broker_dir)


@pytest.fixture(scope="module")
def world(
    isolated: Isolated, make_settings: Callable[..., Any], service_env: Callable[[str], dict[str, str]],
    bearer: Callable[..., dict[str, str]],
) -> Iterator[World]:
    apps = {
        service: factory(make_settings(settings_class, service, **isolated.overrides(service_env(service), service),
                                       http_public_rate_limit="100000/minute", outbox_poll_interval_ms="100"))
        for service, (factory, settings_class) in SERVICES.items()
    }
    with contextlib.ExitStack() as stack:
        stack.callback(asgi.shutdown_lifespans)  # the lifespans run until then, in schemathesis' event loop
        clients = {service: stack.enter_context(asgi.get_client(app)) for service, app in apps.items()}
        yield World(apps, clients, _seed(clients, bearer))


def _seed(clients: dict[str, Any], bearer: Callable[..., dict[str, str]]) -> dict[str, str]:
    """The demo directory, a subscription of the lead agency, a report that routing refers to it and a draft."""
    admin = bearer(Role.PROVINCE_ADMIN, user_id="fuzz-seed-admin", province_code="62")
    directory = clients["routing"].put("/v1/directory", json={"agencies": demo_directory()}, headers=admin)
    assert directory.status_code == 200, directory.text
    subscribed = clients["notifications"].post("/v1/subscriptions", headers=admin, json={
        "agency_id": AGENCY["agency_id"], "target": "http://127.0.0.1:9/fuzz", "event_types": ["referral.created"],
        "secret": "fuzz-secret-0123456789abcdef0123"})
    assert subscribed.status_code == 201, subscribed.text
    reported = clients["intake"].post("/v1/reports", json=REPORT,
                                      headers=bearer(Role.OPERATOR, user_id="fuzz-seed-operator"))
    assert reported.status_code == 201, reported.text
    message = json.dumps({"message_id": "fuzz-0001", "from": "6281355507001", "text": "Pesan uji fuzz."}).encode()
    drafted = clients["intake"].post("/v1/inbound/whatsapp", data=message, headers={
        "content-type": "application/json", SIGNATURE_HEADER: sign(DEVELOPMENT_GATEWAY_SECRET, message)})
    assert drafted.status_code == 202, drafted.text
    known = {"case_id": reported.json()["case_id"], "draft_id": drafted.json()["draft_id"],
             "agency_id": AGENCY["agency_id"], "subscription_id": subscribed.json()["subscription_id"],
             "gateway": "whatsapp"}

    def referral() -> str | None:
        found = clients["routing"].get(f"/v1/cases/{known['case_id']}/referrals", headers=admin)
        return next((r["referral_id"] for r in found.json() if r["is_lead"]), None) if found.ok else None

    def delivery() -> str | None:
        found = clients["notifications"].get(f"/v1/subscriptions/{known['subscription_id']}/deliveries",
                                             headers=admin)
        return next((d["delivery_id"] for d in found.json()), None) if found.ok else None

    known["referral_id"] = _eventually(referral, "routing refers the report")
    staff = bearer(Role.AGENCY_STAFF, user_id="fuzz-seed-staff", **AGENCY)
    followed = clients["routing"].post(f"/v1/referrals/{known['referral_id']}/follow-ups", headers=staff, json={
        "due_at": (datetime.now(UTC) + timedelta(days=2)).isoformat(), "note": "Tindak lanjut uji fuzz."})
    assert followed.status_code == 201, followed.text
    known["follow_up_id"] = followed.json()["follow_up_id"]
    known["delivery_id"] = _eventually(delivery, "notifications tries the webhook")
    return known


def _eventually(check: Callable[[], str | None], what: str, within: float = 60) -> str:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if found := check():
            return found
        time.sleep(0.3)
    raise AssertionError(f"timed out waiting until {what}")


@pytest.mark.timeout(900 * SCALE)  # on a busy 2-core machine, minutes
@pytest.mark.parametrize("service", list(SERVICES))
def test_every_operation_holds_to_its_document(
    service: str, world: World, bearer: Callable[..., dict[str, str]]
) -> None:
    app, client = world.apps[service], world.clients[service]
    schema = schemathesis.openapi.from_dict(app.openapi(), config=CONFIG)
    schema.app = app
    failures: list[str] = []
    for result in schema.get_all_operations():
        operation = result.ok()
        known = {name: world.known[name] for name in re.findall(r"{(\w+)}", operation.path)}
        for caller in SERVICE_CALLERS[service]:
            who = CALLERS[caller]
            headers = bearer(*who[0], user_id=f"fuzz-{caller}", **who[1]) if who else None
            runs = [(mode, examples, {}) for mode, examples in EXAMPLES.items()]
            if known:
                runs.append((GenerationMode.POSITIVE, KNOWN_ID_EXAMPLES, known))
            for mode, examples, path_parameters in runs:
                try:
                    _fuzz(operation, mode, examples * SCALE, client, headers, path_parameters=path_parameters)
                except (Exception, FailureGroup) as error:  # noqa: BLE001 - every failure is reported
                    ids = " with the world's ids" if path_parameters else ""
                    failures.append(f"{operation.label} as {caller} ({mode.value}{ids}): {_described(error)}")
    assert not failures, f"{len(failures)} failures:\n\n" + "\n\n".join(failures)


def _described(error: BaseException) -> str:
    """The error and, for a group (schemathesis' failures, Hypothesis' flaky runs), every error in it."""
    if isinstance(error, BaseExceptionGroup):
        return f"{error}: " + "; ".join(_described(inner) for inner in error.exceptions)
    return f"{type(error).__name__}: {error}"


def _fuzz(
    operation: Any, mode: GenerationMode, examples: int, client: Any, headers: dict[str, str] | None, *,
    path_parameters: dict[str, str],
) -> None:
    """``examples`` requests to ``operation``, with the caller's ``headers`` (none for the public)."""
    checks = [*RESPONSE_CHECKS, negative_data_rejection] if mode is GenerationMode.NEGATIVE else RESPONSE_CHECKS

    @hypothesis.given(case=operation.as_strategy(generation_mode=mode, path_parameters=path_parameters))
    @hypothesis.settings(
        max_examples=examples, derandomize=True, deadline=None, database=None, print_blob=False,
        suppress_health_check=list(HealthCheck), phases=[Phase.explicit, Phase.generate],
    )
    def run(case: Any) -> None:
        response = case.call(session=client, headers=headers)
        case.validate_response(response, checks=checks, headers=headers)

    try:
        run()
    except hypothesis.errors.Unsatisfiable:
        assert mode is GenerationMode.NEGATIVE  # an operation without inputs has no invalid request
