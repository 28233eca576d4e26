"""Refusals in the caller's language (Bahasa Indonesia unless ``Accept-Language`` asks for English): a 403 for
what is not the caller's to change, a 409 for a move its referral's state does not allow. The body keeps the shape
routing's and intake's refusals already have (``{"detail": {"message": ..., ...}}``, with ``type`` the machine
code), labelled with ``Content-Language`` like the 422s of ``shared.validation_messages``."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, HTTPException, Request

from shared.validation_messages import Language, LocalizedValueError, request_language


async def _language(request: Request) -> Language:
    return request_language(request)


CallerLanguage = Annotated[Language, Depends(_language)]


def refusal(status_code: int, error: LocalizedValueError, language: Language, **details: Any) -> HTTPException:
    return HTTPException(
        status_code,
        {"type": error.code, "message": error.message(language), **details},
        headers={"Content-Language": language.value, "Vary": "Accept-Language"},
    )


SHOWN_IDS = 5  # enough to find the culprits; the rest counted


def outside_province(agency_ids: tuple[str, ...] = ()) -> LocalizedValueError:
    more = len(agency_ids) - SHOWN_IDS
    which = f" ({', '.join(agency_ids[:SHOWN_IDS])}{f' +{more}' if more > 0 else ''})" if agency_ids else ""
    return LocalizedValueError(
        "outside_your_province",
        en=f"Not yours to change{which}: a province admin changes only their own province, and only a national "
           "admin the national agencies and the national default rules.",
        id=f"Bukan wewenang Anda untuk mengubahnya{which}: admin provinsi hanya mengubah provinsinya sendiri, dan "
           "hanya admin nasional yang mengubah lembaga nasional dan aturan bawaan nasional.",
    )
