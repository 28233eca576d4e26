"""The words of the district supervisor's pages (gettext message ids, marked for Babel's extraction)."""

from __future__ import annotations

from workspace.entrypoints.labels import FIELD_ERRORS, N_

HAND_ERRORS = {
    **FIELD_ERRORS,
    "agency_missing": N_("Select the agency."),
    "hand_reason_too_short": N_("Write the reason, in at least 3 characters."),
    "confirm_missing": N_("Tick the box to confirm."),
}
DONE = {
    "refer": N_("The case was referred to the agency you chose."),
    "handover": N_("The lead was handed over: the old lead's referral ended, the new lead's began."),
    "revoke": N_("The referral was revoked."),
}
REFUSED = N_("Routing did not make this change: %(reason)s Nothing was changed.")
REASONS = {
    "manual/supervisor": N_("Referred by hand by the district supervisor."),
    "manual/lead-handover": N_("Case manager by a handover of the lead by the district supervisor."),
}
STATUS_REASONS = {"lead_handed_over": N_("the lead was handed over to another agency"),
                  "case_closed": N_("the case was closed")}
