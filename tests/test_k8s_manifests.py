"""deploy/k8s rendered with kustomize (``kubectl kustomize``) and checked, the base and every overlay.

Every rendered object is validated: the built-in kinds against the Kubernetes OpenAPI schemas of a pinned version
(``kubernetes-validate``, strict: an unknown field is an error), the KEDA ScaledObject and the Strimzi KafkaTopic
against the JSON schemas in ``deploy/k8s/schemas`` (no PyPI package ships those CRDs' schemas; each file says
where its rules come from). Then the product facts, taken from the code where the code has them: one Deployment
per service; a KafkaTopic per topic of ``shared.contracts.ALL_TOPICS`` with its partition count, and per dead-letter
topic; autoscaling on every consumer group the services have, never beyond a topic's partitions; no secret in
the repository; every container non-root. No cluster is needed; the tests skip only when kubectl is missing.
"""

from __future__ import annotations

import copy
import json
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import kubernetes_validate
import pytest
import yaml
from kubernetes_validate.utils import SchemaNotFoundError
from pydantic_settings import BaseSettings

from shared.contracts import ALL_TOPICS, dead_letter_topic
from sinergi_local.chaos.settle import CONSUMER_GROUPS
from sinergi_local.dlq import REPLAYS_TOPIC
from tests.apps import SERVICES as APPS
from workspace.app import create_app as create_workspace
from workspace.settings import WorkspaceSettings

REPO_ROOT = Path(__file__).resolve().parents[1]
K8S = REPO_ROOT / "deploy" / "k8s"
TARGETS = {"base": K8S / "base", "province-62": K8S / "overlays" / "province-62"}
KUBERNETES_VERSION = "1.32.0"  # the oldest minor the manifests must keep working on
CRD_SCHEMAS = {
    ("keda.sh/v1alpha1", "ScaledObject"): K8S / "schemas" / "scaledobject-keda.sh-v1alpha1.json",
    ("kafka.strimzi.io/v1beta2", "KafkaTopic"): K8S / "schemas" / "kafkatopic-kafka.strimzi.io-v1beta2.json",
}
# The four services and the workspace, a web app with no consumer group (it scales on CPU only).
APPS = {**APPS, "workspace": (create_workspace, WorkspaceSettings)}
SERVICES = tuple(APPS)
WEB_APPS = {"workspace"}
DLQ_PARTITIONS = 1  # shared.messaging.ensure_topics creates every <topic>.dlq with one partition
LOCAL_PREFIX = "sinergi"  # CONSUMER_GROUPS names the groups with the local prefix
# Env names whose value is a secret: never a literal, always a secretKeyRef.
SECRET_NAME = re.compile(r"DATABASE_URL|PASSWORD|SECRET|TOKEN|_KEY$|_KEYS$")

Manifest = dict[str, Any]


def render(target: Path) -> list[Manifest]:
    kubectl = shutil.which("kubectl")
    if kubectl is None:
        pytest.skip("kubectl is not installed: `kubectl kustomize` renders deploy/k8s")
    result = subprocess.run(
        [kubectl, "kustomize", str(target)], capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, f"kubectl kustomize {target} failed:\n{result.stderr}"
    return [document for document in yaml.safe_load_all(result.stdout) if document]


@pytest.fixture(scope="module", params=list(TARGETS))
def rendered(request: pytest.FixtureRequest) -> list[Manifest]:
    return render(TARGETS[request.param])


def of_kind(manifests: list[Manifest], kind: str) -> dict[str, Manifest]:
    return {m["metadata"]["name"]: m for m in manifests if m["kind"] == kind}


def pod_containers(deployment: Manifest) -> Iterator[Manifest]:
    spec = deployment["spec"]["template"]["spec"]
    yield from spec.get("initContainers", [])
    yield from spec["containers"]


def app_container(deployment: Manifest) -> Manifest:
    containers: list[Manifest] = deployment["spec"]["template"]["spec"]["containers"]
    (container,) = [c for c in containers if c["name"] == deployment["metadata"]["name"]]
    return container


def platform(manifests: list[Manifest]) -> dict[str, str]:
    data: dict[str, str] = of_kind(manifests, "ConfigMap")["sinergi-platform"]["data"]
    return data


def partitions(manifests: list[Manifest]) -> dict[str, int]:
    return {t["spec"]["topicName"]: t["spec"]["partitions"] for t in of_kind(manifests, "KafkaTopic").values()}


def validation_errors(manifest: Manifest) -> list[str]:
    """Why ``manifest`` is invalid (empty: valid), by the schema of its kind."""
    key = (manifest["apiVersion"], manifest["kind"])
    if key in CRD_SCHEMAS:
        schema = json.loads(CRD_SCHEMAS[key].read_text())
        validator = jsonschema.Draft202012Validator(schema)
        return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(manifest)]
    try:
        kubernetes_validate.validate(manifest, KUBERNETES_VERSION, strict=True)
    except kubernetes_validate.ValidationError as error:
        return [f"{'/'.join(map(str, error.absolute_path))}: {error.message}"]
    except SchemaNotFoundError as error:
        return [f"no schema: {error.message} (a custom resource needs a schema in deploy/k8s/schemas)"]
    return []


