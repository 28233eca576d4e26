"""The arguments of ``sinergi dlq list|show|replay``; apart from ``sinergi_local.dlq`` (aiokafka and the shared
library) so that the CLI parses its arguments without importing those."""

from __future__ import annotations

from pathlib import Path
from typing import Any


def add_commands(commands: Any, *, run_dir: Path) -> None:
    """``sinergi dlq list|show|replay``, on ``commands`` (the ``sinergi`` parser's subparsers)."""
    dlq = commands.add_parser("dlq", help="dead letters: events a consumer could not read")
    dlq_commands = dlq.add_subparsers(dest="dlq_command", required=True)
    listing = dlq_commands.add_parser("list", help="one line per dead letter: where, which group, why (no payload)")
    listing.add_argument("--topic", help="only this topic's dead letters (sinergi.cases or sinergi.cases.dlq)")
    show = dlq_commands.add_parser("show", help="a dead letter's headers and its payload's size, digest, keys, ids")
    show.add_argument("topic", help="the dead-letter topic, e.g. sinergi.cases.dlq")
    show.add_argument("offset", type=int)
    again = dlq_commands.add_parser("replay", help="republish dead letters to their source topic")
    again.add_argument("topic", help="the dead-letter topic, e.g. sinergi.cases.dlq")
    which = again.add_mutually_exclusive_group(required=True)
    which.add_argument("--offset", type=int, nargs="+", action="extend", help="these dead letters")
    which.add_argument("--all", action="store_true", help="every dead letter of the topic not replayed yet")
    again.add_argument("--force", action="store_true", help="replay even what was replayed before")
    for parser in (listing, show, again):
        parser.add_argument("--bootstrap-servers", help="the Kafka to read (default: the running local platform's)")
        parser.add_argument("--run-dir", type=Path, default=run_dir, help="the local platform's run folder")
