"""The ``sinergi`` CLI parses its arguments with the standard library alone: the commands' heavy modules are
imported only for the command that runs (issue 21: it took 3 s to start)."""

from __future__ import annotations

import json
import subprocess
import sys

# What `sinergi` used to import before parsing anything; each takes a large share of the start-up.
HEAVY = ("pydantic", "pydantic_settings", "sqlalchemy", "aiokafka", "faststream", "httpx", "jwt", "shared",
         "sinergi_local.platform", "sinergi_local.dlq")

PROBE = """
import json, sys
from sinergi_local import cli
try:
    cli._parser().parse_args(sys.argv[1:])
except SystemExit:
    pass
print(json.dumps(sorted({name.split(".")[0] if not name.startswith("sinergi_local") else name
                         for name in sys.modules})))
"""


def loaded_after_parsing(*argv: str) -> set[str]:
    result = subprocess.run([sys.executable, "-c", PROBE, *argv], capture_output=True, text=True, check=True)
    return set(json.loads(result.stdout.splitlines()[-1]))


def test_the_cli_parses_every_command_without_its_heavy_modules() -> None:
    for argv in (["--help"], ["status"], ["dlq", "list"], ["keys", "rotate"], ["reporting", "rebuild"],
                 ["audit", "verify"]):
        loaded = loaded_after_parsing(*argv)
        assert not loaded & set(HEAVY), f"`sinergi {' '.join(argv)}` imported {sorted(loaded & set(HEAVY))}"


def test_the_role_choices_are_still_checked_against_the_roles() -> None:
    """The lazily read choices of ``--role`` still refuse an unknown role and list the real ones."""
    result = subprocess.run(
        [sys.executable, "-m", "sinergi_local.cli", "token", "issue", "--user", "a", "--role", "no_such_role"],
        capture_output=True, text=True, check=False,
    )
    assert result.returncode == 2
    assert "invalid choice: 'no_such_role'" in result.stderr
    assert "province_admin" in result.stderr
