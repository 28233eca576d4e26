"""docker-compose.yml, deploy/docker/Dockerfile and deploy/otel/collector.yaml, checked against the code.

No Docker engine is needed (nor used): the files are parsed and compared with the services' settings classes,
the CLI (``python -m <service> provision|migrate|serve``) and ``sinergi_local.containers``. The per-service
tests are parametrized, so each service reports on its own; a service whose settings module does not exist yet
fails with ImportError.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic_settings import BaseSettings
from sqlalchemy.engine import URL, make_url

from sinergi_local import containers
from tests.apps import SERVICES as APPS
from workspace.app import create_app as create_workspace
from workspace.settings import WorkspaceSettings

REPO_ROOT = Path(__file__).resolve().parents[1]
COMPOSE_FILE = REPO_ROOT / "docker-compose.yml"
DOCKERFILE = REPO_ROOT / "deploy" / "docker" / "Dockerfile"
DOCKERIGNORE = REPO_ROOT / ".dockerignore"
COLLECTOR_CONFIG = REPO_ROOT / "deploy" / "otel" / "collector.yaml"
REALM_FILE = REPO_ROOT / "deploy" / "keycloak" / "sinergi-realm.json"
KEYCLOAK_IMPORT_DIR = "/opt/keycloak/data/import/"

# The four services, and the workspace (a web app, not among tests.apps' services that the fuzzing drives).
APPS = {**APPS, "workspace": (create_workspace, WorkspaceSettings)}
SERVICES = list(APPS)
INFRASTRUCTURE = ["kafka", "postgres", "otel-collector", "jaeger", "keycloak"]
# Containers Docker cannot health-check, and why. Nothing may wait for them with `service_healthy`.
WITHOUT_HEALTHCHECK = {
    "otel-collector": "the collector image is FROM scratch: no shell, no curl/wget, and no self-probe command",
}
DATABASE_HOST, DATABASE_PORT = "postgres", 5432
KAFKA_BOOTSTRAP = "kafka:9092"
OTLP_ENDPOINT = "http://otel-collector:4318"
# Read by shared.cli's `provision` as <SERVICE>_OWNER_PASSWORD / <SERVICE>_APP_PASSWORD, not settings fields.
PROVISION_VARIABLES = ("OWNER_PASSWORD", "APP_PASSWORD")

_VARIABLE = re.compile(r"\$\{(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?P<op>:?-)?(?P<default>[^}]*)\}")


def interpolate(value: str) -> str:
    """Compose's variable substitution with nothing set: every ``${VAR:-default}`` becomes its default."""

    def default(match: re.Match[str]) -> str:
        if match.group("op") is None:
            raise AssertionError(f"{value!r}: ${{{match.group('name')}}} has no development default")
        return match.group("default")

    escaped = value.replace("$$", "\0")
    result = _VARIABLE.sub(default, escaped)
    assert "$" not in result, f"{value!r}: use ${{VAR:-default}} (or $$ for a literal $)"
    return result.replace("\0", "$")


