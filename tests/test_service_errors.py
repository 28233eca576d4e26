"""Every service answers the errors a new user meets first in the shared shape (``{"detail": [{"loc", "msg",
"type"}]}``) and language (Bahasa Indonesia, English on request): a body over the size limit (413), a body that
is not UTF-8 (400), and a code in the wrong format (422, with an example of the right one, never the regex).

The apps are the services' own, built by their settings and not started: each refusal comes before the
database or the broker would be reached.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from intake.app import create_app as create_intake
from intake.settings import IntakeSettings
from shared.auth import Role
from shared.pattern_messages import KNOWN_PATTERNS
from sinergi_local.platform import SERVICES, development_bearer

ADMIN = development_bearer(Role.PROVINCE_ADMIN, user_id="admin-62", province_code="62")
ENGLISH = {"Accept-Language": "en"}
NOT_UTF8 = b'{"narrative": "\xff\xfe\xfa"}'

# Per service: an endpoint that reads a JSON body (reporting has none), and a request with a regency code in
# the wrong format and where its error is reported.
BODY_ENDPOINTS = {
    "intake": ("POST", "/v1/reports"),
    "routing": ("PUT", "/v1/agencies/uptd-ppa-62.13"),
    "notifications": ("POST", "/v1/subscriptions"),
}
BAD_REGENCY: dict[str, tuple[str, str, dict[str, Any], tuple[str, ...]]] = {
    "intake": ("POST", "/v1/reports", {"json": {"location": {"regency_code": "6213"}}},
               ("body", "location", "regency_code")),
    "routing": ("GET", "/v1/agencies", {"params": {"regency_code": "6213"}}, ("query", "regency_code")),
    "notifications": ("GET", "/v1/subscriptions", {"params": {"region_code": "6213"}}, ("query", "region_code")),
    "reporting": ("GET", "/v1/stats/cases", {"params": {"regency": "6213"}}, ("query", "regency")),
}




def only_item(response: httpx.Response) -> dict[str, Any]:
    [item] = response.json()["detail"]
    assert set(item) == {"loc", "msg", "type"}
    return dict(item)


@pytest.mark.parametrize("service", SERVICES)
async def test_a_body_over_the_limit_is_a_localized_413(service: str, clients: dict[str, httpx.AsyncClient],
                                                        apps: dict[str, FastAPI]) -> None:
    limit = apps[service].state.runtime.settings.http_max_body_bytes
    method, path = BODY_ENDPOINTS.get(service, ("POST", "/v1/stats/cases"))
    body = b"x" * (limit + 1)
    headers = {"Content-Type": "application/json"}

    indonesian = await clients[service].request(method, path, content=body, headers=headers)
    english = await clients[service].request(method, path, content=body, headers=headers | ENGLISH)

    assert indonesian.status_code == english.status_code == 413
    assert indonesian.headers["content-language"] == "id"
    assert english.headers["content-language"] == "en"
    assert "Accept-Language" in indonesian.headers["vary"]
    assert only_item(indonesian) == {
        "loc": ["body"], "type": "body_too_large",
        "msg": f"Isi permintaan lebih besar dari {limit} byte yang diterima layanan ini.",
    }
    assert only_item(english) == {
        "loc": ["body"], "type": "body_too_large",
        "msg": f"The request body is larger than the {limit} bytes this service accepts.",
    }


async def test_a_streamed_body_over_the_limit_is_a_localized_413(clients: dict[str, httpx.AsyncClient]) -> None:
    async def streamed() -> AsyncIterator[bytes]:  # no Content-Length: counted as it arrives
        for _ in range(40):
            yield b"x" * 10_000

    response = await clients["intake"].post(
        "/v1/reports", content=streamed(), headers={"Content-Type": "application/json"} | ENGLISH
    )

    assert response.status_code == 413
    assert response.headers["content-language"] == "en"
    assert only_item(response)["msg"].startswith("The request body is larger than")


@pytest.mark.parametrize("service", sorted(BODY_ENDPOINTS))
async def test_a_body_that_is_not_utf8_is_a_localized_400(service: str,
                                                          clients: dict[str, httpx.AsyncClient]) -> None:
    method, path = BODY_ENDPOINTS[service]
    headers = {"Content-Type": "application/json"} | ADMIN

    indonesian = await clients[service].request(method, path, content=NOT_UTF8, headers=headers)
    english = await clients[service].request(method, path, content=NOT_UTF8, headers=headers | ENGLISH)

    assert indonesian.status_code == english.status_code == 400
    assert indonesian.headers["content-language"] == "id"
    assert english.headers["content-language"] == "en"
    assert only_item(indonesian) == {
        "loc": ["body"], "type": "body_not_utf8", "msg": "Isi permintaan harus berupa JSON dengan pengodean UTF-8.",
    }
    assert only_item(english) == {
        "loc": ["body"], "type": "body_not_utf8", "msg": "The request body must be JSON encoded as UTF-8.",
    }


async def test_an_unknown_address_is_a_localized_404(clients: dict[str, httpx.AsyncClient]) -> None:
    response = await clients["reporting"].get("/v1/no-such-thing")

    assert response.status_code == 404
    assert response.json() == {"detail": [
        {"loc": ["path"], "type": "not_found", "msg": "Tidak ada apa pun di alamat ini."}]}


@pytest.mark.parametrize("service", SERVICES)
async def test_a_code_in_the_wrong_format_is_explained_with_an_example(
    service: str, clients: dict[str, httpx.AsyncClient]
) -> None:
    method, path, request, loc = BAD_REGENCY[service]

    indonesian = await clients[service].request(method, path, headers=ADMIN, **request)
    english = await clients[service].request(method, path, headers=ADMIN | ENGLISH, **request)

    assert indonesian.status_code == english.status_code == 422
    [wrong] = [item for item in indonesian.json()["detail"] if tuple(item["loc"]) == loc]
    [wrong_en] = [item for item in english.json()["detail"] if tuple(item["loc"]) == loc]
    expected_id = "Harus berupa kode provinsi atau kabupaten/kota, mis. 62 atau 62.13." if service == "notifications" \
        else "Harus berupa kode kabupaten/kota, mis. 62.13."
    expected_en = "Must be a province or regency code, e.g. 62 or 62.13." if service == "notifications" \
        else "Must be a regency or city code, e.g. 62.13."
    assert wrong == {"loc": list(loc), "type": "string_pattern_mismatch", "msg": expected_id}
    assert wrong_en == {"loc": list(loc), "type": "string_pattern_mismatch", "msg": expected_en}
    assert "^" not in indonesian.text + english.text


@pytest.mark.parametrize("service", SERVICES)
def test_every_pattern_a_service_documents_has_an_example(service: str, apps: dict[str, FastAPI]) -> None:
    patterns: set[str] = set()
    pending: list[object] = [apps[service].openapi()]
    while pending:
        node = pending.pop()
        if isinstance(node, dict):
            if isinstance(node.get("pattern"), str):
                patterns.add(node["pattern"])
            pending.extend(node.values())
        elif isinstance(node, list):
            pending.extend(node)

    assert patterns - KNOWN_PATTERNS == set()


async def test_the_public_rate_limit_is_a_localized_429() -> None:
    app = create_intake(IntakeSettings(
        database_url="postgresql+asyncpg://docs@127.0.0.1/docs", http_public_rate_limit="1/minute"
    ))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://intake") as client:
        first = await client.post("/v1/reports", json={})  # refused as invalid, but counted
        indonesian = await client.post("/v1/reports", json={})
        english = await client.post("/v1/reports", json={}, headers=ENGLISH)

    assert first.status_code == 422
    assert indonesian.status_code == english.status_code == 429
    assert int(indonesian.headers["Retry-After"]) >= 1
    retry_after = indonesian.headers["Retry-After"]
    assert only_item(indonesian) == {
        "loc": ["client"], "type": "rate_limited",
        "msg": f"Terlalu banyak permintaan; coba lagi dalam {retry_after} detik.",
    }
    assert english.headers["content-language"] == "en"
    assert only_item(english)["msg"].startswith("Too many requests; try again in ")
