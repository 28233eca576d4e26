"""Postgres down while reports arrive: intake answers 503 with Retry-After (never a 500, never a detail of the
failure), and writes nothing half-way. Once Postgres is back, every accepted report is there whole (the case,
its personal fields, its number and its event) and nothing of a refused one is.

The database is a Postgres server of this test's own (the session's serves every other test), stopped as an
operator would (``pg_ctl stop -m fast``: open transactions are rolled back) while reports keep coming, then
started again on the same data. The broker is the test's own too, so no other test sees these events."""

from __future__ import annotations

import asyncio
import itertools
import os
import secrets
import shutil
import subprocess
import sys
import uuid
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
from sqlalchemy.engine import make_url

from intake.app import create_app
from intake.settings import IntakeSettings
from shared.auth import Role
from shared.provision import provision_schema
from sinergi_local import postgres, processes, tansu
from tests.databases import execute
from tests.polling import eventually

# It stops the worker's PostgreSQL or broker and reads what each phase answered: beside other workers' load a
# healthy phase can time out too, so `make test` runs it by itself, after the rest (tests/tiers.py).
pytestmark = [pytest.mark.integration, pytest.mark.alone]

REPO_ROOT = Path(__file__).parents[4]
REGENCY = "62.71"


@dataclass(frozen=True)
class OwnPostgres:
    """A Postgres server of the test's own, under the session's run folder, with intake's schema migrated."""

    run_dir: Path
    port: int
    superuser_password: str = field(default_factory=lambda: secrets.token_urlsafe(18), repr=False)
    passwords: dict[str, str] = field(  # intake's roles
        default_factory=lambda: {role: secrets.token_urlsafe(18) for role in ("intake_owner", "intake_app")},
        repr=False,
    )

    @property
    def admin_dsn(self) -> str:
        """The superuser on the Sinergi database: sees every row, whatever row-level security says."""
        return f"postgresql://{postgres.SUPERUSER}:{self.superuser_password}@127.0.0.1:{self.port}/sinergi"

    def url(self, role: str) -> str:
        url = make_url(self.admin_dsn).set(drivername="postgresql+asyncpg", username=role,
                                           password=self.passwords[role])
        return url.render_as_string(hide_password=False)

    def start(self) -> str:
        return postgres.start(self.run_dir, self.port, self.superuser_password)

    def stop(self) -> None:
        """As an operator would: open transactions are rolled back, connections closed."""
        postgres.stop(self.run_dir, mode="fast")


@pytest.fixture
def own_postgres(test_run_dir: Path, service_env: Callable[[str], dict[str, str]]) -> Iterator[OwnPostgres]:
    try:
        postgres.server_bin_dir()
    except RuntimeError as missing:
        pytest.skip(f"a server of the test's own needs the PostgreSQL server binaries: {missing}")
    server = OwnPostgres(test_run_dir / f"postgres-outage-{uuid.uuid4().hex[:8]}", processes.free_port())
    try:
        processes.run_coroutine(execute(server.start(), 'CREATE DATABASE "sinergi"'))
        processes.run_coroutine(provision_schema(server.admin_dsn, "intake",
                                                 owner_password=server.passwords["intake_owner"],
                                                 app_password=server.passwords["intake_app"]))
        env = {**os.environ, **service_env("intake"), "INTAKE_DATABASE_URL": server.url("intake_app"),
               "INTAKE_MIGRATIONS_DATABASE_URL": server.url("intake_owner")}
        subprocess.run([sys.executable, "-m", "intake", "migrate"], env=env, check=True, cwd=REPO_ROOT)
        yield server
    finally:
        postgres.stop(server.run_dir, mode="immediate")
        postgres.remove(server.run_dir)
        shutil.rmtree(server.run_dir, ignore_errors=True)


def _report(marker: str) -> dict[str, Any]:
    """A report whose narrative and victim's name are ``marker``'s alone (so no two reports link)."""
    return {
        "incident": {"precision": "unknown"},
        "location": {"province_code": "62", "regency_code": REGENCY, "place": "rumah_tangga"},
        "violence_types": ["fisik"],
        "victims": [{"sex": "perempuan", "age": 30, "name": f"Korban {marker}"}],
        "reporter": {"anonymous": True, "relation": "lainnya"},
        "narrative": f"Narasi uji gangguan Postgres {marker}.",
        "channel": "hotline",
    }


async def _stored(admin_dsn: str) -> dict[str, Any]:
    """What intake holds, read as the superuser (row-level security does not hide a row from it)."""
    connection = await asyncpg.connect(admin_dsn)
    try:
        return {
            "cases": {row["case_id"] for row in await connection.fetch("SELECT case_id FROM intake.cases")},
            "personal": {(row["case_id"], row["field"]) for row in await connection.fetch(
                "SELECT case_id, field FROM intake.case_personal_fields")},
            "fingerprints": {row["case_id"] for row in await connection.fetch(
                "SELECT case_id FROM intake.case_fingerprints")},
            "links": await connection.fetchval("SELECT count(*) FROM intake.case_links"),
            "events": [(row["message_key"], row["event_type"]) for row in await connection.fetch(
                "SELECT message_key, event_type FROM intake.outbox")],
            "numbers_taken": await connection.fetchval(
                "SELECT coalesce(sum(last_number), 0) FROM intake.case_number_counters"),
        }
    finally:
        await connection.close()


