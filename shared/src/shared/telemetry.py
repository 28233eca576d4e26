"""OpenTelemetry for every service: one tracer provider, OTLP export when OTEL_EXPORTER_OTLP_ENDPOINT is set,
FastAPI and asyncpg instrumentation. Kafka spans and W3C trace context in headers come from faststream's
telemetry middleware (see ``shared.messaging``); the outbox carries the context across the database.

Spans hold no personal data: asyncpg spans record the SQL text with its placeholders, never its parameters.
"""

from __future__ import annotations

import logging
import os

from fastapi import FastAPI
from opentelemetry import trace
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.instrumentation.asyncpg import AsyncPGInstrumentor
from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor

_provider: TracerProvider | None = None


def setup_tracing(service: str) -> TracerProvider:
    """The process's tracer provider (one per process, made once)."""
    global _provider  # noqa: PLW0603 - OpenTelemetry's provider is process-wide by design
    if _provider is not None:
        return _provider
    provider = TracerProvider(resource=Resource.create({"service.name": f"sinergi-{service}"}))
    if os.environ.get("OTEL_EXPORTER_OTLP_ENDPOINT") or os.environ.get("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"):
        provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
    trace.set_tracer_provider(provider)
    AsyncPGInstrumentor().instrument(tracer_provider=provider)  # type: ignore[no-untyped-call]
    _provider = provider
    return provider


def instrument_app(app: FastAPI, provider: TracerProvider) -> None:
    FastAPIInstrumentor.instrument_app(app, tracer_provider=provider, excluded_urls="/health,/ready")


def shutdown_tracing() -> None:
    if _provider is not None:
        _provider.force_flush()


def configure_logging() -> None:
    logging.basicConfig(
        level=os.environ.get("LOG_LEVEL", "INFO"),
        format="%(asctime)s %(levelname)s %(name)s %(message)s",
    )
