from __future__ import annotations

from pydantic import Field, model_validator
from pydantic_settings import SettingsConfigDict

from shared.settings import FieldEncryptionSettings, ServiceSettings


class NotificationsSettings(ServiceSettings, FieldEncryptionSettings):
    """Read from NOTIFICATIONS_* environment variables. The encryption keys protect the webhook secrets."""

    model_config = SettingsConfigDict(env_prefix="NOTIFICATIONS_", extra="ignore")

    http_port: int = 8003

    delivery_batch_size: int = Field(default=50, ge=1, description="Deliveries claimed and sent together")
    delivery_timeout_seconds: float = Field(default=10.0, gt=0, description="Whole-request limit per POST")
    delivery_lease_seconds: float = Field(
        default=60.0,
        gt=0,
        description="How long a claimed delivery is reserved for its worker; if the worker dies, it is retried "
        "after this. Must exceed delivery_timeout_seconds so that a live attempt never loses its claim.",
    )
    delivery_backoff_base_seconds: float = Field(default=1.0, gt=0)
    delivery_backoff_cap_seconds: float = Field(default=300.0, gt=0)
    delivery_max_attempts: int = Field(default=12, ge=1, description="After this many failures: dead letter")
    delivery_idle_poll_ms: int = Field(default=200, ge=1, description="Sleep between polls when nothing is due")

    @model_validator(mode="after")
    def _lease_outlives_a_request(self) -> NotificationsSettings:
        if self.delivery_lease_seconds <= self.delivery_timeout_seconds:
            raise ValueError("delivery_lease_seconds must be greater than delivery_timeout_seconds")
        if self.delivery_backoff_cap_seconds < self.delivery_backoff_base_seconds:
            raise ValueError("delivery_backoff_cap_seconds must not be below delivery_backoff_base_seconds")
        return self
