"""The 503 a request meets while the database cannot be reached: the shared localized shape, in the caller's
language, with Retry-After, and nothing of the database in it."""

from __future__ import annotations

import json

import pytest
from starlette.requests import Request

from shared.service import RETRY_AFTER_SECONDS, database_unavailable


def _request(language: str | None) -> Request:
    headers = [(b"accept-language", language.encode())] if language else []
    return Request({"type": "http", "method": "POST", "path": "/v1/reports", "headers": headers})


@pytest.mark.parametrize(("language", "expected"), [
    (None, "Layanan sedang tidak tersedia; tidak ada yang dilakukan. Coba lagi dalam 5 detik."),
    ("en", "The service is unavailable for now; nothing was done. Try again in 5 s."),
])
async def test_an_unreachable_database_is_a_localized_503(language: str | None, expected: str) -> None:
    refused = ConnectionRefusedError(111, "Connection refused to 10.0.0.7:5432")
    response = await database_unavailable(_request(language), refused)
    assert response.status_code == 503
    assert response.headers["retry-after"] == str(RETRY_AFTER_SECONDS)
    assert response.headers["content-language"] == (language or "id")
    body = json.loads(bytes(response.body))
    assert body == {"detail": [{"type": "service_unavailable", "loc": ["service"], "msg": expected}]}
    assert "5432" not in response.body.decode()
    assert "10.0.0.7" not in response.body.decode()


async def test_a_refused_statement_is_not_hidden_as_unavailable() -> None:
    with pytest.raises(ValueError, match="a bug"):
        await database_unavailable(_request(None), ValueError("a bug"))
