"""P4's routing instances, started as the platform starts routing (``python -m routing serve`` with its
settings) but each on an HTTP port of its own and against P4's broker; and what P4 watches of them: their
consumer group's members and committed offsets, and the CPU the machine spends meanwhile."""

from __future__ import annotations

import asyncio
import contextlib
import os
import sys
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import asyncpg
import httpx
from aiokafka import TopicPartition
from aiokafka.admin import AIOKafkaAdminClient

from benchmarks.common import REPO_ROOT, BenchStack
from sinergi_local import processes

GROUP_PREFIX = "bench-p4"
GROUP = f"{GROUP_PREFIX}-routing"  # what RoutingSettings.consumer_group("routing") names with that prefix


@dataclass(frozen=True)
class Instance:
    name: str
    pid: int
    port: int


def _environment(stack: BenchStack, bootstrap: str, port: int) -> dict[str, str]:
    return {
        **stack.platform.service_env("routing"),
        "ROUTING_HTTP_PORT": str(port),
        "ROUTING_KAFKA_BOOTSTRAP_SERVERS": bootstrap,
        "ROUTING_KAFKA_CONSUMER_GROUP_PREFIX": GROUP_PREFIX,
        # Commits every 100 ms, so that the committed offsets P4 watches trail the work by little.
        "ROUTING_KAFKA_COMMIT_INTERVAL_MS": "100",
    }


@contextlib.contextmanager
def routing_instances(stack: BenchStack, bootstrap: str, count: int, run_dir: Path) -> Iterator[list[Instance]]:
    """``count`` routing instances, ready (``/ready`` answers 200); stopped on leaving."""
    instances = []
    try:
        for number in range(count):
            port = processes.free_port()
            name = f"p4-routing-{number}"
            pid = processes.start(name, [sys.executable, "-m", "routing", "serve"], run_dir=run_dir,
                                  env=_environment(stack, bootstrap, port), cwd=REPO_ROOT)
            instances.append(Instance(name, pid, port))
        for instance in instances:
            _wait_ready(instance, run_dir)
        yield instances
    finally:
        for instance in instances:
            processes.stop(instance.name, run_dir=run_dir)


def _wait_ready(instance: Instance, run_dir: Path, timeout: float = 180.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not processes.is_running(instance.pid):
            log = run_dir / "logs" / f"{instance.name}.log"
            raise RuntimeError(f"{instance.name} exited:\n{log.read_text(errors='replace')[-3000:]}")
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(f"http://127.0.0.1:{instance.port}/ready", timeout=5).status_code == 200:
                return
        time.sleep(0.3)
    raise RuntimeError(f"{instance.name} not ready after {timeout:.0f}s")


SETTLE_SECONDS = 180


async def wait_for_members(bootstrap: str, count: int) -> None:
    """Until the group is stable with ``count`` members: the joins and rebalances (slow on Tansu) are over
    before the clock starts."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, client_id="bench-p4-watch")
    await admin.start()
    try:
        async with asyncio.timeout(SETTLE_SECONDS):
            while True:  # polled: the broker tells nobody when a group settles
                if await _settled(admin, count):
                    return
                await asyncio.sleep(0.2)
    except TimeoutError:
        raise RuntimeError(f"{GROUP} did not settle with {count} members within {SETTLE_SECONDS}s") from None
    finally:
        await admin.close()


async def _settled(admin: AIOKafkaAdminClient, count: int) -> bool:
    described = await admin.describe_consumer_groups([GROUP])
    # Each group: (error_code, group_id, state, protocol_type, protocol, members). Tansu leaves the members'
    # assignments out, so the count of members in a stable group is what tells.
    return any(
        group[2] == "Stable" and len(group[5]) == count for response in described for group in response.groups
    )


OUTBOX_SECONDS = 300


async def wait_for_outbox(admin_dsn: str) -> None:
    """Until routing's outbox is published, so that no event of P4's is left for the platform's own instance to
    publish to the platform's broker once it is back."""
    connection = await asyncpg.connect(admin_dsn)
    try:
        async with asyncio.timeout(OUTBOX_SECONDS):
            while True:  # polled: the relays run in the instances
                if not await connection.fetchval("SELECT count(*) FROM routing.outbox WHERE published_at IS NULL"):
                    return
                await asyncio.sleep(0.2)
    except TimeoutError:
        raise RuntimeError(f"routing's outbox not published within {OUTBOX_SECONDS}s") from None
    finally:
        await connection.close()


class CommittedOffsets:
    """``async with CommittedOffsets(bootstrap, partitions) as offsets``: ``await offsets.total()``."""

    def __init__(self, bootstrap: str, partitions: Sequence[TopicPartition]) -> None:
        self._admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, client_id="bench-p4-offsets")
        self._partitions = list(partitions)

    async def __aenter__(self) -> CommittedOffsets:
        await self._admin.start()
        return self

    async def __aexit__(self, *_: object) -> None:
        await self._admin.close()

    async def total(self) -> int:
        committed = await self._admin.list_consumer_group_offsets(GROUP, partitions=self._partitions)
        return sum(max(offset.offset, 0) for offset in committed.values())


class MachineCpu:
    """The machine's CPU time, busy and in all, from /proc/stat: ``busy_share`` of the cores since ``start``."""

    def __init__(self) -> None:
        self._busy, self._total = self._read()

    @staticmethod
    def _read() -> tuple[int, int]:
        fields = [int(value) for value in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
        idle = fields[3] + fields[4]  # idle and iowait
        return sum(fields) - idle, sum(fields)

    def busy_share(self) -> float:
        busy, total = self._read()
        return (busy - self._busy) / max(total - self._total, 1)


def process_cpu_seconds(pids: Sequence[int]) -> float:
    """User and system CPU time of ``pids`` so far."""
    ticks = 0
    for pid in pids:
        with contextlib.suppress(FileNotFoundError):
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            ticks += int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")
