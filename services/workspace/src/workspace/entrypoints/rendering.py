"""Server-rendered pages: Jinja2 templates with gettext catalogues (Babel), Bahasa Indonesia by default."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from babel.support import NullTranslations, Translations
from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape

from workspace.entrypoints import labels, oversight_labels
from workspace.entrypoints.security import CSRF_FIELD, csrf_token

PACKAGE = Path(__file__).resolve().parents[1]
TEMPLATES = PACKAGE / "entrypoints" / "templates"
LOCALES = PACKAGE / "locale"
LANGUAGES = ("id", "en")
DEFAULT_LANGUAGE = "id"
LANGUAGE_NAMES = {"id": "Bahasa Indonesia", "en": "English"}


def language(request: Request) -> str:
    """The person's choice (kept in the session), else the browser's first language we have, else Indonesian."""
    chosen = request.session.get("lang") if "session" in request.scope else None
    if chosen in LANGUAGES:
        return str(chosen)
    header = request.headers.get("accept-language", "")
    first = header.split(",", 1)[0].split(";", 1)[0].strip().lower()[:2]
    return first if first in LANGUAGES else DEFAULT_LANGUAGE


def load_translations(lang: str) -> NullTranslations:
    return Translations.load(str(LOCALES), [lang], domain="messages")


class Pages:
    def __init__(self) -> None:
        self.env = Environment(
            loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(default=True),
            extensions=["jinja2.ext.i18n"], trim_blocks=True, lstrip_blocks=True,
        )
        self.translations = {lang: load_translations(lang) for lang in LANGUAGES}

    def gettext(self, request: Request, message: str) -> str:
        return self.translations[language(request)].gettext(message)

    def render(self, request: Request, template: str, *, status_code: int = 200, **context: Any) -> HTMLResponse:
        lang = language(request)
        # Rendering is synchronous: no other request runs between installing the catalogue and rendering.
        self.env.install_gettext_translations(self.translations[lang], newstyle=True)  # type: ignore[attr-defined]
        page = self.env.get_template(template).render(
            request=request, lang=lang, languages=LANGUAGE_NAMES, csrf_field=CSRF_FIELD,
            csrf_token=csrf_token(request), labels=labels, oversight=oversight_labels,
            plain_gettext=self.translations[lang].gettext, person=request.session.get("person"), **context,
        )
        return HTMLResponse(page, status_code=status_code, headers={"content-language": lang})


def pages(request: Request) -> Pages:
    found: Pages = request.app.state.pages
    return found
