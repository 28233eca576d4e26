"""Directory data shipped with routing: the demo directory, in the shape ``PUT /v1/directory`` accepts."""

from __future__ import annotations

from importlib import resources
from typing import Any

import yaml

DEMO_DIRECTORY = "demo_directory.yaml"


def demo_directory() -> list[dict[str, Any]]:
    """The demo agencies as JSON-ready dicts: PUT ``{"agencies": demo_directory()}`` to load them."""
    text = resources.files("routing").joinpath("data", DEMO_DIRECTORY).read_text(encoding="utf-8")
    document = yaml.safe_load(text)
    if not isinstance(document, dict) or not isinstance(document.get("agencies"), list):
        raise TypeError(f"{DEMO_DIRECTORY} must be a mapping with an 'agencies' list")
    agencies: list[dict[str, Any]] = document["agencies"]
    return agencies
