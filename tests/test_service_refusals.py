"""No service answers an error outside the shared localized shape (``{"detail": [{"loc", "msg", "type"}]}``,
Bahasa Indonesia by default, English on request, a ``type`` worded by the one catalogue).

- Each service's refusals that come before the database is reached (401 without a token, with a bad one or an
  expired one; 403 for a role; 404 of an unknown address, or gateway; 405; 415; 422 of a domain check), asked
  in both languages of the services' own apps, built by their settings and not started. The refusals that need
  the database (404 of a case, 409 of a referral's state...) are asserted in the same shape by each service's
  integration tests.
- A look at the source: no service or shared module raises an ``HTTPException`` with a detail of its own (the
  JSON services none at all: they raise ``shared.http_errors.refused``), and every refusal type named there is in
  the catalogue. A new English-only refusal cannot slip in.
"""

from __future__ import annotations

import ast
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from uuid import uuid4

import httpx
import jwt
import pytest
from fastapi import FastAPI

from shared.auth import AuthSettings, Role
from shared.language import Language
from shared.refusal_messages import REFUSALS
from shared.validation_messages import TRANSLATED_ERROR_TYPES
from sinergi_local.platform import development_bearer

ROOT = Path(__file__).resolve().parents[1]
ENGLISH = {"Accept-Language": "en"}
JSON_SERVICES = ("intake", "routing", "notifications", "reporting")


def _expired_bearer() -> dict[str, str]:
    settings = AuthSettings(environment="development")
    assert settings.auth_hs256_secret is not None
    now = int(time.time())
    claims = {"iss": settings.auth_issuer, "aud": settings.auth_audience, "sub": "someone", "iat": now - 7200,
              "exp": now - 3600, "sinergi_roles": [Role.PROVINCE_ADMIN.value], "province_code": "62"}
    return {"Authorization": f"Bearer {jwt.encode(claims, settings.auth_hs256_secret.get_secret_value())}"}


def as_role(role: Role) -> dict[str, str]:
    return development_bearer(role, user_id=f"{role.value}-62", province_code="62")


# Per service: (method, path, request options, expected status, expected type).
GUARDED = {  # an endpoint that needs a role, and a role it refuses
    "intake": ("GET", "/v1/drafts", Role.AUDITOR),
    "routing": ("GET", "/v1/referrals", Role.AUDITOR),
    "notifications": ("GET", "/v1/event-types", Role.OPERATOR),
    "reporting": ("GET", f"/v1/audit/cases/{uuid4()}/reads", Role.AGENCY_STAFF),
}
ADMIN = as_role(Role.PROVINCE_ADMIN)


def requests(service: str) -> Iterator[tuple[str, str, dict[str, Any], int, str]]:
    method, path, refused_role = GUARDED[service]
    yield method, path, {}, 401, "authentication_required"
    yield method, path, {"headers": {"Authorization": "Bearer not-a-token"}}, 401, "token_invalid"
    yield method, path, {"headers": _expired_bearer()}, 401, "token_expired"
    yield method, path, {"headers": as_role(refused_role)}, 403, "role_not_allowed"
    yield "GET", "/v1/no-such-thing", {}, 404, "not_found"
    yield "DELETE", "/health", {}, 405, "method_not_allowed"
    if service == "intake":
        yield "POST", "/v1/inbound/pigeon", {"content": b"{}"}, 404, "gateway_unknown"
        yield "POST", "/v1/inbound/whatsapp", {"content": b"{}", "headers": {"X-Sinergi-Signature": "sha256=0"}}, \
            401, "signature_refused"
    if service == "routing":
        yield "PUT", "/v1/directory/import", {"json": {"agencies": []}, "headers": ADMIN}, 415, \
            "directory_media_type"
    if service == "reporting":
        yield "GET", "/v1/stats/cases", {"params": {"group_by": "regency,Budi Santoso"}}, 422, "group_by_unknown"


CASES = [(service, *request) for service in JSON_SERVICES for request in requests(service)]




@pytest.mark.parametrize(("service", "method", "path", "options", "status", "error_type"), CASES,
                         ids=[f"{case[0]}-{case[4]}-{case[5]}" for case in CASES])
