"""The shell every service runs in: one FastAPI app (HTTP API, /health, /ready, /metrics) whose lifespan runs
the service's Kafka subscribers, its outbox relay and its background workers."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine, Sequence
from dataclasses import dataclass, field
from typing import Any

import asyncpg
from fastapi import APIRouter, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from faststream.kafka import KafkaBroker
from opentelemetry.sdk.trace import TracerProvider
from sqlalchemy import MetaData, Table
from sqlalchemy import exc as sqlalchemy_exc
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.exceptions import HTTPException as StarletteHTTPException

from shared.access import SERVICE_CONTEXT, AccessContext
from shared.api_docs import add_api_docs
from shared.auth import TokenVerifier
from shared.contracts import Event, TopicSpec
from shared.db import create_engine, ping
from shared.http_errors import (
    LocalizedHTTPError,
    edge_error,
    http_exception_handler,
    internal_error_handler,
    localized_http_error_handler,
)
from shared.inbox import define_inbox_table
from shared.limits import BodySizeLimitMiddleware, InFlightLimitMiddleware, PublicRateLimiter
from shared.messaging import create_broker, ensure_topics, subscribe
from shared.metrics import CONTENT_TYPE, ServiceMetrics, keep_measuring
from shared.offsets import OffsetCommitter
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
    metrics: ServiceMetrics
    committer: OffsetCommitter
    workers: list[Worker] = field(default_factory=list)
    # Each consumer group registered through ``consume``, with the topics it reads (for its lag in /metrics).
    consumer_groups: dict[str, set[str]] = field(default_factory=dict)

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

        group_id = self.settings.consumer_group(consumer)
        subscribe(
            self.broker, self.settings, topic=topic, group_id=group_id, events=events, handler=on_event,
            committer=self.committer, metrics=self.metrics,
        )
        self.consumer_groups.setdefault(group_id, set()).add(topic.name)

    async def measure_metrics(self) -> None:
        """The worker that keeps the outbox backlog, consumer lag and dead-letter depths of /metrics current."""
        await keep_measuring(
            self.metrics, engine=self.engine, outbox=self.outbox,
            bootstrap_servers=self.settings.kafka_bootstrap_servers, client_id=f"sinergi-{self.name}-metrics",
            groups=lambda: self.consumer_groups, interval_seconds=self.settings.metrics_refresh_seconds,
        )


def define_messaging_tables(metadata: MetaData) -> tuple[Table, Table]:
    """Every service's outbox and inbox, in its own schema."""
    return define_outbox_table(metadata), define_inbox_table(metadata)


def create_runtime(name: str, settings: ServiceSettings, metadata: MetaData) -> Runtime:
    provider = setup_tracing(name)
    engine = create_engine(settings, str(metadata.schema))
    broker = create_broker(settings, service=name, tracer_provider=provider)
    outbox, inbox = metadata.tables[f"{metadata.schema}.outbox"], metadata.tables[f"{metadata.schema}.inbox"]
    metrics = ServiceMetrics.create()
    relay = OutboxRelay(
        engine,
        outbox,
        broker,
        batch_size=settings.outbox_batch_size,
        poll_interval=settings.outbox_poll_interval_ms / 1000,
        metrics=metrics,
    )
    committer = OffsetCommitter(settings.kafka_commit_interval_ms / 1000, commits=metrics.offset_commits)
    runtime = Runtime(name, settings, metadata, provider, engine, broker, outbox, inbox, relay, metrics, committer)
    runtime.workers += [runtime.measure_metrics, committer.run]
    return runtime


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
            await runtime.committer.commit()  # what was handled is not delivered again after a clean stop
            await runtime.broker.stop()
            await runtime.engine.dispose()
            shutdown_tracing()

    # The API pages come from add_api_docs, with their files served here rather than from a CDN.
    app = FastAPI(title=title, description=description, version="1.0.0", lifespan=lifespan, docs_url=None,
                  redoc_url=None)
    app.state.runtime = runtime
    app.exception_handler(RequestValidationError)(validation_error_without_input)
    app.exception_handler(DomainValidationError)(domain_validation_error_handler)
    app.exception_handler(LocalizedHTTPError)(localized_http_error_handler)
    app.exception_handler(StarletteHTTPException)(http_exception_handler)
    app.exception_handler(Exception)(internal_error_handler)  # a 500 in the same shape, saying nothing
    for error in (sqlalchemy_exc.DBAPIError, sqlalchemy_exc.TimeoutError, asyncpg.PostgresError, OSError):
        app.exception_handler(error)(database_unavailable)
    app.add_middleware(BodySizeLimitMiddleware, max_bytes=runtime.settings.http_max_body_bytes)
    app.add_middleware(InFlightLimitMiddleware, limit=runtime.settings.http_max_in_flight)  # outermost: first
    app.state.public_rate_limiter = PublicRateLimiter(runtime.settings.http_public_rate_limit)
    app.state.token_verifier = TokenVerifier(runtime.settings)
    app.include_router(health_router(runtime))
    add_api_docs(app)
    for router in routers:
        app.include_router(router)
    from shared.dependencies import document_shared_responses  # it imports this module

    document_shared_responses(app)
    instrument_app(app, runtime.tracer_provider)
    return app


# What a request meets when the database is down, restarting or out of connections: a refused or dropped
# connection (the socket's error, or asyncpg's), a server shutting down or full, a pool that cannot hand out a
# connection. SQLAlchemy wraps most of them (DBAPIError, with asyncpg's error as the cause).
DATABASE_UNREACHABLE: tuple[type[BaseException], ...] = (
    OSError, asyncpg.PostgresConnectionError, asyncpg.CannotConnectNowError, asyncpg.AdminShutdownError,
    asyncpg.CrashShutdownError, asyncpg.TooManyConnectionsError, sqlalchemy_exc.TimeoutError,
)
RETRY_AFTER_SECONDS = 5


def database_unreachable(error: BaseException | None) -> bool:
    """Whether ``error`` (or what it wraps) says the database cannot be reached, rather than refusing a statement."""
    for _ in range(5):  # the chain is short: SQLAlchemy's error, the adapter's, asyncpg's, the socket's
        if error is None:
            return False
        if isinstance(error, DATABASE_UNREACHABLE) or getattr(error, "connection_invalidated", False):
            return True
        error = getattr(error, "orig", None) or error.__cause__
    return False


async def database_unavailable(request: Request, error: Exception) -> JSONResponse:
    """503 with ``Retry-After`` when the database cannot be reached: the unit of work never committed, so
    nothing was done and the request may be sent again. The body says no more (no host, no statement)."""
    if not database_unreachable(error):
        raise error  # a statement the database refused, or another fault: a bug, answered with 500
    log.warning("database unreachable (%s): answered 503", type(error).__name__)
    return localized_error_response(
        [edge_error("service_unavailable", ("service",), retry_after=RETRY_AFTER_SECONDS)],
        request_language(request), status_code=503, headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
    )


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

    @router.get("/ready", summary="Readiness: the database and the broker are reachable",
                responses={503: {"description": "Not ready: the database or the broker cannot be reached"}})
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

    # Counts by topic, event type, consumer group, deadline and channel (``shared.metrics``): no personal data and
    # no case id by construction, so it sits beside /health, outside the API and its access rules.
    @router.get("/metrics", include_in_schema=False)
    async def metrics() -> Response:
        return Response(runtime.metrics.render(), media_type=CONTENT_TYPE)

    return router
