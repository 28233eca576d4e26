"""One chaos run: start the chaos platform, submit the reports while the fault schedule runs, wait for the
platform to settle, check the invariants, and stop every process it started, whatever happened."""

from __future__ import annotations

import contextlib
import os
import random
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from shared.auth import Role
from sinergi_local import containers, processes
from sinergi_local.chaos.faults import FaultDriver, FaultLog, plan
from sinergi_local.chaos.load import Load, Outcome
from sinergi_local.chaos.reports import make_reports
from sinergi_local.chaos.settle import settle
from sinergi_local.chaos.stack import ChaosStack
from sinergi_local.chaos.verify import Findings, verify

Say = Callable[[str], None]
PROGRESS_SECONDS = 30.0


@dataclass(frozen=True)
class Options:
    reports: int = 10_000
    rate: float = 10.0  # reports submitted per second: the platform on Tansu over moto here falls behind and catches up
    seed: int = 1
    run_dir: Path = Path(".run/chaos")
    kills_per_service: int = 3
    partitions: int = 6  # per topic, as in production (ChaosStack.start)
    settle_timeout: float | None = None  # seconds; None: 600 + 1.5 s per report

    @property
    def settle_seconds(self) -> float:
        return self.settle_timeout if self.settle_timeout is not None else 600 + 1.5 * self.reports


@dataclass
class Result:
    options: Options
    outcomes: list[Outcome]
    faults: FaultLog
    findings: Findings
    settled: bool
    seconds: dict[str, float] = field(default_factory=dict)
    referrals: int = 0

    @property
    def accepted(self) -> int:
        return sum(outcome.accepted for outcome in self.outcomes)

    @property
    def unresolved(self) -> list[Outcome]:
        return [outcome for outcome in self.outcomes if not outcome.accepted and outcome.refused is None]

    @property
    def lost(self) -> int:
        return sum(self.findings.lost.values())

    @property
    def duplicated(self) -> int:
        return sum(self.findings.duplicated.values())

    @property
    def wrong(self) -> int:
        return (sum(self.findings.wrong.values()) + len(self.unresolved) + len(self.faults.errors)
                + sum(outcome.refused is not None for outcome in self.outcomes) + (not self.settled))

    @property
    def passed(self) -> bool:
        return self.lost == 0 and self.duplicated == 0 and self.wrong == 0


@contextlib.contextmanager
def _output_to(log: Path) -> Iterator[None]:
    """Send this process's stdout and stderr, and its children's (the migrations), to ``log`` meanwhile."""
    log.parent.mkdir(parents=True, exist_ok=True)
    sys.stdout.flush()
    sys.stderr.flush()
    saved = os.dup(1), os.dup(2)
    with log.open("ab") as target:
        os.dup2(target.fileno(), 1)
        os.dup2(target.fileno(), 2)
        try:
            yield
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            os.dup2(saved[0], 1)
            os.dup2(saved[1], 2)
            os.close(saved[0])
            os.close(saved[1])


def run(options: Options, say: Say = print) -> Result:
    rng = random.Random(options.seed)  # noqa: S311 - a test schedule, not security
    reports = make_reports(options.reports, seed=options.seed, run_id=str(options.seed))
    stack = ChaosStack(options.run_dir.resolve(), processes.free_port(), processes.free_port(), processes.free_port(),
                       apache_kafka=containers.docker_available())
    stack.discard()
    clock, seconds = time.monotonic(), {}
    load: Load | None = None
    faults: FaultDriver | None = None
    try:
        say(f"Starting the chaos platform in {stack.run_dir} ({stack.broker_description})...")
        with _output_to(stack.run_dir / "logs" / "setup.log"):
            platform = stack.start(partitions=options.partitions)
        seconds["start"] = time.monotonic() - clock
        load = Load(platform.url("intake"), reports, rate=options.rate,
                    bearer=lambda user: platform.bearer(Role.OPERATOR, user_id=user))
        schedule = plan(rng, duration=load.duration, kills_per_service=options.kills_per_service)
        faults = FaultDriver(stack, schedule)
        say(f"Submitting {len(reports)} reports at {options.rate}/s while {len(schedule)} faults strike...")
        clock = time.monotonic()
        load.start()
        faults.start()
        _follow(load, faults, say, limit=3 * load.duration + 900)
        faults.join()
        seconds["load"] = time.monotonic() - clock
        clock = time.monotonic()
        faults.log.unplanned_restarts += stack.wait_all_ready()
        say("Waiting for the platform to settle (outboxes, deliveries, consumer lag)...")
        settled = settle(platform.infra.admin_dsn, platform.infra.kafka_bootstrap_servers, stack.run_dir,
                            timeout=options.settle_seconds, report=say)
        seconds["settle"] = time.monotonic() - clock
        clock = time.monotonic()
        say("Checking every accepted report against the truth...")
        findings = verify(stack, load.outcomes)
        seconds["verify"] = time.monotonic() - clock
        return Result(options, load.outcomes, faults.log, findings, settled, seconds)
    finally:
        if load is not None:
            load.stopping.set()
        if faults is not None:
            faults.stop()
        stack.stop()


