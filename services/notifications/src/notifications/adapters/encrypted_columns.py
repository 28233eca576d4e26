"""Where notifications stores ciphertexts, for ``python -m notifications rotate-keys`` (``shared.key_rotation``)."""

from notifications.adapters.repository import SECRET_FIELD
from notifications.adapters.tables import subscriptions
from shared.key_rotation import EncryptedColumn

ENCRYPTED_COLUMNS = (
    # The webhook secret, bound to its subscription.
    EncryptedColumn(subscriptions, ciphertext="secret_ciphertext", aad_id="subscription_id", field=SECRET_FIELD),
)
