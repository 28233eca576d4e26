"""PostgreSQL and a Kafka-protocol broker for Sinergi: the ones named by DATABASE_URL and
KAFKA_BOOTSTRAP_SERVERS when set (nothing is started then), otherwise local processes under the run folder."""

from __future__ import annotations

import json
import os
import secrets
import shutil
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import asyncpg
from sqlalchemy.engine import make_url

from sinergi_local import postgres, processes, tansu

DATABASE = "sinergi"


@dataclass(frozen=True)
class Infrastructure:
    # A role that may create roles and schemas, on the Sinergi database; kept out of repr (it holds a password).
    admin_dsn: str = field(repr=False)
    kafka_bootstrap_servers: str
    kafka_enable_idempotence: bool
    started_postgres: bool
    started_broker: bool

    def app_url(self, role: str, password: str) -> str:
        """SQLAlchemy asyncpg URL for ``role`` on the same server and database as the admin DSN."""
        url = make_url(self.admin_dsn).set(drivername="postgresql+asyncpg", username=role, password=password)
        return url.render_as_string(hide_password=False)


def secrets_file(run_dir: Path) -> Path:
    return run_dir / "secrets.json"


def load_secrets(run_dir: Path) -> dict[str, str]:
    """Generated once per run folder (git-ignored), never a default in the repository."""
    path = secrets_file(run_dir)
    if path.exists():
        stored: dict[str, str] = json.loads(path.read_text())
        return stored
    run_dir.mkdir(parents=True, exist_ok=True)
    values = {"postgres": secrets.token_urlsafe(18)}
    path.write_text(json.dumps(values))
    path.chmod(0o600)
    return values


def save_secret(run_dir: Path, name: str, value: str | None = None) -> str:
    values = load_secrets(run_dir)
    if name not in values:
        values[name] = value or secrets.token_urlsafe(18)
        secrets_file(run_dir).write_text(json.dumps(values))
    return values[name]


def start(
    run_dir: Path, *, postgres_port: int, kafka_port: int, broker_storage: str = "memory://tansu/",
    broker_env: Mapping[str, str] | None = None, kafka_bootstrap: str | None = None,
) -> Infrastructure:
    """``broker_storage`` is the local broker's storage engine (``tansu.start``): memory, lost on a restart, or
    ``s3://bucket/`` with ``broker_env`` naming the S3 server. ``kafka_bootstrap`` names an Apache Kafka the
    caller runs (none is started then), as KAFKA_BOOTSTRAP_SERVERS does."""
    run_dir.mkdir(parents=True, exist_ok=True)
    run_dir.chmod(0o755)
    external_db = os.environ.get("DATABASE_URL")
    external_kafka = kafka_bootstrap or os.environ.get("KAFKA_BOOTSTRAP_SERVERS")
    if external_db:
        admin_dsn = make_url(external_db).set(drivername="postgresql").render_as_string(hide_password=False)
    else:
        server_dsn = postgres.start(run_dir, postgres_port, load_secrets(run_dir)["postgres"])
        processes.run_coroutine(_ensure_database(server_dsn, DATABASE))
        admin_dsn = make_url(server_dsn).set(database=DATABASE).render_as_string(hide_password=False)
    if external_kafka:
        bootstrap = external_kafka
        idempotence = os.environ.get("KAFKA_ENABLE_IDEMPOTENCE", "true").lower() == "true"
    else:
        bootstrap = tansu.start(run_dir, kafka_port, storage=broker_storage, extra_env=broker_env)
        idempotence = False  # Tansu has no InitProducerId
    return Infrastructure(admin_dsn, bootstrap, idempotence, not external_db, not external_kafka)


def stop(run_dir: Path) -> None:
    tansu.stop(run_dir)
    postgres.stop(run_dir)


def discard(run_dir: Path) -> None:
    """Stop, then delete everything of ``run_dir``: its data, logs and secrets, wherever they live."""
    stop(run_dir)
    postgres.remove(run_dir)
    shutil.rmtree(run_dir, ignore_errors=True)


async def _ensure_database(server_dsn: str, name: str) -> None:
    connection = await asyncpg.connect(server_dsn)
    try:
        if not await connection.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name):
            await connection.execute(f'CREATE DATABASE "{name}"')
    finally:
        await connection.close()
