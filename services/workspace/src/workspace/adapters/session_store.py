"""Server-side sessions in Postgres; what they hold is encrypted with ``shared.crypto``."""

from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from shared.crypto import DecryptionError, FieldCipher
from workspace.adapters.tables import sessions
from workspace.domain.session import is_tombstone, tombstone

_FIELD = "workspace.session"


@dataclass
class StoredSession:
    id: uuid.UUID
    data: dict[str, Any]
    created_at: datetime
    last_seen_at: datetime


def key_hash(key: str) -> bytes:
    return hashlib.sha256(key.encode()).digest()


class SessionStore:
    def __init__(self, engine: AsyncEngine, cipher: FieldCipher) -> None:
        self._engine = engine
        self._cipher = cipher

    async def load(self, key: str) -> StoredSession | None:
        async with self._engine.connect() as connection:
            row = (await connection.execute(
                sa.select(sessions.c.id, sessions.c.data, sessions.c.created_at, sessions.c.last_seen_at)
                .where(sessions.c.key_hash == key_hash(key))
            )).first()
        if row is None:
            return None
        try:
            data = json.loads(self._cipher.decrypt(row.data, case_id=row.id, field=_FIELD))
        except DecryptionError:
            return None  # a key no longer held, or a tampered row: a fresh session
        return StoredSession(row.id, data, row.created_at, row.last_seen_at)

    async def create(self, key: str, data: dict[str, Any], now: datetime) -> uuid.UUID:
        session_id = uuid.uuid4()
        async with self._engine.begin() as connection:
            await connection.execute(sessions.insert().values(
                id=session_id, key_hash=key_hash(key), data=self._seal(session_id, data),
                created_at=now, last_seen_at=now,
            ))
        return session_id

    async def save(self, session_id: uuid.UUID, data: dict[str, Any] | None, now: datetime) -> None:
        """Marks the session used at ``now``; with ``data``, replaces what it holds."""
        values: dict[str, Any] = {"last_seen_at": now}
        if data is not None:
            values["data"] = self._seal(session_id, data)
        async with self._engine.begin() as connection:
            await connection.execute(sessions.update().where(sessions.c.id == session_id).values(**values))

    async def delete(self, session_id: uuid.UUID) -> None:
        async with self._engine.begin() as connection:
            await connection.execute(sessions.delete().where(sessions.c.id == session_id))

    async def delete_unused_since(self, cutoff: datetime) -> int:
        async with self._engine.begin() as connection:
            result = await connection.execute(sessions.delete().where(sessions.c.last_seen_at < cutoff))
        return int(result.rowcount or 0)

    async def retire_unused_since(self, cutoff: datetime) -> int:
        """Sessions unused since ``cutoff`` lose their tokens and claims: each becomes a tombstone that says only
        whose it was and its CSRF token (``domain.session.tombstone``), so that a form its person posts after
        it ended is kept as their draft. How many were retired."""
        async with self._engine.begin() as connection:
            rows = (await connection.execute(
                sa.select(sessions.c.id, sessions.c.data).where(sessions.c.last_seen_at < cutoff).with_for_update()
            )).all()
            retired = 0
            for row in rows:
                try:
                    data = json.loads(self._cipher.decrypt(row.data, case_id=row.id, field=_FIELD))
                except DecryptionError:
                    data = {}
                if is_tombstone(data):
                    continue
                await connection.execute(sessions.update().where(sessions.c.id == row.id)
                                         .values(data=self._seal(row.id, tombstone(data))))
                retired += 1
        return retired

    def _seal(self, session_id: uuid.UUID, data: dict[str, Any]) -> str:
        return self._cipher.encrypt(json.dumps(data, separators=(",", ":")), case_id=session_id, field=_FIELD)
