"""Messages from the WhatsApp / SMS gateways, kept as drafts for operators."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID, uuid4

from intake.adapters import drafts as store
from intake.adapters.drafts import DraftRecord
from intake.domain.access import PersonalField
from intake.service_layer.errors import CaseConflictError, CaseNotFoundError
from shared.auth import Principal
from shared.contracts import PersonalDataRead
from shared.contracts.vocabulary import Channel
from shared.crypto import FieldCipher
from shared.unit_of_work import UnitOfWork


async def receive_message(  # noqa: PLR0917 - one message's parts
    gateway: Channel, message_id: str, sender: str, text: str, received_at: datetime, uow: UnitOfWork,
    cipher: FieldCipher,
) -> UUID:
    """Keep a gateway message as a draft report for an operator; a message delivered twice is kept once."""
    async with uow:
        draft_id = await store.add_draft(
            uow.session, draft_id=uuid4(), gateway=gateway.value, message_id=message_id, received_at=received_at,
            sender=sender, text=text, cipher=cipher,
        )
        await uow.commit()
    return draft_id


@dataclass(frozen=True)
class DraftView:
    record: DraftRecord
    sender: str
    text: str


def _view(draft: DraftRecord, cipher: FieldCipher) -> DraftView:
    return DraftView(
        draft,
        cipher.decrypt(draft.sender_ciphertext, case_id=draft.draft_id, field="sender"),
        cipher.decrypt(draft.text_ciphertext, case_id=draft.draft_id, field="text"),
    )


async def open_drafts(
    principal: Principal, uow: UnitOfWork, cipher: FieldCipher, *, limit: int, endpoint: str
) -> list[DraftView]:
    """The open drafts, decrypted, each read audited under the draft's id (which the case recorded from it
    takes): no audit, no data."""
    async with uow:
        drafts = await store.list_drafts(uow.session, status="open", limit=limit)
        for draft in drafts:
            uow.emit(
                PersonalDataRead(
                    case_id=draft.draft_id,
                    actor_user_id=principal.user_id,
                    actor_agency_id=principal.agency_id,
                    actor_roles=tuple(sorted(principal.roles)),
                    fields=(PersonalField.NARRATIVE.value, PersonalField.REPORTER_CONTACT.value),
                    endpoint=endpoint,
                )
            )
        await uow.commit()
    return [_view(draft, cipher) for draft in drafts]


async def lock_open_draft(draft_id: UUID, uow: UnitOfWork) -> DraftRecord:
    """The draft to complete, locked so that two operators cannot both turn it into a case."""
    draft = await store.get_draft(uow.session, draft_id, for_update=True)
    if draft is None:
        raise CaseNotFoundError(draft_id)
    if draft.status != "open":
        raise CaseConflictError(draft.status, "draft_completed")
    return draft
