"""``sinergi token issue``: development tokens for calling the services by hand.

Settings come from the environment with the prefix ``SINERGI_`` (``SINERGI_ENVIRONMENT``, ``SINERGI_AUTH_ISSUER``,
``SINERGI_AUTH_AUDIENCE``, ``SINERGI_AUTH_HS256_SECRET``); outside development no token is issued.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from pydantic import ValidationError
from pydantic_settings import SettingsConfigDict

from shared.auth import AuthSettings, Role, issue_development_token


class CliAuthSettings(AuthSettings):
    model_config = SettingsConfigDict(env_prefix="SINERGI_")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="sinergi", description="Sinergi developer tools")
    commands = parser.add_subparsers(dest="command", required=True)
    token = commands.add_parser("token", help="development bearer tokens")
    token_commands = token.add_subparsers(dest="token_command", required=True)
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
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
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


if __name__ == "__main__":
    sys.exit(main())