def _follow(load: Load, faults: FaultDriver, say: Say, *, limit: float) -> None:
    started = next_line = time.monotonic()
    while load.running:
        time.sleep(1.0)
        elapsed = time.monotonic() - started
        if elapsed > limit:
            say(f"  the load did not finish within {limit:.0f}s: stopping it")
            load.stopping.set()
            break
        if time.monotonic() >= next_line:
            next_line += PROGRESS_SECONDS
            say(f"  {elapsed:5.0f}s: {load.done()}/{len(load.outcomes)} reports answered, "
                f"{sum(faults.log.restarts.values())} restarts done")
    load.join()


def figures(result: Result, *, today: datetime | None = None) -> str:
    """The table a run prints."""
    f, log, options = result.findings, result.faults, result.options
    day = (today or datetime.now(UTC)).date().isoformat()
    lost_answers = sum(o.lost_answers for o in result.outcomes)
    found = sum(o.found_after_lost_answer for o in result.outcomes)
    refused = sum(o.refused is not None for o in result.outcomes)

    def parts(counter: dict[str, int], names: tuple[str, ...]) -> str:
        return ", ".join(f"{name} {counter.get(name, 0)}" for name in (*names, *sorted(set(counter) - set(names))))

    kills = "   ".join(f"{name} {log.kills.get(name, 0)}"
                       for name in ("intake", "routing", "notifications", "reporting", "broker"))
    services = sum(count for name, count in log.restarts.items() if name not in ("postgres", "broker"))
    lines = [
        f"Chaos run of {day}: {options.reports} reports, seed {options.seed}, {options.rate}/s, "
        f"{options.kills_per_service} kills per service, {options.partitions} partition(s) per topic; took "
        + ", ".join(f"{name} {value:.0f}s" for name, value in result.seconds.items()),
        f"  reports      submitted {len(result.outcomes)}   accepted {result.accepted}   refused {refused}   "
        f"unresolved {len(result.unresolved)}   answers lost {lost_answers} (then found accepted: {found})",
        f"  kills        {kills}   (SIGKILL)",
        f"  restarts     services {services}   postgres {log.restarts.get('postgres', 0)}   "
        f"broker {log.restarts.get('broker', 0)}   unplanned {len(log.unplanned_restarts)}",
        f"  lost         {result.lost}   ({parts(f.lost, LOST)})",
        f"  duplicated   {result.duplicated}   ({parts(f.duplicated, DUPLICATED)})",
        f"  redelivered  {sum(f.redelivered.values())}   ({parts(f.redelivered, ('webhooks', 'emails'))}; "
        "allowed: the same idempotency key again)",
        f"  wrong        {result.wrong}   ({parts(f.wrong, ())}{'; ' if f.wrong else ''}settled {result.settled}, "
        f"fault errors {len(log.errors)})",
        f"  result       {'PASS' if result.passed else 'FAIL'}",
    ]
    details = [*f.examples, *log.errors, *(f"report {o.report.number} refused: {o.refused}" for o in
                                            result.outcomes if o.refused)][:15]
    if details:
        lines += ["  first problems:", *(f"    {line}" for line in details)]
    return "\n".join(lines)


LOST = ("cases", "referrals", "access grants", "webhooks", "emails", "case statistics", "referral statistics")
DUPLICATED = ("cases", "referrals", "webhook keys processed twice", "webhooks under a second key", "emails",
              "case statistics", "referral statistics")
