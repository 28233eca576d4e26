"""``python -m benchmarks`` (what ``make bench`` runs): P1-P6, each beside its baseline, as a table; with
``--write`` the table also replaces the results in docs/benchmarks.md."""

from __future__ import annotations

import argparse
import contextlib
import importlib
import sys
from collections.abc import Sequence
from datetime import UTC, datetime

from benchmarks.common import REPO_ROOT, Figure, bench_stack
from benchmarks.report import render_table, write_results

BENCHMARKS = {
    "P1": "benchmarks.p1_intake",
    "P2": "benchmarks.p2_latency",
    "P3": "benchmarks.p3_replay",
    "P4": "benchmarks.p4_scale_out",
    "P5": "benchmarks.p5_memory",
    "P6": "benchmarks.p6_inbox",
}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("only", nargs="*", metavar="P1..P6", help="which benchmarks (default: all)")
    parser.add_argument("--runs", type=int, default=3, help="side-by-side runs per benchmark (the median counts)")
    parser.add_argument("--write", action="store_true", help="put the table in docs/benchmarks.md")
    args = parser.parse_args(argv)
    chosen = [key.upper() for key in args.only] or list(BENCHMARKS)
    if unknown := [key for key in chosen if key not in BENCHMARKS]:
        parser.error(f"no benchmark {', '.join(unknown)}; there are {', '.join(BENCHMARKS)}")
    figures: list[Figure] = []
    started = datetime.now(UTC)
    modules = {key: importlib.import_module(BENCHMARKS[key]) for key in chosen}
    # A benchmark with its own platform (P6) does not need the shared one: P6 alone starts only its own.
    shared = any(not getattr(module, "OWN_PLATFORM", False) for module in modules.values())
    with bench_stack() if shared else contextlib.nullcontext() as stack:
        for key, module in modules.items():
            sys.stdout.write(f"{key}: running ({args.runs} runs)...\n")
            sys.stdout.flush()
            figure = module.run(stack, runs=args.runs)
            figures.append(figure)
            sys.stdout.write(render_table([figure]) + "\n")
    table = render_table(figures)
    sys.stdout.write("\n" + table + "\n")
    if args.write:
        write_results(REPO_ROOT / "docs" / "benchmarks.md", table, started=started, runs=args.runs)
    return 0 if all(figure.met for figure in figures) else 1


if __name__ == "__main__":
    raise SystemExit(main())