# ------------------------------------------------------------------------------------------ schemas


def test_every_object_is_valid_against_its_schema(rendered: list[Manifest]) -> None:
    problems = {
        f"{m['kind']}/{m['metadata']['name']}": errors for m in rendered if (errors := validation_errors(m))
    }
    assert not problems, problems


def test_the_crd_schemas_are_valid_schemas() -> None:
    for path in CRD_SCHEMAS.values():
        jsonschema.Draft202012Validator.check_schema(json.loads(path.read_text()))


def test_validation_refuses_a_misspelt_field() -> None:
    """The validators are strict: a field Kubernetes, KEDA or Strimzi would ignore is an error here."""
    manifests = render(TARGETS["base"])
    deployment = copy.deepcopy(of_kind(manifests, "Deployment")["intake"])
    deployment["spec"]["template"]["spec"]["containers"][0]["imagePullPolcy"] = "Always"
    scaled = copy.deepcopy(of_kind(manifests, "ScaledObject")["intake"])
    scaled["spec"]["triggers"][-1]["metadata"]["lagTreshold"] = "10"
    topic = copy.deepcopy(next(iter(of_kind(manifests, "KafkaTopic").values())))
    topic["spec"]["partitions"] = "6"
    for broken in (deployment, scaled, topic):
        assert validation_errors(broken), f"{broken['kind']} with a broken field passed validation"


# ------------------------------------------------------------------------------------------ services


def test_one_deployment_per_service(rendered: list[Manifest]) -> None:
    deployments = of_kind(rendered, "Deployment")
    assert sorted(deployments) == sorted(SERVICES)
    for service, deployment in deployments.items():
        spec = deployment["spec"]["template"]["spec"]
        (app,) = spec["containers"]
        (migrate,) = spec["initContainers"]
        assert app["image"].startswith(f"sinergi/{service}:"), app["image"]
        assert migrate["image"] == app["image"], "migrations must come from the same build as the app"
        assert app["args"] == ["serve"]
        assert migrate["args"] == ["migrate"]


def test_each_service_has_a_service_and_a_disruption_budget(rendered: list[Manifest]) -> None:
    services, budgets = of_kind(rendered, "Service"), of_kind(rendered, "PodDisruptionBudget")
    scaled = of_kind(rendered, "ScaledObject")
    for name, deployment in of_kind(rendered, "Deployment").items():
        labels = deployment["spec"]["template"]["metadata"]["labels"]
        port = next(p for p in app_container(deployment)["ports"] if p["name"] == "http")
        assert services[name]["spec"]["selector"].items() <= labels.items()
        assert [p["targetPort"] for p in services[name]["spec"]["ports"]] == ["http"]
        assert budgets[name]["spec"]["selector"]["matchLabels"].items() <= labels.items()
        # A budget that allows no eviction at the minimum would block every node drain.
        assert budgets[name]["spec"]["minAvailable"] < scaled[name]["spec"]["minReplicaCount"]
        assert port["containerPort"] == settings_class(name).model_fields["http_port"].default


def test_probes_use_the_health_endpoints(rendered: list[Manifest]) -> None:
    for deployment in of_kind(rendered, "Deployment").values():
        app = app_container(deployment)
        assert app["livenessProbe"]["httpGet"] == {"path": "/health", "port": "http"}
        assert app["startupProbe"]["httpGet"] == {"path": "/health", "port": "http"}
        assert app["readinessProbe"]["httpGet"] == {"path": "/ready", "port": "http"}


def test_every_container_has_requests_and_limits(rendered: list[Manifest]) -> None:
    for deployment in of_kind(rendered, "Deployment").values():
        for container in pod_containers(deployment):
            resources = container["resources"]
            for bound in ("requests", "limits"):
                assert {"cpu", "memory"} <= set(resources[bound]), (deployment["metadata"]["name"], container["name"])