def as_env_value(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return interpolate(str(value))


def environment(container: dict[str, Any]) -> dict[str, str | None]:
    """A container's environment (map or list form), interpolated with the development defaults."""
    raw = container.get("environment") or {}
    if isinstance(raw, list):
        raw = dict(item.split("=", 1) if "=" in item else (item, None) for item in raw)
    return {str(key): as_env_value(value) for key, value in raw.items()}


def as_argv(command: Any) -> list[str]:
    if command is None:
        return []
    return shlex.split(command) if isinstance(command, str) else [str(part) for part in command]


def published_ports(container: dict[str, Any]) -> list[tuple[int, int]]:
    """(host port, container port) of each published port, short or long syntax."""
    ports = []
    for entry in container.get("ports") or []:
        if isinstance(entry, dict):
            ports.append((int(entry["published"]), int(entry["target"])))
            continue
        parts = str(entry).split("/")[0].split(":")
        assert len(parts) in (2, 3), f"{entry!r}: publish as HOST:CONTAINER"
        ports.append((int(parts[-2]), int(parts[-1])))
    return ports


def settings_class(service: str) -> type[BaseSettings]:
    cls: type[BaseSettings] = APPS[service][1]
    return cls


def env_prefix(cls: type[BaseSettings]) -> str:
    prefix = cls.model_config.get("env_prefix")
    assert isinstance(prefix, str)
    assert prefix, f"{cls.__name__} has no env_prefix"
    return prefix


def default_http_port(cls: type[BaseSettings]) -> int:
    field = cls.model_fields["http_port"]
    assert not field.is_required(), f"{cls.__name__}.http_port has no default"
    port = field.get_default(call_default_factory=True)
    assert isinstance(port, int)
    return port


def database_url(value: str | None) -> URL:
    assert value, "not set"
    return make_url(value)


def dockerfile_stages() -> list[str]:
    """The Dockerfile's instructions (continuation lines joined, comments dropped), split by FROM."""
    text = re.sub(r"\\\n", " ", DOCKERFILE.read_text())
    lines = [line.strip() for line in text.splitlines() if line.strip() and not line.strip().startswith("#")]
    stages: list[str] = []
    for line in lines:
        if line.upper().startswith("FROM ") or not stages:
            stages.append("")
        stages[-1] += line + "\n"
    return [stage for stage in stages if stage.upper().startswith("FROM ")]


def workspace_members() -> list[Path]:
    pyproject = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())
    members: list[Path] = []
    for pattern in pyproject["tool"]["uv"]["workspace"]["members"]:
        members += sorted(path for path in REPO_ROOT.glob(pattern) if (path / "pyproject.toml").exists())
    return members


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    loaded = yaml.safe_load(COMPOSE_FILE.read_text())
    assert isinstance(loaded, dict)
    return loaded


@pytest.fixture(scope="module")
def containers_by_name(compose: dict[str, Any]) -> dict[str, dict[str, Any]]:
    services: dict[str, dict[str, Any]] = compose["services"]
    return services


# ------------------------------------------------------------------------------------------ whole file


def test_every_container_is_defined(containers_by_name: dict[str, dict[str, Any]]) -> None:
    expected = {*INFRASTRUCTURE, *SERVICES, *(f"{service}-migrate" for service in SERVICES)}
    assert expected <= set(containers_by_name), f"missing: {sorted(expected - set(containers_by_name))}"


def test_the_services_listed_here_are_the_services_in_the_repository() -> None:
    assert sorted(path.parent.name for path in (REPO_ROOT / "services").glob("*/pyproject.toml")) == sorted(SERVICES)


def test_every_variable_has_a_development_default() -> None:
    """`docker compose up` must work with nothing set; a deployment overrides the defaults."""
    for line in COMPOSE_FILE.read_text().splitlines():
        if not line.lstrip().startswith("#"):
            interpolate(line)


def test_the_file_says_it_is_for_development() -> None:
    header = COMPOSE_FILE.read_text().split("\nname:", 1)[0].lower()
    assert "development" in header


@pytest.mark.parametrize("name", [*INFRASTRUCTURE, *SERVICES])
def test_every_long_running_container_has_a_healthcheck(
    containers_by_name: dict[str, dict[str, Any]], name: str
) -> None:
    healthcheck = containers_by_name[name].get("healthcheck")
    if name in WITHOUT_HEALTHCHECK:
        assert not healthcheck, f"{name}: {WITHOUT_HEALTHCHECK[name]}; remove it from WITHOUT_HEALTHCHECK"
        return
    assert healthcheck, f"{name} has no healthcheck"
    assert not healthcheck.get("disable"), f"{name}: healthcheck disabled"
    test = as_argv(healthcheck.get("test"))
    assert test, f"{name}: healthcheck without a test"
    assert test[0] in ("CMD", "CMD-SHELL"), f"{name}: healthcheck test must start with CMD or CMD-SHELL"


def test_service_healthy_is_only_awaited_on_containers_with_a_healthcheck(
    containers_by_name: dict[str, dict[str, Any]],
) -> None:
    for name, container in containers_by_name.items():
        depends_on = container.get("depends_on") or {}
        assert isinstance(depends_on, dict), f"{name}: depends_on needs the long form, with conditions"
        for target, spec in depends_on.items():
            assert target in containers_by_name, f"{name} depends on unknown {target}"
            if spec.get("condition") == "service_healthy":
                assert target not in WITHOUT_HEALTHCHECK, f"{name} waits for {target} to be healthy; it never is"
                assert containers_by_name[target].get("healthcheck"), f"{target} has no healthcheck"


