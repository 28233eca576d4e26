from __future__ import annotations

from typing import Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import SettingsConfigDict

from shared.settings import FieldEncryptionSettings, ServiceSettings


class NotificationsSettings(ServiceSettings, FieldEncryptionSettings):
    """Read from NOTIFICATIONS_* environment variables. The encryption keys protect the webhook secrets.

    Email goes out through one SMTP server (``smtp_*``), SMS and WhatsApp through one messaging gateway
    (``gateway_*``); a channel whose server or sender is not configured is not available."""

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
    circuit_failure_threshold: int = Field(
        default=5, ge=1, description="Failures in a row after which an endpoint's circuit opens"
    )
    circuit_cool_down_seconds: float = Field(
        default=30.0, gt=0, description="How long an open circuit sends nothing before one trial attempt"
    )
    circuit_max_cool_down_seconds: float = Field(
        default=600.0, gt=0, description="The cool-down doubles after each failed trial, up to this"
    )
    case_link_template: str | None = Field(
        default=None,
        description="Link to a case in the Sinergi web app put in agencies' notifications, with `{case_id}`, "
        "e.g. `https://sinergi.example.go.id/kasus/{case_id}`; unset: no link",
    )

    smtp_host: str | None = Field(
        default=None, description="SMTP server that email notifications go through; unset: no email channel"
    )
    smtp_port: int = Field(
        default=25, ge=1, le=65535, description="SMTP server port (465 for use_tls, 587 for STARTTLS)"
    )
    smtp_username: str | None = Field(default=None, description="SMTP login; set together with smtp_password")
    smtp_password: SecretStr | None = Field(default=None, description="SMTP password; set together with smtp_username")
    smtp_starttls: bool = Field(
        default=False, description="Upgrade the connection with STARTTLS and refuse to go on without it"
    )
    smtp_use_tls: bool = Field(
        default=False, description="Connect over TLS from the start (port 465); not with STARTTLS"
    )
    smtp_sender: str = Field(
        default="Sinergi <noreply@sinergi.local>", description="The From of every email, e.g. `Sinergi <noreply@...>`"
    )
    smtp_timeout_seconds: float = Field(default=10.0, gt=0, description="Limit on one whole SMTP conversation")

    gateway_provider: Literal["twilio"] | None = Field(
        default=None, description="Messaging gateway for SMS and WhatsApp; unset: neither channel is available"
    )
    gateway_base_url: str = Field(
        default="https://api.twilio.com", description="The gateway's API root; only tests point it elsewhere"
    )
    gateway_account_sid: str | None = Field(default=None, description="Twilio account SID (AC...), the basic-auth user")
    gateway_auth_token: SecretStr | None = Field(default=None, description="Twilio auth token, the basic-auth password")
    gateway_sms_sender: str | None = Field(
        default=None, description="E.164 number (or messaging service) SMS is sent from; unset: no SMS channel"
    )
    gateway_whatsapp_sender: str | None = Field(
        default=None, description="E.164 WhatsApp sender number, without `whatsapp:`; unset: no WhatsApp channel"
    )

    @model_validator(mode="after")
    def _lease_outlives_a_request(self) -> NotificationsSettings:
        if self.delivery_lease_seconds <= self.delivery_timeout_seconds:
            raise ValueError("delivery_lease_seconds must be greater than delivery_timeout_seconds")
        if self.delivery_backoff_cap_seconds < self.delivery_backoff_base_seconds:
            raise ValueError("delivery_backoff_cap_seconds must not be below delivery_backoff_base_seconds")
        return self

    @model_validator(mode="after")
    def _channels_are_configured_whole(self) -> NotificationsSettings:
        # A half-configured channel would fail on every message; better to refuse to start.
        if self.smtp_starttls and self.smtp_use_tls:
            raise ValueError("set smtp_starttls or smtp_use_tls, not both")
        if (self.smtp_username is None) != (self.smtp_password is None):
            raise ValueError("set smtp_username and smtp_password together")
        if self.gateway_provider is not None:
            if not self.gateway_account_sid or self.gateway_auth_token is None:
                raise ValueError("gateway_provider needs gateway_account_sid and gateway_auth_token")
            if not (self.gateway_sms_sender or self.gateway_whatsapp_sender):
                raise ValueError("gateway_provider needs gateway_sms_sender or gateway_whatsapp_sender")
            # The auth token travels in every request's basic-auth header.
            if not self.is_development and not self.gateway_base_url.startswith("https://"):
                raise ValueError("gateway_base_url must be https outside development")
        return self
