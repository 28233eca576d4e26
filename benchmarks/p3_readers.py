"""P3's two readers of every topic, each run in a process of its own (``python -m benchmarks.p3_readers raw`` or
``rebuild``, with reporting's environment) so that both start alike and neither inherits the other's warm
caches. Each times only its reading, not the interpreter's start or its imports, and prints one line of JSON:
``{"events": ..., "seconds": ..., "cpu_seconds": ...}`` (the process's own CPU time: on a busy machine it
shows where the time went).

- ``rebuild``: what ``python -m reporting rebuild`` runs, with reporting's settings: the read models emptied and
  built again from every topic, in one transaction, committed.
- ``raw``: plain aiokafka, as the rebuild's reader is set up (no group, every partition assigned, from the
  beginning to the end offsets fixed at the start, the same fetch sizes), the records counted and dropped."""

from __future__ import annotations

import asyncio
import json
import sys
import time

from aiokafka import AIOKafkaConsumer, TopicPartition

from shared.contracts import ALL_TOPICS


async def read_raw(bootstrap_servers: str) -> int:
    consumer = AIOKafkaConsumer(
        bootstrap_servers=bootstrap_servers, group_id=None, enable_auto_commit=False,
        max_partition_fetch_bytes=4 * 1024 * 1024, fetch_max_wait_ms=10,
    )
    await consumer.start()
    try:
        await consumer.topics()
        partitions = [TopicPartition(topic.name, number) for topic in ALL_TOPICS
                      for number in sorted(consumer.partitions_for_topic(topic.name) or ())]
        consumer.assign(partitions)
        start = await consumer.beginning_offsets(partitions)
        end = await consumer.end_offsets(partitions)
        for partition in partitions:
            consumer.seek(partition, start[partition])
        remaining = {partition for partition in partitions if end[partition] > start[partition]}
        read = 0
        while remaining:
            fetched = await consumer.getmany(*remaining, timeout_ms=1000, max_records=2000)
            for partition, messages in fetched.items():
                read += sum(1 for message in messages if message.offset < end[partition])
            for partition in list(remaining):
                if await consumer.position(partition) >= end[partition]:
                    remaining.discard(partition)
                    consumer.pause(partition)
        return read
    finally:
        await consumer.stop()


async def read_rebuild() -> int:
    from reporting.entrypoints.rebuild_command import rebuild
    from reporting.settings import ReportingSettings

    report = await rebuild(ReportingSettings(), progress=False)
    return report.read


def main(argv: list[str]) -> int:
    which = argv[0]
    if which == "raw":
        from reporting.settings import ReportingSettings

        servers = ReportingSettings().kafka_bootstrap_servers  # the same broker the rebuild is given
        reading = read_raw(servers)
    elif which == "rebuild":
        import reporting.entrypoints.rebuild_command  # noqa: F401 - imported before the clock starts

        reading = read_rebuild()
    else:
        raise SystemExit(f"usage: python -m benchmarks.p3_readers raw|rebuild (not {which!r})")
    started, cpu_started = time.perf_counter(), time.process_time()
    events = asyncio.run(reading)
    seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu_started
    sys.stdout.write(json.dumps({"events": events, "seconds": seconds, "cpu_seconds": cpu_seconds}) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
