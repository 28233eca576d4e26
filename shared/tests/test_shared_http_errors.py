"""The HTTPExceptions Starlette and FastAPI raise themselves speak the shared shape and language: FastAPI's own 400
for a body it could not parse (whatever made it fail), the 404 of an unknown address, the 405 of a wrong method
(its ``Allow`` header kept), and any other status; so does an unexpected fault (500), saying nothing of it. A
refusal an endpoint raises is worded by the catalogue, never with the input."""

from __future__ import annotations

import httpx
import pytest
from fastapi import FastAPI, HTTPException
from starlette.exceptions import HTTPException as StarletteHTTPException

from shared.http_errors import (
    FASTAPI_PARSE_ERROR,
    LocalizedHTTPError,
    http_exception_handler,
    internal_error_handler,
    localized_http_error_handler,
    refused,
    refused_by,
)
from shared.refusal_messages import REFUSALS
from shared.validation_messages import TRANSLATED_ERROR_TYPES, LocalizedValueError

ENGLISH = {"Accept-Language": "en"}


def app() -> FastAPI:
    app = FastAPI()
    app.exception_handler(StarletteHTTPException)(http_exception_handler)
    app.exception_handler(LocalizedHTTPError)(localized_http_error_handler)
    app.exception_handler(Exception)(internal_error_handler)

    @app.post("/form")
    async def form() -> None:
        # What FastAPI raises when reading the body fails for another reason than its encoding.
        raise HTTPException(400, FASTAPI_PARSE_ERROR) from ValueError("boundary missing")

    @app.get("/teapot")
    async def teapot() -> None:
        raise HTTPException(418, "a detail in English only")

    @app.get("/cases/{case_id}")
    async def case(case_id: str) -> None:
        raise refused(404, "case_not_found", ("path", "case_id"))

    @app.get("/ended")
    async def ended() -> None:
        raise refused_by(409, LocalizedValueError("referral_ended", en="It ended.", id="Sudah berakhir."), ("path",))

    @app.get("/fault")
    async def fault() -> None:
        raise RuntimeError("secret detail")

    return app


@pytest.fixture
async def client() -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app(), raise_app_exceptions=False)
    return httpx.AsyncClient(transport=transport, base_url="http://t")


async def test_a_body_that_cannot_be_read_is_a_localized_400(client: httpx.AsyncClient) -> None:
    indonesian = await client.post("/form")
    english = await client.post("/form", headers=ENGLISH)

    assert indonesian.status_code == english.status_code == 400
    assert indonesian.json() == {"detail": [
        {"loc": ["body"], "type": "body_unreadable", "msg": "Isi permintaan tidak dapat dibaca."},
    ]}
    assert english.json()["detail"][0]["msg"] == "The request body could not be read."
    assert english.headers["content-language"] == "en"


async def test_the_frameworks_own_errors_are_localized(client: httpx.AsyncClient) -> None:
    unknown = await client.get("/no-such-thing")
    wrong_method = await client.delete("/form", headers=ENGLISH)
    other = await client.get("/teapot")

    assert (unknown.status_code, unknown.json()) == (404, {"detail": [
        {"loc": ["path"], "type": "not_found", "msg": "Tidak ada apa pun di alamat ini."}]})
    assert (wrong_method.status_code, wrong_method.json()) == (405, {"detail": [
        {"loc": ["method"], "type": "method_not_allowed", "msg": "This address does not take this method."}]})
    assert wrong_method.headers["allow"] == "POST"
    assert (other.status_code, other.json()) == (418, {"detail": [
        {"loc": ["request"], "type": "http_error", "msg": "Permintaan ditolak (HTTP 418)."}]})
    assert "English only" not in other.text


async def test_refusals_are_worded_by_the_catalogue_or_the_domain_rule(client: httpx.AsyncClient) -> None:
    missing = await client.get("/cases/Budi-Santoso")
    english = await client.get("/cases/Budi-Santoso", headers=ENGLISH)
    ended = await client.get("/ended", headers=ENGLISH)

    assert (missing.status_code, missing.json()) == (404, {"detail": [{
        "loc": ["path", "case_id"], "type": "case_not_found", "msg": "Tidak ada kasus tersebut yang boleh Anda lihat.",
    }]})
    assert (missing.headers["content-language"], english.headers["content-language"]) == ("id", "en")
    assert english.json()["detail"][0]["msg"] == "No such case that you may see."
    assert "Budi" not in missing.text + english.text
    assert (ended.status_code, ended.json()["detail"]) == (409, [
        {"loc": ["path"], "type": "referral_ended", "msg": "It ended."}])


async def test_an_unexpected_fault_is_a_localized_500_that_says_nothing_of_it(client: httpx.AsyncClient) -> None:
    fault = await client.get("/fault")
    english = await client.get("/fault", headers=ENGLISH)

    assert fault.status_code == english.status_code == 500
    assert fault.json() == {"detail": [
        {"loc": ["service"], "type": "internal_error", "msg": "Terjadi kesalahan di pihak kami. Coba lagi nanti."}]}
    assert english.json()["detail"][0]["msg"].startswith("Something went wrong on our side")
    assert "secret" not in fault.text + english.text


def test_every_refusal_is_worded_in_both_languages() -> None:
    assert set(REFUSALS) <= TRANSLATED_ERROR_TYPES
    for error_type, templates in REFUSALS.items():
        en, id_ = (template if isinstance(template, str) else template({"line": 2}) for template in templates)
        assert en != id_, error_type
        assert en.endswith("."), error_type
        assert id_.endswith("."), error_type
