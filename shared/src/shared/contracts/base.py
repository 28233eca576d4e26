"""The envelope every event shares, and the one way to read an event off the wire."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any, ClassVar
from uuid import UUID, uuid4

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, ValidationError


def utc_now() -> datetime:
    return datetime.now(UTC)


class Event(BaseModel):
    """Base of every event. Subclasses pin ``event_type``, ``schema_version`` and ``producer`` with Literals
    and name the ``topic`` they travel on.

    Frozen, because an event is a fact that has happened. Unknown fields are ignored on read so that a producer
    may add optional fields without breaking older consumers; a change that is not additive gets a new
    ``schema_version`` and a new class.
    """

    model_config = ConfigDict(frozen=True, extra="ignore")

    topic: ClassVar[str]
    registry: ClassVar[dict[tuple[str, int], type[Event]]] = {}

    event_id: UUID = Field(default_factory=uuid4, description="Unique id; consumers deduplicate on it.")
    event_type: str = Field(description="Dotted name of what happened, e.g. `case.reported`.")
    schema_version: int = Field(description="Version of this event type's schema.")
    occurred_at: AwareDatetime = Field(default_factory=utc_now, description="When it happened (UTC).")
    case_id: UUID = Field(description="The case this event is about; also the Kafka message key.")
    producer: str = Field(description="The service that produced the event.")

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        event_type = cls.model_fields["event_type"].default
        version = cls.model_fields["schema_version"].default
        if isinstance(event_type, str) and isinstance(version, int):
            Event.registry[(event_type, version)] = cls

    @property
    def key(self) -> bytes:
        """Events are keyed by case so that a case's events stay in order on one partition."""
        return str(self.case_id).encode()

    def to_json(self) -> bytes:
        return self.model_dump_json().encode()


class EventParseError(ValueError):
    """An event that cannot be read: bad JSON, an unknown type or version, or a schema violation.

    The message names what is wrong without echoing the payload, which may hold data we must not log.
    """


# What an event type's name looks like: a reason names an unknown type only if it looks like one, never a value.
_EVENT_TYPE_NAME = re.compile(r"[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+")


def _named(event_type: object, version: object) -> str:
    """The unknown type and version as a reason may name them: a name and an integer, or only what they are."""
    if isinstance(event_type, str) and len(event_type) <= 64 and _EVENT_TYPE_NAME.fullmatch(event_type):
        named = repr(event_type)
    else:
        named = "(missing)" if event_type is None else f"({type(event_type).__name__}, not an event type name)"
    if isinstance(version, int) and not isinstance(version, bool) and abs(version) < 10**9:
        return f"{named} with schema version {version}"
    return f"{named} with schema version {'(missing)' if version is None else f'({type(version).__name__})'}"


def _describe(error: ValidationError) -> str:
    parts = []
    for item in error.errors(include_input=False, include_url=False):
        location = ".".join(str(p) for p in item["loc"]) or "<root>"
        parts.append(f"{location}: {item['msg']}")
    return "; ".join(parts)


class _Header(BaseModel):
    """What an event's class is chosen by; the rest of the document is read once, by that class."""

    model_config = ConfigDict(extra="ignore")

    event_type: object = None
    schema_version: object = None


# pydantic-core's JSON parser says why a document is unreadable in words like these; a reason keeps the words and
# never the document.
_BEYOND_THE_PARSER = {"recursion limit exceeded": "nested too deeply", "number out of range": "a number too long"}


def _unreadable(error: ValidationError) -> EventParseError:
    first = error.errors(include_input=False, include_url=False)[0]
    if first["type"] != "json_invalid":
        return EventParseError("not a JSON object")
    parser_says = str(first.get("ctx", {}).get("error", "bad JSON"))
    for words, reason in _BEYOND_THE_PARSER.items():
        if parser_says.startswith(words):
            return EventParseError(f"not JSON this build reads: {reason}")
    return EventParseError(f"not JSON: {parser_says}")


def event_class_of(raw: bytes | str) -> type[Event]:
    """The class of the event in ``raw``, from its ``event_type`` and ``schema_version`` alone: the rest of the
    JSON is checked for syntax but not turned into Python objects or validated.

    Raises EventParseError (bad JSON, not an object, an unknown type or version) with a reason safe to log.
    """
    try:
        header = _Header.model_validate_json(raw)
    except ValidationError as error:
        raise _unreadable(error) from None
    event_type, version = header.event_type, header.schema_version
    event_class = None
    if isinstance(event_type, str) and isinstance(version, int) and not isinstance(version, bool):
        event_class = Event.registry.get((event_type, version))
    if event_class is None:
        raise EventParseError(f"unknown event type {_named(event_type, version)}")
    return event_class


def parse_event_as(raw: bytes | str, event_class: type[Event]) -> Event:
    """Validate ``raw`` as ``event_class`` (what ``event_class_of`` named); EventParseError with a safe reason."""
    try:
        return event_class.model_validate_json(raw)
    except ValidationError as error:
        raise EventParseError(_describe(error)) from None


def parse_event(raw: bytes | str) -> Event:
    """Read one event from JSON, choosing its class by ``event_type`` and ``schema_version``.

    The type is read first from the raw JSON (no Python objects for the rest), then its class validates the raw
    JSON itself: about two thirds of the cost of ``json.loads`` and a validation of the dict (docs/benchmarks.md,
    P3). Raises EventParseError with a reason that is safe to log and to put in a dead-letter header.
    """
    return parse_event_as(raw, event_class_of(raw))
