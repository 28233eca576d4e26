"""What a directory import (or a bulk ``PUT``) would change, before it changes anything.

An import changes only the agencies it names. Taking agencies out of service is the one change that can silently
send a province's cases elsewhere, so it is never a side effect: the caller previews the change (a dry run gives
the diff and its digest), then applies it with an explicit flag and that digest. The digest covers the file and
the named agencies as they are now, so a preview of another file, or of a directory that has changed since,
does not apply. An import that would leave a regency with no active lead agency (its own UPTD PPA or Dinas PPA)
is refused whatever the flags say: its cases would go to a fallback.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass

from routing.domain.agencies import Agency, AgencyLevel
from shared.contracts.vocabulary import AgencyType

LEAD_TYPES = frozenset({AgencyType.UPTD_PPA, AgencyType.DINAS_PPA})


@dataclass(frozen=True)
class DirectoryDiff:
    """The agencies a write would create, change, take out of service, or leave exactly as they are (by id)."""

    created: tuple[str, ...]
    changed: tuple[str, ...]
    deactivated: tuple[str, ...]
    unchanged: tuple[str, ...]
    digest: str


def _document(agency: Agency | None) -> object:
    return None if agency is None else asdict(agency)


def diff(current: Iterable[Agency], incoming: Sequence[Agency]) -> DirectoryDiff:
    """The change ``incoming`` makes to the directory ``current`` (which holds at least the named agencies)."""
    before = {agency.agency_id: agency for agency in current}
    created, changed, deactivated, unchanged = [], [], [], []
    for agency in incoming:
        old = before.get(agency.agency_id)
        if old is None:
            created.append(agency.agency_id)
        elif old == agency:
            unchanged.append(agency.agency_id)
        elif old.active and not agency.active:
            deactivated.append(agency.agency_id)
        else:
            changed.append(agency.agency_id)
    state = [[_document(before.get(agency.agency_id)), _document(agency)] for agency in incoming]
    text = json.dumps(sorted(state, key=lambda pair: json.dumps(pair, sort_keys=True, default=str)),
                      sort_keys=True, default=str)
    return DirectoryDiff(tuple(sorted(created)), tuple(sorted(changed)), tuple(sorted(deactivated)),
                         tuple(sorted(unchanged)), hashlib.sha256(text.encode()).hexdigest())


def _regencies_with_lead(directory: Iterable[Agency]) -> set[str]:
    return {
        agency.regency_code for agency in directory
        if agency.active and agency.level is AgencyLevel.REGENCY and agency.agency_type in LEAD_TYPES
        and agency.regency_code is not None and agency.local_area is None
    }


def regencies_left_without_lead(current: Iterable[Agency], incoming: Iterable[Agency]) -> tuple[str, ...]:
    """The regencies that have an active lead agency in ``current`` and would have none after ``incoming``."""
    before = {agency.agency_id: agency for agency in current}
    after = before | {agency.agency_id: agency for agency in incoming}
    return tuple(sorted(_regencies_with_lead(before.values()) - _regencies_with_lead(after.values())))
