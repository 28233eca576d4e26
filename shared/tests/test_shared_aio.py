"""The background loops' wait: woken by its event, bounded by its timeout, and always cancellable."""

from __future__ import annotations

import asyncio

import pytest

from shared.aio import wait_until_set


async def test_returns_true_when_set_and_false_on_timeout() -> None:
    event = asyncio.Event()
    assert await wait_until_set(event, 0.01) is False
    event.set()
    assert await wait_until_set(event, 5) is True


async def test_a_cancellation_arriving_with_the_wakeup_is_not_swallowed() -> None:
    """The race that kept a service from stopping: the event is set and the task cancelled in the same turn
    of the loop. A loop around the wait must see CancelledError, not a normal return."""
    for _ in range(50):
        event = asyncio.Event()

        async def loop_forever(event: asyncio.Event = event) -> None:
            while True:
                await wait_until_set(event, 10)
                event.clear()

        task = asyncio.create_task(loop_forever())
        await asyncio.sleep(0)  # the task is now waiting on the event
        event.set()
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            async with asyncio.timeout(5):
                await task
