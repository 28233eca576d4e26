from pydantic_settings import SettingsConfigDict

from shared.settings import FieldEncryptionSettings, ServiceSettings


class IntakeSettings(ServiceSettings, FieldEncryptionSettings):
    """Read from INTAKE_* environment variables."""

    model_config = SettingsConfigDict(env_prefix="INTAKE_", extra="ignore")

    http_port: int = 8001
