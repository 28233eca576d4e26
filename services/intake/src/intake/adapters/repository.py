"""Storing cases; personal fields are encrypted here, on the way in, each bound to its case and path.

Every query runs under the unit of work's access context, so row-level security has already dropped what the
caller may not see before any row reaches Python.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import and_, delete, or_, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from intake.adapters.grants import grants_of
from intake.adapters.tables import (
    CaseFingerprintRow,
    CaseLinkRow,
    CaseNumberCounter,
    CasePersonalFieldRow,
    CaseRow,
    CaseUpdateRow,
)
from intake.domain.access import CaseScope, Grant, PersonalField
from intake.domain.duplicates import PLACE_WINDOW, Fingerprint
from intake.domain.model import Case
from intake.domain.record import split_personal
from shared.contracts.vocabulary import LinkReason
from shared.crypto import FieldCipher

_cases = CaseRow.__table__  # type: ignore[attr-defined]  # SQLModel sets it at class creation
_personal = CasePersonalFieldRow.__table__  # type: ignore[attr-defined]
_counters = CaseNumberCounter.__table__  # type: ignore[attr-defined]
_fingerprints = CaseFingerprintRow.__table__  # type: ignore[attr-defined]
_links = CaseLinkRow.__table__  # type: ignore[attr-defined]
_updates = CaseUpdateRow.__table__  # type: ignore[attr-defined]


async def next_case_sequence(session: AsyncSession, regency_code: str, year: int) -> int:
    """The next number for a regency and year. The row lock of the upsert serialises concurrent reports, so
    no two cases get the same number."""
    statement = (
        insert(_counters)
        .values(regency_code=regency_code, year=year, last_number=1)
        .on_conflict_do_update(
            index_elements=["regency_code", "year"], set_={"last_number": _counters.c.last_number + 1}
        )
        .returning(_counters.c.last_number)
    )
    return int((await session.execute(statement)).scalar_one())


def _case_columns(case: Case, facts: dict[str, Any]) -> dict[str, Any]:
    assessed = case.triage
    return {
        "province_code": case.report.location.province_code,
        "regency_code": case.report.location.regency_code,
        "violence_types": [v.value for v in case.report.violence_types],
        "channel": case.channel.value,
        "facts": facts,
        "priority": assessed.priority.value,
        "priority_raised_to": case.raised_priority.value if case.raised_priority else None,
        "triage_reasons": [r.value for r in assessed.reasons],
    }


async def add_case(session: AsyncSession, case: Case, cipher: FieldCipher) -> None:
    facts, personal = split_personal(case.report)
    # Plain INSERTs (no RETURNING): the public may add a case it is not allowed to read back.
    await session.execute(
        _cases.insert().values(
            case_id=case.case_id,
            case_number=case.case_number,
            reported_at=case.reported_at,
            recorded_by=case.recorded_by,
            **_case_columns(case, facts),
        )
    )
    await put_personal(session, case.case_id, personal, cipher)


async def put_personal(
    session: AsyncSession, case_id: UUID, values: dict[str, tuple[PersonalField, str]], cipher: FieldCipher
) -> None:
    """Store personal fields, each encrypted and bound to the case and its path."""
    if not values:
        return
    await session.execute(
        _personal.insert(),
        [
            {
                "case_id": case_id,
                "field": path,
                "kind": kind.value,
                "bound_to": path,
                "ciphertext": cipher.encrypt(value, case_id=case_id, field=path),
            }
            for path, (kind, value) in values.items()
        ],
    )


async def replace_case(session: AsyncSession, case: Case, cipher: FieldCipher) -> None:
    """Write a corrected case over the stored one: its facts and every personal field of its record."""
    facts, personal = split_personal(case.report)
    await session.execute(
        update(_cases).where(_cases.c.case_id == case.case_id).values(**_case_columns(case, facts))
    )
    notes = _personal.c.field.like("notes.%")
    await session.execute(delete(_personal).where(_personal.c.case_id == case.case_id, ~notes))
    await put_personal(session, case.case_id, personal, cipher)


async def close_case(session: AsyncSession, case_id: UUID, *, reason: str, at: datetime) -> None:
    await session.execute(
        update(_cases).where(_cases.c.case_id == case_id).values(status="closed", closure_reason=reason, closed_at=at)
    )


async def reopen_case(session: AsyncSession, case_id: UUID) -> None:
    await session.execute(
        update(_cases).where(_cases.c.case_id == case_id).values(status="open", closure_reason=None, closed_at=None)
    )


async def add_update(
    session: AsyncSession, *, update_id: UUID, case_id: UUID, kind: str, changed: tuple[str, ...], by: str,
    at: datetime, agency: str | None = None,
) -> None:
    await session.execute(
        _updates.insert().values(
            update_id=update_id, case_id=case_id, kind=kind, changed_fields=list(changed), updated_by=by, updated_at=at,
            updated_by_agency=agency,
        )
    )


@dataclass(frozen=True)
class CaseRecord:
    """A case as stored, with its personal fields still encrypted."""

    case_id: UUID
    case_number: str
    province_code: str
    regency_code: str
    channel: str
    reported_at: datetime
    recorded_by: str | None
    facts: dict[str, Any]
    priority: str
    triage_reasons: tuple[str, ...]
    status: str
    closure_reason: str | None
    scope: CaseScope  # as of the moment the record was read for
    priority_raised_to: str | None = None
    ciphertexts: dict[str, tuple[PersonalField, str, str]] = field(default_factory=dict, repr=False)
    links: tuple[tuple[UUID, tuple[str, ...]], ...] = ()

    def decrypt(self, cipher: FieldCipher, readable: frozenset[PersonalField]) -> dict[str, str]:
        """The personal fields of the kinds in ``readable``, by path."""
        return {
            path: cipher.decrypt(ciphertext, case_id=self.case_id, field=bound_to)
            for path, (kind, bound_to, ciphertext) in self.ciphertexts.items()
            if kind in readable
        }


def _record(row: Any, grants: tuple[Grant, ...], ciphertexts: dict[str, tuple[PersonalField, str, str]], *,
            now: datetime, links: tuple[tuple[UUID, tuple[str, ...]], ...] = ()) -> CaseRecord:
    return CaseRecord(
        case_id=row.case_id,
        case_number=row.case_number,
        province_code=row.province_code,
        regency_code=row.regency_code,
        channel=row.channel,
        reported_at=row.reported_at,
        recorded_by=row.recorded_by,
        facts=row.facts,
        priority=row.priority,
        triage_reasons=tuple(row.triage_reasons),
        status=row.status,
        closure_reason=row.closure_reason,
        scope=CaseScope(row.province_code, row.regency_code, row.recorded_by, now, grants, row.status),
        priority_raised_to=row.priority_raised_to,
        ciphertexts=ciphertexts,
        links=links,
    )


async def get_case(
    session: AsyncSession, case_id: UUID, *, now: datetime, for_update: bool = False
) -> CaseRecord | None:
    query = select(_cases).where(_cases.c.case_id == case_id)
    row = (await session.execute(query.with_for_update() if for_update else query)).one_or_none()
    if row is None:
        return None
    grants = await grants_of(session, [case_id])
    personal = await session.execute(
        select(_personal.c.field, _personal.c.kind, _personal.c.bound_to, _personal.c.ciphertext).where(
            _personal.c.case_id == case_id
        )
    )
    links = await session.execute(
        select(_links.c.case_id, _links.c.linked_case_id, _links.c.reasons).where(
            or_(_links.c.case_id == case_id, _links.c.linked_case_id == case_id)
        )
    )
    return _record(
        row,
        grants.get(case_id, ()),
        {p.field: (PersonalField(p.kind), p.bound_to, p.ciphertext) for p in personal},
        now=now,
        links=tuple(
            (link.linked_case_id if link.case_id == case_id else link.case_id, tuple(link.reasons)) for link in links
        ),
    )


async def list_cases(session: AsyncSession, *, limit: int, now: datetime) -> list[CaseRecord]:
    """The newest cases the caller may see, without personal fields."""
    rows = (await session.execute(select(_cases).order_by(_cases.c.reported_at.desc()).limit(limit))).all()
    grants = await grants_of(session, [row.case_id for row in rows])
    return [_record(row, grants.get(row.case_id, ()), {}, now=now) for row in rows]


# -- duplicates ---------------------------------------------------------------------------------------------

MAX_LINKS = 20  # a report that matches more than this is linked to the newest


async def matching_cases(session: AsyncSession, prints: list[Fingerprint]) -> dict[tuple[UUID, str], set[LinkReason]]:
    """Earlier cases sharing a fingerprint with ``prints`` (places only within the window), newest first, with
    their case numbers and why they match. Run as the service: the caller may not see those cases."""
    conditions = []
    for print_ in prints:
        condition = and_(_fingerprints.c.reason == print_.reason.value, _fingerprints.c.digest == print_.digest)
        if print_.day is not None:
            window = _fingerprints.c.day.between(print_.day - PLACE_WINDOW, print_.day + PLACE_WINDOW)
            condition = and_(condition, window)
        conditions.append(condition)
    if not conditions:
        return {}
    rows = await session.execute(
        select(_fingerprints.c.case_id, _cases.c.case_number, _fingerprints.c.reason)
        .join(_cases, _cases.c.case_id == _fingerprints.c.case_id)
        .where(or_(*conditions))
        .order_by(_cases.c.reported_at.desc())
    )
    found: dict[tuple[UUID, str], set[LinkReason]] = {}
    for row in rows:
        key = (row.case_id, row.case_number)
        if key in found or len(found) < MAX_LINKS:
            found.setdefault(key, set()).add(LinkReason(row.reason))
    return found


async def add_fingerprints(session: AsyncSession, case_id: UUID, prints: list[Fingerprint]) -> None:
    if prints:
        await session.execute(
            insert(_fingerprints).on_conflict_do_nothing(),
            [{"case_id": case_id, "reason": p.reason.value, "digest": p.digest, "day": p.day} for p in prints],
        )


async def replace_fingerprints(session: AsyncSession, case_id: UUID, prints: list[Fingerprint]) -> None:
    await session.execute(delete(_fingerprints).where(_fingerprints.c.case_id == case_id))
    await add_fingerprints(session, case_id, prints)


async def add_link(
    session: AsyncSession, case_id: UUID, linked_case_id: UUID, reasons: list[str], at: datetime
) -> None:
    await session.execute(
        insert(_links)
        .values(case_id=case_id, linked_case_id=linked_case_id, reasons=reasons, linked_at=at)
        .on_conflict_do_nothing()
    )
