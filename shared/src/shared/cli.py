"""The command line every service answers to: ``python -m <service> provision|migrate|serve``."""

from __future__ import annotations

import argparse
import asyncio
import os
from collections.abc import Callable
from pathlib import Path

import uvicorn
from fastapi import FastAPI

from shared.migrations import upgrade
from shared.provision import provision_schema
from shared.settings import ServiceSettings
from shared.telemetry import configure_logging


def run(
    *,
    service: str,
    settings_factory: Callable[[], ServiceSettings],
    app_factory: Callable[[ServiceSettings], FastAPI],
    migrations_dir: Path,
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
    args = parser.parse_args(argv)
    configure_logging()

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
    if args.command == "migrate":
        if settings.migrations_database_url is None:
            parser.error(f"{service.upper()}_MIGRATIONS_DATABASE_URL is not set")
        upgrade(migrations_dir, settings.migrations_database_url.get_secret_value())
    else:
        uvicorn.run(app_factory(settings), host=settings.http_host, port=settings.http_port, log_config=None)
