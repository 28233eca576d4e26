"""Where the repository and the local platform's run folder are; imports nothing heavy, for the ``sinergi`` CLI's
start-up."""

from __future__ import annotations

import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[4]
RUN_DIR = Path(os.environ.get("SINERGI_RUN_DIR", REPO_ROOT / ".run" / "platform"))