# ------------------------------------------------------------------------------------------ infrastructure


def test_kafka_is_the_single_node_kraft_broker_of_sinergi_local(
    containers_by_name: dict[str, dict[str, Any]],
) -> None:
    kafka = containers_by_name["kafka"]
    assert kafka["image"] == containers.KAFKA_IMAGE
    assert environment(kafka) == containers.kafka_kraft_env(KAFKA_BOOTSTRAP)
    test = as_argv(kafka["healthcheck"]["test"])
    assert "/opt/kafka/bin/kafka-broker-api-versions.sh" in test


def test_postgres_holds_the_sinergi_database(containers_by_name: dict[str, dict[str, Any]]) -> None:
    postgres = containers_by_name["postgres"]
    assert postgres["image"] == containers.POSTGRES_IMAGE
    env = environment(postgres)
    assert env["POSTGRES_DB"] == "sinergi"
    assert env.get("POSTGRES_PASSWORD"), "the postgres image refuses to start without POSTGRES_PASSWORD"
    assert "pg_isready" in " ".join(as_argv(postgres["healthcheck"]["test"]))


def test_jaeger_serves_its_ui(containers_by_name: dict[str, dict[str, Any]]) -> None:
    jaeger = containers_by_name["jaeger"]
    assert jaeger["image"].split(":")[0] in ("jaegertracing/jaeger", "jaegertracing/all-in-one")
    assert (16686, 16686) in published_ports(jaeger)


def test_the_collector_receives_otlp_http_and_exports_to_jaeger(
    containers_by_name: dict[str, dict[str, Any]],
) -> None:
    collector = containers_by_name["otel-collector"]
    assert collector["image"].split(":")[0] == "otel/opentelemetry-collector-contrib"
    mounts = [str(volume).split(":") for volume in collector.get("volumes") or []]
    mounted = {source: target for source, target, *_ in mounts}
    assert "./deploy/otel/collector.yaml" in mounted, "the collector must get deploy/otel/collector.yaml"
    config_path = mounted["./deploy/otel/collector.yaml"]
    assert any(config_path in part for part in as_argv(collector.get("command"))), "--config must name the mount"

    config = yaml.safe_load(COLLECTOR_CONFIG.read_text())
    assert config["receivers"]["otlp"]["protocols"]["http"]["endpoint"].endswith(":4318")
    pipeline = config["service"]["pipelines"]["traces"]
    assert "otlp" in pipeline["receivers"]
    for kind in ("receivers", "processors", "exporters"):
        for component in pipeline.get(kind, []):
            assert component in config[kind], f"pipeline names undefined {kind[:-1]} {component}"
    for extension in config["service"].get("extensions", []):
        assert extension in config["extensions"]
    exporters = [config["exporters"][name] for name in pipeline["exporters"]]
    assert any(
        name.split("/")[0] in ("otlp", "otlp_grpc", "otlphttp", "otlp_http") and "jaeger" in str(exporter["endpoint"])
        for name, exporter in zip(pipeline["exporters"], exporters, strict=True)
    ), "traces must be exported to jaeger over OTLP"


def test_keycloak_imports_the_sinergi_realm(containers_by_name: dict[str, dict[str, Any]]) -> None:
    keycloak = containers_by_name["keycloak"]
    image, _, tag = keycloak["image"].partition(":")
    assert image == "quay.io/keycloak/keycloak", "the official image"
    assert re.fullmatch(r"\d+\.\d+\.\d+", tag), "a pinned release"
    assert as_argv(keycloak["command"]) == ["start-dev", "--import-realm"]
    mounts = [str(volume).split(":") for volume in keycloak.get("volumes") or []]
    assert ["./deploy/keycloak/sinergi-realm.json", f"{KEYCLOAK_IMPORT_DIR}sinergi-realm.json", "ro"] in mounts
    assert (8080, 8080) in published_ports(keycloak)
    env = environment(keycloak)
    assert env["KC_HEALTH_ENABLED"] == "true", "the healthcheck asks /health/ready"
    assert "/health/ready" in " ".join(as_argv(keycloak["healthcheck"]["test"]))
    # Every placeholder of the realm export is given (or Keycloak would import the placeholder itself).
    placeholders = set(re.findall(r"\$\{([A-Z_]+):", REALM_FILE.read_text()))
    assert placeholders
    assert placeholders <= {name for name, value in env.items() if value}


