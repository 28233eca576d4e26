"""How a service's subscribers start (``shared.messaging.join_together``): all at once, and a join that hangs is
given up and tried again with a fresh member. The subscribers here are stand-ins for FastStream's, whose
``start`` (aiokafka's) returns once the consumer group has assigned partitions."""

from __future__ import annotations

import asyncio
import logging

import pytest

from shared.messaging import join_together


class Subscriber:
    """Starts once ``joined`` is set; the first ``hangs`` starts never return (a join the broker never answers)."""

    def __init__(self, group_id: str, joined: asyncio.Event, hangs: int = 0) -> None:
        self.group_id = group_id
        self.joined = joined
        self.hangs = hangs
        self.starts = 0
        self.stops = 0
        self.started = False

    async def start(self) -> None:
        self.starts += 1
        if self.starts <= self.hangs:
            await asyncio.Event().wait()
        await self.joined.wait()
        self.started = True

    async def stop(self) -> None:
        self.stops += 1


async def test_every_subscriber_starts_before_any_has_joined() -> None:
    joined = asyncio.Event()
    subscribers = [Subscriber(f"g{n}", joined) for n in range(7)]
    starting = asyncio.create_task(join_together(subscribers, join_timeout=30))
    for _ in range(10):  # a few turns of the loop, none of them a join
        await asyncio.sleep(0)
    assert [s.starts for s in subscribers] == [1] * 7  # one at a time, the second would wait for the first's join
    joined.set()
    await starting
    assert all(s.started and s.starts == 1 and s.stops == 0 for s in subscribers)


async def test_a_join_that_hangs_is_stopped_and_started_again(caplog: pytest.LogCaptureFixture) -> None:
    joined = asyncio.Event()
    joined.set()
    hanging, healthy = Subscriber("sinergi-routing", joined, hangs=2), Subscriber("sinergi-reporting", joined)
    with caplog.at_level(logging.WARNING, logger="shared.messaging"):
        await join_together([hanging, healthy], join_timeout=0.01)
    assert (hanging.starts, hanging.stops, hanging.started) == (3, 2, True)
    assert (healthy.starts, healthy.stops, healthy.started) == (1, 0, True)
    assert [r.getMessage() for r in caplog.records] == [
        "consumer sinergi-routing had not joined its group after 0 s (attempt 1); starting it again",
        "consumer sinergi-routing had not joined its group after 0 s (attempt 2); starting it again",
    ]
