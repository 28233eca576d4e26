"""What routing's integration tests share: a clock the test moves by hand, and the runtime of an in-process app."""

from __future__ import annotations

from datetime import datetime

import httpx

from shared.contracts.base import utc_now
from shared.service import Runtime


class Clock:
    """A clock the test moves by hand, from the real now: a referral it makes is never overdue by the real clock
    that the app's own timer loop reads."""

    def __init__(self) -> None:
        self.now = utc_now()

    def __call__(self) -> datetime:
        return self.now


def runtime_of(client: httpx.AsyncClient) -> Runtime:
    runtime: Runtime = client.app.state.runtime  # type: ignore[attr-defined]
    return runtime
