"""Where intake stores ciphertexts, for ``python -m intake rotate-keys`` (``shared.key_rotation``)."""

from sqlalchemy import Table

from intake.adapters.tables import CasePersonalFieldRow
from shared.key_rotation import EncryptedColumn

_personal_fields: Table = CasePersonalFieldRow.__table__  # type: ignore[attr-defined]

ENCRYPTED_COLUMNS = (
    # Each personal field of a case, bound to the case and to the field's name in the ``field`` column.
    EncryptedColumn(_personal_fields, ciphertext="ciphertext", aad_id="case_id", field_column="field"),
)
