"""``sinergi dlq list|show|replay``: the dead letters on the ``<topic>.dlq`` topics, on any Kafka.

A consumer parks what it cannot read on its topic's dead-letter topic, byte for byte, with why, where from and
which consumer group in headers (``shared.messaging.dead_letter``); one poison message is parked once per group
that read it. The dead-letter topics have one partition (``shared.messaging.ensure_topics``, the deployment), so a
dead letter is named by its topic and offset. They are read here without a consumer group (nothing is committed,
no consumer is disturbed), from the beginning to the end each has as the reading starts.

Nothing here prints a payload's values: a poison message could hold anything. ``list`` shows positions, groups,
reasons and event types; ``show`` the headers and, of the payload, its size, SHA-256, top-level keys and ids.

``replay`` republishes the original bytes to the topic they came from, with the original key and a
``sinergi-replayed-from`` header; consumers deduplicate on ``event_id`` (their inbox), so a replay is safe. Each
replay is recorded on the compacted topic ``sinergi.dlq-replays`` (no payload: positions, when, by whom), keyed by
the original event's position: every operator, on any machine, sees what was replayed, and an event dead-lettered
by several consumer groups is republished once. What was replayed is not replayed again without ``--force``; a
replayed event that fails again is dead-lettered afresh, under its new position, and may be replayed again.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import getpass
import hashlib
import json
import re
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO
from uuid import UUID

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import KafkaError, TopicAlreadyExistsError

from shared.contracts import dead_letter_topic
from shared.messaging import DLQ_CONSUMER_HEADER, DLQ_REASON_HEADER, DLQ_SOURCE_HEADER

REPLAYS_TOPIC = "sinergi.dlq-replays"
REPLAYED_FROM_HEADER = "sinergi-replayed-from"
DLQ_SUFFIX = dead_letter_topic("")
READ_TIMEOUT = 300.0  # seconds for a whole read: a broker that goes away mid-read ends it in an error

_EVENT_TYPE = re.compile(r"[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+")
_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,63}")


@dataclass(frozen=True)
class Record:
    topic: str
    offset: int
    timestamp_ms: int
    key: bytes | None
    value: bytes
    headers: dict[str, str]


@dataclass(frozen=True)
class Payload:
    """What may be told of a payload: never a value, only its size, digest, keys, event type and ids."""

    size: int
    sha256: str
    kind: str  # "JSON object", "JSON list", ..., or "not JSON"
    keys: tuple[str, ...] = ()
    other_keys: int = 0  # keys that do not look like field names (they could be values): counted, not shown
    event_type: str | None = None
    event_id: str | None = None
    case_id: str | None = None

    @classmethod
    def of(cls, value: bytes) -> Payload:
        size, digest = len(value), hashlib.sha256(value).hexdigest()
        try:
            document = json.loads(value)
        except (ValueError, RecursionError):
            return cls(size, digest, "not JSON")
        if not isinstance(document, dict):
            return cls(size, digest, f"JSON {type(document).__name__}")
        keys = tuple(key for key in document if _KEY.fullmatch(key))
        return cls(
            size, digest, "JSON object", keys, len(document) - len(keys),
            event_type=_event_type(document.get("event_type")),
            event_id=_uuid(document.get("event_id")), case_id=_uuid(document.get("case_id")),
        )


def _event_type(value: object) -> str | None:
    """The event type if it looks like one (never a value that is not a type name)."""
    if value is None:
        return None
    return value if isinstance(value, str) and len(value) <= 64 and _EVENT_TYPE.fullmatch(value) else "(unreadable)"


def _uuid(value: object) -> str | None:
    """An id if it is one (a UUID), never another value."""
    if value is None:
        return None
    try:
        return str(UUID(value)) if isinstance(value, str) else "(unreadable)"
    except ValueError:
        return "(unreadable)"


@dataclass(frozen=True)
class DeadLetter(Record):
    @property
    def at(self) -> str:
        return f"{self.topic}/{self.offset}"

    @property
    def reason(self) -> str:
        return self.headers.get(DLQ_REASON_HEADER, "(no reason)")

    @property
    def source(self) -> str:
        return self.headers.get(DLQ_SOURCE_HEADER, "")

    @property
    def consumer(self) -> str:
        return self.headers.get(DLQ_CONSUMER_HEADER, "(unknown group)")

    def source_topic(self) -> str | None:
        """The topic the event came from, if its source header names this dead-letter topic's own topic."""
        topic, _, position = self.source.partition("/")
        partition, _, offset = position.partition("/")
        readable = partition.isdigit() and offset.isdigit()
        return topic if readable and dead_letter_topic(topic) == self.topic else None


