"""The same infrastructure from Docker images (testcontainers), where a Docker engine answers."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import TYPE_CHECKING

from sinergi_local.infrastructure import DATABASE, Infrastructure
from sinergi_local.processes import free_port

if TYPE_CHECKING:  # testcontainers is imported only where a Docker engine answers
    from testcontainers.core.container import DockerContainer

KAFKA_IMAGE = "apache/kafka:4.1.0"
POSTGRES_IMAGE = "postgres:16"
KAFKA_STARTED = "Kafka Server started"


def kafka_kraft_env(advertised: str) -> dict[str, str]:
    """A single-node KRaft Apache Kafka; also what docker-compose.yml sets."""
    return {
        "KAFKA_NODE_ID": "1",
        "KAFKA_PROCESS_ROLES": "broker,controller",
        "KAFKA_LISTENERS": "PLAINTEXT://:9092,CONTROLLER://:9093",
        "KAFKA_ADVERTISED_LISTENERS": f"PLAINTEXT://{advertised}",
        "KAFKA_CONTROLLER_LISTENER_NAMES": "CONTROLLER",
        "KAFKA_LISTENER_SECURITY_PROTOCOL_MAP": "CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT",
        "KAFKA_CONTROLLER_QUORUM_VOTERS": "1@localhost:9093",
        "KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR": "1",
        "KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR": "1",
        "KAFKA_TRANSACTION_STATE_LOG_MIN_ISR": "1",
        "KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS": "0",
    }


def docker_available() -> bool:
    try:
        import docker

        docker.from_env(timeout=3).ping()
    except Exception:  # noqa: BLE001 - no engine, no socket, no client library: all mean "no"
        return False
    return True


def kafka_container(port: int) -> DockerContainer:
    """An Apache Kafka container (not yet started) answering on 127.0.0.1:``port``: the same port after a restart,
    so its clients find it again."""
    from testcontainers.core.container import DockerContainer

    kafka = DockerContainer(KAFKA_IMAGE).with_bind_ports(9092, port)
    for key, value in kafka_kraft_env(f"127.0.0.1:{port}").items():
        kafka.with_env(key, value)
    return kafka


def wait_kafka_started(kafka: DockerContainer, *, times: int = 1) -> None:
    """Until the container's log says Kafka started ``times`` times (a restarted container keeps its log)."""
    from testcontainers.core.waiting_utils import wait_for_logs

    wait_for_logs(kafka, lambda logs: logs.count(KAFKA_STARTED) >= times, timeout=120)


@contextlib.contextmanager
def start_containers() -> Iterator[Infrastructure]:
    from testcontainers.community.postgres import PostgresContainer

    kafka_port = free_port()
    with PostgresContainer(POSTGRES_IMAGE, username="postgres", password="postgres", dbname=DATABASE,
                           driver=None) as database, kafka_container(kafka_port) as kafka:
        wait_kafka_started(kafka)
        yield Infrastructure(
            admin_dsn=database.get_connection_url(),
            kafka_bootstrap_servers=f"127.0.0.1:{kafka_port}",
            kafka_enable_idempotence=True,
            started_postgres=True,
            started_broker=True,
        )
