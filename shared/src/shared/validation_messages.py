"""422 messages in the reader's language: Bahasa Indonesia or English, chosen by ``Accept-Language``.

Sinergi is used by Indonesian reporters, operators and agencies, so a rejected form must say *why* in Bahasa
Indonesia unless the client asks for English. Every message is built from our own templates and from pydantic's
``ctx`` (limits, patterns, allowed values), never from the rejected input: a narrative, phone number or secret must
not come back in a response, nor land in a proxy's logs. Each item keeps FastAPI's shape (``loc``, ``msg``,
``type``) so clients that already read FastAPI's 422 keep working.

Domain rules that go beyond the request model raise :class:`LocalizedValueError` (inside a pydantic validator) or
:class:`DomainValidationError` (in an endpoint, after parsing); both reach the client in the same shape.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from fastapi import Request, status
from fastapi.responses import JSONResponse

from shared.language import DEFAULT_LANGUAGE, Language, negotiate_language
from shared.pattern_messages import pattern_message_en, pattern_message_id
from shared.refusal_messages import REFUSALS

__all__ = [
    "DEFAULT_LANGUAGE",
    "GENERIC_MESSAGE",
    "TRANSLATED_ERROR_TYPES",
    "DomainValidationError",
    "Language",
    "Loc",
    "LocalizedValueError",
    "domain_validation_error_handler",
    "language_headers",
    "localize_errors",
    "localized_error_response",
    "negotiate_language",
    "request_language",
]

Loc = tuple[str | int, ...]
Template = str | Callable[[Mapping[str, Any]], str]


GENERIC_MESSAGE: Mapping[Language, str] = {Language.ID: "Nilai tidak valid.", Language.EN: "Invalid value."}
"""Said when nothing more specific can be said without repeating the input."""

class LocalizedValueError(ValueError):
    """A domain rule's rejection, worded in both languages, with a short machine ``code`` used as the item's type.

    Raised inside a pydantic validator it surfaces as a ``value_error`` whose message follows the request's
    language. ``field`` is a dotted path relative to where the error is reported (``victims.0.age``), for a
    model validator that blames one field; digits become list indexes. ``str()`` is the English message, so logs
    and pydantic's own ``msg`` stay readable. Never put the rejected value into the messages.
    """

    def __init__(self, code: str, *, en: str, id: str, field: str | None = None) -> None:
        super().__init__(en)
        self.code = code
        self.en = en
        self.id = id
        self.field = field

    def message(self, language: Language) -> str:
        """The message in ``language``."""
        return self.id if language is Language.ID else self.en

    def loc_under(self, loc: Iterable[str | int]) -> Loc:
        """``loc`` extended by this error's ``field``."""
        parts: list[str | int] = list(loc)
        if self.field:
            parts += [int(part) if part.isascii() and part.isdigit() else part for part in self.field.split(".")]
        return tuple(parts)


class DomainValidationError(Exception):
    """Domain checks that failed after the request model parsed: answered with 422 and items shaped like FastAPI's.

    Each entry is ``(loc, error)``; the error's ``field``, when set, is appended to ``loc``. Register
    :func:`domain_validation_error_handler` for it (``shared.service.create_service_app`` does).
    """

    def __init__(self, errors: Iterable[tuple[Loc, LocalizedValueError]]) -> None:
        self.errors: tuple[tuple[Loc, LocalizedValueError], ...] = tuple(errors)
        if not self.errors:
            raise ValueError("a DomainValidationError needs at least one error")
        # Codes and paths only: the message must be safe to log.
        super().__init__("; ".join(f"{_dotted(error.loc_under(loc))}: {error.code}" for loc, error in self.errors))

    @classmethod
    def at(cls, loc: Loc | str, *errors: LocalizedValueError) -> DomainValidationError:
        """Every error under one location, e.g. ``DomainValidationError.at("body", error)``."""
        base: Loc = (loc,) if isinstance(loc, str) else loc
        return cls((base, error) for error in errors)

    def error_items(self) -> list[dict[str, Any]]:
        """The errors as pydantic-shaped items, ready for :func:`localize_errors`."""
        return [
            {"type": "value_error", "loc": loc, "msg": f"Value error, {error.en}", "ctx": {"error": error}}
            for loc, error in self.errors
        ]


