"""Where intake stores ciphertexts, for ``python -m intake rotate-keys`` (``shared.key_rotation``)."""

from sqlalchemy import Table

from intake.adapters.tables import CasePersonalFieldRow, MessageDraftRow
from shared.key_rotation import EncryptedColumn

_personal_fields: Table = CasePersonalFieldRow.__table__  # type: ignore[attr-defined]
_drafts: Table = MessageDraftRow.__table__  # type: ignore[attr-defined]

ENCRYPTED_COLUMNS = (
    # Each personal field of a case, bound to the case and to the name in its ``bound_to`` column.
    EncryptedColumn(_personal_fields, ciphertext="ciphertext", aad_id="case_id", field_column="bound_to"),
    EncryptedColumn(_drafts, ciphertext="sender_ciphertext", aad_id="draft_id", field="sender"),
    EncryptedColumn(_drafts, ciphertext="text_ciphertext", aad_id="draft_id", field="text"),
)