@pytest.mark.parametrize("service", SERVICES)
def test_service_verifies_keycloaks_tokens(containers_by_name: dict[str, dict[str, Any]], service: str) -> None:
    realm = json.loads(REALM_FILE.read_text())
    keycloak = environment(containers_by_name["keycloak"])
    prefix = env_prefix(settings_class(service))
    env = environment(containers_by_name[service])
    public = keycloak["KC_HOSTNAME"]
    assert env[f"{prefix}AUTH_ISSUER"] == f"{public}/realms/{realm['realm']}", "the issuer Keycloak's tokens carry"
    assert env[f"{prefix}AUTH_JWKS_URL"] == (
        f"http://keycloak:8080/realms/{realm['realm']}/protocol/openid-connect/certs"
    ), "keys fetched inside the network"
    (workspace,) = [client for client in realm["clients"] if client["clientId"] == "sinergi-workspace"]
    audiences = {mapper["config"]["included.custom.audience"] for mapper in workspace["protocolMappers"]
                 if mapper["protocolMapper"] == "oidc-audience-mapper"}
    assert {env[f"{prefix}AUTH_AUDIENCE"]} == audiences
    assert f"{prefix}AUTH_HS256_SECRET" not in env, "no development token is taken"


# ------------------------------------------------------------------------------------------ image


def test_the_dockerfile_builds_any_service_from_arg_service() -> None:
    assert DOCKERFILE.exists()
    stages = dockerfile_stages()
    assert len(stages) >= 2, "multi-stage: a builder and a runtime stage"
    for stage in stages:
        assert stage.split()[1] in ("python:3.11-slim", "${PYTHON_IMAGE}")
        assert re.search(r"^ARG SERVICE\s*$", stage, re.MULTILINE), "every stage declares ARG SERVICE"
    assert re.search(r"^ARG PYTHON_IMAGE=python:3\.11-slim\s*$", DOCKERFILE.read_text(), re.MULTILINE)
    builder, runtime = stages[0], stages[-1]
    assert re.search(r"pip install .*uv==(\$\{UV_VERSION\}|\d)", builder), "uv comes from PyPI, pinned"
    assert re.search(r"^ARG UV_VERSION=\d+\.\d+\.\d+\s*$", builder, re.MULTILINE)
    syncs = re.findall(r"uv sync [^\n]*", builder)
    assert syncs
    for sync in syncs:
        assert "--locked" in sync or "--frozen" in sync, f"{sync!r} must install exactly uv.lock"
        for flag in ("--no-dev", "--package", "sinergi-${SERVICE}"):
            assert flag in sync, f"{sync!r} lacks {flag}"
    users = re.findall(r"^USER (\S+)", runtime, re.MULTILINE)
    assert users, "the runtime stage runs as a non-root user"
    assert users[-1].split(":")[0] not in ("root", "0")
    assert "COPY --from=builder" in runtime
    assert re.search(r"^EXPOSE \S+", runtime, re.MULTILINE)
    healthcheck = re.search(r"^HEALTHCHECK .*", runtime, re.MULTILINE)
    assert healthcheck
    assert "python" in healthcheck.group(0)
    assert "/health" in healthcheck.group(0)
    entrypoint = re.search(r"^ENTRYPOINT (.*)", runtime, re.MULTILINE)
    assert entrypoint
    assert "python -m" in entrypoint.group(1)
    assert "$SERVICE" in entrypoint.group(1)
    assert re.search(r'^CMD \["serve"\]\s*$', runtime, re.MULTILINE)


