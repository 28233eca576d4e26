"""Where notifications stores ciphertexts, for ``python -m notifications rotate-keys`` (``shared.key_rotation``)."""

from notifications.adapters.repository import CONTACT_FIELD, SECRET_FIELD
from notifications.adapters.tables import subscriptions
from shared.key_rotation import EncryptedColumn

ENCRYPTED_COLUMNS = (
    # The webhook secrets (the current one and one being rotated out), and the email address or phone number
    # of email, SMS and WhatsApp subscriptions, each bound to its subscription.
    EncryptedColumn(subscriptions, ciphertext="secret_ciphertext", aad_id="subscription_id", field=SECRET_FIELD),
    EncryptedColumn(
        subscriptions, ciphertext="previous_secret_ciphertext", aad_id="subscription_id", field=SECRET_FIELD
    ),
    EncryptedColumn(subscriptions, ciphertext="contact_ciphertext", aad_id="subscription_id", field=CONTACT_FIELD),
)
