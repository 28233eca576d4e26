"""Quiescence: wait until the platform has done all it will do, bounded by a timeout. Settled means every outbox
published, no delivery pending, every consumer group's committed offset at the end of its partitions (lag 0),
and nothing (inboxes, webhooks received, emails) changing between polls for a while."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import asyncpg
from aiokafka import AIOKafkaConsumer, TopicPartition

from sinergi_local import processes
from sinergi_local.platform import SERVICES

# The consumer groups of the four services, with the topics each reads (settings.consumer_group names them
# "<prefix>-<consumer>"; the prefix is "sinergi" locally).
CONSUMER_GROUPS: dict[str, tuple[str, ...]] = {
    "sinergi-intake": ("sinergi.referrals",),
    "sinergi-routing": ("sinergi.cases",),
    "sinergi-notifications": ("sinergi.referrals",),
    "sinergi-notifications-cases": ("sinergi.cases",),
    "sinergi-reporting": ("sinergi.cases",),
    "sinergi-reporting-referrals": ("sinergi.referrals",),
    "sinergi-reporting-audit": ("sinergi.audit",),
    "sinergi-reporting-audit-trail-cases": ("sinergi.cases",),
    "sinergi-reporting-audit-trail-referrals": ("sinergi.referrals",),
    "sinergi-reporting-audit-trail-notifications": ("sinergi.notifications",),
    "sinergi-reporting-audit-trail-audit": ("sinergi.audit",),
}
POLL_SECONDS = 5.0
STILL_POLLS = 4  # polls in a row with nothing pending and nothing changing


@dataclass(frozen=True)
class Snapshot:
    unpublished: int  # outbox rows not yet published, all services
    pending_deliveries: int
    lag: int  # messages not yet committed by their consumer group, all groups
    lagging: tuple[str, ...]  # the groups behind
    progress: tuple[int, ...]  # inbox sizes, webhooks and emails received: changes while work goes on

    @property
    def idle(self) -> bool:
        return self.unpublished == 0 and self.pending_deliveries == 0 and self.lag == 0


# Every service's outbox rows not yet published and inbox size (service names are constants, not input).
COUNTS = " UNION ALL ".join(
    f"SELECT (SELECT count(*) FROM {service}.outbox WHERE published_at IS NULL) AS unpublished, "  # noqa: S608
    f"(SELECT count(*) FROM {service}.inbox) AS inbox"
    for service in SERVICES
)
PENDING = "SELECT count(*) FROM notifications.deliveries WHERE status = 'pending'"


async def _database_counts(admin_dsn: str) -> tuple[int, int, tuple[int, ...]]:
    connection = await asyncpg.connect(admin_dsn, timeout=10)
    try:
        rows = await connection.fetch(COUNTS)
        pending = await connection.fetchval(PENDING)
        return sum(row["unpublished"] for row in rows), pending, tuple(row["inbox"] for row in rows)
    finally:
        await connection.close()


async def _lag(bootstrap_servers: str) -> tuple[int, tuple[str, ...]]:
    total, lagging = 0, []
    for group, topics in CONSUMER_GROUPS.items():
        consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap_servers, group_id=group, enable_auto_commit=False,
                                    request_timeout_ms=10_000)
        await consumer.start()
        try:
            partitions = [TopicPartition(topic, partition) for topic in topics
                          for partition in sorted(consumer.partitions_for_topic(topic) or ())]
            ends = await consumer.end_offsets(partitions)
            behind = 0
            for partition in partitions:
                # Tansu on s3:// can report a high watermark a little short of the committed offset: never below 0.
                behind += max(0, ends[partition] - (await consumer.committed(partition) or 0))
        finally:
            await consumer.stop()
        if behind:
            total += behind
            lagging.append(f"{group} ({behind})")
    return total, tuple(lagging)


def snapshot(admin_dsn: str, bootstrap_servers: str, run_dir: Path) -> Snapshot:
    unpublished, pending, inboxes = processes.run_coroutine(_database_counts(admin_dsn))
    lag, lagging = processes.run_coroutine(_lag(bootstrap_servers))
    received = run_dir / "sink-received.jsonl"
    webhooks = len(received.read_bytes().splitlines()) if received.exists() else 0
    emails = len(list((run_dir / "mail" / "new").glob("*")))
    return Snapshot(unpublished, pending, lag, lagging, (*inboxes, webhooks, emails))


def settle(admin_dsn: str, bootstrap_servers: str, run_dir: Path, *, timeout: float,
           report: Callable[[str], None] = print) -> bool:
    """Poll until settled, or until ``timeout``: whether it settled. ``report`` gets a line a minute."""
    deadline = time.monotonic() + timeout
    still, last, said = 0, None, time.monotonic()
    while time.monotonic() < deadline:
        try:
            now = snapshot(admin_dsn, bootstrap_servers, run_dir)
        except Exception as error:  # noqa: BLE001 - a database or broker still coming back: measure again
            report(f"  waiting: cannot measure yet ({type(error).__name__})")
            still, last = 0, None
            time.sleep(POLL_SECONDS)
            continue
        still = still + 1 if now.idle and last is not None and now.progress == last.progress else 0
        if still >= STILL_POLLS:
            return True
        if time.monotonic() - said > 60:
            said = time.monotonic()
            lagging = f" in {', '.join(now.lagging)}" if now.lagging else ""
            report(f"  settling: {now.unpublished} events unpublished, {now.pending_deliveries} deliveries pending, "
                   f"lag {now.lag}{lagging}")
        last = now
        time.sleep(POLL_SECONDS)
    return False
