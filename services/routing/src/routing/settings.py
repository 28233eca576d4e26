from datetime import timedelta

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from routing.domain.sla import DEFAULT_POLICY, Deadlines, SlaPolicy
from shared.contracts.vocabulary import Priority
from shared.settings import FieldEncryptionSettings, ServiceSettings

_DEFAULT = DEFAULT_POLICY.by_priority


class RoutingSettings(ServiceSettings, FieldEncryptionSettings):
    """Read from ROUTING_* environment variables. Routing keeps one kind of personal data, the notes of the
    follow-ups agencies set on their referrals, encrypted with its own keys (``ROUTING_ENCRYPTION_KEYS``).
    Durations are ISO 8601 (``PT1H``, ``P3D``)."""

    model_config = SettingsConfigDict(env_prefix="ROUTING_", extra="ignore")

    http_port: int = 8002
    sla_p1_accept: timedelta = _DEFAULT[Priority.P1].accept
    sla_p1_first_service: timedelta = _DEFAULT[Priority.P1].first_service
    sla_p2_accept: timedelta = _DEFAULT[Priority.P2].accept
    sla_p2_first_service: timedelta = _DEFAULT[Priority.P2].first_service
    sla_p3_accept: timedelta = _DEFAULT[Priority.P3].accept
    sla_p3_first_service: timedelta = _DEFAULT[Priority.P3].first_service
    sla_check_interval_seconds: float = Field(default=5.0, gt=0, description="How often due SLA timers are checked")

    def sla_policy(self) -> SlaPolicy:
        return SlaPolicy({
            Priority.P1: Deadlines(self.sla_p1_accept, self.sla_p1_first_service),
            Priority.P2: Deadlines(self.sla_p2_accept, self.sla_p2_first_service),
            Priority.P3: Deadlines(self.sla_p3_accept, self.sla_p3_first_service),
        })
