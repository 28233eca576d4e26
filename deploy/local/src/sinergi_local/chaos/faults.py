"""The fault schedule: each service SIGKILLed and restarted several times, PostgreSQL stopped in immediate mode
(a crash: no checkpoint, every connection dropped) and started once, the broker SIGKILLed and restarted once
on its persistent storage; all at random moments of the load, the same for the same seed.

Faults run one at a time: each waits until the platform has recovered from the one before (every service
ready again), so a fault due while another is still recovering comes a little late.
"""

from __future__ import annotations

import random
import threading
import time
from collections import Counter
from dataclasses import dataclass, field

from sinergi_local.chaos.stack import ChaosStack
from sinergi_local.platform import SERVICES

POSTGRES = "postgres"
BROKER = "broker"


@dataclass(frozen=True)
class Fault:
    at: float  # seconds after the load starts
    target: str  # a service, POSTGRES or BROKER
    down: float  # seconds between the kill and the restart


def plan(rng: random.Random, *, duration: float, kills_per_service: int) -> list[Fault]:
    """Every fault, at random moments spread over the first 90% of ``duration``: the order is shuffled, and each
    falls at a random point of its own slot."""
    targets = [service for service in SERVICES for _ in range(kills_per_service)] + [POSTGRES, BROKER]
    rng.shuffle(targets)
    slot = 0.9 * duration / len(targets)
    return [
        Fault(at=round(index * slot + rng.uniform(0, slot), 1), target=target, down=round(rng.uniform(0.2, 3.0), 1))
        for index, target in enumerate(targets)
    ]


@dataclass
class FaultLog:
    kills: Counter[str] = field(default_factory=Counter)  # SIGKILLs by service, and of the broker
    restarts: Counter[str] = field(default_factory=Counter)  # by service, POSTGRES, BROKER
    unplanned_restarts: list[str] = field(default_factory=list)  # services found dead though nobody killed them
    errors: list[str] = field(default_factory=list)
    timeline: list[str] = field(default_factory=list)


class FaultDriver:
    """Runs a plan in its own thread against ``stack``, from ``start()`` on."""

    def __init__(self, stack: ChaosStack, faults: list[Fault]) -> None:
        self._stack = stack
        self._faults = faults
        self.log = FaultLog()
        self._thread = threading.Thread(target=self._run, name="chaos-faults", daemon=True)
        self._stopping = threading.Event()
        self._started = 0.0

    def start(self) -> None:
        self._started = time.monotonic()
        self._thread.start()

    def join(self) -> None:
        self._thread.join()

    def stop(self) -> None:
        self._stopping.set()

    def _run(self) -> None:
        for fault in self._faults:
            if self._stopping.wait(max(0.0, self._started + fault.at - time.monotonic())):
                return
            try:
                self._inflict(fault)
                self.log.unplanned_restarts += self._stack.wait_all_ready()
            except Exception as error:  # noqa: BLE001 - recorded and reported; the run fails on it
                self.log.errors.append(f"{fault.target} at {fault.at}s: {type(error).__name__}: {error}")

    def _inflict(self, fault: Fault) -> None:
        stack, at = self._stack, time.monotonic() - self._started
        if fault.target == POSTGRES:
            stack.stop_postgres()
            time.sleep(fault.down)
            stack.start_postgres()
        elif fault.target == BROKER:
            stack.kill_broker()
            self.log.kills[BROKER] += 1
            time.sleep(fault.down)
            stack.start_broker()
        else:
            stack.kill_service(fault.target)
            self.log.kills[fault.target] += 1
            time.sleep(fault.down)
            stack.start_service(fault.target)
        self.log.restarts[fault.target] += 1
        self.log.timeline.append(f"{at:7.1f}s  {fault.target:<13} down {fault.down:.1f}s, "
                                 f"back after {time.monotonic() - self._started - at:.1f}s")
