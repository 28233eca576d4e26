"""A case: the report it was opened for, its number, channel and triage, and the events it raises."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import cached_property
from typing import Literal
from uuid import UUID

from intake.domain.access import RECORDERS
from intake.domain.operator_rules import more_urgent
from intake.domain.record import Report
from intake.domain.triage import Triage, triage
from shared.auth import Principal
from shared.contracts import CaseClosed, CaseReopened, CaseReported, CaseUpdated
from shared.contracts.intake import CaseFacts, Consent, PerpetratorFacts, VictimFacts
from shared.contracts.vocabulary import AgeGroup, Channel, Priority
from shared.validation_messages import LocalizedValueError

# Reported by staff through the API; the web form and the message gateways set their own channel.
STAFF_CHANNELS = frozenset(
    {Channel.HOTLINE, Channel.WALK_IN, Channel.POLICE, Channel.SCHOOL, Channel.HEALTH, Channel.COMMUNITY}
)

ClosureReason = Literal["handled", "duplicate", "withdrawn", "referred_elsewhere", "unreachable"]
ReopenReason = Literal["victim_returned", "repeat_perpetrator", "closed_by_mistake", "new_information"]


def case_number(regency_code: str, year: int, sequence: int) -> str:
    """Human-readable, per regency and year: ``6213-2026-00042``."""
    return f"{regency_code.replace('.', '')}-{year}-{sequence:05d}"


def channel_for(requested: Channel | None, principal: Principal) -> Channel:
    """The channel a report came by. The public reports on the web; staff say how it reached them."""
    if not principal.has_role(*RECORDERS):
        if requested not in (None, Channel.WEB):
            raise LocalizedValueError(
                "channel_for_staff", en="Only staff record reports from this channel.",
                id="Hanya petugas yang mencatat laporan dari saluran ini.", field="channel",
            )
        return Channel.WEB
    if requested is None:
        raise LocalizedValueError(
            "missing_channel", en="Say how the report reached you.", id="Sebutkan saluran laporan diterima.",
            field="channel",
        )
    if requested not in STAFF_CHANNELS:
        raise LocalizedValueError(
            "channel_not_for_staff",
            en="Web reports come through the public form, WhatsApp and SMS through the message gateway.",
            id="Laporan web melalui formulir publik, WhatsApp dan SMS melalui gateway pesan.", field="channel",
        )
    return requested


@dataclass(frozen=True)
class Case:
    case_id: UUID
    case_number: str
    report: Report
    channel: Channel
    reported_at: datetime
    recorded_by: str | None = None  # the staff member who recorded it; None when the public reported directly
    raised_priority: Priority | None = None  # an operator's raise: triage again never lowers the case below it

    @cached_property  # asked for by the event and by storage; the case is frozen, so it never changes
    def triage(self) -> Triage:
        assessed = triage(self.report, self.reported_at.date())
        if self.raised_priority is None:
            return assessed
        return Triage(more_urgent(assessed.priority, self.raised_priority), assessed.reasons)

    def facts(self) -> CaseFacts:
        report, day = self.report, self.reported_at.date()
        incident = report.incident.normalised()
        assessed = self.triage
        return CaseFacts(
            case_number=self.case_number,
            province_code=report.location.province_code,
            regency_code=report.location.regency_code,
            district_code=report.location.district_code,
            village_code=report.location.village_code,
            violence_types=tuple(report.violence_types),
            child_in_conflict_with_law=report.child_in_conflict_with_law,
            place=report.location.place,
            incident_date=incident.date,
            incident_date_precision=incident.precision,
            victims=tuple(
                VictimFacts(
                    sex=v.sex, age_group=v.age_group_on(day), has_disability=v.has_disability,
                    education=v.education, nationality=v.nationality,
                )
                for v in report.victims
            ),
            perpetrators=tuple(
                PerpetratorFacts(sex=p.sex, age_group=AgeGroup.of_age(p.age), relationship=p.relationship)
                for p in report.perpetrators
            ),
            needs=tuple(report.needs),
            consent=Consent(given_by=report.consent.given_by, agency_types=report.consent.shared_with()),
            priority=assessed.priority,
            triage_reasons=assessed.reasons,
            channel=self.channel,
            reported_at=self.reported_at,
        )

    def reported_event(self) -> CaseReported:
        return CaseReported(case_id=self.case_id, **dict(self.facts()))

    def updated_event(
        self, *, update_id: UUID, kind: Literal["information_added", "corrected"], changed: tuple[str, ...], by: str
    ) -> CaseUpdated:
        return CaseUpdated(
            case_id=self.case_id, update_id=update_id, kind=kind, changed_fields=changed, updated_by=by,
            **dict(self.facts()),
        )

    def closed_event(self, *, reason: ClosureReason, duplicate_of: UUID | None, by: str) -> CaseClosed:
        location = self.report.location
        return CaseClosed(
            case_id=self.case_id, case_number=self.case_number, province_code=location.province_code,
            regency_code=location.regency_code, district_code=location.district_code,
            village_code=location.village_code, reason=reason, duplicate_of=duplicate_of, closed_by=by,
        )

    def reopened_event(self, *, reason: ReopenReason, by: str) -> CaseReopened:
        location = self.report.location
        return CaseReopened(
            case_id=self.case_id, case_number=self.case_number, province_code=location.province_code,
            regency_code=location.regency_code, district_code=location.district_code,
            village_code=location.village_code, reason=reason, reopened_by=by,
        )
