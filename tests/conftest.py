"""Fixtures for the cross-service tests: the four services as real processes, and an OTLP receiver."""

from __future__ import annotations

import asyncio
import dataclasses
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from fastapi import FastAPI, Request, Response
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
from opentelemetry.proto.trace.v1.trace_pb2 import Span

from sinergi_local import docs, tansu
from sinergi_local.infrastructure import Infrastructure
from sinergi_local.platform import SERVICES, Platform
from sinergi_local.processes import free_port
from tests import workspace_platform
from tests.broker import TEST_KAFKA_SETTINGS
from tests.databases import on_database, scratch_database


@dataclass
class ReceivedSpan:
    service: str
    name: str
    trace_id: str
    span_id: str
    parent_span_id: str  # empty for a root span
    attributes: dict[str, Any]
    kind: str = ""  # server, client, producer, consumer or internal
    status_message: str = ""
    events: list[dict[str, Any]] = field(default_factory=list)  # name and attributes (exceptions land here)

    def text(self) -> str:
        """Everything the span carries as text, for scans."""
        return f"{self.name}\n{self.attributes}\n{self.status_message}\n{self.events}"


@dataclass
class OtlpReceiver:
    """An OTLP/HTTP trace endpoint, as a collector would be, that keeps what it receives."""

    endpoint: str
    spans: list[ReceivedSpan] = field(default_factory=list)

    def wait_for(self, predicate: Callable[[list[ReceivedSpan]], bool], timeout: float = 30) -> list[ReceivedSpan]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if predicate(list(self.spans)):
                return list(self.spans)
            time.sleep(0.2)
        raise AssertionError(f"spans not received in {timeout}s; have {[(s.service, s.name) for s in self.spans]}")


def _any_value(value: Any) -> Any:
    kind = value.WhichOneof("value")
    return getattr(value, kind) if kind else None


def _serve_in_thread(app: FastAPI, port: int) -> uvicorn.Server:
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", access_log=False))
    threading.Thread(target=lambda: asyncio.run(server.serve()), daemon=True).start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    return server


@pytest.fixture(scope="session")
def otlp_receiver() -> Iterator[OtlpReceiver]:
    port = free_port()
    receiver = OtlpReceiver(endpoint=f"http://127.0.0.1:{port}")
    app = FastAPI()

    @app.post("/v1/traces")
    async def traces(request: Request) -> Response:
        export = ExportTraceServiceRequest()
        export.ParseFromString(await request.body())
        for resource_spans in export.resource_spans:
            resource = {a.key: _any_value(a.value) for a in resource_spans.resource.attributes}
            for scope_spans in resource_spans.scope_spans:
                for span in scope_spans.spans:
                    receiver.spans.append(ReceivedSpan(
                        service=str(resource.get("service.name")),
                        name=span.name,
                        trace_id=span.trace_id.hex(),
                        span_id=span.span_id.hex(),
                        parent_span_id=span.parent_span_id.hex(),
                        attributes={a.key: _any_value(a.value) for a in span.attributes},
                        kind=Span.SpanKind.Name(span.kind).removeprefix("SPAN_KIND_").lower(),
                        status_message=span.status.message,
                        events=[
                            {"name": event.name, **{a.key: _any_value(a.value) for a in event.attributes}}
                            for event in span.events
                        ],
                    ))
        return Response(content=b"", media_type="application/x-protobuf")

    server = _serve_in_thread(app, port)
    yield receiver
    server.should_exit = True


@pytest.fixture(scope="session")
def platform(
    infra: Infrastructure, service_env: Callable[[str], dict[str, str]], test_run_dir: Path,
    otlp_receiver: OtlpReceiver,
) -> Iterator[Platform]:
    """The four services, the demo webhook sink and the mail server as real processes, on a database and a broker
    of their own on the session's server. Not on the session's: under pytest-xdist a worker runs other modules'
    in-process apps while these processes live, and a service process beside them would relay their outbox rows
    and build their read models a second time."""
    for service in SERVICES:
        service_env(service)  # the roles exist, with the session's passwords
    with scratch_database(infra.admin_dsn, "sinergi_platform") as database:
        broker_dir = test_run_dir / database
        own = dataclasses.replace(infra, admin_dsn=on_database(infra.admin_dsn, database),
                                  kafka_bootstrap_servers=tansu.start(broker_dir, free_port()))
        ports = {name: free_port() for name in (*SERVICES, "sink", "mail")}
        running = Platform(test_run_dir, own, ports, extra_env={
            "OTEL_EXPORTER_OTLP_ENDPOINT": otlp_receiver.endpoint,
            "OTEL_BSP_SCHEDULE_DELAY": "200",
            **{f"{s.upper()}_OUTBOX_POLL_INTERVAL_MS": "100" for s in SERVICES},
            **{f"{s.upper()}_KAFKA_CONSUMER_GROUP_PREFIX": "e2e" for s in SERVICES},
            **{f"{s.upper()}_{name}": value for s in SERVICES for name, value in TEST_KAFKA_SETTINGS.items()},
        })
        try:
            running.provision()
            running.migrate()
            running.start_sink()
            running.start_mail()
            running.start_services()
            yield running
        finally:
            running.stop()
            tansu.stop(broker_dir)


@pytest.fixture(scope="session")
def signed_platform(
    infra: Infrastructure, service_env: Callable[[str], dict[str, str]], test_run_dir: Path
) -> Iterator[Platform]:
    """The whole platform behind the OIDC provider (``tests.workspace_platform``): the workspace's tests that sign
    in through the provider's own page share it, once per session (each starts six processes)."""
    yield from workspace_platform.signed_platform(infra, service_env, test_run_dir)


# The services' apps built as their documents are (``sinergi_local.docs``): no database or broker behind them,
# enough for every answer given before either is reached (refusals, validation, the framework's own errors).
@pytest.fixture(scope="module")
def apps() -> dict[str, FastAPI]:
    return {service: docs.unconnected_app(service) for service in SERVICES}


@pytest.fixture
async def clients(apps: dict[str, FastAPI]) -> AsyncIterator[dict[str, httpx.AsyncClient]]:
    clients = {
        service: httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=f"http://{service}")
        for service, app in apps.items()
    }
    yield clients
    for client in clients.values():
        await client.aclose()
