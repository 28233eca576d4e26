"""``python -m benchmarks.p2_receiver``: P2's agency endpoint, a process of its own for the whole benchmark.

It receives Sinergi webhooks as an agency's system would (the signature verified over the raw body against the
subscription's secret, answered 204) and records, for each case, when its first verified webhook arrived (wall
clock, which every process on the machine shares). ``GET /arrivals`` gives them; ``GET /state`` says how long
ago the last webhook came, so that a run can wait for the deliveries to settle before the next begins.

It lives across runs so that no delivery ever meets a closed port: a failed delivery would open its endpoint's
circuit breaker in notifications and hold back the next run's webhooks. A bare ASGI app, not FastAPI: the
receiver should cost as little as possible and never be what the latency measures.
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Awaitable, Callable, Mapping, MutableMapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import uvicorn

from shared.webhooks import SIGNATURE_HEADER, SignatureError, verify

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

PATH_PREFIX = "/webhooks/"
_SIGNATURE_HEADER = SIGNATURE_HEADER.lower().encode()


@dataclass
class WebhookReceiver:
    """The ASGI app: ``POST /webhooks/{agency_id}``, ``GET /arrivals``, ``GET /state``; ``secrets`` by agency."""

    secrets: Mapping[str, str]
    # By case id: [arrival, occurred_at] of its first verified webhook, both wall-clock seconds; occurred_at is
    # when routing referred the case (the event's own time, from the payload).
    first: dict[str, tuple[float, float]] = field(default_factory=dict)
    received: int = 0
    refused: int = 0
    last_arrival: float = field(default_factory=time.time)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":  # lifespan is turned off; nothing else is expected
            return
        at = time.time()
        body = await _read_body(receive)
        if scope["method"] == "POST":
            await _answer(send, self._take(scope, body, at))
        elif scope["path"] == "/arrivals":
            await _answer(send, 200, self.first)
        elif scope["path"] == "/state":
            await _answer(send, 200, {"received": self.received, "refused": self.refused,
                                      "idle_seconds": time.time() - self.last_arrival})
        else:
            await _answer(send, 404)

    def _take(self, scope: Scope, body: bytes, at: float) -> int:
        self.last_arrival = at
        path: str = scope["path"]
        secret = self.secrets.get(path.removeprefix(PATH_PREFIX)) if path.startswith(PATH_PREFIX) else None
        header = next((value.decode() for name, value in scope["headers"] if name == _SIGNATURE_HEADER), "")
        try:
            verify(secret or "", header, body)
        except SignatureError:
            self.refused += 1
            return 401
        self.received += 1
        event = json.loads(body)
        case_id = str(event["case_id"])
        if case_id not in self.first:
            self.first[case_id] = (at, datetime.fromisoformat(event["occurred_at"]).timestamp())
        return 204


async def _read_body(receive: Receive) -> bytes:
    chunks = []
    while True:
        message = await receive()
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            return b"".join(chunks)


async def _answer(send: Send, status: int, content: object = None) -> None:
    body = b"" if content is None else json.dumps(content).encode()
    headers = [(b"content-type", b"application/json")] if content is not None else []
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.p2_receiver", description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--secrets", type=Path, required=True, help="JSON of subscription secrets by agency")
    args = parser.parse_args()
    receiver = WebhookReceiver(json.loads(args.secrets.read_text()))
    uvicorn.run(receiver, host="127.0.0.1", port=args.port, log_level="warning", access_log=False, lifespan="off")


if __name__ == "__main__":
    main()
