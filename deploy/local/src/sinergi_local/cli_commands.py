"""What the ``sinergi`` commands do once parsed (``sinergi_local.cli`` imports this only then, so that the CLI
starts fast: this pulls in pydantic, the services' shared library and the platform)."""

from __future__ import annotations

import argparse
import contextlib
import os
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

from pydantic import ValidationError
from pydantic_settings import SettingsConfigDict

from shared.auth import issue_development_token
from shared.settings import AuthSettings
from sinergi_local import infrastructure, processes
from sinergi_local.identity import provider as oidc
from sinergi_local.identity.sign_in import SignInError, sign_in
from sinergi_local.paths import REPO_ROOT
from sinergi_local.platform import Platform
from sinergi_local.status import show as show_status

# The ports `make up` runs PostgreSQL and the broker on (``start_platform``'s defaults).
POSTGRES_PORT, KAFKA_PORT = 55432, 19092


class CliAuthSettings(AuthSettings):
    model_config = SettingsConfigDict(env_prefix="SINERGI_")


def sign_in_token(run_dir: Path, username: str) -> int:
    try:
        provider = oidc.running(run_dir)
        token = sign_in(provider.local_party(), username, provider.demo_password())
    except (RuntimeError, SignInError) as error:
        sys.stderr.write(f"sinergi: cannot sign in: {error}\n")
        return 1
    sys.stdout.write(token["access_token"] + "\n")
    return 0


def issue_token(args: argparse.Namespace) -> int:
    try:
        settings = CliAuthSettings()
        token = issue_development_token(
            settings,
            user_id=args.user,
            roles=args.role,
            agency_id=args.agency,
            agency_type=args.agency_type,
            province_code=args.province,
            regency_code=args.regency,
            ttl_seconds=args.ttl,
        )
    except ValidationError as error:
        # Only the messages: the full error repeats the input, which may hold a secret.
        reasons = "; ".join(str(detail["msg"]) for detail in error.errors())
        sys.stderr.write(f"sinergi: cannot issue a token: {reasons}\n")
        return 1
    except ValueError as error:
        sys.stderr.write(f"sinergi: cannot issue a token: {error}\n")
        return 1
    sys.stdout.write(token + "\n")
    return 0


def running_platform(run_dir: Path) -> Platform:
    """The platform `make up` started under ``run_dir``, attached to without starting anything."""
    postmaster = run_dir / "postgres" / "data" / "postmaster.pid"
    postgres_pid = int(postmaster.read_text().split()[0]) if postmaster.exists() else None
    postgres_up = bool(os.environ.get("DATABASE_URL")) or (
        postgres_pid is not None and processes.is_running(postgres_pid)
    )
    broker_up = bool(os.environ.get("KAFKA_BOOTSTRAP_SERVERS")) or (
        processes.read_pid(run_dir / "pids" / "tansu.pid") is not None
    )
    if not (postgres_up and broker_up):
        raise RuntimeError(f"the local platform is not running under {run_dir} (start it with `make up`)")
    # Both are running (or external), so this only finds them.
    platform = Platform(run_dir, infrastructure.start(run_dir, postgres_port=POSTGRES_PORT, kafka_port=KAFKA_PORT))
    # The services' settings include the identity provider's, as `make up` gave them.
    with contextlib.suppress(RuntimeError):
        platform.identity = oidc.running(run_dir)
    return platform


def platform_status(run_dir: Path) -> int:
    try:
        platform = running_platform(run_dir)
    except RuntimeError as error:
        sys.stderr.write(f"sinergi: cannot show the status: {error}\n")
        return 1
    return show_status(platform)


def rotate_keys(run_dir: Path, services: Sequence[str], *, batch_size: int) -> int:
    try:
        platform = running_platform(run_dir)
    except RuntimeError as error:
        sys.stderr.write(f"sinergi: cannot rotate keys: {error}\n")
        return 1
    status = 0
    for service in services:
        # The service prints its counts, one per line, on stdout; its logs go to stderr.
        sys.stdout.flush()
        result = subprocess.run(
            [sys.executable, "-m", service, "rotate-keys", "--batch-size", str(batch_size)],
            env=platform.service_env(service), cwd=REPO_ROOT, check=False,
        )
        if result.returncode != 0:
            sys.stderr.write(f"sinergi: {service} rotate-keys failed (exit {result.returncode})\n")
            status = 1
    return status


def service_command(run_dir: Path, service: str, arguments: Sequence[str], *, what: str) -> int:
    """``python -m <service> <arguments>`` with the running platform's environment for ``service``; its exit
    status. The command prints its own results on stdout; its logs go to stderr."""
    try:
        platform = running_platform(run_dir)
    except RuntimeError as error:
        sys.stderr.write(f"sinergi: cannot {what}: {error}\n")
        return 1
    sys.stdout.flush()
    result = subprocess.run(
        [sys.executable, "-m", service, *arguments], env=platform.service_env(service), cwd=REPO_ROOT, check=False
    )
    return result.returncode
