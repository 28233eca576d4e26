"""The results table: printed by ``make bench`` and kept in docs/benchmarks.md between two markers."""

from __future__ import annotations

import os
import platform
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from benchmarks.common import Figure

BEGIN, END = "<!-- bench:results:begin -->", "<!-- bench:results:end -->"


def _number(value: float) -> str:
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:,.2f}"


def render_table(figures: Sequence[Figure]) -> str:
    lines = [
        "| benchmark | measure | Sinergi | baseline | baseline is | ratio | goal | met |",
        "|---|---|---:|---:|---|---:|---|---|",
    ]
    for f in figures:
        lines.append(
            f"| {f.name} | {f.measure} | {_number(f.ours)} | {_number(f.baseline)} | {f.baseline_name} "
            f"| {f.ratio:.2f} | {f.goal} | {'yes' if f.met else '**no**'} |"
        )
    notes = [f"- {f.name}: {f.note}" for f in figures if f.note]
    runs = [f"- {f.name} runs (Sinergi, baseline): " + ", ".join(f"({_number(a)}, {_number(b)})" for a, b in f.runs)
            for f in figures if f.runs]
    for extra in (notes, runs):
        if extra:
            lines += ["", *extra]
    return "\n".join(lines)


def write_results(document: Path, table: str, *, started: datetime, runs: int) -> None:
    """Replace what lies between the markers of ``document`` with ``table`` and how it was measured."""
    text = document.read_text()
    if BEGIN not in text or END not in text:
        raise SystemExit(f"{document} has no {BEGIN} ... {END} markers")
    machine = f"{os.cpu_count()} cores, {platform.system()} {platform.release()}, Python {platform.python_version()}"
    block = (f"{BEGIN}\nMeasured {started:%Y-%m-%d %H:%M} UTC by `make bench` ({runs} side-by-side runs each, "
             f"medians; {machine}).\n\n{table}\n{END}")
    head, rest = text.split(BEGIN, 1)
    document.write_text(head + block + rest.split(END, 1)[1])
