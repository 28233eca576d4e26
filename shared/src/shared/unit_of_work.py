"""Unit of work: one transaction holding a service's state change and the events it raises (its outbox)."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Callable
from types import TracebackType
from typing import Self

from sqlalchemy import Connection, Table, event
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from sqlalchemy.orm import Session, SessionTransaction

from shared.access import SERVICE_CONTEXT, AccessContext, apply_access
from shared.contracts import Event
from shared.inbox import first_delivery
from shared.outbox import enqueue


class UnitOfWork:
    """``async with uow: ...; uow.emit(event); await uow.commit()``. Leaving without commit rolls back.

    Every transaction it begins first sets ``access`` for row-level security (``shared.access``)."""

    def __init__(
        self,
        engine: AsyncEngine,
        *,
        access: AccessContext,
        outbox: Table,
        inbox: Table | None = None,
        after_commit: Callable[[], None] = lambda: None,
    ) -> None:
        self._sessions = async_sessionmaker(engine, expire_on_commit=False)
        self.access = access
        self._outbox = outbox
        self._inbox = inbox
        self._after_commit = after_commit
        self._events: list[Event] = []
        self._session: AsyncSession | None = None
        self._acting_as_service = False

    @property
    def session(self) -> AsyncSession:
        if self._session is None:
            raise RuntimeError("the unit of work is not open")
        return self._session

    async def __aenter__(self) -> Self:
        self._session = self._sessions()
        event.listen(self._session.sync_session, "after_begin", self._set_access)
        self._events = []
        return self

    def _set_access(self, _session: Session, _transaction: SessionTransaction, connection: Connection) -> None:
        apply_access(connection, self.access)

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.session.rollback()
        await self.session.close()
        self._session = None

    @contextlib.asynccontextmanager
    async def acting_as_service(self) -> AsyncIterator[None]:
        """Within this transaction, act as the service itself, then again as the caller. For the steps the
        service takes on its own behalf after deciding that the caller may ask for them (comparing a report with
        cases the caller cannot see, writing a correction the caller was allowed to make): what is read here
        must not be handed to the caller. Nested use stays the service until the outermost block ends."""
        if self._acting_as_service:
            yield
            return
        connection = await self.session.connection()
        await connection.run_sync(apply_access, SERVICE_CONTEXT)
        self._acting_as_service = True
        try:
            yield
        except BaseException:
            # The transaction is unusable or about to roll back; end it so nothing more runs as the service.
            await self.session.rollback()
            raise
        finally:
            self._acting_as_service = False
        await connection.run_sync(apply_access, self.access)

    def emit(self, event: Event) -> None:
        """Queue ``event`` to be published if, and only if, this unit of work commits."""
        self._events.append(event)

    async def first_delivery(self, event: Event, consumer: str) -> bool:
        """Record ``event`` in the inbox; False if this consumer already processed it."""
        if self._inbox is None:
            raise RuntimeError("this unit of work has no inbox")
        return await first_delivery(
            self.session, self._inbox, consumer=consumer, event_id=event.event_id, event_type=event.event_type
        )

    async def commit(self) -> None:
        await enqueue(self.session, self._outbox, self._events)
        await self.session.commit()
        had_events, self._events = bool(self._events), []
        if had_events:
            self._after_commit()
