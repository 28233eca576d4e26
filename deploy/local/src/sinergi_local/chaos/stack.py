"""The chaos suite's own platform: PostgreSQL, the broker (an Apache Kafka container where a Docker engine answers;
otherwise Tansu on its persistent ``s3://`` storage engine backed by moto's S3 server), the four services, the
webhook sink and the mail server, all on free ports under their own run folder, so it never meets `make up`'s
platform or a test's. Every process and container it starts, it stops."""

from __future__ import annotations

import sys
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import boto3

from shared.auth import Role
from shared.contracts import ALL_TOPICS
from shared.messaging import ensure_topics
from sinergi_local import containers, infrastructure, postgres, processes, seed, tansu
from sinergi_local.platform import HELPERS, SERVICES, Platform, start_platform, stop_platform

if TYPE_CHECKING:
    from testcontainers.core.container import DockerContainer

S3 = "moto"
BUCKET = "tansu"
# moto accepts any credentials; these only have to be the same for Tansu and for the bucket's creation.
S3_CREDENTIALS = {"AWS_ACCESS_KEY_ID": "sinergi-chaos", "AWS_SECRET_ACCESS_KEY": "sinergi-chaos",
                  "AWS_DEFAULT_REGION": "us-east-1"}
# The service settings of a chaos run. Tansu reads s3:// storage for each fetch and answers empty when the fetch
# may not wait long enough for it: with the 10 ms the services wait by default, on moto, the consumers get
# nothing at all. Each fetch lists every record object of each partition it asks for, so an idle consumer's
# polls cost the S3 server more as the topics grow; waiting 2 s a fetch keeps that cost a quarter of what 500 ms
# would (a fetch that finds records is answered at once). Offsets are committed every 3 s (each commit is an S3
# write per partition; what a kill leaves uncommitted is delivered again and deduplicated). The load comes from
# one client address, so no public rate limit; a leased delivery of a killed notifications comes back sooner; no
# SLA deadline passes during a run (a breach and its escalation would be more referrals than the truth expects).
SERVICE_ENV = {
    **{f"{service.upper()}_KAFKA_FETCH_MAX_WAIT_MS": "2000" for service in SERVICES},
    **{f"{service.upper()}_KAFKA_COMMIT_INTERVAL_MS": "3000" for service in SERVICES},
    **{f"{service.upper()}_HTTP_PUBLIC_RATE_LIMIT": "1000000/minute" for service in SERVICES},
    # Each heartbeat is an S3 write too: one every 2 s (the session times out after 6 s, Platform.service_env).
    **{f"{service.upper()}_KAFKA_HEARTBEAT_INTERVAL_MS": "2000" for service in SERVICES},
    "NOTIFICATIONS_DELIVERY_LEASE_SECONDS": "20",
    "ROUTING_SLA_P1_ACCEPT": "P30D",
    "ROUTING_SLA_P1_FIRST_SERVICE": "P30D",
}


