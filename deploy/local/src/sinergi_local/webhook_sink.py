"""A demo agency endpoint: receives Sinergi webhooks, verifies each signature the way an agency should, and
records what arrived, so `make up` and the end-to-end tests can show a report reaching an agency.

Secrets come from ``<run dir>/sink-secrets.json`` (subscription secrets, by agency), written by the seeding.
Each agency's endpoint is its own receiver and dedupes on the idempotency key (``Sinergi-Event-Id``): the first
delivery of a key is processed (``"duplicate": false``); one seen again, even after a restart of the sink, is
acknowledged but not processed again (``"duplicate": true``). The chaos suite counts both from
``<run dir>/sink-received.jsonl``.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path
from typing import Any

import uvicorn
from fastapi import FastAPI, Request, Response

from shared.webhooks import EVENT_ID_HEADER, SIGNATURE_HEADER, SignatureError, verify


def create_sink(run_dir: Path) -> FastAPI:
    app = FastAPI(title="Sinergi demo webhook sink")
    secrets_path = run_dir / "sink-secrets.json"
    received_path = run_dir / "sink-received.jsonl"
    # (agency, idempotency key) of every delivery processed, kept across restarts by the file itself.
    seen: set[tuple[str, str]] = set()
    if received_path.exists():
        entries = [json.loads(line) for line in received_path.read_text().splitlines() if line.strip()]
        seen = {(entry["agency_id"], entry["event_id"]) for entry in entries if entry.get("verified")}

    def record(entry: dict[str, Any]) -> None:
        with received_path.open("a") as out:
            out.write(json.dumps(entry) + "\n")

    @app.post("/webhooks/{agency_id}")
    async def receive(agency_id: str, request: Request) -> Response:
        body = await request.body()
        secrets: dict[str, str] = json.loads(secrets_path.read_text()) if secrets_path.exists() else {}
        secret = secrets.get(agency_id)
        try:
            verify(secret or "", request.headers.get(SIGNATURE_HEADER, ""), body)
        except SignatureError as error:
            reason = str(error) if secret else "no secret for this agency"
            record({"agency_id": agency_id, "verified": False, "reason": reason, "at": time.time()})
            return Response(status_code=401)
        event_id = request.headers.get(EVENT_ID_HEADER, "")
        event = json.loads(body)
        referral = event.get("referral") or {}
        record({
            "agency_id": agency_id, "verified": True, "event_id": event_id, "event_type": event.get("event_type"),
            "case_id": event.get("case_id"), "referral_id": referral.get("referral_id"),
            "duplicate": (agency_id, event_id) in seen, "at": time.time(),
        })
        seen.add((agency_id, event_id))
        return Response(status_code=204)

    @app.get("/received")
    async def received() -> list[dict[str, Any]]:
        if not received_path.exists():
            return []
        return [json.loads(line) for line in received_path.read_text().splitlines() if line.strip()]

    return app


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=8009)
    parser.add_argument("--run-dir", type=Path, required=True)
    args = parser.parse_args()
    uvicorn.run(create_sink(args.run_dir), host="127.0.0.1", port=args.port, log_level="warning")


if __name__ == "__main__":
    main()
