from pydantic_settings import SettingsConfigDict

from shared.settings import ServiceSettings


class ReportingSettings(ServiceSettings):
    """Read from REPORTING_* environment variables. Reporting stores no personal data, so it has no keys."""

    model_config = SettingsConfigDict(env_prefix="REPORTING_", extra="ignore")

    http_port: int = 8004
    # Statistics and the audit trail may lag by a quarter second; a consumer on Tansu that waits 10 ms per fetch
    # (the shared default, for the referral path) polls forty times as often, and reporting has the most groups.
    kafka_fetch_max_wait_ms: int = 250
