"""The live inbox's fan-out: each open inbox (a server-sent events stream) listens for its person's audience (an
agency, or a district supervisor's regency: ``domain.live``); the workspace's own Kafka reader hands every
referral event here."""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Mapping
from typing import Any

from workspace.domain.live import Notice, notices

_QUEUE_SIZE = 100


class LiveHub:
    def __init__(self) -> None:
        self._listeners: dict[str, set[asyncio.Queue[Notice]]] = defaultdict(set)

    def listen(self, audience: str) -> asyncio.Queue[Notice]:
        queue: asyncio.Queue[Notice] = asyncio.Queue(_QUEUE_SIZE)
        self._listeners[audience].add(queue)
        return queue

    def stop_listening(self, audience: str, queue: asyncio.Queue[Notice]) -> None:
        self._listeners[audience].discard(queue)
        if not self._listeners[audience]:
            del self._listeners[audience]

    def publish(self, event: Mapping[str, Any]) -> int:
        """Hands ``event``'s notices to the inboxes of the audiences it concerns; how many were told. A browser
        that does not keep up loses notices, never the workspace's memory: the next one reloads its list."""
        told = 0
        for audience, notice in notices(event):
            for queue in list(self._listeners.get(audience, ())):
                if not queue.full():
                    queue.put_nowait(notice)
                    told += 1
        return told