def _dotted(loc: Loc) -> str:
    return ".".join(str(part) for part in loc)


def _count(n: object, singular: str, plural: str) -> str:
    return f"{n} {singular if n == 1 else plural}"


def _at_least_chars_en(ctx: Mapping[str, Any]) -> str:
    if ctx["min_length"] == 1:
        return "Must not be empty."
    return f"Must have at least {_count(ctx['min_length'], 'character', 'characters')}."


def _at_least_chars_id(ctx: Mapping[str, Any]) -> str:
    return "Tidak boleh kosong." if ctx["min_length"] == 1 else f"Minimal {ctx['min_length']} karakter."


def _one_of_id(ctx: Mapping[str, Any]) -> str:
    return f"Harus {_join_in_indonesian(str(ctx['expected']))}."


def _join_in_indonesian(expected: str) -> str:
    """Pydantic's English list of allowed values (``'a', 'b' or 'c'``) joined the Indonesian way (``'a', 'b',
    atau 'c'``). Separators inside quoted values are left alone."""
    items: list[str] = []
    start = index = 0
    quote: str | None = None
    while index < len(expected):
        char = expected[index]
        if quote:
            if char == "\\":
                index += 1
            elif char == quote:
                quote = None
        elif char in "'\"":
            quote = char
        else:
            for separator in (", ", " or "):
                if expected.startswith(separator, index):
                    items.append(expected[start:index])
                    index += len(separator)
                    start = index
                    break
            else:
                index += 1
                continue
            continue
        index += 1
    items.append(expected[start:])
    if len(items) == 1:
        return items[0]
    if len(items) == 2:
        return f"{items[0]} atau {items[1]}"
    return f"{', '.join(items[:-1])}, atau {items[-1]}"


_DATE = ("Must be a valid date (YYYY-MM-DD).", "Harus berupa tanggal yang valid (YYYY-MM-DD).")
_DATETIME = (
    "Must be a valid date and time (ISO 8601, e.g. 2024-05-01T08:30:00+07:00).",
    "Harus berupa tanggal dan waktu yang valid (ISO 8601, mis. 2024-05-01T08:30:00+07:00).",
)
_INTEGER = ("Must be a whole number.", "Harus berupa bilangan bulat.")
_NUMBER = ("Must be a number.", "Harus berupa angka.")
_BOOLEAN = ("Must be true or false.", "Harus bernilai true atau false.")
_UUID = ("Must be a valid UUID.", "Harus berupa UUID yang valid.")
_OBJECT = ("Must be a JSON object.", "Harus berupa objek JSON.")
_URL = ("Must be a valid URL.", "Harus berupa URL yang valid.")
_ONE_OF: tuple[Template, Template] = ("Must be {expected}.", _one_of_id)

