"""The delivery worker: a background loop, for the app's lifetime, that sends due notifications.

Its work lives in the ``deliveries`` table, not in memory, so a restart carries on where it stopped and several
instances share the work (each claims different rows). Up to ``delivery_batch_size`` attempts are in flight at
once; a free slot is filled as soon as it frees, so one slow endpoint does not hold back everyone else's.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import time
from collections.abc import Coroutine
from datetime import timedelta

from notifications.adapters.webhook_sender import new_http_client
from notifications.domain.circuit import CircuitPolicy
from notifications.domain.delivery import Outcome, RetryPolicy
from notifications.domain.subscriptions import Channel
from notifications.entrypoints.channels import make_senders
from notifications.service_layer.delivery import DeliveryPolicy, Senders, attempt_delivery, claim_due
from notifications.settings import NotificationsSettings
from shared.access import SERVICE_CONTEXT
from shared.aio import wait_until_set
from shared.crypto import FieldCipher
from shared.metrics import webhook_failures
from shared.service import Runtime

log = logging.getLogger(__name__)

BURIAL_INTERVAL_SECONDS = 1.0


class DeliveryWorker:
    def __init__(self, runtime: Runtime, settings: NotificationsSettings, cipher: FieldCipher) -> None:
        self._runtime = runtime
        self._unit_of_work = functools.partial(runtime.unit_of_work, SERVICE_CONTEXT)
        self._cipher = cipher
        self._slots = settings.delivery_batch_size
        self._lease_seconds = settings.delivery_lease_seconds
        self._idle_seconds = settings.delivery_idle_poll_ms / 1000
        self._retry = RetryPolicy(
            base_seconds=settings.delivery_backoff_base_seconds,
            cap_seconds=settings.delivery_backoff_cap_seconds,
            max_attempts=settings.delivery_max_attempts,
        )
        self._policy = DeliveryPolicy(
            retry=self._retry,
            circuit=CircuitPolicy(
                failure_threshold=settings.circuit_failure_threshold,
                cool_down=timedelta(seconds=settings.circuit_cool_down_seconds),
                max_cool_down=timedelta(seconds=settings.circuit_max_cool_down_seconds),
            ),
        )
        # Made here (no I/O yet) so that the app knows the channels at once; opened and closed by ``run``.
        self._client = new_http_client(settings.delivery_timeout_seconds)
        self.senders = make_senders(settings, self._client)
        self._wakeup = asyncio.Event()
        self._in_flight: set[asyncio.Task[Outcome]] = set()
        # The last claim took every free slot, so more may be due: a slot that frees is work to claim. Otherwise
        # a finished attempt wakes nobody (new deliveries wake the worker, retries come with the poll), which
        # spares a claim transaction per delivery.
        self._full = False
        self._next_burial = 0.0  # monotonic time from which the next claim also buries abandoned deliveries
        self._failures = webhook_failures(runtime.metrics)

    def wake(self) -> None:
        """New deliveries were queued: look now rather than at the next poll."""
        self._wakeup.set()

    async def run(self) -> None:
        async with self._client:
            try:
                await self._loop(self.senders)
            finally:
                # Cancelled attempts keep their lease; when it runs out they are sent again (at least once).
                for task in self._in_flight:
                    task.cancel()
                await asyncio.gather(*self._in_flight, return_exceptions=True)

    async def _loop(self, senders: Senders) -> None:
        failures = 0
        while True:
            free = self._slots - len(self._in_flight)
            # Cleared before looking, so a wake-up that comes while we look is not lost.
            self._wakeup.clear()
            if free == 0:
                await self._wait_for_work()
                continue
            try:
                deliveries = await claim_due(
                    self._unit_of_work, limit=free, lease_seconds=self._lease_seconds, policy=self._retry,
                    bury=self._burial_due(),
                )
                failures = 0
            except Exception as error:  # noqa: BLE001 - the worker must outlive database outages
                failures += 1
                log.warning("claiming deliveries failed (%s); retrying", type(error).__name__)
                await asyncio.sleep(min(0.2 * 2**failures, 5.0))
                continue
            self._full = len(deliveries) == free
            for delivery in deliveries:
                self._start(attempt_delivery(delivery, self._unit_of_work, senders, self._cipher, self._policy,
                                             on_failure=self._count_failure))
            if not self._full:
                await self._wait_for_work()  # nothing else is due yet

    def _count_failure(self, channel: Channel, kind: str) -> None:
        self._failures.labels(channel=channel.value, reason=kind).inc()

    def _start(self, attempt: Coroutine[object, object, Outcome]) -> None:
        task = asyncio.create_task(attempt, name="notifications-delivery")
        self._in_flight.add(task)
        task.add_done_callback(self._finished)

    def _finished(self, task: asyncio.Task[Outcome]) -> None:
        self._in_flight.discard(task)
        if not task.cancelled() and (error := task.exception()) is not None:
            # Its lease will run out and it will be tried again; nothing is lost.
            log.warning("a delivery attempt could not be recorded (%s)", type(error).__name__)
        if self._full:
            self._wakeup.set()  # a slot is free, and more may be due

    def _burial_due(self) -> bool:
        """Whether this claim also buries abandoned deliveries: at most once a ``BURIAL_INTERVAL_SECONDS``, as
        they can only come from a lease that ran out (``delivery_lease_seconds``), not with every claim."""
        now = time.monotonic()
        if now < self._next_burial:
            return False
        self._next_burial = now + BURIAL_INTERVAL_SECONDS
        return True

    async def _wait_for_work(self) -> None:
        """Until something was queued, a slot freed while the worker was full, or the poll interval passed."""
        await wait_until_set(self._wakeup, self._idle_seconds)
