"""axe-core (vendored in tests/vendor) run inside a page the browser tests visit: the violations that matter.

It is evaluated through the DevTools protocol, not added as a script tag: the pages' Content-Security-Policy
allows no inline script, and the tests keep that policy on."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from playwright.async_api import Page

AXE = Path(__file__).parent / "vendor" / "axe.min.js"
BLOCKING = {"serious", "critical"}


async def axe_violations(page: Page) -> list[dict[str, Any]]:
    """The serious and critical WCAG 2.1 A/AA violations of ``page`` as it is now (rule id, impact, targets)."""
    await page.evaluate(AXE.read_text())
    result: dict[str, Any] = await page.evaluate(
        "() => axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})"
    )
    return [
        {"id": v["id"], "impact": v["impact"], "targets": [n["target"] for n in v["nodes"]][:5]}
        for v in result["violations"] if v.get("impact") in BLOCKING
    ]
