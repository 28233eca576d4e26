"""``sinergi-local up|down|status``: the whole platform on local processes (what `make up` runs)."""

from __future__ import annotations

import argparse
import json
import sys

from sinergi_local import infrastructure, processes
from sinergi_local.identity import demo_users
from sinergi_local.identity.provider import WORKSPACE_CLIENT, OidcProvider
from sinergi_local.paths import REPO_ROOT, RUN_DIR
from sinergi_local.platform import (
    DEFAULT_PORTS,
    HELPERS,
    SERVICES,
    WEB_APPS,
    start_platform,
    stop_platform,
)
from sinergi_local.seed import seed_all

CURL = """curl -s -X POST {intake}/v1/reports -H 'content-type: application/json' -d '{{\
"incident": {{"precision": "unknown"}}, \
"location": {{"province_code": "62", "regency_code": "62.13", "place": "rumah_tangga"}}, \
"violence_types": ["fisik"], "victims": [{{"sex": "perempuan", "age": 12}}], \
"reporter": {{"anonymous": true, "relation": "tetangga"}}, "narrative": "contoh laporan", "channel": "web"}}'"""


# One demo user of each role, printed by `make up` (every one is in deploy/oidc/demo-users.json).
EXAMPLE_USERS = ("agency_staff.uptd-ppa-62.13", "agency_supervisor.uptd-ppa-62.13", "operator.62.13",
                 "district_supervisor.62.13", "province_admin.62", "auditor.62", "national_admin")


def up(reports: int) -> None:
    print("Starting PostgreSQL, the Tansu broker, the identity provider, the four services and the workspace "
          "(logs in .run/platform/logs)...")
    platform = start_platform(RUN_DIR, identity=True)
    state = RUN_DIR / "platform.json"
    if not state.exists():
        print(f"Seeding the agency directory, webhook subscriptions and {reports} sample reports, as demo users "
              "signed in at the identity provider...")
        seed_all(platform, reports)
        state.write_text(json.dumps({"seeded": True}))
    print("\nSinergi is up:")
    for service in SERVICES:
        print(f"  {service:<14} {platform.url(service)}/docs")
    print(f"  {'workspace':<14} {platform.url('workspace')}/  (the caseworker's web app: sign in and work a case)")
    print(f"  {'webhook sink':<14} {platform.url('sink')}/received")
    print(f"  {'mail':<14} smtp://127.0.0.1:{platform.ports['mail']}, every email in {platform.maildir}/new")
    print(f"  statistics     {platform.url('reporting')}/v1/stats/cases?group_by=regency,violence_type")
    print(f"  dashboard      {platform.url('reporting')}/dashboard?province=62")
    print("\nTry a report:\n  " + CURL.format(intake=platform.url("intake")))
    print(f"  or the public form: {platform.url('intake')}/lapor")
    if platform.identity is None:
        raise RuntimeError("the identity provider did not start")
    print_sign_in(platform.identity)
    print("\nStop everything with: make down")


def print_sign_in(identity: OidcProvider) -> None:
    """Where to sign in, as whom and with which password; how scripts get a token."""
    users = demo_users.load_seed()
    print(f"\nSign-in (OpenID Connect): {identity.issuer} (discovery: "
          f"{identity.issuer}/.well-known/openid-configuration)")
    print(f"  {len(users)} demo users, one per role for each demo agency and region, all with the password\n"
          f"  {identity.demo_password()}  (kept in {infrastructure.secrets_file(identity.run_dir)}, key "
          "demo_password), e.g.")
    for example in EXAMPLE_USERS:
        print(f"    {example}")
    print(f"  every user name: {demo_users.SEED_FILE.relative_to(REPO_ROOT)}")
    print(f"  the workspace's client: {WORKSPACE_CLIENT}, secret in {identity.client_secret_file(WORKSPACE_CLIENT)}")
    print("\nEverything else needs a token, e.g. a province admin's (README, Identities and access):\n"
          "  .venv/bin/sinergi token sign-in --user province_admin.62")


def status() -> None:
    postmaster = RUN_DIR / "postgres" / "data" / "postmaster.pid"
    postgres_pid = int(postmaster.read_text().split()[0]) if postmaster.exists() else None
    rows = [("postgres", postgres_pid if postgres_pid and processes.is_running(postgres_pid) else None, 55432)]
    rows += [(name, processes.read_pid(RUN_DIR / "pids" / f"{name}.pid"), DEFAULT_PORTS.get(name, 19092))
             for name in ("tansu", *SERVICES, *WEB_APPS, *HELPERS)]
    for name, pid, port in rows:
        print(f"{name:<14} {'running pid ' + str(pid) if pid else 'stopped':<22} {port}")


def main() -> None:
    parser = argparse.ArgumentParser(prog="sinergi-local", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    start = commands.add_parser("up", help="start everything and seed demo data on first start")
    start.add_argument("--reports", type=int, default=50)
    commands.add_parser("down", help="stop everything `up` started")
    commands.add_parser("status", help="what is running")
    commands.add_parser("purge", help="stop everything and delete the local platform's data (`make clean`)")
    args = parser.parse_args()
    if args.command == "up":
        try:
            up(args.reports)
        except Exception as error:  # noqa: BLE001 - one clear line instead of a traceback
            print(f"make up failed: {error}", file=sys.stderr)
            sys.exit(1)
    elif args.command == "down":
        stop_platform(RUN_DIR)
        print("Sinergi stopped.")
    elif args.command == "purge":
        stop_platform(RUN_DIR)
        infrastructure.discard(RUN_DIR)
        print("Sinergi stopped; its local data is deleted.")
    else:
        status()


if __name__ == "__main__":
    main()
