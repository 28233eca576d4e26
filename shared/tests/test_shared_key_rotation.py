"""Re-encryption after a key change (``shared.key_rotation``), on the real Postgres, in a scratch schema whose
table has the same forced row-level security the services' case tables have: only the service sees its rows."""

from __future__ import annotations

import asyncio
import base64
import os
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from alembic.migration import MigrationContext
from alembic.operations import Operations
from fastapi import FastAPI
from pydantic import SecretStr
from pydantic_settings import SettingsConfigDict
from sqlalchemy import Column, Connection, MetaData, Table, Text, Uuid, delete, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

from shared.access import SERVICE_CONTEXT, apply_access
from shared.cli import run
from shared.crypto import FieldCipher
from shared.key_rotation import EncryptedColumn, rotate_keys
from shared.migration_ops import create_access_functions, protect_table
from shared.provision import provision_schema
from shared.settings import FieldEncryptionSettings, ServiceSettings
from sinergi_local import cli as sinergi_cli
from sinergi_local.infrastructure import Infrastructure

SCHEMA = "shared_keyrot"
OWNER_PW, APP_PW = "owner-pw-keyrot", "app-pw-keyrot"
OLD_KEY, NEW_KEY = os.urandom(32), os.urandom(32)
OLD = FieldCipher({"old": OLD_KEY}, "old")  # the service before the key change
CIPHER = FieldCipher({"old": OLD_KEY, "new": NEW_KEY}, "new")  # after: old key kept for reading, new one active

metadata = MetaData(schema=SCHEMA)
# Like intake's case_personal_fields: the field name is a column.
fields = Table(
    "personal_fields", metadata,
    Column("case_id", Uuid, primary_key=True), Column("field", Text, primary_key=True),
    Column("ciphertext", Text, nullable=False),
)
# Like notifications' subscriptions: one fixed field name.
subs = Table(
    "subs", metadata, Column("sub_id", Uuid, primary_key=True), Column("secret_ciphertext", Text, nullable=True)
)
FIELDS = EncryptedColumn(fields, ciphertext="ciphertext", aad_id="case_id", field_column="field")
SUBS = EncryptedColumn(subs, ciphertext="secret_ciphertext", aad_id="sub_id", field="webhook_secret")
COLUMNS = (FIELDS, SUBS)


def _protect(connection: Connection) -> None:
    """The services' row-level security: read and write only as the service itself."""
    with Operations.context(MigrationContext.configure(connection)):
        create_access_functions(SCHEMA)
        for table in metadata.tables.values():
            protect_table(SCHEMA, table.name, read="false")  # nobody but the service