def test_every_container_runs_as_non_root_on_a_read_only_filesystem(rendered: list[Manifest]) -> None:
    for name, deployment in of_kind(rendered, "Deployment").items():
        pod = deployment["spec"]["template"]["spec"]
        assert pod["securityContext"]["runAsNonRoot"] is True, name
        assert pod["securityContext"].get("runAsUser", 1) != 0, name
        assert pod["automountServiceAccountToken"] is False, name
        for container in pod_containers(deployment):
            context = container.get("securityContext", {})
            where = f"{name}/{container['name']}"
            assert context.get("runAsNonRoot", True) is True, where
            assert context.get("runAsUser", 1) != 0, where
            assert context.get("allowPrivilegeEscalation") is False, where
            assert context.get("readOnlyRootFilesystem") is True, where
            assert context.get("capabilities", {}).get("drop") == ["ALL"], where


# ------------------------------------------------------------------------------------------ settings and secrets


def settings_class(service: str) -> type[BaseSettings]:
    settings: type[BaseSettings] = APPS[service][1]
    return settings


def environment_names(container: Manifest, config_maps: dict[str, Manifest]) -> set[str]:
    names = {variable["name"] for variable in container.get("env", [])}
    for source in container.get("envFrom", []):
        names |= set(config_maps[source["configMapRef"]["name"]]["data"])
    return names


def test_environment_names_are_settings_fields(rendered: list[Manifest]) -> None:
    """A misspelt INTAKE_... variable would be silently ignored by pydantic-settings (extra="ignore")."""
    config_maps = of_kind(rendered, "ConfigMap")
    for service, deployment in of_kind(rendered, "Deployment").items():
        prefix, fields = f"{service.upper()}_", settings_class(service).model_fields
        for container in pod_containers(deployment):
            names = environment_names(container, config_maps)
            assert f"{prefix}DATABASE_URL" in names
            unknown = {n for n in names if n.startswith(prefix) and n.removeprefix(prefix).lower() not in fields}
            assert not unknown, f"{service}/{container['name']}: not settings of {service}: {sorted(unknown)}"
        # The schema owner's DSN is for migrations only, never in the running app.
        assert f"{prefix}MIGRATIONS_DATABASE_URL" not in environment_names(app_container(deployment), config_maps)


def test_no_secret_is_in_the_repository(rendered: list[Manifest]) -> None:
    for secret in of_kind(rendered, "Secret").values():
        assert not secret.get("data"), f"Secret {secret['metadata']['name']} has data"
        assert not secret.get("stringData"), f"Secret {secret['metadata']['name']} has stringData"
    for deployment in of_kind(rendered, "Deployment").values():
        for container in pod_containers(deployment):
            for variable in container.get("env", []):
                if SECRET_NAME.search(variable["name"]):
                    assert "secretKeyRef" in variable.get("valueFrom", {}), f"{variable['name']} is not from a Secret"
    for config_map in of_kind(rendered, "ConfigMap").values():
        for key, value in config_map["data"].items():
            assert not SECRET_NAME.search(key.upper().replace("-", "_")), f"{key} belongs in a Secret"
            assert not re.search(r"://[^/@\s]+:[^/@\s]+@", value), f"{key} has credentials in a URL"


def test_the_secrets_referenced_are_documented(rendered: list[Manifest]) -> None:
    readme = (K8S / "README.md").read_text()
    for deployment in of_kind(rendered, "Deployment").values():
        for container in pod_containers(deployment):
            for variable in container.get("env", []):
                if reference := variable.get("valueFrom", {}).get("secretKeyRef"):
                    row = f"| `{reference['name']}` | `{reference['key']}` |"
                    assert row in readme, f"deploy/k8s/README.md has no row {row}"


# ------------------------------------------------------------------------------------------ topics and scaling


def test_every_topic_and_dead_letter_topic_is_declared_with_its_partitions(rendered: list[Manifest]) -> None:
    declared = partitions(rendered)
    wanted = {topic.name: topic.partitions for topic in ALL_TOPICS}
    wanted |= {dead_letter_topic(topic.name): DLQ_PARTITIONS for topic in ALL_TOPICS}
    wanted[REPLAYS_TOPIC] = 1
    assert declared == wanted
    configs = {t["spec"]["topicName"]: t["spec"]["config"] for t in of_kind(rendered, "KafkaTopic").values()}
    assert configs[REPLAYS_TOPIC]["cleanup.policy"] == "compact"
    for topic in ALL_TOPICS:  # `reporting rebuild` replays every topic from the start
        assert configs[topic.name]["retention.ms"] == "-1"
        assert configs[topic.name]["cleanup.policy"] == "delete"


