"""Audit events: every read of a case's personal fields, for the audit trail that reporting keeps."""

from typing import ClassVar, Literal

from pydantic import Field

from shared.contracts.base import Event
from shared.contracts.topics import AUDIT


class PersonalDataRead(Event):
    """Someone was shown personal fields of a case. Names the fields, never their values."""

    topic: ClassVar[str] = AUDIT.name

    event_type: Literal["personal_data.read"] = "personal_data.read"
    schema_version: Literal[1] = 1
    producer: Literal["intake"] = "intake"

    actor_user_id: str = Field(description="The `sub` of the reader's token.")
    actor_agency_id: str | None = Field(description="The agency the reader acted for.")
    actor_roles: tuple[str, ...] = Field(description="The reader's roles.")
    fields: tuple[str, ...] = Field(min_length=1, description="The personal fields shown, e.g. `narrative`.")
    endpoint: str = Field(description="The API route that showed them, e.g. `GET /v1/cases/{case_id}`.")
