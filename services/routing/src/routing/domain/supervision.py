"""What a district supervisor decides by hand: referring a case to one more agency, and handing the case's lead to
another case manager agency. Both are checked here, against the directory and the victim's consent, before any
referral is made; a refusal says why in both languages.

- A manual referral: the agency must exist, be within the case's reach (the case's regency, its province, or a
  national agency), be active, be allowed by the case's consent, and not have had a referral of the case in its
  round (one per agency and round).
- A handover: the new lead must pass the same checks and be a case manager (UPTD PPA or Dinas PPA); the case
  must have an open lead referral. The old lead's referral ends (revoked, reason ``lead_handed_over``: its agency
  loses access, as for any revoke) and the new lead's begins, replacing it.
"""

from __future__ import annotations

from collections.abc import Sequence

from routing.domain.agencies import Agency, AgencyLevel
from routing.domain.cases import CaseToRoute
from routing.domain.referrals import Referral
from routing.domain.rules import ReferralDecision
from shared.contracts.vocabulary import CASE_MANAGERS
from shared.referral_access import consent_covers

MANUAL_RULE = "manual/supervisor"
HANDOVER_RULE = "manual/lead-handover"
LEAD_HANDED_OVER = "lead_handed_over"


class SupervisionError(Exception):
    """Why a manual referral or handover is refused: ``conflict`` (409: the case's or agency's state) or not
    (422: the agency asked for cannot take this case at all)."""

    def __init__(self, code: str, en: str, id: str, *, conflict: bool) -> None:
        super().__init__(en)
        self.code, self.en, self.id, self.conflict = code, en, id, conflict


def _unknown() -> SupervisionError:
    return SupervisionError("agency_unknown", "No agency with this id in the directory.",
                              "Tidak ada lembaga dengan id ini di direktori.", conflict=False)


def in_reach(agency: Agency, case: CaseToRoute) -> bool:
    """The agency serves where the case happened: its regency, its province, or the whole country."""
    return (agency.level is AgencyLevel.NATIONAL or agency.serves_regency(case.regency_code)
            or agency.serves_province(case.province_code))


def _check_agency(case: CaseToRoute, agency: Agency | None, referrals: Sequence[Referral]) -> Agency:
    if agency is None:
        raise _unknown()
    if not in_reach(agency, case):
        raise SupervisionError(
            "agency_out_of_reach", f"{agency.name} does not serve the case's regency or province.",
            f"{agency.name} tidak melayani kabupaten/kota atau provinsi kasus ini.", conflict=False)
    if not agency.active:
        raise SupervisionError(
            "agency_inactive", f"{agency.name} is not active in the directory.",
            f"{agency.name} tidak aktif di direktori.", conflict=True)
    if not consent_covers(frozenset(case.consented), agency.agency_type.value):
        raise SupervisionError(
            "consent_not_given", f"The victim's consent does not allow the case to go to {agency.name}.",
            f"Persetujuan korban tidak mengizinkan kasus ini dirujuk ke {agency.name}.", conflict=True)
    held = [r for r in referrals if r.agency_id == agency.agency_id]
    if any(not r.status.is_done for r in held):
        raise SupervisionError(
            "agency_holds_case", f"{agency.name} already holds an open referral of this case.",
            f"{agency.name} sudah memegang rujukan kasus ini yang masih berjalan.", conflict=True)
    if held:  # one referral per agency and round: a declined or revoked one is not made again
        raise SupervisionError(
            "agency_had_case", f"{agency.name} already had a referral of this case, which has ended.",
            f"{agency.name} sudah pernah mendapat rujukan kasus ini, yang sudah berakhir.", conflict=True)
    return agency


def manual_referral(
    case: CaseToRoute, agency: Agency | None, referrals: Sequence[Referral], *, reason: str,
) -> ReferralDecision:
    """The decision to refer ``case`` to ``agency`` by hand (a supporting referral), or a SupervisionError.
    ``referrals``: the case's referrals of its current round."""
    chosen = _check_agency(case, agency, referrals)
    return ReferralDecision(chosen, MANUAL_RULE, f"Referred by hand by the district supervisor: {reason}",
                            is_lead=False)


def lead_handover(
    case: CaseToRoute, agency: Agency | None, referrals: Sequence[Referral], *, reason: str,
) -> tuple[Referral, ReferralDecision]:
    """The open lead referral that ends, and the decision for the new lead; or a SupervisionError."""
    open_referrals = [r for r in referrals if not r.status.is_done]
    lead = next((r for r in open_referrals if r.is_lead), None)
    if agency is not None and lead is not None and agency.agency_id == lead.agency_id:
        raise SupervisionError(
            "agency_is_lead", f"{agency.name} already leads this case.",
            f"{agency.name} sudah menjadi lembaga utama kasus ini.", conflict=True)
    if agency is not None and agency.agency_type not in CASE_MANAGERS:
        raise SupervisionError(
            "agency_not_case_manager", f"{agency.name} is not a case manager agency (UPTD PPA or Dinas PPA).",
            f"{agency.name} bukan lembaga pengelola kasus (UPTD PPA atau Dinas PPA).", conflict=False)
    chosen = _check_agency(case, agency, referrals)
    if lead is None:
        raise SupervisionError(
            "no_open_lead", "The case has no open lead referral to hand over.",
            "Kasus ini tidak memiliki rujukan utama yang masih berjalan untuk dialihkan.", conflict=True)
    decision = ReferralDecision(
        chosen, HANDOVER_RULE,
        f"Lead handed over by the district supervisor from {lead.agency_name} ({lead.agency_id}): {reason}",
        is_lead=True)
    return lead, decision