# Pydantic v2 error type -> (English, Indonesian). A string is formatted with the error's ``ctx`` (limits,
# patterns, allowed values: never the input); a function receives the ``ctx``.
_TRANSLATIONS: dict[str, tuple[Template, Template]] = {
    "missing": ("Field required.", "Wajib diisi."),
    "missing_argument": ("Missing required argument.", "Argumen wajib tidak ada."),
    "extra_forbidden": ("This field is not allowed.", "Kolom ini tidak dikenal dan tidak diizinkan."),
    "json_invalid": ("The request body is not valid JSON.", "Isi permintaan bukan JSON yang valid."),
    "string_type": ("Must be a string.", "Harus berupa teks."),
    "string_too_short": (_at_least_chars_en, _at_least_chars_id),
    "string_too_long": (
        lambda ctx: f"Must have at most {_count(ctx['max_length'], 'character', 'characters')}.",
        "Maksimal {max_length} karakter.",
    ),
    # An example of the format ("62.13"), never the regular expression.
    "string_pattern_mismatch": (
        lambda ctx: pattern_message_en(ctx["pattern"]), lambda ctx: pattern_message_id(ctx["pattern"]),
    ),
    "enum": _ONE_OF,
    "literal_error": _ONE_OF,
    "int_parsing": _INTEGER,
    "int_type": _INTEGER,
    "int_from_float": ("Must be a whole number, without a fraction.", "Harus berupa bilangan bulat, tanpa pecahan."),
    "float_parsing": _NUMBER,
    "float_type": _NUMBER,
    "greater_than_equal": ("Must be greater than or equal to {ge}.", "Harus lebih besar dari atau sama dengan {ge}."),
    "less_than_equal": ("Must be less than or equal to {le}.", "Harus lebih kecil dari atau sama dengan {le}."),
    "greater_than": ("Must be greater than {gt}.", "Harus lebih besar dari {gt}."),
    "less_than": ("Must be less than {lt}.", "Harus lebih kecil dari {lt}."),
    "multiple_of": ("Must be a multiple of {multiple_of}.", "Harus kelipatan {multiple_of}."),
    "too_short": (
        lambda ctx: f"Must have at least {_count(ctx['min_length'], 'item', 'items')}.",
        "Harus berisi minimal {min_length} item.",
    ),
    "too_long": (
        lambda ctx: f"Must have at most {_count(ctx['max_length'], 'item', 'items')}.",
        "Harus berisi maksimal {max_length} item.",
    ),
    "date_type": _DATE,
    "date_parsing": _DATE,
    "date_from_datetime_parsing": _DATE,
    "date_from_datetime_inexact": _DATE,
    "date_future": ("Must be a date in the future.", "Harus berupa tanggal di masa mendatang."),
    "date_past": ("Must be a date in the past.", "Harus berupa tanggal di masa lalu."),
    "datetime_type": _DATETIME,
    "datetime_parsing": _DATETIME,
    "datetime_from_date_parsing": _DATETIME,
    "datetime_future": ("Must be in the future.", "Harus berupa waktu di masa mendatang."),
    "datetime_past": ("Must be in the past.", "Harus berupa waktu di masa lalu."),
    "bool_type": _BOOLEAN,
    "bool_parsing": _BOOLEAN,
    "uuid_type": _UUID,
    "uuid_parsing": _UUID,
    "model_type": _OBJECT,
    "model_attributes_type": _OBJECT,
    "dict_type": _OBJECT,
    "list_type": ("Must be a list.", "Harus berupa daftar (list)."),
    "url_type": _URL,
    "url_parsing": _URL,
    "url_scheme": ("The URL scheme is not allowed.", "Skema URL tidak diizinkan."),
    # Every other refusal, in the same shape (``shared.refusal_messages``).
    **REFUSALS,
}

TRANSLATED_ERROR_TYPES: frozenset[str] = frozenset(_TRANSLATIONS)
"""The error types (pydantic's and our refusals') worded in both languages; any other type gets
:func:`localize_errors`'s fallback."""


