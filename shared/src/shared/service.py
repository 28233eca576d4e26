"""The shell every service runs in: one FastAPI app (HTTP API, /health, /ready) whose lifespan runs the
service's Kafka subscribers, its outbox relay and its background workers."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine, Sequence
from dataclasses import dataclass, field
from typing import Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from faststream.kafka import KafkaBroker
from opentelemetry.sdk.trace import TracerProvider
from sqlalchemy import MetaData, Table
from sqlalchemy.ext.asyncio import AsyncEngine

from shared.access import SERVICE_CONTEXT, AccessContext
from shared.auth import TokenVerifier
from shared.contracts import Event, TopicSpec
from shared.db import create_engine, ping
from shared.inbox import define_inbox_table
from shared.limits import BodySizeLimitMiddleware, PublicRateLimiter
from shared.messaging import create_broker, ensure_topics, subscribe
from shared.outbox import OutboxRelay, define_outbox_table
from shared.settings import ServiceSettings
from shared.telemetry import instrument_app, setup_tracing, shutdown_tracing
from shared.unit_of_work import UnitOfWork
from shared.validation_messages import (
    DomainValidationError,
    domain_validation_error_handler,
    localized_error_response,
    request_language,
)

log = logging.getLogger(__name__)

Worker = Callable[[], Coroutine[None, None, None]]


@dataclass
class Runtime:
    """The resources of one running service, made at start-up (never at import)."""

    name: str
    settings: ServiceSettings
    metadata: MetaData
    tracer_provider: TracerProvider
    engine: AsyncEngine
    broker: KafkaBroker
    outbox: Table
    inbox: Table
    relay: OutboxRelay
    workers: list[Worker] = field(default_factory=list)

    def unit_of_work(self, access: AccessContext) -> UnitOfWork:
        """A unit of work acting as ``access``: ``shared.access.SERVICE_CONTEXT`` or a request's principal."""
        return UnitOfWork(
            self.engine, access=access, outbox=self.outbox, inbox=self.inbox, after_commit=self.relay.wake
        )

    def consume(
        self,
        topic: TopicSpec,
        events: Sequence[type[Event]],
        handler: Callable[[Any, UnitOfWork], Awaitable[object]],
        *,
        consumer: str,
    ) -> None:
        """Consume ``events`` from ``topic`` in the consumer group named after ``consumer`` (``shared.messaging.
        subscribe``); each event is handled in a unit of work acting as the service itself. Call before start."""

        async def on_event(event: Event) -> None:
            await handler(event, self.unit_of_work(SERVICE_CONTEXT))

        subscribe(
            self.broker, self.settings, topic=topic, group_id=self.settings.consumer_group(consumer), events=events,
            handler=on_event,
        )


def define_messaging_tables(metadata: MetaData) -> tuple[Table, Table]:
    """Every service's outbox and inbox, in its own schema."""
    return define_outbox_table(metadata), define_inbox_table(metadata)


def create_runtime(name: str, settings: ServiceSettings, metadata: MetaData) -> Runtime:
    provider = setup_tracing(name)
    engine = create_engine(settings, str(metadata.schema))
    broker = create_broker(settings, service=name, tracer_provider=provider)
    outbox, inbox = metadata.tables[f"{metadata.schema}.outbox"], metadata.tables[f"{metadata.schema}.inbox"]
    relay = OutboxRelay(
        engine,
        outbox,
        broker,
        batch_size=settings.outbox_batch_size,
        poll_interval=settings.outbox_poll_interval_ms / 1000,
    )
    return Runtime(name, settings, metadata, provider, engine, broker, outbox, inbox, relay)


def create_service_app(runtime: Runtime, *, title: str, description: str, routers: Sequence[APIRouter]) -> FastAPI:
    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await ensure_topics(
            runtime.settings.kafka_bootstrap_servers,
            replication_factor=runtime.settings.kafka_topic_replication_factor,
        )
        await runtime.broker.start()
        tasks = [asyncio.create_task(runtime.relay.run(), name=f"{runtime.name}-outbox-relay")]
        tasks += [asyncio.create_task(worker(), name=f"{runtime.name}-worker") for worker in runtime.workers]
        log.info("%s started", runtime.name)
        try:
            yield
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            await runtime.broker.stop()
            await runtime.engine.dispose()
            shutdown_tracing()

    app = FastAPI(title=title, description=description, version="1.0.0", lifespan=lifespan)
    app.state.runtime = runtime
    app.exception_handler(RequestValidationError)(validation_error_without_input)
    app.exception_handler(DomainValidationError)(domain_validation_error_handler)
    app.add_middleware(BodySizeLimitMiddleware, max_bytes=runtime.settings.http_max_body_bytes)
    app.state.public_rate_limiter = PublicRateLimiter(runtime.settings.http_public_rate_limit)
    app.state.token_verifier = TokenVerifier(runtime.settings)
    app.include_router(health_router(runtime))
    for router in routers:
        app.include_router(router)
    instrument_app(app, runtime.tracer_provider)
    return app


async def validation_error_without_input(request: Request, error: RequestValidationError) -> JSONResponse:
    """FastAPI's 422 (the path of each bad field and why) in the language of ``Accept-Language`` (Bahasa
    Indonesia by default), minus the ``input``, ``ctx`` and ``url`` it would carry: a rejected narrative, phone
    number or secret must not come back in a response, nor land in a proxy's logs."""
    return localized_error_response(error.errors(), request_language(request))


def health_router(runtime: Runtime) -> APIRouter:
    router = APIRouter(tags=["health"])

    @router.get("/health", summary="Liveness: the process answers")
    async def health() -> dict[str, str]:
        return {"status": "ok", "service": runtime.name}

    @router.get("/ready", summary="Readiness: the database and the broker are reachable")
    async def ready() -> JSONResponse:
        checks: dict[str, str] = {}
        try:
            await asyncio.wait_for(ping(runtime.engine), 3)
            checks["database"] = "ok"
        except Exception as error:  # noqa: BLE001 - any failure means not ready
            checks["database"] = f"unreachable ({type(error).__name__})"
        try:
            broker_ok = await runtime.broker.ping(timeout=3)
            checks["broker"] = "ok" if broker_ok else "unreachable"
        except Exception as error:  # noqa: BLE001
            checks["broker"] = f"unreachable ({type(error).__name__})"
        ready = all(value == "ok" for value in checks.values())
        return JSONResponse({"status": "ready" if ready else "not ready", **checks}, status_code=200 if ready else 503)

    return router
