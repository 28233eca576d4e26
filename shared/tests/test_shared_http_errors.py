"""FastAPI's own 400 for a body it could not parse speaks the shared shape and language, whatever made it fail;
every other HTTPException is answered as FastAPI answers it."""

from __future__ import annotations

import httpx
from fastapi import FastAPI, HTTPException
from starlette.exceptions import HTTPException as StarletteHTTPException

from shared.http_errors import FASTAPI_PARSE_ERROR, unreadable_body_handler


def app() -> FastAPI:
    app = FastAPI()
    app.exception_handler(StarletteHTTPException)(unreadable_body_handler)

    @app.post("/form")
    async def form() -> None:
        # What FastAPI raises when reading the body fails for another reason than its encoding.
        raise HTTPException(400, FASTAPI_PARSE_ERROR) from ValueError("boundary missing")

    @app.get("/missing")
    async def missing() -> None:
        raise HTTPException(404, "case not found")

    return app


async def test_a_body_that_cannot_be_read_is_a_localized_400_and_other_errors_are_left_alone() -> None:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app()), base_url="http://t") as client:
        indonesian = await client.post("/form")
        english = await client.post("/form", headers={"Accept-Language": "en"})
        missing = await client.get("/missing")

    assert indonesian.status_code == english.status_code == 400
    assert indonesian.json() == {"detail": [
        {"loc": ["body"], "type": "body_unreadable", "msg": "Isi permintaan tidak dapat dibaca."},
    ]}
    assert english.json()["detail"][0]["msg"] == "The request body could not be read."
    assert english.headers["content-language"] == "en"
    assert (missing.status_code, missing.json()) == (404, {"detail": "case not found"})