async def test_every_refusal_before_the_database_is_localized(  # noqa: PLR0917 - the parameters of a case
    clients: dict[str, httpx.AsyncClient], service: str, method: str, path: str, options: dict[str, Any],
    status: int, error_type: str,
) -> None:
    headers = dict(options.get("headers", {}))
    rest = {key: value for key, value in options.items() if key != "headers"}
    indonesian = await clients[service].request(method, path, headers=headers, **rest)
    english = await clients[service].request(method, path, headers=headers | ENGLISH, **rest)

    for response, language in ((indonesian, Language.ID), (english, Language.EN)):
        assert response.status_code == status, response.text
        assert response.headers["content-language"] == language.value
        [item] = response.json()["detail"]
        assert set(item) == {"loc", "msg", "type"}
        assert item["type"] == error_type
        template = REFUSALS[error_type][0 if language is Language.EN else 1] if error_type in REFUSALS else None
        if isinstance(template, str) and "{" not in template:
            assert item["msg"] == template
    assert indonesian.json()["detail"][0]["msg"] != english.json()["detail"][0]["msg"]
    assert "Budi" not in indonesian.text + english.text  # never the input


@pytest.mark.parametrize("service", JSON_SERVICES)
def test_every_documented_error_has_the_shared_shape(service: str, apps: dict[str, FastAPI]) -> None:
    document = apps[service].openapi()
    shapes = set()
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            for code, response in operation["responses"].items():
                if int(code) >= 400:
                    if set(response.get("content", {})) == {"text/html"}:  # a page's refusal is a page (/lapor)
                        continue
                    schema = response.get("content", {}).get("application/json", {}).get("schema", {})
                    shapes.add(schema.get("$ref"))
                    assert schema, f"{method} {path} {code}"
    assert shapes <= {"#/components/schemas/LocalizedError", "#/components/schemas/HTTPValidationError"}
    item = document["components"]["schemas"]["LocalizedError"]["properties"]["detail"]["items"]
    assert set(item["required"]) == {"loc", "msg", "type"}


# --- the source ------------------------------------------------------------------------------------------------

def _sources() -> Iterator[Path]:
    yield from sorted((ROOT / "shared" / "src").rglob("*.py"))
    for service in sorted((ROOT / "services").iterdir()):
        yield from sorted((service / "src").rglob("*.py"))


def _name(call: ast.Call) -> str:
    return call.func.id if isinstance(call.func, ast.Name) else getattr(call.func, "attr", "")


def _calls(path: Path) -> Iterator[ast.Call]:
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Call):
            yield node


def test_no_service_raises_an_http_exception_with_its_own_words() -> None:
    found = []
    for path in _sources():
        json_service = "workspace" not in path.parts  # the workspace's pages say it in the person's language
        for call in _calls(path):
            if _name(call) != "HTTPException":
                continue
            detail = len(call.args) > 1 or any(keyword.arg == "detail" for keyword in call.keywords)
            if json_service or detail:
                found.append(f"{path.relative_to(ROOT)}:{call.lineno}")
    assert found == [], "raise shared.http_errors.refused(status, type, loc) instead"


# Where a refusal's type is named: the argument of ``shared.http_errors``' builders, and of the errors that carry
# one to an endpoint (intake's refusals of a change, reporting's of a statistics query).
TYPE_ARGUMENTS = {"refused": 1, "edge_error": 0, "CaseConflictError": 1, "intake:NotAllowedError": 0}


def _type_argument(call: ast.Call, path: Path) -> ast.expr | None:
    name = _name(call)
    service = "intake" if "intake" in path.parts else ""
    position = TYPE_ARGUMENTS.get(name, TYPE_ARGUMENTS.get(f"{service}:{name}"))
    if position is not None and len(call.args) > position:
        return call.args[position]
    return next((keyword.value for keyword in call.keywords if name == "StatsQueryError" and keyword.arg == "code"),
                None)


def _strings(node: ast.expr | None) -> Iterator[str]:
    """The string a type argument is, or either of ``"a" if ... else "b"``."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        yield node.value
    elif isinstance(node, ast.IfExp):
        yield from _strings(node.body)
        yield from _strings(node.orelse)


def test_every_refusal_type_named_in_the_source_is_in_the_catalogue() -> None:
    named: dict[str, str] = {}
    for path in _sources():
        for call in _calls(path):
            argument = _type_argument(call, path)
            for error_type in _strings(argument):
                named.setdefault(error_type, f"{path.relative_to(ROOT)}:{call.lineno}")
    assert {"case_not_found", "role_not_allowed", "rate_limited", "case_not_closed", "case_change_not_allowed",
            "group_by_unknown"} <= set(named)
    missing = {error_type: where for error_type, where in named.items() if error_type not in TRANSLATED_ERROR_TYPES}
    assert missing == {}
