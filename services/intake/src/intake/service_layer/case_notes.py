"""A case's notes with their authors: everyone who sees the case sees who wrote what kind of update and when;
the note's text only who may read the case's narrative (``CaseScope.readable_fields``), and that read is
audited like any other read of personal data."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from intake.adapters import case_notes, repository
from intake.adapters.case_notes import UpdateRecord
from intake.domain.access import PersonalField
from shared.auth import Principal
from shared.contracts import PersonalDataRead
from shared.crypto import FieldCipher
from shared.unit_of_work import UnitOfWork


@dataclass(frozen=True)
class CaseNote:
    update: UpdateRecord
    text: str | None  # None: no note with this update, or not one the caller may read


def note_path(update_id: UUID) -> str:
    return f"notes.{update_id}"


async def case_notes_of(
    case_id: UUID, principal: Principal, uow: UnitOfWork, cipher: FieldCipher, *, endpoint: str
) -> list[CaseNote] | None:
    """The case's updates as ``principal`` may see them, or None if they may not see the case."""
    async with uow:
        record = await repository.get_case(uow.session, case_id)
        if record is None or not record.scope.can_view(principal):
            return None
        updates = await case_notes.updates_of_case(uow.session, case_id)
        readable = record.scope.readable_fields(principal) & {PersonalField.NARRATIVE}
        texts = record.decrypt(cipher, readable) if readable else {}
        notes = [CaseNote(update, texts.get(note_path(update.update_id))) for update in updates]
        if any(note.text is not None for note in notes):
            uow.emit(PersonalDataRead(
                case_id=case_id, actor_user_id=principal.user_id, actor_agency_id=principal.agency_id,
                actor_roles=tuple(sorted(principal.roles)), fields=(PersonalField.NARRATIVE.value,),
                endpoint=endpoint,
            ))
            await uow.commit()
    return notes
