"""The baseline of P1 and P5: a bare FastAPI + asyncpg endpoint that stores each report's JSON, as it came, in one
table; no validation beyond "a JSON object", no encryption, no outbox, no tracing. What intake's own work is
measured against.

It runs as a process of its own, like a service: ``python -m benchmarks.bare_intake`` with ``BARE_INTAKE_DSN``
(a PostgreSQL DSN) and ``BARE_INTAKE_PORT``, under the uvicorn settings ``shared.cli`` gives the services. It
imports nothing of Sinergi, so its memory (P5) is that of FastAPI, asyncpg and uvicorn alone.
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import AsyncIterator
from typing import Any

import asyncpg
import uvicorn
from fastapi import FastAPI, Request, status

SCHEMA = "bare_intake"
TABLE = f"{SCHEMA}.reports"
# Connections as intake's engine may open (shared.db: pool_size 10, max_overflow 10).
POOL_MIN, POOL_MAX = 10, 20


def create_app(dsn: str) -> FastAPI:
    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        pool = await asyncpg.create_pool(dsn, min_size=POOL_MIN, max_size=POOL_MAX)
        await pool.execute(
            f"CREATE SCHEMA IF NOT EXISTS {SCHEMA};"
            f"CREATE TABLE IF NOT EXISTS {TABLE} (id bigserial PRIMARY KEY, body jsonb NOT NULL,"
            " received_at timestamptz NOT NULL DEFAULT now())"
        )
        app.state.pool = pool
        try:
            yield
        finally:
            await pool.close()

    app = FastAPI(title="bare intake", lifespan=lifespan)

    @app.post("/v1/reports", status_code=status.HTTP_201_CREATED)
    async def create_report(report: dict[str, Any], request: Request) -> dict[str, int]:
        pool: asyncpg.Pool = request.app.state.pool
        report_id = await pool.fetchval(f"INSERT INTO {TABLE} (body) VALUES ($1) RETURNING id", json.dumps(report))  # noqa: S608 - a constant
        return {"report_id": report_id}

    @app.get("/ready")
    async def ready(request: Request) -> dict[str, str]:
        await request.app.state.pool.fetchval("SELECT 1")
        return {"status": "ready"}

    return app


def main() -> None:
    app = create_app(os.environ["BARE_INTAKE_DSN"])
    uvicorn.run(app, host="127.0.0.1", port=int(os.environ["BARE_INTAKE_PORT"]), log_config=None)


if __name__ == "__main__":
    main()
