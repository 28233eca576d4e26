"""The workspace's reader of ``sinergi.referrals``, for the live inbox. No consumer group: every instance reads
every event (each has its own browsers), from the end of the topic when it starts, and commits nothing, since
an inbox opened later loads its list afresh."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable, Mapping
from typing import Any

from aiokafka import AIOKafkaConsumer

from shared.contracts.topics import REFERRALS

log = logging.getLogger(__name__)
_RETRY_SECONDS = 2


async def read_referral_events(
    bootstrap_servers: str, client_id: str, handle: Callable[[Mapping[str, Any]], object], *, fetch_max_wait_ms: int
) -> None:
    """Runs until cancelled; a broker that goes away is retried."""
    while True:
        consumer = AIOKafkaConsumer(
            REFERRALS.name, bootstrap_servers=bootstrap_servers, client_id=client_id, group_id=None,
            enable_auto_commit=False, auto_offset_reset="latest", fetch_max_wait_ms=fetch_max_wait_ms,
        )
        try:
            await consumer.start()
            async for record in consumer:
                try:
                    event = json.loads(record.value or b"{}")
                except ValueError:
                    continue  # not ours to judge: the services' consumers park poison
                if isinstance(event, dict):
                    handle(event)
        except asyncio.CancelledError:
            raise
        except Exception as error:  # noqa: BLE001 - the live inbox waits for the broker; pages work without it
            log.warning("live inbox: broker unavailable (%s)", type(error).__name__)
            await asyncio.sleep(_RETRY_SECONDS)
        finally:
            await consumer.stop()
