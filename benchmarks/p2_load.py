"""``python -m benchmarks.p2_load``: P2's load generator, a process of its own beside the system under test.

``sinergi``: posts reports to intake at a steady rate; each case's latency is its first verified webhook's
arrival at P2's receiver (``benchmarks.p2_receiver``, another process; both on the wall clock) minus intake's
201. ``hop``: the baseline, one raw aiokafka produce-to-consume hop at the same rate.
Either writes a ``LatencyRun`` (JSON) to ``--out``.
"""

from __future__ import annotations

import argparse
import asyncio
import time
from collections.abc import Sequence
from pathlib import Path

import httpx

from benchmarks.p2_hop import HopSettings, measure_hop
from benchmarks.p2_results import LatencyRun
from benchmarks.p2_submitter import Submission, submit_open_loop
from sinergi_local.chaos.reports import make_reports

# Once every measured case has its webhook, the deliveries still on their way (a case's other agencies) are
# waited for until none came for this long, so that the next run (ours or the baseline) meets an idle system.
QUIET_SECONDS = 2.0
POLL_SECONDS = 0.2


async def run_sinergi(args: argparse.Namespace) -> LatencyRun:
    warmup = round(args.rate * args.warmup)
    reports = make_reports(warmup + round(args.rate * args.seconds), seed=args.seed, run_id=args.run_id)
    submissions = await submit_open_loop(args.intake, reports, rate=args.rate)
    measured = submissions[warmup:]
    async with httpx.AsyncClient(base_url=args.receiver, timeout=30) as receiver:
        arrivals = await _settle(receiver, measured, patience=args.timeout)
    return _sinergi_result(arrivals, measured, timeout=args.timeout)


async def _settle(
    receiver: httpx.AsyncClient, measured: Sequence[Submission], *, patience: float
) -> dict[str, tuple[float, float]]:
    """The receiver's arrivals once every accepted case's first webhook came (or ``patience`` seconds passed)
    and the deliveries still on their way are done."""
    deadline = time.monotonic() + patience
    waiting = {submission.case_id for submission in measured if submission.case_id is not None}
    arrivals: dict[str, tuple[float, float]] = {}
    while time.monotonic() < deadline and not waiting <= arrivals.keys():
        await asyncio.sleep(POLL_SECONDS)
        arrivals = (await receiver.get("/arrivals")).raise_for_status().json()
    while time.monotonic() < deadline:
        if (await receiver.get("/state")).raise_for_status().json()["idle_seconds"] > QUIET_SECONDS:
            break
        await asyncio.sleep(POLL_SECONDS)
    arrivals = (await receiver.get("/arrivals")).raise_for_status().json()
    return arrivals


def _sinergi_result(
    arrivals: dict[str, tuple[float, float]], measured: Sequence[Submission], *, timeout: float
) -> LatencyRun:
    latencies: list[float | None] = []
    to_referral, to_webhook = [], []
    for submission in measured:
        if submission.case_id is None or submission.answered_at is None:
            continue
        if submission.case_id not in arrivals:
            latencies.append(None)
            continue
        arrived, referred = arrivals[submission.case_id]
        latencies.append((arrived - submission.answered_at) * 1000)
        to_referral.append((referred - submission.answered_at) * 1000)
        to_webhook.append((arrived - referred) * 1000)
    return LatencyRun(
        latencies_ms=latencies, timeout_ms=timeout * 1000,
        failures=sum(1 for submission in measured if submission.case_id is None),
        max_send_lag_ms=max((s.sent - s.due for s in measured), default=0.0) * 1000,
        answer_ms=[(s.answered - s.sent) * 1000 for s in measured if s.case_id is not None],
        to_referral_ms=to_referral, to_webhook_ms=to_webhook,
    )


async def run_hop(args: argparse.Namespace) -> LatencyRun:
    settings = HopSettings(args.bootstrap, fetch_max_wait_ms=args.fetch_max_wait_ms, linger_ms=args.linger_ms,
                           enable_idempotence=args.idempotence)
    latencies = await measure_hop(settings, rate=args.rate, count=round(args.rate * args.seconds),
                                  patience=args.timeout)
    return LatencyRun([None if value is None else value * 1000 for value in latencies], timeout_ms=args.timeout * 1000)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.p2_load", description=__doc__)
    parser.add_argument("--rate", type=float, required=True, help="per second")
    parser.add_argument("--seconds", type=float, required=True, help="how long the measured load lasts")
    parser.add_argument("--timeout", type=float, required=True, help="how long to wait for what is late (s)")
    parser.add_argument("--out", type=Path, required=True)
    modes = parser.add_subparsers(dest="mode", required=True)
    sinergi = modes.add_parser("sinergi")
    sinergi.add_argument("--intake", required=True, help="intake's base URL")
    sinergi.add_argument("--receiver", required=True, help="the webhook receiver's base URL (benchmarks.p2_receiver)")
    sinergi.add_argument("--warmup", type=float, default=3.0, help="seconds of load sent first, not measured")
    sinergi.add_argument("--seed", type=int, default=2)
    sinergi.add_argument("--run-id", required=True, help="makes each run's operators its own")
    hop = modes.add_parser("hop")
    hop.add_argument("--bootstrap", required=True)
    hop.add_argument("--fetch-max-wait-ms", type=int, required=True)
    hop.add_argument("--linger-ms", type=int, required=True)
    hop.add_argument("--idempotence", action=argparse.BooleanOptionalAction, default=False)
    args = parser.parse_args(argv)
    result = asyncio.run(run_sinergi(args) if args.mode == "sinergi" else run_hop(args))
    result.write(args.out)


if __name__ == "__main__":
    main()
