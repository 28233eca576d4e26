"""``sinergi``: developer tools for the local platform.

``sinergi token sign-in --user <demo user>``: signs a demo user in at the running local platform's identity provider
(the authorization-code flow with PKCE, as a browser would) and prints their access token: what the services of
`make up` accept.

``sinergi token issue``: development tokens (HS256), for services that run without a JWKS URL (in-process apps,
scripts against a platform started without the identity provider); the services of `make up` refuse them.
Settings come from the environment with the prefix ``SINERGI_`` (``SINERGI_ENVIRONMENT``, ``SINERGI_AUTH_ISSUER``,
``SINERGI_AUTH_AUDIENCE``, ``SINERGI_AUTH_HS256_SECRET``); outside development no token is issued.

``sinergi keys rotate``: re-encrypts with the active key the personal fields still under an old one, by running
``python -m <service> rotate-keys`` for every service that stores ciphertexts, with exactly the environment the
running local platform gives that service (``Platform.service_env``): the keys the running services use.

``sinergi audit verify``: walks every case's audit trail (``python -m reporting audit-verify``, with the running
platform's reporting environment) and names the first record that was altered or removed; exit status 1 then.

``sinergi reporting rebuild``: empties reporting's read models and fills them again from the topics
(``python -m reporting rebuild``); the audit trail is a record, not a read model, and is never touched.

``sinergi status``: each service's readiness, outbox backlog, consumer lag per group and dead-letter depth, in
one table read from the services' ``/metrics`` (``sinergi_local.status``); exit status 1 if a service is down.

``sinergi dlq list|show|replay``: the dead letters on the ``<topic>.dlq`` topics, never a payload's values; replay
republishes them to their topic, once (``sinergi_local.dlq``). ``--bootstrap-servers`` for any Kafka.
"""

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

from shared.auth import Role, issue_development_token
from shared.settings import AuthSettings
from sinergi_local import dlq, infrastructure, processes
from sinergi_local.__main__ import RUN_DIR
from sinergi_local.identity import provider as oidc
from sinergi_local.identity.sign_in import SignInError, sign_in
from sinergi_local.platform import REPO_ROOT, Platform
from sinergi_local.status import show as show_status

# The services that store encrypted personal fields (each passes its ``encrypted_columns`` to ``shared.cli.run``).
ENCRYPTING_SERVICES = ("intake", "routing", "notifications")
# The ports `make up` runs PostgreSQL and the broker on (``start_platform``'s defaults).
POSTGRES_PORT, KAFKA_PORT = 55432, 19092


class CliAuthSettings(AuthSettings):
    model_config = SettingsConfigDict(env_prefix="SINERGI_")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="sinergi", description="Sinergi developer tools")
    commands = parser.add_subparsers(dest="command", required=True)
    token = commands.add_parser("token", help="development bearer tokens")
    token_commands = token.add_subparsers(dest="token_command", required=True)
    sign_in = token_commands.add_parser(
        "sign-in", help="sign a demo user in at the running platform's identity provider; print the access token"
    )
    sign_in.add_argument("--user", required=True, help="a demo user (deploy/oidc/demo-users.json), e.g. auditor.62")
    sign_in.add_argument("--run-dir", type=Path, default=RUN_DIR, help="the local platform's run folder")
    issue = token_commands.add_parser("issue", help="print an HS256 development token")
    issue.add_argument("--user", required=True, help="user id (the sub claim)")
    issue.add_argument(
        "--role", action="append", required=True, choices=[role.value for role in Role], help="repeat for more roles"
    )
    issue.add_argument("--agency", help="agency id")
    issue.add_argument("--agency-type", help="agency type, e.g. uptd_ppa")
    issue.add_argument("--province", help="province code, e.g. 62")
    issue.add_argument("--regency", help="regency code, e.g. 62.13")
    issue.add_argument("--ttl", type=int, default=3600, help="lifetime in seconds (default 3600)")

    keys = commands.add_parser("keys", help="personal-field encryption keys")
    keys_commands = keys.add_subparsers(dest="keys_command", required=True)
    rotate = keys_commands.add_parser(
        "rotate", help="re-encrypt with the active key the personal fields still under an old key (running platform)"
    )
    rotate.add_argument(
        "--service", action="append", choices=ENCRYPTING_SERVICES, help="only this service (repeat for more)"
    )
    rotate.add_argument("--batch-size", type=_positive_int, default=500, help="rows per transaction (default 500)")
    rotate.add_argument("--run-dir", type=Path, default=RUN_DIR, help="the local platform's run folder")

    audit = commands.add_parser("audit", help="the per-case audit trail")
    audit_commands = audit.add_subparsers(dest="audit_command", required=True)
    verify = audit_commands.add_parser(
        "verify", help="check every case's hash chain; name the first record altered or removed (running platform)"
    )
    verify.add_argument("--run-dir", type=Path, default=RUN_DIR, help="the local platform's run folder")

    reporting = commands.add_parser("reporting", help="reporting's read models")
    reporting_commands = reporting.add_subparsers(dest="reporting_command", required=True)
    rebuild = reporting_commands.add_parser(
        "rebuild", help="rebuild reporting's read models from the topics; never the audit trail (running platform)"
    )
    rebuild.add_argument("--run-dir", type=Path, default=RUN_DIR, help="the local platform's run folder")
    rebuild.add_argument("--no-progress", action="store_true", help="print no progress while replaying")

    status = commands.add_parser("status", help="readiness, outbox backlog, consumer lag and DLQ depth per service")
    status.add_argument("--run-dir", type=Path, default=RUN_DIR, help="the local platform's run folder")
    dlq.add_commands(commands, run_dir=RUN_DIR)
    return parser


def _positive_int(value: str) -> int:
    number = int(value)
    if number < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return number


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "keys":
        return rotate_keys(args.run_dir, tuple(args.service or ENCRYPTING_SERVICES), batch_size=args.batch_size)
    if args.command == "dlq":
        return dlq.run(args, lambda run_dir: running_platform(run_dir).infra.kafka_bootstrap_servers)
    if args.command == "status":
        return platform_status(args.run_dir)
    if args.command == "audit":
        return service_command(args.run_dir, "reporting", ["audit-verify"], what="verify the audit trail")
    if args.command == "reporting":
        arguments = ["rebuild", *(["--no-progress"] if args.no_progress else [])]
        return service_command(args.run_dir, "reporting", arguments, what="rebuild reporting")
    if args.token_command == "sign-in":  # noqa: S105 - a command name
        return sign_in_token(args.run_dir, args.user)
    return issue_token(args)


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


if __name__ == "__main__":
    sys.exit(main())
