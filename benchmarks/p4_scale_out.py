"""P4 scale-out: routing's throughput with two instances in one consumer group against one instance, on
``sinergi.cases`` (6 partitions).

Each measurement has a fresh broker of its own (``p3_p4_kafka``), so the group reads only its own events and the
platform's consumers take none of them; routing's database is the platform's, with the demo directory, and the
platform's own routing instance is stopped meanwhile (it would publish the instances' outbox to the platform's
broker). The instances start, join their group and settle; then ``CASES`` fresh ``case.reported`` events are
published at once, and the clock runs from the publishing to the moment the group has committed the last offset
(commits every 100 ms). Group joins are outside the clock: Tansu takes seconds for them."""

from __future__ import annotations

import asyncio
import os
import random
import time
from dataclasses import dataclass

from aiokafka import AIOKafkaConsumer, TopicPartition

from benchmarks.common import BenchStack, Figure, median, side_by_side
from benchmarks.p3_events import reported_case
from benchmarks.p3_p4_kafka import Outgoing, outgoing, own_broker, publish
from benchmarks.p4_instances import (
    CommittedOffsets,
    MachineCpu,
    process_cpu_seconds,
    routing_instances,
    wait_for_members,
    wait_for_outbox,
)
from shared.contracts import CASES as CASES_TOPIC
from shared.contracts import dead_letter_topic
from sinergi_local import processes
from sinergi_local.seed import seed_directory

CASES = 2000
GOAL = 1.6
POLL_SECONDS = 0.05
GIVE_UP_SECONDS = 1800
SATURATED = 0.9  # a machine this busy has no core left for a second instance


@dataclass
class Measurement:
    """One run of ``instances`` routing instances: events/s, and where the machine's CPU went."""

    instances: int
    events_per_second: float
    machine_busy: float  # share of all cores busy (every process on the machine) while the clock ran
    routing_cpu: float  # cores' worth the routing instances used while the clock ran
    seconds: float


def _fresh_cases(seed: int) -> list[Outgoing]:
    rng = random.Random(seed)  # noqa: S311 - made-up cases
    return outgoing(reported_case(rng, number) for number in range(1, CASES + 1))


async def _until_committed(bootstrap: str, ends: dict[TopicPartition, int]) -> None:
    """Until the group has committed every offset up to ``ends``."""
    target, done = sum(ends.values()), 0
    async with CommittedOffsets(bootstrap, list(ends)) as committed:
        try:
            async with asyncio.timeout(GIVE_UP_SECONDS):
                while True:  # polled: the broker tells nobody when offsets are committed
                    if (done := await committed.total()) >= target:
                        return
                    await asyncio.sleep(POLL_SECONDS)
        except TimeoutError:
            raise RuntimeError(f"P4: {done} of {target} offsets committed in {GIVE_UP_SECONDS}s") from None


async def _dead_lettered(bootstrap: str) -> int:
    """Events the instances dead-lettered: none, or the figure would not be routing's."""
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap)
    await consumer.start()
    try:
        partition = TopicPartition(dead_letter_topic(CASES_TOPIC.name), 0)
        return int((await consumer.end_offsets([partition]))[partition])
    finally:
        await consumer.stop()


class ScaleOut:
    """The measurements of one P4: a broker and a set of instances per measurement, fresh cases each time."""

    def __init__(self, stack: BenchStack) -> None:
        self.stack = stack
        self.measurements: list[Measurement] = []
        self._seed = 0

    def measure(self, instances: int) -> float:
        self._seed += 1
        cases = _fresh_cases(self._seed)
        run_dir = self.stack.run_dir / "p4"
        with (
            own_broker(self.stack, f"p4-broker-{self._seed}") as bootstrap,
            routing_instances(self.stack, bootstrap, instances, run_dir) as started,
        ):
            processes.run_coroutine(wait_for_members(bootstrap, instances))
            pids = [instance.pid for instance in started]
            cpu, routing_before = MachineCpu(), process_cpu_seconds(pids)
            seconds = processes.run_coroutine(self._publish_and_wait(bootstrap, cases))
            machine_busy, routing_cpu = cpu.busy_share(), (process_cpu_seconds(pids) - routing_before) / seconds
            if dead := processes.run_coroutine(_dead_lettered(bootstrap)):
                raise RuntimeError(f"P4: {dead} events dead-lettered; the figure would not be routing's")
            processes.run_coroutine(wait_for_outbox(self.stack.platform.infra.admin_dsn))
            measurement = Measurement(instances, len(cases) / seconds, machine_busy, routing_cpu, seconds)
        self.measurements.append(measurement)
        return measurement.events_per_second

    @staticmethod
    async def _publish_and_wait(bootstrap: str, cases: list[Outgoing]) -> float:
        """Seconds from the first event published to the last one's offset committed."""
        started = time.perf_counter()
        ends = await publish(bootstrap, cases)
        await _until_committed(bootstrap, ends)
        return time.perf_counter() - started

    def note(self) -> str:
        """Where the CPU went (medians): whether the machine, rather than routing, was the limit."""

        def cpu(instances: int) -> str:
            chosen = [m for m in self.measurements if m.instances == instances]
            busy = median([m.machine_busy for m in chosen])
            cores = median([m.routing_cpu for m in chosen])
            per_case = median([m.routing_cpu / m.events_per_second * 1000 for m in chosen])
            saturated = " (saturated)" if busy >= SATURATED else ""
            return (f"{instances} instance{'s' if instances > 1 else ''}: machine {busy:.0%} busy{saturated}, "
                    f"routing {cores:.2f} cores, {per_case:.1f} ms CPU per case")

        return (f"{CASES:,} case.reported per run on 6 partitions; CPU while the clock ran ({os.cpu_count()} cores "
                f"= 100%): {cpu(1)}; {cpu(2)}")


def run(stack: BenchStack, *, runs: int) -> Figure:
    seed_directory(stack.platform)  # the demo agencies, so that every case is referred
    stack.platform.stop_service("routing")
    try:
        scale_out = ScaleOut(stack)
        results = side_by_side(runs, lambda: scale_out.measure(2), lambda: scale_out.measure(1))
    finally:
        stack.platform.start_service("routing")
        stack.platform.wait_ready("routing")
    two, one = median([a for a, _ in results]), median([b for _, b in results])
    ratio = median([a / b for a, b in results])  # paired: each run's two measurements met the same machine
    return Figure(
        name="P4 scale-out", measure="case.reported routed/s", ours=two, baseline=one,
        baseline_name="one routing instance", ratio=ratio, goal=f"ratio >= {GOAL}", met=ratio >= GOAL,
        runs=results, note=scale_out.note(),
    )