def test_the_dockerfile_copies_every_workspace_members_pyproject() -> None:
    """uv reads the whole workspace from uv.lock and every member's pyproject.toml."""
    copies = re.findall(r"^COPY (?!--from)(.+)$", dockerfile_stages()[0], re.MULTILINE)
    copied = {source for copy in copies for source in copy.split()[:-1]}
    assert {"pyproject.toml", "uv.lock"} <= copied
    for member in workspace_members():
        assert (member / "pyproject.toml").relative_to(REPO_ROOT).as_posix() in copied, f"{member.name} missing"


def test_the_build_context_leaves_out_local_state() -> None:
    ignored = {line.strip().rstrip("/") for line in DOCKERIGNORE.read_text().splitlines()}
    for entry in (".venv", ".run", ".git", "**/__pycache__", ".pytest_cache", ".mypy_cache", ".ruff_cache", ".env"):
        assert entry in ignored, f".dockerignore lacks {entry}"


# ------------------------------------------------------------------------------------------ per service


@pytest.mark.parametrize("service", SERVICES)
def test_service_port_is_its_settings_default(containers_by_name: dict[str, dict[str, Any]], service: str) -> None:
    cls = settings_class(service)
    port = default_http_port(cls)
    container = containers_by_name[service]
    assert published_ports(container) == [(port, port)]
    assert environment(container)[f"{env_prefix(cls)}HTTP_PORT"] == str(port)
    assert f":{port}/health" in " ".join(as_argv(container["healthcheck"]["test"]))


@pytest.mark.parametrize("service", SERVICES)
def test_service_environment_names_real_settings_fields(
    containers_by_name: dict[str, dict[str, Any]], service: str
) -> None:
    cls = settings_class(service)
    prefix = env_prefix(cls)
    assert prefix == f"{service.upper()}_"
    fields = set(cls.model_fields)
    required = {name for name, field in cls.model_fields.items() if field.is_required()}

    env = environment(containers_by_name[service])
    set_fields = {key[len(prefix) :].lower() for key in env if key.startswith(prefix)}
    assert set_fields <= fields, f"not fields of {cls.__name__}: {sorted(set_fields - fields)}"
    assert required <= set_fields, f"required fields not set: {sorted(required - set_fields)}"
    for name in (
        "environment",
        "http_host",
        "http_port",
        "database_url",
        "migrations_database_url",
        "kafka_bootstrap_servers",
        "kafka_enable_idempotence",
    ):
        assert name in set_fields, f"{prefix}{name.upper()} is not set"
    assert env[f"{prefix}ENVIRONMENT"] == "development"
    assert env[f"{prefix}HTTP_HOST"] == "0.0.0.0"
    assert env[f"{prefix}KAFKA_BOOTSTRAP_SERVERS"] == KAFKA_BOOTSTRAP
    assert env[f"{prefix}KAFKA_ENABLE_IDEMPOTENCE"] == "true", "real Apache Kafka has InitProducerId"
    assert env["OTEL_EXPORTER_OTLP_ENDPOINT"] == OTLP_ENDPOINT
    assert env["OTEL_SERVICE_NAME"] == f"sinergi-{service}"

    migrate_env = environment(containers_by_name[f"{service}-migrate"])
    migrate_names = {key[len(prefix) :] for key in migrate_env if key.startswith(prefix)}
    unknown = {name for name in migrate_names if name.lower() not in fields and name not in PROVISION_VARIABLES}
    assert not unknown, f"{service}-migrate sets unknown {sorted(unknown)}"
    assert required <= {name.lower() for name in migrate_names}, "`migrate` builds the settings too"
    for key, value in env.items():
        if key.startswith(prefix):
            assert migrate_env.get(key) == value, f"{service}-migrate must share {key} with {service}"