@pytest.fixture(scope="module")
async def tables(infra: Infrastructure) -> None:
    admin = await asyncpg.connect(infra.admin_dsn)
    try:
        await admin.execute(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE")
    finally:
        await admin.close()
    await provision_schema(infra.admin_dsn, SCHEMA, owner_password=OWNER_PW, app_password=APP_PW)
    owner = create_async_engine(infra.app_url(f"{SCHEMA}_owner", OWNER_PW))
    async with owner.begin() as connection:
        await connection.run_sync(metadata.create_all)
        await connection.run_sync(_protect)
    await owner.dispose()


@pytest.fixture
async def engine(infra: Infrastructure, tables: None) -> AsyncIterator[AsyncEngine]:
    engine = create_async_engine(infra.app_url(f"{SCHEMA}_app", APP_PW))
    async with as_service(engine) as connection:
        for table in metadata.tables.values():
            await connection.execute(delete(table))
    yield engine
    await engine.dispose()


class as_service:  # noqa: N801 - used like a function: ``async with as_service(engine) as connection``
    def __init__(self, engine: AsyncEngine) -> None:
        self._begin = engine.begin()

    async def __aenter__(self) -> AsyncConnection:
        connection = await self._begin.__aenter__()
        await connection.run_sync(lambda c: apply_access(c, SERVICE_CONTEXT))
        return connection

    async def __aexit__(self, *exc: Any) -> None:
        await self._begin.__aexit__(*exc)


async def seed(engine: AsyncEngine, cipher: FieldCipher, count: int, *, prefix: str) -> dict[tuple[Any, ...], str]:
    """``count`` personal fields and ``count`` subscription secrets under ``cipher``'s active key; returns each
    row's primary key (table name first) with its plaintext."""
    plain: dict[tuple[Any, ...], str] = {}
    async with as_service(engine) as connection:
        for i in range(count):
            case_id, field = uuid.uuid4(), f"field_{i % 3}"
            text = f"{prefix} rahasia {i}"
            token = cipher.encrypt(text, case_id=case_id, field=field)
            await connection.execute(insert(fields).values(case_id=case_id, field=field, ciphertext=token))
            plain["personal_fields", case_id, field] = text
            sub_id = uuid.uuid4()
            secret = f"{prefix} secret {i}"
            token = cipher.encrypt(secret, case_id=sub_id, field="webhook_secret")
            await connection.execute(insert(subs).values(sub_id=sub_id, secret_ciphertext=token))
            plain["subs", sub_id] = secret
        await connection.execute(insert(subs).values(sub_id=uuid.uuid4(), secret_ciphertext=None))
    return plain


async def stored(engine: AsyncEngine) -> dict[tuple[Any, ...], str]:
    async with as_service(engine) as connection:
        rows = {("personal_fields", r.case_id, r.field): r.ciphertext for r in await connection.execute(select(fields))}
        rows |= {("subs", r.sub_id): r.secret_ciphertext for r in await connection.execute(select(subs))
                 if r.secret_ciphertext is not None}
    return rows


def opened(key: tuple[Any, ...], token: str) -> str:
    if key[0] == "subs":
        return CIPHER.decrypt(token, case_id=key[1], field="webhook_secret")
    return CIPHER.decrypt(token, case_id=key[1], field=key[2])


def counts(rotated: int, failed: int, remaining: int, column: EncryptedColumn = FIELDS) -> dict[str, int]:
    return {f"{column.label} rotated": rotated, f"{column.label} failed": failed,
            f"{column.label} remaining": remaining}


@pytest.mark.integration
async def test_old_ciphertexts_move_to_the_active_key_and_active_ones_are_untouched(engine: AsyncEngine) -> None:
    old = await seed(engine, OLD, 7, prefix="lama")
    new = await seed(engine, CIPHER, 2, prefix="baru")
    before = await stored(engine)

    result = await rotate_keys(engine, CIPHER, COLUMNS, batch_size=3)  # several batches, keyset over a composite key

    assert result == counts(7, 0, 0, FIELDS) | counts(7, 0, 0, SUBS)
    after = await stored(engine)
    for key, plaintext in old.items():
        assert after[key].startswith("v1:new:")
        assert not CIPHER.needs_rotation(after[key])
        assert opened(key, after[key]) == plaintext
    for key, plaintext in new.items():
        assert after[key] == before[key]  # byte for byte: not re-encrypted
        assert opened(key, after[key]) == plaintext


@pytest.mark.integration
async def test_a_second_run_rotates_nothing(engine: AsyncEngine) -> None:
    await seed(engine, OLD, 4, prefix="lama")
    first = await rotate_keys(engine, CIPHER, COLUMNS)
    assert first == counts(4, 0, 0, FIELDS) | counts(4, 0, 0, SUBS)
    rotated = await stored(engine)

    assert await rotate_keys(engine, CIPHER, COLUMNS) == counts(0, 0, 0, FIELDS) | counts(0, 0, 0, SUBS)
    assert await stored(engine) == rotated


@pytest.mark.integration
async def test_a_ciphertext_that_does_not_open_is_counted_failed_and_the_rest_still_rotate(
    engine: AsyncEngine, caplog: pytest.LogCaptureFixture
) -> None:
    plain = await seed(engine, OLD, 5, prefix="lama")
    keys = [key for key in plain if key[0] == "personal_fields"]
    tampered_key, pasted_key = keys[1], keys[3]
    before = await stored(engine)
    raw = bytearray(base64.b64decode(before[tampered_key].split(":")[2]))
    raw[-1] ^= 1
    async with as_service(engine) as connection:
        await connection.execute(
            update(fields).where(fields.c.case_id == tampered_key[1], fields.c.field == tampered_key[2])
            .values(ciphertext="v1:old:" + base64.b64encode(bytes(raw)).decode())
        )
        # A valid ciphertext of another case pasted onto this row: bound to the other case, so it must not open.
        await connection.execute(
            update(fields).where(fields.c.case_id == pasted_key[1], fields.c.field == pasted_key[2])
            .values(ciphertext=before[keys[0]])
        )
    bad = await stored(engine)

    result = await rotate_keys(engine, CIPHER, COLUMNS, batch_size=2)

    assert result == counts(3, 2, 2, FIELDS) | counts(5, 0, 0, SUBS)
    after = await stored(engine)
    for key, plaintext in plain.items():
        if key in (tampered_key, pasted_key):
            assert after[key] == bad[key]  # left as it was
        else:
            assert opened(key, after[key]) == plaintext
    logged = caplog.text
    assert "did not decrypt" in logged
    for token in (*before.values(), *bad.values(), *plain.values()):
        assert token not in logged
    assert "rahasia" not in logged

    # Still failing, and nothing else to do, on the next run.
    assert await rotate_keys(engine, CIPHER, COLUMNS) == counts(0, 2, 2, FIELDS) | counts(0, 0, 0, SUBS)


@pytest.mark.integration
async def test_a_row_the_service_holds_is_skipped_not_waited_for_and_rotated_by_the_next_run(
    engine: AsyncEngine,
) -> None:
    plain = await seed(engine, OLD, 3, prefix="lama")
    held = next(key for key in plain if key[0] == "subs")
    async with as_service(engine) as holder:
        await holder.execute(select(subs).where(subs.c.sub_id == held[1]).with_for_update())
        result = await asyncio.wait_for(rotate_keys(engine, CIPHER, COLUMNS), timeout=30)
        assert result == counts(3, 0, 0, FIELDS) | counts(2, 0, 1, SUBS)
    assert await rotate_keys(engine, CIPHER, COLUMNS) == counts(0, 0, 0, FIELDS) | counts(1, 0, 0, SUBS)
    after = await stored(engine)
    assert opened(held, after[held]) == plain[held]


@pytest.mark.integration
async def test_the_table_shows_nothing_to_anyone_but_the_service(engine: AsyncEngine) -> None:
    """The premise of the tests above: rotation can only have worked because it acts as the service."""
    await seed(engine, OLD, 2, prefix="lama")
    async with engine.begin() as connection:
        assert await connection.scalar(select(func.count()).select_from(fields)) == 0
    async with as_service(engine) as connection:
        assert await connection.scalar(select(func.count()).select_from(fields)) == 2


class RotationSettings(ServiceSettings, FieldEncryptionSettings):
    model_config = SettingsConfigDict(env_prefix="SHARED_KEYROT_", extra="ignore")
    http_port: int = 0


@pytest.mark.integration
def test_the_rotate_keys_command_prints_counts_only_and_fails_on_a_failed_ciphertext(
    infra: Infrastructure, tables: None, capsys: pytest.CaptureFixture[str]
) -> None:
    def settings() -> RotationSettings:
        return RotationSettings(
            database_url=SecretStr(infra.app_url(f"{SCHEMA}_app", APP_PW)),
            encryption_keys={"old": SecretStr(base64.b64encode(OLD_KEY).decode()),
                             "new": SecretStr(base64.b64encode(NEW_KEY).decode())},
            encryption_active_key_id="new",
        )

    async def prepare(*, tamper: bool) -> dict[tuple[Any, ...], str]:
        engine = create_async_engine(infra.app_url(f"{SCHEMA}_app", APP_PW))
        try:
            async with as_service(engine) as connection:
                for table in metadata.tables.values():
                    await connection.execute(delete(table))
            plain = await seed(engine, OLD, 2, prefix="lama")
            if tamper:
                async with as_service(engine) as connection:
                    await connection.execute(
                        update(subs).where(subs.c.secret_ciphertext.is_not(None)).values(secret_ciphertext="v1:old:AAAA")
                    )
            return plain
        finally:
            await engine.dispose()

    def command() -> None:
        run(service=SCHEMA, settings_factory=settings, app_factory=lambda _: FastAPI(),
            migrations_dir=Path(__file__).parent,  # unused: rotate-keys runs no migration
            encrypted_columns=COLUMNS, argv=["rotate-keys", "--batch-size", "1"])

    plain = asyncio.run(prepare(tamper=False))
    command()
    out = capsys.readouterr().out
    assert out.splitlines() == [f"{name}: {count}" for name, count in
                                (counts(2, 0, 0, FIELDS) | counts(2, 0, 0, SUBS)).items()]
    assert not any(text in out for text in plain.values())

    asyncio.run(prepare(tamper=True))
    with pytest.raises(SystemExit) as exit_:
        command()
    assert exit_.value.code == 1
    assert f"{SUBS.label} failed: 2" in capsys.readouterr().out


def test_encrypted_column_wants_exactly_one_source_of_the_field_name_and_real_columns() -> None:
    with pytest.raises(ValueError, match="either field or field_column"):
        EncryptedColumn(fields, ciphertext="ciphertext", aad_id="case_id")
    with pytest.raises(ValueError, match="either field or field_column"):
        EncryptedColumn(fields, ciphertext="ciphertext", aad_id="case_id", field="x", field_column="field")
    with pytest.raises(ValueError, match="no column 'nope'"):
        EncryptedColumn(fields, ciphertext="nope", aad_id="case_id", field="x")


def test_sinergi_keys_rotate_parses() -> None:
    parser = sinergi_cli._parser()
    args = parser.parse_args(["keys", "rotate", "--service", "intake", "--batch-size", "50"])
    assert (args.command, args.keys_command, args.service, args.batch_size) == ("keys", "rotate", ["intake"], 50)
    defaults = parser.parse_args(["keys", "rotate"])
    assert defaults.service is None
    assert defaults.run_dir == sinergi_cli.RUN_DIR
    assert sinergi_cli.ENCRYPTING_SERVICES == ("intake", "routing", "notifications")  # routing: follow-up notes
    token = parser.parse_args(["token", "issue", "--user", "u", "--role", "operator"])
    assert token.command == "token"
    for wrong in (["keys", "rotate", "--service", "reporting"], ["keys", "rotate", "--batch-size", "0"], ["keys"]):
        with pytest.raises(SystemExit):
            parser.parse_args(wrong)
