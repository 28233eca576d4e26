"""``python -m sinergi_local.chaos`` (what `make chaos` runs): the chaos suite; exits 1 unless nothing was lost,
duplicated or wrong."""

from __future__ import annotations

import argparse
import signal
import sys
from pathlib import Path

from sinergi_local.chaos.driver import Options, figures, run
from sinergi_local.platform import REPO_ROOT


def main() -> None:
    defaults = Options()
    parser = argparse.ArgumentParser(prog="python -m sinergi_local.chaos", description=__doc__)
    parser.add_argument("--reports", type=int, default=defaults.reports, help="how many reports to submit")
    parser.add_argument("--rate", type=float, default=defaults.rate, help="reports submitted per second")
    parser.add_argument("--seed", type=int, default=defaults.seed, help="the reports and the fault schedule")
    parser.add_argument("--kills-per-service", type=int, default=defaults.kills_per_service)
    parser.add_argument("--partitions", type=int, default=defaults.partitions,
                        help="partitions per topic (as in production by default)")
    parser.add_argument("--run-dir", type=Path, default=REPO_ROOT / ".run" / "chaos")
    parser.add_argument("--settle-timeout", type=float, default=None,
                        help="seconds to wait for the platform to settle (default: 600 + 1.5 per report)")
    args = parser.parse_args()
    options = Options(reports=args.reports, rate=args.rate, seed=args.seed, run_dir=args.run_dir,
                      kills_per_service=args.kills_per_service, partitions=args.partitions,
                      settle_timeout=args.settle_timeout)
    # Stopped from outside (a CI timeout, `kill`): leave through run()'s cleanup, which stops every process.
    signal.signal(signal.SIGTERM, lambda _signum, _frame: sys.exit(143))
    result = run(options, say=lambda line: print(line, flush=True))
    print(figures(result), flush=True)
    if not result.passed:
        print(f"Logs: {options.run_dir / 'logs'}", flush=True)
    sys.exit(0 if result.passed else 1)


if __name__ == "__main__":
    main()
