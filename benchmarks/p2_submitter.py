"""P2's load: reports posted to intake's ``/v1/reports`` at a steady rate, open loop (each on its own schedule,
never waiting for earlier answers, so a slow system meets the same offered load rather than a politer one).

The reports are the chaos suite's (``sinergi_local.chaos.reports``): varied, anonymous so that intake links none
of them as the same incident, each recorded by its own operator.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Sequence
from dataclasses import dataclass

import httpx

from shared.auth import Role
from sinergi_local.chaos.reports import ChaosReport
from sinergi_local.platform import development_bearer

REQUEST_TIMEOUT = 60.0


@dataclass
class Submission:
    """One report: when it was due, and when intake's 201 came back with its case id."""

    number: int
    due: float  # perf_counter
    sent: float = 0.0  # perf_counter
    answered_at: float | None = None  # wall clock of the 201 (the receiver, another process, shares that clock)
    answered: float = 0.0  # perf_counter of the 201
    case_id: str | None = None
    failure: str | None = None  # status code or exception name, when it was not a 201


async def submit_open_loop(intake_url: str, reports: Sequence[ChaosReport], *, rate: float) -> list[Submission]:
    """Post ``reports`` at ``rate`` a second from now; return each one's outcome once all are answered."""
    # Tokens and bodies are made beforehand, so that the schedule is kept even on a busy machine.
    headers = [{**development_bearer(Role.OPERATOR, user_id=report.operator), "content-type": "application/json"}
               for report in reports]
    bodies = [json.dumps(report.body).encode() for report in reports]
    limits = httpx.Limits(max_connections=None, max_keepalive_connections=200)
    async with httpx.AsyncClient(base_url=intake_url, timeout=REQUEST_TIMEOUT, limits=limits) as client:
        start = time.perf_counter() + 0.1
        submissions = [Submission(report.number, start + index / rate) for index, report in enumerate(reports)]
        tasks = []
        for submission, body, header in zip(submissions, bodies, headers, strict=True):
            await asyncio.sleep(max(0.0, submission.due - time.perf_counter()))
            tasks.append(asyncio.create_task(_submit(client, submission, body, header)))
        await asyncio.gather(*tasks)
    return submissions


async def _submit(client: httpx.AsyncClient, submission: Submission, body: bytes, headers: dict[str, str]) -> None:
    submission.sent = time.perf_counter()
    try:
        response = await client.post("/v1/reports", content=body, headers=headers)
    except httpx.HTTPError as error:
        submission.failure = type(error).__name__
        return
    if response.status_code != httpx.codes.CREATED:
        submission.failure = str(response.status_code)
        return
    submission.answered_at, submission.answered = time.time(), time.perf_counter()
    submission.case_id = str(response.json()["case_id"])
