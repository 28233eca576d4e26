"""What reporting's maintenance commands (``rebuild``, ``audit-verify``) run with: a unit of work acting as the
service itself, on an engine of their own that is closed when they are done."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

from reporting import SERVICE
from reporting.adapters.tables import inbox, outbox
from shared.access import SERVICE_CONTEXT
from shared.db import create_engine
from shared.settings import ServiceSettings
from shared.unit_of_work import UnitOfWork


@contextlib.asynccontextmanager
async def service_unit_of_work(settings: ServiceSettings) -> AsyncIterator[UnitOfWork]:
    engine = create_engine(settings, SERVICE)
    try:
        yield UnitOfWork(engine, access=SERVICE_CONTEXT, outbox=outbox, inbox=inbox)
    finally:
        await engine.dispose()
