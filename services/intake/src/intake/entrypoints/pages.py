"""Rendering intake's public pages (the report form, the reporter's status page) with Jinja2.

The pages load nothing from elsewhere and run no script: every step is a plain form post, so they work without
JavaScript, and the Content-Security-Policy allows no script at all."""

from __future__ import annotations

from functools import cache
from typing import Any

from fastapi.responses import HTMLResponse
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from intake.entrypoints.public_texts import TEXTS
from shared.validation_messages import Language, language_headers

HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
    # The confirmation shows the one-time code, the status page what the code opened: kept by no cache.
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
}


@cache
def _environment() -> Environment:
    return Environment(
        loader=PackageLoader("intake", "templates"), autoescape=select_autoescape(default=True),
        undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True,
    )


def render(template: str, language: Language, *, status_code: int = 200, **context: Any) -> HTMLResponse:
    """``template`` in ``language`` (``t`` is its words, ``lang`` its code, ``other_lang`` the switch's)."""
    other = Language.EN if language is Language.ID else Language.ID
    html = _environment().get_template(template).render(
        t=TEXTS[language], lang=language.value, other_lang=other.value, **context
    )
    return HTMLResponse(html, status_code=status_code, headers={**HEADERS, **language_headers(language)})
