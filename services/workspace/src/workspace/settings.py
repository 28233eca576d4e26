from pydantic import Field, SecretStr, model_validator
from pydantic_settings import SettingsConfigDict

from shared.settings import FieldEncryptionSettings, ServiceSettings

# Known only to development; refused outside development.
DEVELOPMENT_CLIENT_SECRET = "sinergi-workspace-development-secret"  # noqa: S105


class WorkspaceSettings(ServiceSettings, FieldEncryptionSettings):
    """Read from WORKSPACE_* environment variables. The workspace keeps people's tokens in its sessions, so it
    has encryption keys (``shared.crypto``) and refuses development secrets outside development."""

    model_config = SettingsConfigDict(env_prefix="WORKSPACE_", extra="ignore", hide_input_in_errors=True)

    http_port: int = 8005
    public_url: str = Field(default="http://127.0.0.1:8005", description="Where browsers reach the workspace")

    oidc_issuer: str = Field(default="http://127.0.0.1:8006", description="Issuer URL of the OIDC provider; "
                             "its discovery document is <issuer>/.well-known/openid-configuration")
    oidc_discovery_url: str | None = Field(
        default=None, description="Where the workspace itself reads the discovery document, when the issuer's "
        "public address is not reachable from it (e.g. Keycloak inside docker compose); default: from the issuer")
    oidc_client_id: str = "sinergi-workspace"
    oidc_client_secret: SecretStr = SecretStr(DEVELOPMENT_CLIENT_SECRET)
    oidc_scope: str = "openid profile"

    intake_url: str = "http://127.0.0.1:8001"
    routing_url: str = "http://127.0.0.1:8002"
    reporting_url: str = "http://127.0.0.1:8004"
    service_timeout_seconds: float = 10

    session_idle_minutes: int = Field(default=30, gt=0, description="A session unused this long ends")
    session_max_hours: int = Field(default=12, gt=0, description="A session ends this long after sign-in")
    cookie_secure: bool = Field(default=False, description="Secure cookies: on wherever the workspace is https")

    @model_validator(mode="after")
    def _refuse_development_secrets(self) -> "WorkspaceSettings":
        if self.environment != "development":
            if self.oidc_client_secret.get_secret_value() == DEVELOPMENT_CLIENT_SECRET:
                raise ValueError("oidc_client_secret is the development secret; set a real one")
            if not self.oidc_issuer.startswith("https://"):
                raise ValueError("oidc_issuer must be https outside development")
            if not self.cookie_secure:
                raise ValueError("cookie_secure must be on outside development")
        return self

    @property
    def redirect_uri(self) -> str:
        return f"{self.public_url.rstrip('/')}/auth/callback"
