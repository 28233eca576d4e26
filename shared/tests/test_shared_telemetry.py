"""HTTP server spans say what was asked, never who asked: the client's address and user agent are withheld."""

from __future__ import annotations

import httpx
from fastapi import FastAPI
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from shared.telemetry import CLIENT_ATTRIBUTES, WITHHELD, instrument_app


async def test_a_request_span_withholds_the_client() -> None:
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    app = FastAPI()

    @app.post("/v1/reports")
    async def report() -> dict[str, str]:
        return {}

    instrument_app(app, provider)
    transport = httpx.ASGITransport(app=app, client=("203.0.113.7", 50312))
    async with httpx.AsyncClient(transport=transport, base_url="http://intake") as client:
        response = await client.post("/v1/reports", headers={"user-agent": "Mozilla/5.0 (Linux; Android 14; SM-A155F)"})
        assert response.status_code == 200
        assert (await client.get("/metrics")).status_code == 404  # not traced: scraped every few seconds
    [server] = [span for span in exporter.get_finished_spans() if span.name == "POST /v1/reports"]
    attributes = dict(server.attributes or {})
    assert "203.0.113.7" not in str(attributes)
    assert "SM-A155F" not in str(attributes)
    assert {key: attributes[key] for key in CLIENT_ATTRIBUTES if key in attributes}, "the client attributes are there"
    assert {attributes[key] for key in CLIENT_ATTRIBUTES if key in attributes} == {WITHHELD}
    assert not [span for span in exporter.get_finished_spans() if "/metrics" in span.name]