@dataclass
class ChaosStack:
    """``apache_kafka``: the broker is an Apache Kafka container (where a Docker engine answers), restarted by
    SIGKILL and a start of the same container, its log directory kept; otherwise Tansu on ``s3://``."""

    run_dir: Path
    postgres_port: int
    kafka_port: int
    s3_port: int
    apache_kafka: bool = False
    platform: Platform | None = None
    services_started: dict[str, int] = field(default_factory=dict)
    _kafka: DockerContainer | None = field(default=None, init=False)
    _kafka_starts: int = field(default=0, init=False)

    @property
    def broker_description(self) -> str:
        if self.apache_kafka:
            return f"Apache Kafka, container {containers.KAFKA_IMAGE}"
        return f"Tansu on {self.broker_storage} backed by moto"

    @property
    def s3_url(self) -> str:
        return f"http://127.0.0.1:{self.s3_port}"

    @property
    def broker_storage(self) -> str:
        return f"s3://{BUCKET}/"

    @property
    def broker_env(self) -> dict[str, str]:
        return {**S3_CREDENTIALS, "AWS_ENDPOINT": self.s3_url, "AWS_ALLOW_HTTP": "true"}

    @property
    def running(self) -> Platform:
        if self.platform is None:
            raise RuntimeError("the chaos platform is not started")
        return self.platform

    def start(self, *, partitions: int) -> Platform:
        """The S3 server and its bucket, then the platform, its directory and subscriptions. The topics are made
        first, with ``partitions`` each. On Tansu's s3:// storage every consumer's commit writes each partition it
        holds (fewer partitions, fewer writes), and every fetch lists all the partition's record objects, 1,000 a
        page (more partitions, shorter lists): README, "Chaos"."""
        ports = {name: processes.free_port() for name in (*SERVICES, *HELPERS)}
        if self.apache_kafka:
            self._kafka = containers.kafka_container(self.kafka_port).start()
            self._kafka_starts = 1
            containers.wait_kafka_started(self._kafka)
            broker: dict[str, Any] = {"kafka_bootstrap": f"127.0.0.1:{self.kafka_port}"}
        else:
            self._start_s3()
            broker = {"broker_storage": self.broker_storage, "broker_env": self.broker_env}
        self.platform = start_platform(
            self.run_dir, ports=ports, postgres_port=self.postgres_port, kafka_port=self.kafka_port,
            extra_env=SERVICE_ENV, services=(), **broker,
        )
        topics = [replace(topic, partitions=partitions) for topic in ALL_TOPICS]
        processes.run_coroutine(ensure_topics(self.platform.infra.kafka_bootstrap_servers, topics))
        self.platform.start_services()
        seed.subscribe_agencies(self.platform, seed.seed_directory(self.platform))
        return self.platform

    def _start_s3(self) -> None:
        # moto's server with an indexed ListObjectsV2: stock moto lists too slowly for Tansu (s3_server's doc).
        command = [sys.executable, "-m", "sinergi_local.chaos.s3_server", "-H", "127.0.0.1", "-p", str(self.s3_port)]
        pid = processes.start(S3, command, run_dir=self.run_dir)
        processes.wait_for_port(self.s3_port, timeout=30, name="S3 server", pid=pid,
                                log=self.run_dir / "logs" / f"{S3}.log")
        client = boto3.client(
            "s3", endpoint_url=self.s3_url, region_name=S3_CREDENTIALS["AWS_DEFAULT_REGION"],
            aws_access_key_id=S3_CREDENTIALS["AWS_ACCESS_KEY_ID"],
            aws_secret_access_key=S3_CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
        )
        client.create_bucket(Bucket=BUCKET)

    # -- faults ------------------------------------------------------------------------------------------------

    def kill_service(self, service: str) -> None:
        self.running.kill_service(service)

    def start_service(self, service: str) -> None:
        self.running.start_service(service)
        self.running.wait_ready(service, timeout=180)

    def stop_postgres(self) -> None:
        """An immediate shutdown: no checkpoint, every connection dropped, as in a crash."""
        postgres.stop(self.run_dir, mode="immediate")

    def start_postgres(self) -> None:
        postgres.start(self.run_dir, self.postgres_port, infrastructure.load_secrets(self.run_dir)["postgres"])

    def kill_broker(self) -> None:
        if self._kafka is not None:
            self._kafka.get_wrapped_container().kill()  # SIGKILL
        else:
            processes.kill(tansu.NAME, run_dir=self.run_dir)

    def start_broker(self) -> None:
        if self._kafka is not None:
            self._kafka.get_wrapped_container().start()
            self._kafka_starts += 1
            containers.wait_kafka_started(self._kafka, times=self._kafka_starts)
        else:
            tansu.start(self.run_dir, self.kafka_port, storage=self.broker_storage, extra_env=self.broker_env)

    def wait_all_ready(self, timeout: float = 180) -> list[str]:
        """Wait for every service to be ready; restart (and name) any that is not running, whatever stopped it."""
        restarted = []
        for service in SERVICES:
            if processes.read_pid(self.run_dir / "pids" / f"{service}.pid") is None:
                restarted.append(service)
                self.running.start_service(service)
        for service in SERVICES:
            self.running.wait_ready(service, timeout=timeout)
        return restarted

    def discard(self) -> None:
        """Stop whatever a previous run in this folder left, and delete its data and logs."""
        self.stop()
        infrastructure.discard(self.run_dir)

    def stop(self) -> None:
        """Stop everything this stack started (services, helpers, the broker, PostgreSQL, the S3 server)."""
        stop_platform(self.run_dir)
        processes.stop(S3, run_dir=self.run_dir)
        if self._kafka is not None:
            self._kafka.stop()  # and removes the container
            self._kafka = None

    def admin_headers(self, province: str) -> dict[str, str]:
        return self.running.bearer(Role.PROVINCE_ADMIN, user_id=f"chaos-admin-{province}", province_code=province)
