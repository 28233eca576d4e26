"""Routing's refusals worded with what they concern (agency ids and regency codes: public directory codes, never
personal data): a directory or rules write outside the admin's province (403, raised with
``shared.http_errors.refused_by``), and a directory write that would leave a regency without an active lead
agency (422). Both reach the caller in the shared shape and language of every error."""

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


def without_lead(regencies: tuple[str, ...]) -> LocalizedValueError:
    """The same refusal for an import, one agency's replacement and a deactivation."""
    which = ", ".join(regencies)
    return LocalizedValueError(
        "regency_without_lead_agency",
        en=f"This would leave regency {which} with no active lead agency (UPTD PPA or Dinas PPA): its cases would go "
           "to a fallback. Keep or add one there.",
        id=f"Ini akan membuat kabupaten/kota {which} tanpa lembaga utama aktif (UPTD PPA atau Dinas PPA): kasusnya "
           "akan dialihkan ke cadangan. Pertahankan atau tambahkan satu di sana.",
    )
