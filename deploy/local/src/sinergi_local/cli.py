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
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path

from sinergi_local import dlq_commands
from sinergi_local.paths import RUN_DIR

# Only the standard library and sinergi_local's light modules above: the commands' modules (pydantic, SQLAlchemy,
# aiokafka, the platform) are imported once the arguments are parsed, for the one command that runs, so that
# `sinergi --help` and a mistyped argument answer at once.

# The services that store encrypted personal fields (each passes its ``encrypted_columns`` to ``shared.cli.run``).
ENCRYPTING_SERVICES = ("intake", "routing", "notifications")


class _RoleChoices:
    """The roles ``--role`` accepts, read from ``shared.auth.Role`` only when argparse checks or lists them."""

    def _values(self) -> list[str]:
        from shared.auth import Role

        return [role.value for role in Role]

    def __contains__(self, value: object) -> bool:
        return value in self._values()

    def __iter__(self) -> Iterator[str]:
        return iter(self._values())


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
        # A metavar, so that building the parser does not list the choices (and import shared.auth).
        "--role", action="append", required=True, choices=_RoleChoices(), metavar="ROLE",
        help="a role, e.g. province_admin; an unknown one is refused with the list (repeat for more roles)",
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
    dlq_commands.add_commands(commands, run_dir=RUN_DIR)
    return parser


def _positive_int(value: str) -> int:
    number = int(value)
    if number < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return number


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    from sinergi_local import cli_commands as run

    if args.command == "keys":
        return run.rotate_keys(args.run_dir, tuple(args.service or ENCRYPTING_SERVICES), batch_size=args.batch_size)
    if args.command == "dlq":
        from sinergi_local import dlq

        return dlq.run(args, lambda run_dir: run.running_platform(run_dir).infra.kafka_bootstrap_servers)
    if args.command == "status":
        return run.platform_status(args.run_dir)
    if args.command == "audit":
        return run.service_command(args.run_dir, "reporting", ["audit-verify"], what="verify the audit trail")
    if args.command == "reporting":
        arguments = ["rebuild", *(["--no-progress"] if args.no_progress else [])]
        return run.service_command(args.run_dir, "reporting", arguments, what="rebuild reporting")
    if args.token_command == "sign-in":  # noqa: S105 - a command name
        return run.sign_in_token(args.run_dir, args.user)
    return run.issue_token(args)


if __name__ == "__main__":
    sys.exit(main())