async def read_records(bootstrap_servers: str, topics: Sequence[str]) -> list[Record]:
    """Every record of partition 0 of ``topics``, from the beginning to at least the end each has now, without a
    group. Every record fetched counts, also past that end: Tansu gives a partition's end offset as its last
    record batch's first offset plus one, so the rest of that batch lies past it."""
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap_servers, group_id=None, enable_auto_commit=False,
                                client_id="sinergi-dlq", fetch_max_wait_ms=10)
    records: list[Record] = []
    async with asyncio.timeout(READ_TIMEOUT):
        try:
            await consumer.start()
            existing = await consumer.topics()
            partitions = [TopicPartition(topic, 0) for topic in topics if topic in existing]
            if not partitions:
                return []
            consumer.assign(partitions)
            start, end = await consumer.beginning_offsets(partitions), await consumer.end_offsets(partitions)
            for partition in partitions:
                consumer.seek(partition, start[partition])
            remaining = {partition for partition in partitions if end[partition] > start[partition]}
            while remaining:
                for partition, messages in (await consumer.getmany(*remaining, timeout_ms=500)).items():
                    records += [
                        Record(partition.topic, m.offset, m.timestamp, m.key, m.value or b"",
                               {name: value.decode(errors="replace") for name, value in m.headers})
                        for m in messages
                    ]
                for partition in list(remaining):  # by position: offsets may have gaps
                    if await consumer.position(partition) >= end[partition]:
                        remaining.discard(partition)
        finally:
            await consumer.stop()
    return sorted(records, key=lambda record: (record.topic, record.offset))


async def dead_letter_topics(bootstrap_servers: str) -> list[str]:
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap_servers, group_id=None, client_id="sinergi-dlq")
    async with asyncio.timeout(READ_TIMEOUT):
        try:
            await consumer.start()
            return sorted(topic for topic in await consumer.topics() if topic.endswith(DLQ_SUFFIX))
        finally:
            await consumer.stop()


async def read_dead_letters(bootstrap_servers: str, topics: Sequence[str] | None = None) -> list[DeadLetter]:
    """The dead letters of ``topics`` (dead-letter topics), or of every ``*.dlq`` topic on the cluster."""
    topics = await dead_letter_topics(bootstrap_servers) if topics is None else topics
    return [DeadLetter(**vars(record)) for record in await read_records(bootstrap_servers, topics)]


def _one_line(text: str, limit: int = 160) -> str:
    line = " ".join(text.split())
    return line if len(line) <= limit else line[: limit - 3] + "..."


def _when(timestamp_ms: int) -> str:
    return datetime.fromtimestamp(timestamp_ms / 1000, UTC).isoformat(timespec="seconds")


async def list_dead_letters(bootstrap_servers: str, topic: str | None, out: TextIO) -> int:
    letters = await read_dead_letters(bootstrap_servers, None if topic is None else [as_dead_letter_topic(topic)])
    for letter in letters:
        event_type = Payload.of(letter.value).event_type or "-"
        out.write(f"{letter.at}\t{_when(letter.timestamp_ms)}\tfrom {letter.source or '?'}\tgroup {letter.consumer}"
                  f"\t{event_type}\t{_one_line(letter.reason)}\n")
    out.write(f"{len(letters)} dead letter{'' if len(letters) == 1 else 's'}\n")
    return 0


async def show_dead_letter(bootstrap_servers: str, topic: str, offset: int, out: TextIO) -> int:
    topic = as_dead_letter_topic(topic)
    letter = next((d for d in await read_dead_letters(bootstrap_servers, [topic]) if d.offset == offset), None)
    if letter is None:
        sys.stderr.write(f"sinergi: no dead letter at {topic}/{offset}\n")
        return 1
    payload = Payload.of(letter.value)
    out.write(f"dead letter {letter.at}, parked {_when(letter.timestamp_ms)}\n")
    out.write(f"key: {_uuid(letter.key.decode(errors='replace')) if letter.key else '(none)'}\n")
    out.write("headers:\n" + "".join(f"  {name}: {value}\n" for name, value in sorted(letter.headers.items())))
    out.write(f"payload: {payload.size} bytes, sha256 {payload.sha256}, {payload.kind}\n")
    if payload.kind == "JSON object":
        hidden = f" (and {payload.other_keys} more, not shown)" if payload.other_keys else ""
        out.write(f"  keys: {', '.join(payload.keys) or '-'}{hidden}\n")
        for name in ("event_type", "event_id", "case_id"):
            out.write(f"  {name}: {getattr(payload, name) or '(missing)'}\n")
    return 0


