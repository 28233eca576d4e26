"""The hotline operator's rules: which possible duplicates of a report they are shown, and raising a priority.

An operator works for a region (their token's regency, or province when they have none): the possible
duplicates of a report they are taking are shown from that region only, by number, date, priority and why they
match, never a personal field. A priority is only ever raised here, never lowered: triage may have missed what
the caller said, and lowering one is a decision this route does not take.
"""

from __future__ import annotations

from shared.auth import Principal
from shared.contracts.vocabulary import Priority
from shared.validation_messages import LocalizedValueError

_URGENCY = {Priority.P1: 3, Priority.P2: 2, Priority.P3: 1}


def in_region(principal: Principal, province_code: str, regency_code: str) -> bool:
    """True if the case's region is the principal's: their regency, else their province; nothing without one."""
    if principal.regency_code:
        return principal.regency_code == regency_code
    return bool(principal.province_code) and principal.province_code == province_code


def more_urgent(a: Priority, b: Priority) -> Priority:
    return a if _URGENCY[a] >= _URGENCY[b] else b


def check_raise(current: Priority, wanted: Priority) -> None:
    """A raise must make the case more urgent than it is."""
    if _URGENCY[wanted] <= _URGENCY[current]:
        raise LocalizedValueError(
            "priority_not_raised",
            en=f"The case is already {current.value}: a priority can only be raised, to a more urgent one.",
            id=f"Kasus sudah {current.value}: prioritas hanya dapat dinaikkan ke yang lebih mendesak.",
            field="priority",
        )


NOT_A_MATCH = LocalizedValueError(
    "link_not_a_match",
    en="Link a report only to one of the possible duplicates found for it in your region.",
    id="Tautkan laporan hanya ke salah satu kemungkinan duplikat yang ditemukan untuknya di wilayah Anda.",
)
