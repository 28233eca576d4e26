"""The command line every service answers to: ``python -m <service> provision|migrate|serve``,
``rotate-keys`` for the services that store encrypted personal fields (``shared.key_rotation``), and any
maintenance commands of the service's own (``ServiceCommand``)."""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import uvicorn
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncEngine

from shared.crypto import FieldCipher
from shared.db import create_engine
from shared.key_rotation import FAILED, EncryptedColumn, count_key, rotate_keys
from shared.migrations import upgrade
from shared.provision import provision_schema
from shared.settings import FieldEncryptionSettings, ServiceSettings
from shared.telemetry import configure_logging


@dataclass(frozen=True)
class ServiceCommand:
    """A maintenance command of one service: ``python -m <service> <name> [arguments]``. ``run`` gets the
    service's settings and the parsed arguments and returns the exit status."""

    name: str
    help: str
    run: Callable[[ServiceSettings, argparse.Namespace], int]
    add_arguments: Callable[[argparse.ArgumentParser], None] = lambda _parser: None


def run(
    *,
    service: str,
    settings_factory: Callable[[], ServiceSettings],
    app_factory: Callable[[ServiceSettings], FastAPI],
    migrations_dir: Path,
    encrypted_columns: Sequence[EncryptedColumn] | None = None,
    extra_commands: Sequence[ServiceCommand] = (),
    argv: list[str] | None = None,
) -> None:
    parser = argparse.ArgumentParser(prog=service, description=f"Sinergi {service} service")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("serve", help="run the HTTP API, the Kafka subscribers and the outbox relay")
    commands.add_parser("migrate", help="apply database migrations as the schema owner")
    provision = commands.add_parser("provision", help="create the service's schema and roles (admin URL)")
    provision.add_argument("--admin-dsn", default=os.environ.get("SINERGI_ADMIN_DSN"), required=False)
    provision.add_argument("--owner-password", default=os.environ.get(f"{service.upper()}_OWNER_PASSWORD"))
    provision.add_argument("--app-password", default=os.environ.get(f"{service.upper()}_APP_PASSWORD"))
    if encrypted_columns:
        rotate = commands.add_parser(
            "rotate-keys", help="re-encrypt with the active key the personal fields still under an old key"
        )
        rotate.add_argument("--batch-size", type=int, default=500, help="rows per transaction (default 500)")
    for command in extra_commands:
        command.add_arguments(commands.add_parser(command.name, help=command.help))
    args = parser.parse_args(argv)
    configure_logging(service)

    if args.command == "provision":
        if not (args.admin_dsn and args.owner_password and args.app_password):
            parser.error("provision needs --admin-dsn, --owner-password and --app-password (or their env vars)")
        asyncio.run(
            provision_schema(
                args.admin_dsn, service, owner_password=args.owner_password, app_password=args.app_password
            )
        )
        return
    settings = settings_factory()
    extra = {command.name: command for command in extra_commands}
    if args.command in extra:
        sys.exit(extra[args.command].run(settings, args))
    if args.command == "migrate":
        if settings.migrations_database_url is None:
            parser.error(f"{service.upper()}_MIGRATIONS_DATABASE_URL is not set")
        upgrade(migrations_dir, settings.migrations_database_url.get_secret_value())
    elif args.command == "rotate-keys":
        if not isinstance(settings, FieldEncryptionSettings):
            parser.error(f"{service} has no encryption keys in its settings")
        if args.batch_size < 1:
            parser.error("--batch-size must be at least 1")
        columns = encrypted_columns or ()
        cipher = FieldCipher.from_settings(settings)
        counts = asyncio.run(_rotate_keys(create_engine(settings, service), cipher, columns, args.batch_size))
        # Counts only: nothing of a row ever reaches the output.
        sys.stdout.write("".join(f"{name}: {count}\n" for name, count in counts.items()))
        if any(counts[count_key(column, FAILED)] for column in columns):
            sys.exit(1)
    else:
        uvicorn.run(app_factory(settings), host=settings.http_host, port=settings.http_port, log_config=None)


async def _rotate_keys(
    engine: AsyncEngine, cipher: FieldCipher, columns: Sequence[EncryptedColumn], batch_size: int
) -> dict[str, int]:
    try:
        return await rotate_keys(engine, cipher, columns, batch_size=batch_size)
    finally:
        await engine.dispose()
