"""OpenTelemetry for every service: one tracer provider, OTLP export when OTEL_EXPORTER_OTLP_ENDPOINT is set,
FastAPI and asyncpg instrumentation. Kafka spans and W3C trace context in headers come from faststream's
telemetry middleware (see ``shared.messaging``); the outbox carries the context across the database.

Spans hold no personal data: asyncpg spans record the SQL text with its placeholders, never its parameters, and
HTTP server spans withhold the client's address and user agent (a person reporting is not to be traced back).

Logs (``configure_logging``) are one JSON object per line, carrying the trace and span ids of the current span.
They hold ids and types, never values: an exception's message (which may quote a value, e.g. the row a
constraint refused) is withheld, from the log message and from the traceback alike.
"""

from __future__ import annotations

import logging
import os
import traceback
from types import TracebackType
from typing import Any, TextIO

from fastapi import FastAPI
from opentelemetry import trace
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.instrumentation.asyncpg import AsyncPGInstrumentor
from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor
from pythonjsonlogger.core import RESERVED_ATTRS
from pythonjsonlogger.json import JsonFormatter

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


# Who is asking, in the attributes of an HTTP server span: withheld (the public report form is anonymous).
CLIENT_ATTRIBUTES = (
    "client.address", "client.port", "net.peer.ip", "net.peer.port", "http.client_ip", "http.user_agent",
    "user_agent.original",
)
WITHHELD = "withheld"


def _withhold_client(span: trace.Span, _scope: dict[str, Any]) -> None:
    attributes = getattr(span, "attributes", None) or {}
    for key in CLIENT_ATTRIBUTES:
        if key in attributes:
            span.set_attribute(key, WITHHELD)


def instrument_app(app: FastAPI, provider: TracerProvider) -> None:
    FastAPIInstrumentor.instrument_app(
        app, tracer_provider=provider, excluded_urls="/health,/ready,/metrics", server_request_hook=_withhold_client
    )


def shutdown_tracing() -> None:
    if _provider is not None:
        _provider.force_flush()


# -- logs -------------------------------------------------------------------------------------------------------

ExcInfo = tuple[type[BaseException], BaseException, TracebackType | None] | tuple[None, None, None]


class TraceContextFilter(logging.Filter):
    """Adds ``trace_id`` and ``span_id`` (hex, as in the spans) of the current span to each record, if any."""

    def filter(self, record: logging.LogRecord) -> bool:
        context = trace.get_current_span().get_span_context()
        if context.is_valid:
            record.trace_id = trace.format_trace_id(context.trace_id)
            record.span_id = trace.format_span_id(context.span_id)
        return True


class WithholdExceptionMessages(logging.Filter):
    """Takes the message of a record's exception out of the record's message (faststream, for one, logs
    ``f"{type}: {exception}"``)."""

    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        if error is None:
            return True
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a malformed call: the handler reports it when it formats the record
            return True
        withheld = message.replace(repr(error), f"{type(error).__name__}({WITHHELD})")
        if text := str(error):
            withheld = withheld.replace(text, f"({WITHHELD})")
        if withheld != message:
            record.msg, record.args = withheld, None
        return True


class AccessWithoutClient(logging.Filter):
    """uvicorn's access log without the client's address: ``"POST /v1/reports HTTP/1.1" 201``."""

    CLIENT = "%s - "  # uvicorn's format: '%s - "%s %s HTTP/%s" %d', the client's address first

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str) and record.msg.startswith(self.CLIENT) and isinstance(record.args, tuple):
            record.msg, record.args = record.msg.removeprefix(self.CLIENT), record.args[1:]
        return True


class ServiceJsonFormatter(JsonFormatter):
    """One JSON object per line: timestamp, level, logger, message, service, trace_id and span_id (inside a
    span), the record's extra fields, and an exception's traceback without its message."""

    def __init__(self, service: str | None = None) -> None:
        super().__init__(
            ["levelname", "name", "message"],
            rename_fields={"levelname": "level", "name": "logger"},
            timestamp=True,
            static_fields={"service": service} if service else None,
            reserved_attrs=[*RESERVED_ATTRS, "color_message"],  # uvicorn's copy of the message with ANSI colours
            json_ensure_ascii=False,
        )

    def formatException(self, ei: ExcInfo) -> str:  # noqa: N802 - logging's name
        return exception_without_messages(ei[1]) if ei[1] is not None else ""


def exception_without_messages(error: BaseException) -> str:
    """The traceback of ``error`` and the exceptions it came from, each one's type and frames, no message."""
    chain: list[BaseException] = []
    current: BaseException | None = error
    while current is not None and current not in chain:
        chain.append(current)
        current = current.__cause__ or (None if current.__suppress_context__ else current.__context__)
    parts: list[str] = []
    for earlier, link in zip([None, *reversed(chain)], reversed(chain), strict=False):
        if earlier is not None:
            parts.append(_CAUSED if link.__cause__ is earlier else _DURING)
        kind = type(link)
        parts += ["Traceback (most recent call last):\n", *traceback.format_tb(link.__traceback__),
                  f"{kind.__module__}.{kind.__qualname__} (message {WITHHELD})\n"]
    return "".join(parts).rstrip("\n")


_CAUSED = "\nThe above exception was the direct cause of the following exception:\n\n"
_DURING = "\nDuring handling of the above exception, another exception occurred:\n\n"


def json_log_handler(service: str | None, stream: TextIO | None = None) -> logging.Handler:
    """A handler writing ``ServiceJsonFormatter`` lines to ``stream`` (stderr by default)."""
    handler = logging.StreamHandler(stream)
    handler.setFormatter(ServiceJsonFormatter(service))
    handler.addFilter(TraceContextFilter())
    handler.addFilter(WithholdExceptionMessages())
    return handler


def configure_logging(service: str | None = None) -> None:
    """JSON logs on stderr for the whole process (uvicorn, aiokafka and faststream log through the root logger),
    at ``LOG_LEVEL`` (INFO by default). ``service`` (else ``SINERGI_SERVICE``) is in every line."""
    handler = json_log_handler(service or os.environ.get("SINERGI_SERVICE"))
    logging.basicConfig(level=os.environ.get("LOG_LEVEL", "INFO"), handlers=[handler], force=True)
    # uvicorn's own logging set-up (any earlier uvicorn.run with its default log_config) gives its loggers
    # handlers of their own that bypass the JSON handler; through the root logger, they are JSON too.
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logging.getLogger(name).handlers.clear()
        logging.getLogger(name).propagate = True
    logging.getLogger("uvicorn.access").addFilter(AccessWithoutClient())
    # httpx logs every request's URL at INFO: a webhook URL may hold a receiver's token.
    for name in ("httpx", "httpcore"):
        logging.getLogger(name).setLevel(logging.WARNING)
