from pydantic_settings import SettingsConfigDict

from shared.settings import ServiceSettings


class RoutingSettings(ServiceSettings):
    """Read from ROUTING_* environment variables. Routing stores no personal data, so it holds no encryption
    keys."""

    model_config = SettingsConfigDict(env_prefix="ROUTING_", extra="ignore")

    http_port: int = 8002
