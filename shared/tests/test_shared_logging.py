"""JSON logs: one object per line, the trace id of the current span, and never an exception's message."""

from __future__ import annotations

import io
import json
import logging
import logging.config
from collections.abc import Iterator
from typing import Any

import pytest
import uvicorn.config
from opentelemetry.sdk.trace import TracerProvider

from shared.telemetry import AccessWithoutClient, configure_logging, json_log_handler

SECRET = "Siti Aminah, 0812-3456-7890"  # what a value in an exception message could be


@pytest.fixture
def logs() -> Iterator[tuple[logging.Logger, io.StringIO]]:
    stream = io.StringIO()
    logger = logging.getLogger(f"sinergi.test.{id(stream)}")
    logger.propagate, logger.level = False, logging.INFO
    logger.addHandler(json_log_handler("routing", stream))
    yield logger, stream
    logger.handlers.clear()


def lines(stream: io.StringIO) -> list[dict[str, Any]]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


def test_a_line_is_one_json_object_with_the_service(logs: tuple[logging.Logger, io.StringIO]) -> None:
    logger, stream = logs
    logger.info("case %s referred to %s", "8c0e", "uptd-ppa-62.13", extra={"topic": "sinergi.cases"})
    [line] = lines(stream)
    assert {k: line[k] for k in ("level", "logger", "message", "service", "topic")} == {
        "level": "INFO", "logger": logger.name, "message": "case 8c0e referred to uptd-ppa-62.13",
        "service": "routing", "topic": "sinergi.cases",
    }
    assert line["timestamp"].endswith("+00:00")
    assert "trace_id" not in line, "outside a span there is no trace"
    assert "span_id" not in line


def test_a_line_inside_a_span_carries_its_trace_and_span_ids(logs: tuple[logging.Logger, io.StringIO]) -> None:
    logger, stream = logs
    with TracerProvider().get_tracer("test").start_as_current_span("handle") as span:
        logger.warning("inside")
    logger.warning("after")
    inside, after = lines(stream)
    context = span.get_span_context()
    assert (inside["trace_id"], inside["span_id"]) == (f"{context.trace_id:032x}", f"{context.span_id:016x}")
    assert "trace_id" not in after


def refuse() -> None:
    phones: dict[str, str] = {}
    try:
        phones[SECRET]  # a KeyError whose message is the value
    except KeyError as error:
        raise ValueError(f"duplicate key value violates unique constraint: ({SECRET})") from error


def test_an_exception_is_logged_without_its_message(logs: tuple[logging.Logger, io.StringIO]) -> None:
    logger, stream = logs
    try:
        refuse()
    except ValueError as error:
        logger.exception("checking SLA timers failed")
        # as faststream logs what a handler raised
        logger.error(f"{type(error).__name__}: {error}", exc_info=error)  # noqa: TRY400
    text = stream.getvalue()
    assert SECRET not in text
    first, second = lines(stream)
    assert first["message"] == "checking SLA timers failed"
    assert second["message"] == "ValueError: (withheld)"
    assert "builtins.KeyError (message withheld)" in first["exc_info"]
    assert "The above exception was the direct cause" in first["exc_info"]
    assert first["exc_info"].endswith("builtins.ValueError (message withheld)")
    assert "test_an_exception_is_logged_without_its_message" in first["exc_info"], "the frames stay"


def test_uvicorn_access_lines_leave_out_the_client() -> None:
    record = logging.LogRecord("uvicorn.access", logging.INFO, __file__, 1, '%s - "%s %s HTTP/%s" %d',
                               ("203.0.113.7:50312", "POST", "/v1/reports", "1.1", 201), None)
    assert AccessWithoutClient().filter(record)
    assert record.getMessage() == '"POST /v1/reports HTTP/1.1" 201'


def test_configure_logging_sends_every_logger_through_the_json_handler(monkeypatch: pytest.MonkeyPatch) -> None:
    root = logging.getLogger()
    uvicorn_loggers = [logging.getLogger(name) for name in ("uvicorn", "uvicorn.error", "uvicorn.access")]
    saved = (root.handlers[:], root.level, [(lg.handlers[:], lg.propagate, lg.filters[:]) for lg in uvicorn_loggers])
    access = logging.getLogger("uvicorn.access")
    monkeypatch.setenv("LOG_LEVEL", "WARNING")
    # As an earlier uvicorn.run with its default log_config leaves them: handlers of their own, not propagating.
    logging.config.dictConfig(uvicorn.config.LOGGING_CONFIG)
    try:
        configure_logging("intake")
        [handler] = root.handlers
        assert root.level == logging.WARNING
        stream = io.StringIO()
        handler.setStream(stream)  # type: ignore[attr-defined]
        logging.getLogger("aiokafka.consumer").warning("Heartbeat failed for group %s", "sinergi-intake")
        logging.getLogger("uvicorn.error").warning("Exception in ASGI application")
        ours = [line for line in lines(stream)  # a thread an earlier test left may log too
                if line["message"] in ("Heartbeat failed for group sinergi-intake", "Exception in ASGI application")]
        assert [(line["logger"], line["service"]) for line in ours] == [
            ("aiokafka.consumer", "intake"), ("uvicorn.error", "intake"),
        ]
        assert any(isinstance(f, AccessWithoutClient) for f in access.filters)
    finally:
        root.handlers[:] = saved[0]
        root.setLevel(saved[1])
        for logger, (handlers, propagate, filters) in zip(uvicorn_loggers, saved[2], strict=True):
            logger.handlers[:], logger.propagate, logger.filters[:] = handlers, propagate, filters
