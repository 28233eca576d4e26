from pydantic import Field, SecretStr, model_validator
from pydantic_settings import SettingsConfigDict

from shared.settings import FieldEncryptionSettings, ServiceSettings

DEVELOPMENT_LINKING_KEY = "sinergi-development-linking-key"
DEVELOPMENT_GATEWAY_SECRET = "sinergi-development-gateway-secret"  # noqa: S105 - refused outside development


class IntakeSettings(ServiceSettings, FieldEncryptionSettings):
    """Read from INTAKE_* environment variables."""

    model_config = SettingsConfigDict(env_prefix="INTAKE_", extra="ignore")

    http_port: int = 8001
    linking_key: SecretStr = Field(
        default=SecretStr(DEVELOPMENT_LINKING_KEY),
        description="HMAC key of the duplicate fingerprints. Never rotate it casually: old fingerprints stop matching.",
    )
    reporter_lookup_rate_limit: str = Field(
        default="20/hour", description="Per-client limit on the reporter's status page and adding information "
        "(each try checks a report number and code), e.g. `20/hour`",
    )
    message_gateway_secrets: dict[str, SecretStr] = Field(
        default_factory=lambda: {name: SecretStr(DEVELOPMENT_GATEWAY_SECRET) for name in ("whatsapp", "sms")},
        description='JSON object of gateway (whatsapp, sms) to the secret it signs inbound messages with.',
    )

    @model_validator(mode="after")
    def _refuse_development_secrets_outside_development(self) -> "IntakeSettings":
        if self.environment != "development":
            if self.linking_key.get_secret_value() == DEVELOPMENT_LINKING_KEY:
                raise ValueError("linking_key is the development key; set a real one")
            for gateway, secret in self.message_gateway_secrets.items():
                if secret.get_secret_value() == DEVELOPMENT_GATEWAY_SECRET:
                    raise ValueError(f"the {gateway} gateway secret is the development secret; set a real one")
        return self
