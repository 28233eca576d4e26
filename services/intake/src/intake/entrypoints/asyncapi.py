"""The AsyncAPI document of intake's events, generated from the code:
`faststream docs gen intake.entrypoints.asyncapi:spec --yaml` (or `make docs`)."""

from intake import SERVICE
from intake.entrypoints.subscribers import CONSUMES
from shared.asyncapi import service_spec
from shared.contracts import CaseClosed, CaseLinked, CaseReported, CaseUpdated, PersonalDataRead

spec = service_spec(
    SERVICE,
    description="Intake opens a case for every accepted report and announces it, with its triage and no personal "
    "field, on sinergi.cases; there too it links reports of the same incident (case.linked) and announces later "
    "updates and closures (case.updated, case.closed). It learns from routing's referrals which agencies may "
    "read each case, and records every "
    "read of personal fields on sinergi.audit.",
    consumes=CONSUMES,
    publishes=(CaseReported, CaseLinked, CaseUpdated, CaseClosed, PersonalDataRead),
)
