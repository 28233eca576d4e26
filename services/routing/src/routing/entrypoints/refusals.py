"""Routing's one refusal worded with what it concerns: a directory or rules write outside the admin's province
(403), naming the agencies refused (their ids: public directory codes, never personal data). Raised with
``shared.http_errors.refused_by``, it reaches the caller in the shared shape and language of every error."""

from __future__ import annotations

from shared.validation_messages import LocalizedValueError

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