@dataclass
class Reporters:
    """Operators who keep sending reports; each answer is kept with the phase of the outage it was sent in."""

    client: httpx.AsyncClient
    headers: dict[str, str]
    phase: str = "up"
    answers: list[tuple[str, str, httpx.Response]] = field(default_factory=list)  # (phase, marker, response)

    async def keep_reporting(self, reporter: int) -> None:
        for number in itertools.count():
            marker, sent_in = f"{reporter}-{number}-{uuid.uuid4().hex[:6]}", self.phase
            response = await self.client.post("/v1/reports", json=_report(marker), headers=self.headers)
            self.answers.append((sent_in, marker, response))
            await asyncio.sleep(0.1)

    def statuses(self) -> set[tuple[str, int]]:
        return {(phase, response.status_code) for phase, _, response in self.answers}

    def accepted(self) -> dict[str, str]:
        """The case id of each accepted report, by marker."""
        return {marker: response.json()["case_id"] for _, marker, response in self.answers
                if response.status_code == 201}


async def test_intake_answers_503_while_postgres_is_down_and_writes_nothing_half_way(
    own_postgres: OwnPostgres, make_settings: Callable[..., IntakeSettings], bearer: Callable[..., dict[str, str]],
    tmp_path: Path,
) -> None:
    bootstrap = tansu.start(tmp_path, processes.free_port())
    app = create_app(make_settings(
        IntakeSettings, "intake", database_url=own_postgres.url("intake_app"),
        migrations_database_url=own_postgres.url("intake_owner"),
        kafka_bootstrap_servers=bootstrap, http_public_rate_limit="100000/minute",
    ))
    operator = bearer(Role.OPERATOR, user_id="outage-operator")
    try:
        async with (app.router.lifespan_context(app),
                    httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://intake",
                                      timeout=60) as client):
            before = await _stored(own_postgres.admin_dsn)
            reporters = Reporters(client, operator)

            def answered(phase: str, status: int) -> Callable[[], Awaitable[bool]]:
                """Whether three reports sent in ``phase`` were answered ``status``."""

                async def check() -> bool:
                    return sum(p == phase and r.status_code == status for p, _, r in reporters.answers) >= 3

                return check

            # A 500 raises out of the client (the app's own exception), and out of the task group with it.
            async with asyncio.TaskGroup() as group:
                tasks = [group.create_task(reporters.keep_reporting(n)) for n in range(3)]
                await eventually(answered("up", 201), "reports accepted")
                reporters.phase = "stopping"
                await asyncio.to_thread(own_postgres.stop)  # Postgres goes down, open transactions rolled back
                reporters.phase = "down"
                await eventually(answered("down", 503), "reports refused while Postgres is down")
                reporters.phase = "starting"
                await asyncio.to_thread(own_postgres.start)  # and comes back, on the same data
                reporters.phase = "back"
                await eventually(answered("back", 201), "reports accepted again")
                for task in tasks:
                    task.cancel()

            statuses = reporters.statuses()
            assert {status for _, status in statuses} == {201, 503}, statuses
            assert {("up", 201), ("down", 503), ("back", 201)} <= statuses, statuses
            for _, _, response in reporters.answers:
                if response.status_code == 503:
                    assert response.headers["retry-after"] == "5"
                    # The shared localized shape, Bahasa Indonesia by default, naming nothing of the database.
                    assert response.headers["content-language"] == "id"
                    assert response.json() == {"detail": [{
                        "type": "service_unavailable", "loc": ["service"],
                        "msg": "Layanan sedang tidak tersedia; tidak ada yang dilakukan. Coba lagi dalam 5 detik.",
                    }]}
            accepted = reporters.accepted()

            # Every accepted report is there whole, as the operator who recorded it reads it back.
            for marker, case_id in accepted.items():
                case = await client.get(f"/v1/cases/{case_id}", headers=operator)
                assert case.status_code == 200, case.text
                assert case.json()["personal"] == {"narrative": f"Narasi uji gangguan Postgres {marker}.",
                                                   "victims.0.name": f"Korban {marker}"}

        after = await _stored(own_postgres.admin_dsn)
    finally:
        tansu.stop(tmp_path)

    # And nothing of a refused one: no case, no personal field, no fingerprint, no event, no case number.
    new_cases = after["cases"] - before["cases"]
    assert {str(case_id) for case_id in new_cases} == set(accepted.values())
    assert after["personal"] - before["personal"] == {
        (case_id, path) for case_id in new_cases for path in ("narrative", "victims.0.name")}
    assert after["fingerprints"] - before["fingerprints"] == new_cases
    assert after["links"] == before["links"]
    new_events = [event for event in after["events"] if event not in before["events"]]
    assert {case_id for case_id, _ in new_events} == set(accepted.values())
    reported = sorted(case_id for case_id, event_type in new_events if event_type == "case.reported")
    assert reported == sorted(accepted.values())  # one each; the others are the operator's reads, audited
    assert after["numbers_taken"] - before["numbers_taken"] == len(new_cases)  # gapless case numbers
