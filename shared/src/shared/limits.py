"""Abuse and overload limits at the HTTP edge: a request body larger than the service accepts is refused with 413
before it is read into memory (whether it announces its length or streams it), public endpoints are
rate-limited per client with 429 and Retry-After, and past a number of requests in flight the service answers
503 with Retry-After at once instead of queueing them."""

from __future__ import annotations

import json
import math
import time

from fastapi import Request, status
from limits import parse
from limits.aio.storage import MemoryStorage
from limits.aio.strategies import MovingWindowRateLimiter
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shared.http_errors import LocalizedHTTPError, edge_error, scope_language
from shared.validation_messages import language_headers, localize_errors


async def answer_json(
    send: Send, status_code: int, content: object, *, headers: list[tuple[bytes, bytes]] | None = None
) -> None:
    """Answer with ``content`` as JSON from an ASGI middleware, before the app is reached."""
    body = json.dumps(content).encode()
    await send({"type": "http.response.start", "status": status_code, "headers": [
        (b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()), *(headers or []),
    ]})
    await send({"type": "http.response.body", "body": body})


async def answer_localized(
    scope: Scope, send: Send, status_code: int, errors: list[dict[str, object]], *,
    headers: list[tuple[bytes, bytes]] | None = None,
) -> None:
    """Answer ``errors`` (``shared.http_errors.edge_error`` items) in the shape and language of every other error,
    from an ASGI middleware: the app is not reached."""
    language = scope_language(scope)
    labels = [(name.lower().encode(), value.encode()) for name, value in language_headers(language).items()]
    await answer_json(send, status_code, {"detail": localize_errors(errors, language)},
                      headers=[*labels, *(headers or [])])


class BodySizeLimitMiddleware:
    def __init__(self, app: ASGIApp, *, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers", [])).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            await self._refuse(scope, send)
            return
        received = 0
        refused = False

        async def counting_receive() -> Message:
            # Past the limit we answer 413 ourselves and tell the app the client went away: frameworks turn an
            # exception raised here into their own 400.
            nonlocal received, refused
            if refused:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    refused = True
                    await self._refuse(scope, send)
                    return {"type": "http.disconnect"}
            return message

        async def guarded_send(message: Message) -> None:
            if not refused:
                await send(message)

        await self.app(scope, counting_receive, guarded_send)

    async def _refuse(self, scope: Scope, send: Send) -> None:
        await answer_localized(scope, send, 413, [edge_error("body_too_large", max_bytes=self.max_bytes)])


class InFlightLimitMiddleware:
    """Past ``limit`` requests in flight, answer 503 with ``Retry-After`` without reading the request. Under more
    load than the service can take, requests otherwise wait in its memory (each with its body and models) for
    seconds, and the memory they took stays with the process after the burst. The health, readiness and metrics
    endpoints always answer: an overloaded service is alive."""

    ALWAYS_ANSWERED = frozenset({"/health", "/ready", "/metrics"})
    RETRY_AFTER_SECONDS = 1

    def __init__(self, app: ASGIApp, *, limit: int) -> None:
        self.app = app
        self.limit = limit
        self.in_flight = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] in self.ALWAYS_ANSWERED:
            await self.app(scope, receive, send)
            return
        if self.in_flight >= self.limit:
            await self._refuse(scope, send)
            return
        self.in_flight += 1
        try:
            await self.app(scope, receive, send)
        finally:
            self.in_flight -= 1

    async def _refuse(self, scope: Scope, send: Send) -> None:
        retry_after = self.RETRY_AFTER_SECONDS
        await answer_localized(scope, send, 503, [edge_error("at_capacity", ("service",), retry_after=retry_after)],
                               headers=[(b"retry-after", str(retry_after).encode())])


class PublicRateLimiter:
    """Per-client limit for the endpoints anyone may call without logging in (report intake, the public form,
    the inbound-message webhook). Counted in this instance's memory: with several instances behind a load
    balancer each allows the rate, so the effective limit is the rate times the instance count."""

    def __init__(self, rate: str) -> None:
        self._item = parse(rate)
        self._limiter = MovingWindowRateLimiter(MemoryStorage())

    async def check(self, client: str) -> None:
        """Count one request from ``client``; raise 429 with Retry-After once it is over the limit."""
        if await self._limiter.hit(self._item, "public", client):
            return
        reset_at, _ = await self._limiter.get_window_stats(self._item, "public", client)
        retry_after = max(1, math.ceil(reset_at - time.time()))
        raise LocalizedHTTPError(
            status.HTTP_429_TOO_MANY_REQUESTS, [edge_error("rate_limited", ("client",), retry_after=retry_after)],
            headers={"Retry-After": str(retry_after)},
        )


async def public_rate_limit(request: Request) -> None:
    """FastAPI dependency for public endpoints."""
    limiter: PublicRateLimiter = request.app.state.public_rate_limiter
    await limiter.check(request.client.host if request.client else "unknown")
