"""The languages Sinergi answers in, and the one a request asks for (``Accept-Language``): Bahasa Indonesia by
default, English on request."""

from __future__ import annotations

import math
import re
from enum import StrEnum


class Language(StrEnum):
    """The languages Sinergi answers in; the value is the ``Content-Language`` tag."""

    ID = "id"
    EN = "en"


DEFAULT_LANGUAGE = Language.ID
"""Bahasa Indonesia: the users are Indonesian, so a client that says nothing useful gets it."""

# ``in`` is the withdrawn ISO 639 code for Indonesian that Java and older Android still send.
_PRIMARY_TAGS = {"id": Language.ID, "in": Language.ID, "en": Language.EN}
_LANGUAGE_RANGE = re.compile(r"^(?:\*|[A-Za-z]{1,8}(?:-[A-Za-z0-9]{1,8})*)$")
_MAX_HEADER_CHARS = 4096  # a hostile header costs no more than this to parse
_MAX_RANGES = 64


def negotiate_language(accept_language: str | None) -> Language:
    """The best of Bahasa Indonesia and English for an ``Accept-Language`` header (RFC 9110 §12.5.4).

    The highest q-value wins; on a tie a language named outright beats one matched by ``*``, and then the one named
    first wins. Malformed ranges and q-values are skipped, not fatal. Without a usable preference the answer is
    Bahasa Indonesia, unless the client refused it (``id;q=0``) and did not refuse English.
    """
    if not accept_language:
        return DEFAULT_LANGUAGE
    # Per language: (q, named outright, -position); compared as a tuple, so the greatest is the best.
    scores: dict[Language, tuple[float, int, int]] = {}
    refused: set[Language] = set()
    wildcard: tuple[float, int, int] | None = None
    for position, entry in enumerate(accept_language[:_MAX_HEADER_CHARS].split(",")[:_MAX_RANGES]):
        parsed = _parse_range(entry)
        if parsed is None:
            continue
        tag, q = parsed
        if tag == "*":
            if wildcard is None or q > wildcard[0]:
                wildcard = (q, 0, -position)
            continue
        language = _PRIMARY_TAGS.get(tag.split("-", 1)[0])
        if language is None:
            continue
        if q == 0:
            refused.add(language)
        score = (q, 1, -position)
        if language not in scores or score > scores[language]:
            scores[language] = score
    best: Language | None = None
    best_score = (0.0, 0, 0)
    for language in (Language.ID, Language.EN):  # ID first: on a complete tie the default wins
        candidate = scores.get(language, wildcard)
        if candidate is not None and candidate[0] > 0 and (best is None or candidate > best_score):
            best, best_score = language, candidate
    if best is not None:
        return best
    if DEFAULT_LANGUAGE in refused:
        return next((language for language in Language if language not in refused), DEFAULT_LANGUAGE)
    return DEFAULT_LANGUAGE


def _parse_range(entry: str) -> tuple[str, float] | None:
    """``en-US;q=0.8`` as ``("en-us", 0.8)``; ``None`` for anything malformed."""
    tag, *parameters = (part.strip() for part in entry.split(";"))
    if not _LANGUAGE_RANGE.match(tag):
        return None
    q = 1.0
    for parameter in parameters:
        name, _, value = parameter.partition("=")
        if name.strip().lower() != "q":
            continue
        try:
            q = float(value.strip())
        except ValueError:
            return None
        if not (math.isfinite(q) and 0 <= q <= 1):
            return None
    return tag.lower(), q