@pytest.mark.parametrize("service", SERVICES)
def test_service_settings_load_from_the_compose_environment(
    containers_by_name: dict[str, dict[str, Any]], service: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The values parse: the settings class is built from exactly the container's environment."""
    cls = settings_class(service)
    prefix = env_prefix(cls)
    for key in list(os.environ):
        if key.upper().startswith(prefix):
            monkeypatch.delenv(key)
    env = environment(containers_by_name[service])
    for key, value in env.items():
        if value is not None:
            monkeypatch.setenv(key, value)
    settings = cls()
    port = default_http_port(cls)
    assert getattr(settings, "http_port", None) == port
    assert getattr(settings, "http_host", None) == "0.0.0.0"
    assert getattr(settings, "kafka_enable_idempotence", None) is True


@pytest.mark.parametrize("service", SERVICES)
def test_service_runs_as_the_app_role_and_migrates_as_the_owner(
    containers_by_name: dict[str, dict[str, Any]], service: str
) -> None:
    prefix = env_prefix(settings_class(service))
    env = environment(containers_by_name[service])
    migrate_env = environment(containers_by_name[f"{service}-migrate"])
    postgres_env = environment(containers_by_name["postgres"])

    app = database_url(env[f"{prefix}DATABASE_URL"])
    owner = database_url(env[f"{prefix}MIGRATIONS_DATABASE_URL"])
    for url in (app, owner):
        assert url.drivername == "postgresql+asyncpg"
        assert (url.host, url.port, url.database) == (DATABASE_HOST, DATABASE_PORT, postgres_env["POSTGRES_DB"])
    assert app.username == f"{service}_app"
    assert owner.username == f"{service}_owner"
    # provision sets the roles' passwords from these; the URLs must carry the same ones.
    assert app.password == migrate_env[f"{prefix}APP_PASSWORD"]
    assert owner.password == migrate_env[f"{prefix}OWNER_PASSWORD"]
    assert app.password != owner.password

    admin = database_url(migrate_env["SINERGI_ADMIN_DSN"])
    assert admin.drivername in ("postgresql", "postgres"), "asyncpg.connect takes a plain postgresql:// DSN"
    assert (admin.host, admin.port, admin.database) == (DATABASE_HOST, DATABASE_PORT, postgres_env["POSTGRES_DB"])
    assert admin.username == postgres_env.get("POSTGRES_USER", "postgres")
    assert admin.password == postgres_env["POSTGRES_PASSWORD"]


@pytest.mark.parametrize("service", SERVICES)
def test_service_starts_after_its_migration_and_kafka(
    containers_by_name: dict[str, dict[str, Any]], service: str
) -> None:
    depends_on = containers_by_name[service]["depends_on"]
    assert depends_on[f"{service}-migrate"]["condition"] == "service_completed_successfully"
    assert depends_on["kafka"]["condition"] == "service_healthy"
    migrate_depends_on = containers_by_name[f"{service}-migrate"]["depends_on"]
    assert migrate_depends_on["postgres"]["condition"] == "service_healthy"


@pytest.mark.parametrize("service", SERVICES)
def test_service_commands(containers_by_name: dict[str, dict[str, Any]], service: str) -> None:
    assert as_argv(containers_by_name[service].get("command")) in ([], ["serve"]), "the image's CMD is serve"
    migrate = containers_by_name[f"{service}-migrate"]
    assert as_argv(migrate.get("command")) == [
        "sh",
        "-c",
        f"python -m {service} provision && python -m {service} migrate",
    ]
    assert str(migrate.get("restart", "no")).lower() in ("no", "false"), "a one-shot job is not restarted"
    assert (migrate.get("healthcheck") or {}).get("disable") is True, "a one-shot job has nothing to health-check"


@pytest.mark.parametrize("service", SERVICES)
def test_service_image_is_built_for_it(containers_by_name: dict[str, dict[str, Any]], service: str) -> None:
    port = default_http_port(settings_class(service))
    declared_args = set(re.findall(r"^ARG (\w+)", "".join(dockerfile_stages()), re.MULTILINE))
    service_container = containers_by_name[service]
    migrate = containers_by_name[f"{service}-migrate"]
    for container in (service_container, migrate):
        build = container["build"]
        assert (REPO_ROOT / build["context"]).resolve() == REPO_ROOT
        assert (REPO_ROOT / build["dockerfile"]).resolve() == DOCKERFILE
        args = {key: str(value) for key, value in build["args"].items()}
        assert args["SERVICE"] == service
        assert args.get("HTTP_PORT", str(port)) == str(port)
        assert set(args) <= declared_args, f"build args the Dockerfile does not declare: {set(args) - declared_args}"
    assert migrate["image"] == service_container["image"], "the migrate job runs the service's own image"
    assert migrate["build"] == service_container["build"]
