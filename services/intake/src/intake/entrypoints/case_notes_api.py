"""``GET /v1/cases/{case_id}/notes``: a case's updates with who wrote each, for whom and when."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID

from fastapi import APIRouter, Depends, status
from pydantic import BaseModel, Field

from intake.domain.access import CASE_READERS
from intake.service_layer.case_notes import CaseNote, case_notes_of
from intake.service_layer.reporter import REPORTER_AUTHOR
from shared.auth import Principal
from shared.dependencies import CurrentCipher, CurrentUnitOfWork, require_roles
from shared.http_errors import refused

router = APIRouter(prefix="/v1")

CaseReader = Annotated[Principal, Depends(require_roles(*CASE_READERS))]
ENDPOINT = "GET /v1/cases/{case_id}/notes"


class Author(BaseModel):
    user_id: str = Field(description="The `sub` of the token that wrote it")
    agency_id: str | None = Field(description="The agency they acted for; null for an operator (or an update "
                                  "made before Sinergi kept it)")


class CaseNoteOut(BaseModel):
    update_id: UUID
    kind: Literal["information_added", "corrected", "reopened", "priority_raised", "link_confirmed"]
    changed_fields: list[str] = Field(description="Names of what changed (`notes` when a note was added)")
    author: Author
    from_reporter: bool = Field(description="Added by the reporter on the public status page (`/lapor/status`), "
                                "not by staff; the author is then no one's token")
    written_at: datetime
    note: str | None = Field(description="The note, if the update added one and you may read the case's narrative "
                             "(each read is audited); null otherwise")

    @classmethod
    def of(cls, note: CaseNote) -> CaseNoteOut:
        update = note.update
        return cls(update_id=update.update_id, kind=update.kind,
                   changed_fields=list(update.changed_fields),
                   author=Author(user_id=update.author_user_id, agency_id=update.author_agency_id),
                   from_reporter=update.author_user_id == REPORTER_AUTHOR,
                   written_at=update.written_at, note=note.text)


@router.get("/cases/{case_id}/notes", response_model=list[CaseNoteOut], tags=["cases"],
            responses={404: {"description": "No such case, or not one you may see"}})
async def get_case_notes(
    case_id: UUID, principal: CaseReader, uow: CurrentUnitOfWork, cipher: CurrentCipher
) -> list[CaseNoteOut]:
    """The case's updates, oldest first: who wrote each (user and agency) and when, for everyone who sees the
    case; the note's text for those who may read the case's narrative."""
    notes = await case_notes_of(case_id, principal, uow, cipher, endpoint=ENDPOINT)
    if notes is None:
        raise refused(status.HTTP_404_NOT_FOUND, "case_not_found", ("path", "case_id"))
    return [CaseNoteOut.of(note) for note in notes]
