"""The load: every report submitted at a steady rate by a few worker threads, each retried until intake's answer
says what became of it.

A report is accepted only when intake answered 201. When the answer is lost (the connection dropped, a 5xx,
a timeout) the report may or may not have been stored: intake takes no idempotency key, so the worker asks the
operator's own case list (``GET /v1/cases`` as the report's operator, one per report) once intake answers
again, and submits again only if the case is not there. A refused connection never reached intake and is
simply tried again; a 4xx other than 429 is a refusal of the report itself, and is not retried.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import httpx

from sinergi_local.chaos.reports import ChaosReport

Bearer = Callable[[str], dict[str, str]]  # the operator's user id -> request headers
REQUEST_TIMEOUT = 60.0
RETRY_PAUSE = 0.5
# After a timeout, intake may still be working on the request: give it this long to finish before asking.
TIMEOUT_GRACE = 10.0


@dataclass
class Outcome:
    report: ChaosReport
    case_id: str | None = None
    case_number: str | None = None
    attempts: int = 0
    lost_answers: int = 0  # answers that never came (or a 5xx): resolved through the operator's case list
    found_after_lost_answer: int = 0  # ... that turned out accepted
    refused: str | None = None  # a 4xx: intake refused the report itself

    @property
    def accepted(self) -> bool:
        return self.case_id is not None


class Load:
    def __init__(
        self, intake_url: str, reports: Sequence[ChaosReport], *, rate: float, bearer: Bearer, workers: int = 8
    ) -> None:
        self._url = intake_url
        self._bearer = bearer
        self._rate = rate
        self.outcomes = [Outcome(report) for report in reports]
        self._next = 0
        self._lock = threading.Lock()
        self._workers = [threading.Thread(target=self._work, name=f"chaos-load-{i}", daemon=True)
                         for i in range(workers)]
        self._started = 0.0
        self.stopping = threading.Event()

    @property
    def duration(self) -> float:
        """How long the submissions take at the rate asked for."""
        return len(self.outcomes) / self._rate

    def start(self) -> None:
        self._started = time.monotonic()
        for worker in self._workers:
            worker.start()

    def join(self) -> None:
        for worker in self._workers:
            worker.join()

    @property
    def running(self) -> bool:
        return any(worker.is_alive() for worker in self._workers)

    def done(self) -> int:
        return sum(1 for outcome in self.outcomes if outcome.accepted or outcome.refused)

    def _take(self) -> Outcome | None:
        with self._lock:
            if self._next >= len(self.outcomes) or self.stopping.is_set():
                return None
            outcome = self.outcomes[self._next]
            self._next += 1
        due = self._started + (outcome.report.number - 1) / self._rate
        time.sleep(max(0.0, due - time.monotonic()))
        return outcome

    def _work(self) -> None:
        with httpx.Client(base_url=self._url, timeout=REQUEST_TIMEOUT) as client:
            while (outcome := self._take()) is not None:
                self._submit(client, outcome)

    def _submit(self, client: httpx.Client, outcome: Outcome) -> None:
        report = outcome.report
        headers = self._bearer(report.operator)
        while not self.stopping.is_set():
            outcome.attempts += 1
            try:
                response = client.post("/v1/reports", json=report.body, headers=headers)
            except httpx.ConnectError:  # refused: the request never reached intake
                time.sleep(RETRY_PAUSE)
                continue
            except httpx.TransportError as error:
                outcome.lost_answers += 1
                if isinstance(error, httpx.TimeoutException):
                    time.sleep(TIMEOUT_GRACE)
            else:
                if response.status_code == httpx.codes.CREATED:
                    answer = response.json()
                    outcome.case_id, outcome.case_number = answer["case_id"], answer["case_number"]
                    return
                if response.status_code == httpx.codes.TOO_MANY_REQUESTS:
                    time.sleep(RETRY_PAUSE)
                    continue
                if response.status_code < httpx.codes.INTERNAL_SERVER_ERROR:
                    outcome.refused = f"{response.status_code} {response.text[:300]}"
                    return
                outcome.lost_answers += 1  # a 5xx: the transaction may or may not have committed
            if self._find(client, outcome):
                outcome.found_after_lost_answer += 1
                return

    def _find(self, client: httpx.Client, outcome: Outcome) -> bool:
        """Whether intake holds the report's case (taking its id if so), asked until intake answers."""
        headers = self._bearer(outcome.report.operator)
        while not self.stopping.is_set():
            try:
                response = client.get("/v1/cases", headers=headers)
            except httpx.TransportError:
                time.sleep(RETRY_PAUSE)
                continue
            if response.status_code != httpx.codes.OK:
                time.sleep(RETRY_PAUSE)
                continue
            cases = response.json()
            if cases:
                outcome.case_id, outcome.case_number = cases[-1]["case_id"], cases[-1]["case_number"]
            return bool(cases)
        return False
