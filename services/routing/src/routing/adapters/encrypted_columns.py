"""Where routing stores ciphertexts, for ``python -m routing rotate-keys`` (``shared.key_rotation``)."""

from sqlalchemy import Table

from routing.adapters.tables import FollowUpRow
from routing.domain.follow_ups import NOTE_FIELD
from shared.key_rotation import EncryptedColumn

_follow_ups: Table = FollowUpRow.__table__  # type: ignore[attr-defined]

ENCRYPTED_COLUMNS = (
    # A follow-up's note, bound to its follow-up.
    EncryptedColumn(_follow_ups, ciphertext="note_ciphertext", aad_id="follow_up_id", field=NOTE_FIELD),
)
