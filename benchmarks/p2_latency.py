"""P2 end to end: at a steady 50 reports a second, the latency from intake's 201 to the signed webhook arriving at
the agency's endpoint, beside one raw aiokafka produce-to-consume hop on the same broker at the same rate.

Both sides run in a load process of their own (``benchmarks.p2_load``), never in a service's. Goal: Sinergi's
p99 at most 5 times the hop's p99 (the path has three Kafka hops, each behind a database transaction and an
outbox relay, then the delivery worker's claim and the HTTP request).
"""

from __future__ import annotations

import contextlib
import subprocess
import sys
import uuid
from collections.abc import Callable, Iterator

from benchmarks.common import REPO_ROOT, BenchStack, Figure, median, side_by_side
from benchmarks.p2_results import LatencyRun
from benchmarks.p2_submitter import REQUEST_TIMEOUT
from benchmarks.p2_subscriptions import subscribe_receiver, unsubscribe
from shared.settings import ServiceSettings
from sinergi_local import processes

RATE = 50.0  # reports (or messages) a second
SECONDS = 20.0  # of measured load, after the warm-up
WARMUP_SECONDS = 3.0
TIMEOUT = 30.0  # what has not arrived this long after the load ended counts as lost
GOAL = 5.0
RECEIVER = "p2-receiver"  # its pid file and log under the run folder


def _setting(stack: BenchStack, name: str) -> str:
    """A Kafka setting as notifications runs with it: its environment, else the shared default."""
    env = stack.platform.service_env("notifications")
    return env.get(f"NOTIFICATIONS_{name.upper()}", str(ServiceSettings.model_fields[name].default))


def _load(stack: BenchStack, mode: str, arguments: list[str]) -> LatencyRun:
    """Run ``benchmarks.p2_load`` (a process of its own) and read back what it measured."""
    out = stack.run_dir / f"p2-{mode}-{uuid.uuid4().hex[:8]}.json"
    command = [sys.executable, "-m", "benchmarks.p2_load", "--rate", str(RATE), "--seconds", str(SECONDS),
               "--timeout", str(TIMEOUT), "--out", str(out), mode, *arguments]
    log = stack.run_dir / "logs" / "p2-load.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("ab") as output:
        subprocess.run(command, cwd=REPO_ROOT, stdout=output, stderr=subprocess.STDOUT, check=True,
                       timeout=WARMUP_SECONDS + SECONDS + 3 * TIMEOUT + 120)
    try:
        return LatencyRun.read(out)
    finally:
        out.unlink(missing_ok=True)


@contextlib.contextmanager
def _receiver(stack: BenchStack) -> Iterator[str]:
    """P2's webhook receiver (``benchmarks.p2_receiver``) subscribed for every agency, for the whole benchmark;
    its base URL."""
    port = processes.free_port()
    url = f"http://127.0.0.1:{port}"
    secrets_path = stack.run_dir / "p2-secrets.json"
    subscriptions = subscribe_receiver(stack.platform, url, secrets_path)
    pid = processes.start(RECEIVER, [sys.executable, "-m", "benchmarks.p2_receiver", "--port", str(port),
                                     "--secrets", str(secrets_path)], run_dir=stack.run_dir, cwd=REPO_ROOT)
    try:
        log = stack.run_dir / "logs" / f"{RECEIVER}.log"
        processes.wait_for_port(port, timeout=60, name=RECEIVER, pid=pid, log=log)
        yield url
    finally:
        unsubscribe(stack.platform, subscriptions)
        processes.stop(RECEIVER, run_dir=stack.run_dir)
        secrets_path.unlink(missing_ok=True)


def run(stack: BenchStack, runs: int = 3) -> Figure:
    with _receiver(stack) as receiver_url:
        return _measure(stack, receiver_url, runs)


def _measure(stack: BenchStack, receiver_url: str, runs: int) -> Figure:
    ours_runs: list[LatencyRun] = []
    hop_runs: list[LatencyRun] = []

    def ours() -> float:
        result = _load(stack, "sinergi", [
            "--intake", stack.platform.url("intake"), "--receiver", receiver_url,
            "--warmup", str(WARMUP_SECONDS), "--run-id", f"p2-{uuid.uuid4().hex[:8]}",
        ])
        ours_runs.append(result)
        return result.percentile(99)

    def baseline() -> float:
        result = _load(stack, "hop", [
            "--bootstrap", stack.bootstrap,
            "--fetch-max-wait-ms", _setting(stack, "kafka_fetch_max_wait_ms"),
            "--linger-ms", _setting(stack, "kafka_linger_ms"),
            "--idempotence" if stack.platform.infra.kafka_enable_idempotence else "--no-idempotence",
        ])
        hop_runs.append(result)
        return result.percentile(99)

    results = side_by_side(runs, ours, baseline)
    p99, hop_p99 = median([a for a, _ in results]), median([b for _, b in results])
    ratio = p99 / hop_p99
    return Figure(
        name="P2 end to end", measure="p99 ms (p50 in note)", ours=p99, baseline=hop_p99,
        baseline_name="one raw aiokafka hop", ratio=ratio, goal=f"ratio <= {GOAL:g}", met=ratio <= GOAL,
        runs=results, note=_note(ours_runs, hop_runs),
    )


def _note(ours_runs: list[LatencyRun], hop_runs: list[LatencyRun]) -> str:
    def p50(runs: list[LatencyRun]) -> str:
        return _ms(median([run.percentile(50) for run in runs]))

    def stage(pick: Callable[[LatencyRun], list[float]]) -> str:
        return _ms(median([run.stage_median(pick(run)) for run in ours_runs]))

    lost, measured = sum(r.missing for r in ours_runs), sum(len(r.latencies_ms) for r in ours_runs)
    return (
        f"{RATE:g}/s for {SECONDS:g}s after {WARMUP_SECONDS:g}s warm-up; p50 Sinergi {p50(ours_runs)} ms, "
        f"hop {p50(hop_runs)} ms; Sinergi's p50 stages: intake answering {stage(lambda r: r.answer_ms)} ms "
        f"(before the latency starts), 201 -> routing's referral {stage(lambda r: r.to_referral_ms)} ms, "
        f"referral -> webhook {stage(lambda r: r.to_webhook_ms)} ms; webhooks not arrived within {TIMEOUT:g}s "
        f"(counted as {TIMEOUT:g}s) {lost} of {measured}, "
        f"hop messages lost {sum(r.missing for r in hop_runs)}; reports without a 201 within {REQUEST_TIMEOUT:g}s "
        f"{sum(r.failures for r in ours_runs)}; load generator's worst lag behind its schedule "
        f"{_ms(max(r.max_send_lag_ms for r in ours_runs + hop_runs))} ms"
    )


def _ms(value: float) -> str:
    return f"{value:,.0f}" if value >= 10 else f"{value:.1f}"