async def replay(
    bootstrap_servers: str, topic: str, offsets: Sequence[int], *, everything: bool, force: bool, out: TextIO
) -> int:
    """Republish the chosen dead letters to their source topic, once per original event; 1 if any was refused."""
    topic = as_dead_letter_topic(topic)
    letters = {letter.offset: letter for letter in await read_dead_letters(bootstrap_servers, [topic])}
    status = 0
    if missing := [offset for offset in offsets if offset not in letters]:
        sys.stderr.write(f"sinergi: no dead letter at {', '.join(f'{topic}/{o}' for o in missing)}\n")
        status = 1
    chosen = list(letters.values()) if everything else [letters[o] for o in dict.fromkeys(offsets) if o in letters]
    replayed = await _replays(bootstrap_servers)
    await _ensure_replays_topic(bootstrap_servers)
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap_servers, acks="all", client_id="sinergi-dlq")
    count = 0
    try:  # each send waits at most the producer's request timeout
        await producer.start()
        for letter in chosen:
            source_topic = letter.source_topic()
            if source_topic is None:
                out.write(f"refused {letter.at}: its {DLQ_SOURCE_HEADER} header names no position on "
                          f"{topic.removesuffix(DLQ_SUFFIX)}\n")
                status = 1
                continue
            earlier = replayed.get(letter.source)
            if earlier is not None and not force:
                out.write(f"{'skipped' if everything else 'refused'} {letter.at}: {letter.source} was replayed "
                          f"{earlier.get('replayed_at', '?')} from {earlier.get('dead_letter', '?')}; --force "
                          "replays it again\n")
                status = status if everything else 1
                continue
            sent = await producer.send_and_wait(source_topic, letter.value, key=letter.key,
                                                headers=[(REPLAYED_FROM_HEADER, letter.at.encode())])
            to = f"{sent.topic}/{sent.partition}/{sent.offset}"
            # Recorded after the replay: a crash in between may let it be replayed again, which the inboxes absorb.
            record = {"dead_letter": letter.at, "source": letter.source, "replayed_to": to,
                      "replayed_at": datetime.now(UTC).isoformat(timespec="seconds"), "by": _operator()}
            await producer.send_and_wait(REPLAYS_TOPIC, json.dumps(record).encode(), key=letter.source.encode())
            replayed[letter.source] = record
            count += 1
            payload = Payload.of(letter.value)
            out.write(f"replayed {letter.at} -> {to} ({payload.event_type or '-'} {payload.event_id or '-'})\n")
    finally:
        await producer.stop()
    out.write(f"{count} replayed\n")
    return status


async def _replays(bootstrap_servers: str) -> dict[str, dict[str, Any]]:
    """The last replay of each original event (by its position), from the replays topic."""
    replays: dict[str, dict[str, Any]] = {}
    for record in await read_records(bootstrap_servers, [REPLAYS_TOPIC]):
        if record.key is not None:
            with contextlib.suppress(ValueError):
                replays[record.key.decode()] = json.loads(record.value)
    return replays


async def _ensure_replays_topic(bootstrap_servers: str) -> None:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap_servers, client_id="sinergi-dlq")
    try:
        await admin.start()
        if REPLAYS_TOPIC in await admin.list_topics():
            return
        brokers = len((await admin.describe_cluster()).get("brokers", ())) or 1
        with contextlib.suppress(TopicAlreadyExistsError):
            await admin.create_topics([
                NewTopic(REPLAYS_TOPIC, 1, min(3, brokers), topic_configs={"cleanup.policy": "compact"})
            ])
    finally:
        await admin.close()


def _operator() -> str:
    try:
        return getpass.getuser()
    except (OSError, KeyError):
        return "unknown"


def as_dead_letter_topic(topic: str) -> str:
    """``sinergi.cases`` or ``sinergi.cases.dlq``: the dead-letter topic either names."""
    return topic if topic.endswith(DLQ_SUFFIX) else dead_letter_topic(topic)


# -- the command line (its arguments: sinergi_local.dlq_commands) ------------------------------------------------


def run(args: argparse.Namespace, platform_broker: Callable[[Path], str], out: TextIO = sys.stdout) -> int:
    """Run a parsed ``sinergi dlq`` command; ``platform_broker(run_dir)`` finds the running platform's broker."""
    try:
        servers = args.bootstrap_servers or platform_broker(args.run_dir)
        if args.dlq_command == "list":
            return asyncio.run(list_dead_letters(servers, args.topic, out))
        if args.dlq_command == "show":
            return asyncio.run(show_dead_letter(servers, args.topic, args.offset, out))
        return asyncio.run(replay(servers, args.topic, args.offset or (), everything=args.all, force=args.force,
                                  out=out))
    except (RuntimeError, OSError, TimeoutError, KafkaError) as error:
        sys.stderr.write(f"sinergi: dlq {args.dlq_command}: {str(error) or type(error).__name__}\n")
        return 1