def localize_errors(errors: Sequence[Mapping[str, Any]], language: Language) -> list[dict[str, Any]]:
    """Pydantic/FastAPI error items as ``{"loc", "msg", "type"}`` in ``language``, without ``input``, ``ctx``, ``url``.

    A :class:`LocalizedValueError` raised in a validator gives its own message and its ``code`` as the type. An
    error type we do not translate keeps pydantic's English ``msg`` in English and says "Nilai tidak valid." in
    Bahasa Indonesia. As a last guard, a message not worded by us (pydantic's, or a plain ``ValueError``'s) that
    contains a piece of the rejected input is replaced by :data:`GENERIC_MESSAGE`, and so is a
    :class:`LocalizedValueError`'s message that contains the scalar value its validator rejected.
    """
    localized = []
    for error in errors:
        ctx: Mapping[str, Any] = error.get("ctx") or {}
        loc: Loc = tuple(part if isinstance(part, int | str) else str(part) for part in error.get("loc", ()))
        error_type = str(error.get("type", "value_error"))
        raised = ctx.get("error")
        rejected = error.get("input")
        if isinstance(raised, LocalizedValueError):
            loc, error_type, message = raised.loc_under(loc), raised.code, raised.message(language)
            # Our own wording, which may name allowed values found elsewhere in a model's input; but a message
            # containing the very value a field validator rejected is echoing it.
            suspect = rejected if isinstance(rejected, str | int | float) else None
        else:
            message, worded_by_us = _message(error_type, ctx, language, fallback=error.get("msg"))
            suspect = None if worded_by_us else rejected
        if _echoes_input(message, suspect):
            message = GENERIC_MESSAGE[language]
        localized.append({"loc": list(loc), "msg": message, "type": error_type})
    return localized


def _message(error_type: str, ctx: Mapping[str, Any], language: Language, *, fallback: object) -> tuple[str, bool]:
    """The message for one error, and whether we worded it (from our templates and ``ctx`` alone)."""
    templates = _TRANSLATIONS.get(error_type)
    if templates is not None:
        template = templates[0] if language is Language.EN else templates[1]
        try:
            message = template.format_map(ctx) if isinstance(template, str) else template(ctx)
        except (KeyError, IndexError, TypeError, ValueError):
            pass  # a hand-made error without the ctx the template needs: fall back below
        else:
            if message:
                return message, True
    if language is Language.EN and isinstance(fallback, str) and fallback:
        return fallback, False
    return GENERIC_MESSAGE[language], True


# Shorter pieces of input match words and limits by chance, and say little about a person.
_MIN_ECHO_CHARS = 4
_MIN_ECHO_DIGITS = 6
_MAX_INPUT_NODES = 1000


def _echoes_input(message: str, value: object) -> bool:
    """Whether ``message`` repeats a string (or long number) found anywhere in the rejected input, searched within
    a budget so a huge body cannot make an error expensive."""
    pending, seen = [value], 0
    while pending and seen < _MAX_INPUT_NODES:
        item = pending.pop()
        seen += 1
        if isinstance(item, Mapping):
            pending.extend(item.values())
        elif isinstance(item, list | tuple | set | frozenset):
            pending.extend(item)
        elif isinstance(item, str):
            if len(item) >= _MIN_ECHO_CHARS and item in message:
                return True
        elif isinstance(item, int | float) and not isinstance(item, bool):
            text = str(item)
            if len(text) >= _MIN_ECHO_DIGITS and text in message:
                return True
    return False


def localized_error_response(
    errors: Sequence[Mapping[str, Any]],
    language: Language,
    *,
    status_code: int = status.HTTP_422_UNPROCESSABLE_CONTENT,
    headers: Mapping[str, str] | None = None,
) -> JSONResponse:
    """The ``{"detail": [...]}`` answer (422 unless told) for ``errors`` in ``language``."""
    return JSONResponse(
        {"detail": localize_errors(errors, language)}, status_code=status_code,
        headers={**language_headers(language), **(headers or {})},
    )


def language_headers(language: Language) -> dict[str, str]:
    """``Content-Language``, and ``Vary: Accept-Language`` so a cache does not hand one reader's language to
    another."""
    return {"Content-Language": language.value, "Vary": "Accept-Language"}


def request_language(request: Request) -> Language:
    """The language to answer ``request`` in."""
    return negotiate_language(request.headers.get("accept-language"))


async def domain_validation_error_handler(request: Request, error: DomainValidationError) -> JSONResponse:
    """Exception handler for :class:`DomainValidationError`: 422 in the request's language."""
    return localized_error_response(error.error_items(), request_language(request))
