"""Re-encrypting personal fields after the active encryption key changes: ``python -m <service> rotate-keys``.

Each service declares where it stores ciphertexts (``EncryptedColumn``) and ``rotate_keys`` re-encrypts every
ciphertext whose key id is not the active one: decrypted with its old key, encrypted with the active key, under
the same associated data (the same case id and field name), so that it still opens where it did before.

The procedure for a new key: add it to ``<SVC>_ENCRYPTION_KEYS`` (keeping the old ones), make it
``<SVC>_ENCRYPTION_ACTIVE_KEY_ID``, restart the service so that new writes use it, run ``rotate-keys``, and retire
an old key only once a run reports nothing ``remaining``. Rotation is idempotent and safe while the service runs:
it works in short batches that take their rows with ``FOR UPDATE SKIP LOCKED``, so it never waits for a row the
service holds; a row skipped that way is counted ``remaining`` and picked up by the next run. Every transaction
acts as the service itself (``shared.access.SERVICE_CONTEXT``), as row-level security requires.

A ciphertext that does not open (tampered, bound to another row, its key no longer configured) does not stop the
run: it is left as it is and counted ``failed``, and only its row's primary key is logged; neither ciphertexts
nor plaintexts ever are.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from sqlalchemy import ColumnElement, Connection, Table, and_, bindparam, func, literal, select, tuple_, update
from sqlalchemy.ext.asyncio import AsyncEngine

from shared.access import SERVICE_CONTEXT, apply_access
from shared.crypto import FieldCipher

log = logging.getLogger(__name__)

ROTATED, FAILED, REMAINING = "rotated", "failed", "remaining"


@dataclass(frozen=True)
class EncryptedColumn:
    """A column of ``FieldCipher`` ciphertexts. ``aad_id`` names the column whose value each ciphertext was bound
    to as its ``case_id``; the field name it was bound to is either fixed (``field``) or read from a column
    (``field_column``). The table needs a primary key (rows are taken in its order)."""

    table: Table
    ciphertext: str
    aad_id: str
    field: str | None = None
    field_column: str | None = None

    def __post_init__(self) -> None:
        if (self.field is None) == (self.field_column is None):
            raise ValueError(f"{self.label}: give either field or field_column")
        for name in (self.ciphertext, self.aad_id, self.field_column):
            if name is not None and name not in self.table.c:
                raise ValueError(f"{self.label}: {self.table.fullname} has no column {name!r}")
        if not self.table.primary_key.columns:
            raise ValueError(f"{self.label}: {self.table.fullname} has no primary key")

    @property
    def label(self) -> str:
        return f"{self.table.fullname}.{self.ciphertext}"


def count_key(column: EncryptedColumn, outcome: str) -> str:
    """The key of one count in what ``rotate_keys`` returns, e.g. ``intake.case_personal_fields.ciphertext
    rotated``."""
    return f"{column.label} {outcome}"


async def rotate_keys(
    engine: AsyncEngine, cipher: FieldCipher, columns: Sequence[EncryptedColumn], batch_size: int = 500
) -> dict[str, int]:
    """Re-encrypt with the active key every ciphertext of ``columns`` that is under another key. Returns, for
    each column, how many were ``rotated``, how many ``failed`` to decrypt, and how many are still under an old
    key after the run (``remaining``: the failed ones and rows the service held locked)."""
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    counts: dict[str, int] = {}
    for column in columns:
        rotated, failed = await _rotate_column(engine, cipher, column, batch_size)
        counts[count_key(column, ROTATED)] = rotated
        counts[count_key(column, FAILED)] = failed
        counts[count_key(column, REMAINING)] = await _count_stale(engine, cipher, column)
    return counts


def _act_as_service(connection: Connection) -> None:
    apply_access(connection, SERVICE_CONTEXT)


def _stale(cipher: FieldCipher, column: EncryptedColumn) -> ColumnElement[bool]:
    """Ciphertexts under a key other than the active one (the key id is the second ``:``-separated part, as
    ``FieldCipher.needs_rotation`` reads it)."""
    token = column.table.c[column.ciphertext]
    return and_(token.is_not(None), func.split_part(token, ":", 2) != cipher.active_key_id)


async def _rotate_column(
    engine: AsyncEngine, cipher: FieldCipher, column: EncryptedColumn, batch_size: int
) -> tuple[int, int]:
    table = column.table
    keys = list(table.primary_key.columns)
    key_names = [f"key_{i}" for i in range(len(keys))]
    selected = [
        *(key.label(name) for key, name in zip(keys, key_names, strict=True)),
        table.c[column.aad_id].label("aad_id"),
        table.c[column.ciphertext].label("token"),
    ]
    if column.field_column is not None:
        selected.append(table.c[column.field_column].label("field_name"))
    write = (
        update(table)
        .where(*(key == bindparam(f"_{name}") for key, name in zip(keys, key_names, strict=True)))
        .values({column.ciphertext: bindparam("_token")})
    )

    rotated = failed = 0
    after: tuple[Any, ...] | None = None  # keyset: failed and skipped rows are not taken again in this run
    while True:
        query = select(*selected).where(_stale(cipher, column)).order_by(*keys).limit(batch_size)
        if after is not None:
            query = query.where(
                tuple_(*keys) > tuple_(*(literal(value, key.type) for key, value in zip(keys, after, strict=True)))
            )
        async with engine.begin() as connection:
            await connection.run_sync(_act_as_service)
            rows = (await connection.execute(query.with_for_update(of=table, skip_locked=True))).all()
            updates: list[dict[str, Any]] = []
            for row in rows:
                new_token = _reencrypt(cipher, column, row._mapping)
                if new_token is None:
                    failed += 1
                    log.warning("%s: the ciphertext of the row with key (%s) did not decrypt; left under its old key",
                                column.label, ", ".join(str(row._mapping[name]) for name in key_names))
                    continue
                updates.append({**{f"_{name}": row._mapping[name] for name in key_names}, "_token": new_token})
            if updates:
                await connection.execute(write, updates)
            rotated += len(updates)
        if len(rows) < batch_size:
            return rotated, failed
        after = tuple(rows[-1]._mapping[name] for name in key_names)


def _reencrypt(cipher: FieldCipher, column: EncryptedColumn, row: Any) -> str | None:
    """The row's ciphertext under the active key, or None if it does not decrypt. The error itself is not
    kept: whatever it says, only the row's key is logged."""
    field = column.field if column.field is not None else row["field_name"]
    try:
        aad_id = row["aad_id"] if isinstance(row["aad_id"], UUID) else UUID(str(row["aad_id"]))
        plaintext = cipher.decrypt(row["token"], case_id=aad_id, field=field)
    except ValueError:  # DecryptionError, bad base64 or UTF-8, an id that is not a UUID
        return None
    return cipher.encrypt(plaintext, case_id=aad_id, field=field)


async def _count_stale(engine: AsyncEngine, cipher: FieldCipher, column: EncryptedColumn) -> int:
    async with engine.begin() as connection:
        await connection.run_sync(_act_as_service)
        count = await connection.scalar(select(func.count()).select_from(column.table).where(_stale(cipher, column)))
    return int(count or 0)
