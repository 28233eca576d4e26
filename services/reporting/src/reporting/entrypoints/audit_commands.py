"""Reporting's maintenance command for the audit trail: ``python -m reporting audit-verify`` (or, on the local
platform, ``sinergi audit verify``) walks every case's hash chain as the service and names the first record
that was altered or removed. Prints ids, numbers and event types only; exits 1 on a finding."""

from __future__ import annotations

import argparse
import asyncio
import sys

from reporting.entrypoints.maintenance import service_unit_of_work
from reporting.service_layer.audit_trail import VerificationReport, verify_audit_trail
from shared.cli import ServiceCommand
from shared.settings import ServiceSettings


async def verify(settings: ServiceSettings, *, batch_size: int = 500) -> VerificationReport:
    async with service_unit_of_work(settings) as uow:
        return await verify_audit_trail(uow, batch_size=batch_size)


def run_verify(settings: ServiceSettings, args: argparse.Namespace) -> int:
    report = asyncio.run(verify(settings, batch_size=args.batch_size))
    if report.finding is not None:
        sys.stdout.write(f"{report.finding}\n")
        return 1
    sys.stdout.write(f"audit trail intact: {report.records_checked} records in {report.cases_checked} cases\n")
    return 0


def _positive(value: str) -> int:
    number = int(value)
    if number < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return number


def _arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--batch-size", type=_positive, default=500, help="cases read at a time (default 500)")


AUDIT_VERIFY = ServiceCommand(
    name="audit-verify",
    help="check every case's audit trail: name the first record altered or removed",
    run=run_verify,
    add_arguments=_arguments,
)
