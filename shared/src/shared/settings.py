"""Settings helpers: every service has one settings class, built on these, read from the environment at start.

Secrets come only from settings. Outside development a missing or development-only secret stops the service
at start, so a production deployment can never run on a value that is in this repository.
"""

from __future__ import annotations

import base64
from typing import Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

Environment = Literal["development", "test", "production"]

# Known only to development: base64 of 32 bytes of 0x00. Refused in production by `FieldEncryptionSettings`.
DEVELOPMENT_ENCRYPTION_KEY = base64.b64encode(bytes(32)).decode()


# Known only to development; refused outside development by `AuthSettings` (HS256 is refused there entirely).
DEVELOPMENT_TOKEN_SECRET = "sinergi-development-token-secret-not-for-production"  # noqa: S105
_MIN_SECRET_BYTES = 32


class AuthSettings(BaseSettings):
    """Token verification; mixed into the settings of services that take requests from people."""

    # A validation error must never echo the input: it holds database passwords and encryption keys.
    model_config = SettingsConfigDict(hide_input_in_errors=True)

    auth_jwks_url: str | None = Field(
        default=None, description="JWKS URL of the identity provider (RS256/ES256); required outside development."
    )
    auth_issuer: str = "sinergi"
    auth_audience: str = "sinergi"
    auth_hs256_secret: SecretStr | None = Field(
        default=None,
        description="Development only: HS256 secret. Without a JWKS URL, development uses DEVELOPMENT_TOKEN_SECRET.",
    )
    environment: Environment = "development"

    @model_validator(mode="after")
    def _refuse_hs256_outside_development(self) -> AuthSettings:
        if self.environment != "development":
            if self.auth_hs256_secret is not None:
                raise ValueError("auth_hs256_secret is development only; outside development HS256 is refused")
            if not self.auth_jwks_url:
                raise ValueError("auth_jwks_url is required outside development")
            if not self.auth_jwks_url.startswith("https://"):
                raise ValueError("auth_jwks_url must be https outside development")
            return self
        if self.auth_jwks_url and self.auth_hs256_secret is not None:
            raise ValueError("set either auth_jwks_url or auth_hs256_secret, not both")
        if not self.auth_jwks_url and self.auth_hs256_secret is None:
            self.auth_hs256_secret = SecretStr(DEVELOPMENT_TOKEN_SECRET)
        if self.auth_hs256_secret is not None and len(self.auth_hs256_secret.get_secret_value()) < _MIN_SECRET_BYTES:
            raise ValueError(f"auth_hs256_secret must be at least {_MIN_SECRET_BYTES} characters")
        return self


class ServiceSettings(AuthSettings):
    """What every service needs. Subclasses set ``model_config = SettingsConfigDict(env_prefix="NAME_")``."""

    environment: Environment = "development"
    http_host: str = "127.0.0.1"
    http_port: int

    database_url: SecretStr = Field(
        description="SQLAlchemy URL of the service's application role (DML on its own schema only), "
        "e.g. postgresql+asyncpg://intake_app:secret@127.0.0.1:5432/sinergi",
    )
    migrations_database_url: SecretStr | None = Field(
        default=None,
        description="URL of the role that owns the service's schema and runs its migrations.",
    )
    database_pool_size: int = 10

    kafka_bootstrap_servers: str = "127.0.0.1:9092"
    kafka_enable_idempotence: bool = Field(
        default=True,
        description="Idempotent producer: on for Apache Kafka; off for brokers without InitProducerId (Tansu). "
        "Correctness never depends on it: consumers deduplicate on event_id.",
    )
    kafka_consumer_group_prefix: str = Field(
        default="sinergi", description="Consumer groups are named <prefix>-<service>; one prefix per environment."
    )
    kafka_session_timeout_ms: int = 10_000
    kafka_group_join_timeout_seconds: float = Field(
        default=60, gt=0,
        description="A consumer that has not joined its group by then is stopped and started again (a join on "
        "Tansu has been seen to hang for good where a fresh member joins in seconds)",
    )
    kafka_heartbeat_interval_ms: int = 1_000
    kafka_fetch_max_wait_ms: int = 10
    kafka_linger_ms: int = 5
    kafka_request_timeout_ms: int = 15_000
    kafka_commit_interval_ms: int = Field(
        default=1_000, gt=0,
        description="How often consumers commit the offsets of events they have handled (shared.offsets); what a "
        "crash leaves uncommitted is delivered again and deduplicated",
    )
    kafka_topic_replication_factor: int = Field(default=1, description="For topics the service creates if missing")

    http_max_body_bytes: int = Field(default=256 * 1024, description="Larger request bodies are refused with 413")
    http_max_in_flight: int = Field(
        default=64, gt=0, description="Requests handled at once; past it the service answers 503 with Retry-After "
        "at once (shared.limits.InFlightLimitMiddleware)",
    )
    http_public_rate_limit: str = Field(
        default="60/minute", description="Per-client limit on public endpoints, e.g. `60/minute`, `5/second`"
    )

    referral_follow_up_days: int = Field(
        default=30, ge=0, description="How long an agency keeps read-only access to a case after its referral is "
        "completed or its case closed (shared.referral_access)",
    )

    outbox_batch_size: int = 500
    outbox_poll_interval_ms: int = 200

    metrics_refresh_seconds: float = Field(
        default=15, gt=0, description="How often /metrics measures the outbox backlog, consumer lag and DLQ depth"
    )

    def consumer_group(self, service: str) -> str:
        return f"{self.kafka_consumer_group_prefix}-{service}"

    @property
    def is_development(self) -> bool:
        return self.environment == "development"


class FieldEncryptionSettings(BaseSettings):
    """Keys for the personal-field encryption of ``shared.crypto``; mixed into the settings of services that
    store personal data."""

    encryption_keys: dict[str, SecretStr] = Field(
        default_factory=lambda: {"dev": SecretStr(DEVELOPMENT_ENCRYPTION_KEY)},
        description='JSON object of key id to base64 AES-256 key, e.g. {"2026-11": "..."}; old keys stay for reading.',
    )
    encryption_active_key_id: str = Field(default="dev", description="The key id new ciphertexts use.")
    environment: Environment = "development"

    @model_validator(mode="after")
    def _refuse_development_keys_outside_development(self) -> FieldEncryptionSettings:
        if self.encryption_active_key_id not in self.encryption_keys:
            raise ValueError(f"encryption_active_key_id {self.encryption_active_key_id!r} is not in encryption_keys")
        if self.environment != "development":
            for key_id, key in self.encryption_keys.items():
                if key.get_secret_value() == DEVELOPMENT_ENCRYPTION_KEY:
                    raise ValueError(f"encryption key {key_id!r} is the development key; set a real one")
        return self
