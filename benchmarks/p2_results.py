"""What one P2 run measured, as the load process writes it (JSON) and the benchmark reads it back."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

from benchmarks.common import median, percentile


@dataclass(frozen=True)
class LatencyRun:
    """Latencies of one run in ms, None for what never arrived within ``timeout_ms``."""

    latencies_ms: list[float | None]
    timeout_ms: float
    failures: int = 0  # reports intake did not accept (not measured)
    max_send_lag_ms: float = 0.0  # how far the load generator ever fell behind its schedule
    # Sinergi only: how long intake took to answer each measured report (its 201; not part of the latency)...
    answer_ms: list[float] = field(default_factory=list)
    # ... and each case's path split at routing's decision (the ``occurred_at`` of its referral.created).
    to_referral_ms: list[float] = field(default_factory=list)  # intake's 201 -> routing referred the case
    to_webhook_ms: list[float] = field(default_factory=list)  # routing referred it -> the webhook arrived

    @property
    def missing(self) -> int:
        return sum(1 for latency in self.latencies_ms if latency is None)

    def percentile(self, q: float) -> float:
        """What never arrived counts as the timeout: a lower bound, so that losses cannot flatter the figure."""
        return percentile([self.timeout_ms if value is None else value for value in self.latencies_ms], q)

    def stage_median(self, stage: list[float]) -> float:
        return median(stage) if stage else float("nan")

    def write(self, path: Path) -> None:
        path.write_text(json.dumps(asdict(self)))

    @classmethod
    def read(cls, path: Path) -> LatencyRun:
        return cls(**json.loads(path.read_text()))
