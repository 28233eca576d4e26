"""The live inbox's fan-out: each open inbox (a server-sent events stream) listens for its person's agency; the
workspace's own Kafka reader hands every referral event here."""

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

    def listen(self, agency_id: str) -> asyncio.Queue[Notice]:
        queue: asyncio.Queue[Notice] = asyncio.Queue(_QUEUE_SIZE)
        self._listeners[agency_id].add(queue)
        return queue

    def stop_listening(self, agency_id: str, queue: asyncio.Queue[Notice]) -> None:
        self._listeners[agency_id].discard(queue)
        if not self._listeners[agency_id]:
            del self._listeners[agency_id]

    def publish(self, event: Mapping[str, Any]) -> int:
        """Hands ``event``'s notices to the inboxes of the agencies it concerns; how many were told. A browser
        that does not keep up loses notices, never the workspace's memory: the next one reloads its list."""
        told = 0
        for agency_id, notice in notices(event):
            for queue in list(self._listeners.get(agency_id, ())):
                if not queue.full():
                    queue.put_nowait(notice)
                    told += 1
        return told