def test_topics_belong_to_the_platform_kafka_cluster(rendered: list[Manifest]) -> None:
    cluster = platform(rendered)["strimzi-cluster"]
    for topic in of_kind(rendered, "KafkaTopic").values():
        assert topic["metadata"]["labels"]["strimzi.io/cluster"] == cluster


def kafka_triggers(scaled: Manifest) -> list[dict[str, str]]:
    return [t["metadata"] for t in scaled["spec"]["triggers"] if t["type"] == "kafka"]


def test_one_scaled_object_per_deployment_within_its_topics_partitions(rendered: list[Manifest]) -> None:
    deployments, declared = of_kind(rendered, "Deployment"), partitions(rendered)
    scaled_objects = of_kind(rendered, "ScaledObject")
    assert sorted(s["spec"]["scaleTargetRef"]["name"] for s in scaled_objects.values()) == sorted(deployments)
    for name, scaled in scaled_objects.items():
        spec = scaled["spec"]
        topics = {trigger["topic"] for trigger in kafka_triggers(scaled)}
        if name in WEB_APPS:
            assert not topics, f"{name} has no consumer group to scale on"
            assert any(t["type"] == "cpu" for t in spec["triggers"]), name
            continue
        assert topics, f"{name} scales on no consumer lag"
        limit = min(declared[topic] for topic in topics)
        assert 1 <= spec["minReplicaCount"] <= spec["maxReplicaCount"] <= limit, (name, limit)
        replicas = deployments[spec["scaleTargetRef"]["name"]]["spec"]["replicas"]
        assert spec["minReplicaCount"] <= replicas <= spec["maxReplicaCount"]
    assert any(t["type"] == "cpu" for t in scaled_objects["intake"]["spec"]["triggers"]), "intake is HTTP-bound"


def test_every_consumer_group_scales_its_service(rendered: list[Manifest]) -> None:
    """The (group, topic) pairs of the triggers are exactly the services' consumer groups, with the prefix and
    the Kafka address the pods get."""
    settings = platform(rendered)
    prefix = settings["consumer-group-prefix"]
    expected = {
        (prefix + group.removeprefix(LOCAL_PREFIX), topic)
        for group, topics in CONSUMER_GROUPS.items()
        for topic in topics
    }
    found: set[tuple[str, str]] = set()
    for name, scaled in of_kind(rendered, "ScaledObject").items():
        for trigger in kafka_triggers(scaled):
            assert trigger["bootstrapServers"] == settings["kafka-bootstrap-servers"], name
            group = trigger["consumerGroup"]
            assert group == f"{prefix}-{name}" or group.startswith(f"{prefix}-{name}-"), f"{group} is not {name}'s"
            found.add((group, trigger["topic"]))
    assert found == expected


# ------------------------------------------------------------------------------------------ identity


def test_every_service_verifies_the_external_keycloaks_tokens(rendered: list[Manifest]) -> None:
    """The province's Keycloak (the realm of deploy/keycloak) through settings: its https JWKS, the issuer of
    that realm, the audience its mappers put into tokens; every service reads them from the platform ConfigMap."""
    realm = json.loads((REPO_ROOT / "deploy" / "keycloak" / "sinergi-realm.json").read_text())
    data = platform(rendered)
    issuer = data["auth-issuer"]
    assert issuer.startswith("https://")
    assert issuer.endswith(f"/realms/{realm['realm']}")
    assert data["auth-jwks-url"] == f"{issuer}/protocol/openid-connect/certs"
    (workspace,) = [client for client in realm["clients"] if client["clientId"] == "sinergi-workspace"]
    audiences = {mapper["config"]["included.custom.audience"] for mapper in workspace["protocolMappers"]
                 if mapper["protocolMapper"] == "oidc-audience-mapper"}
    assert {data["auth-audience"]} == audiences
    for service, deployment in of_kind(rendered, "Deployment").items():
        env = {item["name"]: item for item in app_container(deployment)["env"]}
        for setting, key in (("AUTH_JWKS_URL", "auth-jwks-url"), ("AUTH_ISSUER", "auth-issuer"),
                             ("AUTH_AUDIENCE", "auth-audience")):
            reference = env[f"{service.upper()}_{setting}"]["valueFrom"]["configMapKeyRef"]
            assert reference == {"name": "sinergi-platform", "key": key}, f"{service} {setting}"
        assert f"{service.upper()}_AUTH_HS256_SECRET" not in env
