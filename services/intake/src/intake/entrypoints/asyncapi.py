"""The AsyncAPI document of intake's events, generated from the code:
`faststream docs gen intake.entrypoints.asyncapi:spec --yaml` (or `make docs`)."""

from intake import SERVICE
from intake.entrypoints.subscribers import CONSUMES
from shared.asyncapi import service_spec
from shared.contracts import CaseClosed, CaseLinked, CaseReopened, CaseReported, CaseUpdated, PersonalDataRead

spec = service_spec(
    SERVICE,
    description="Intake opens a case for every accepted report and announces it, with its triage and no personal "
    "field, on sinergi.cases; there too it links reports of the same incident (case.linked) and announces later "
    "updates, closures and reopenings (case.updated, case.closed, case.reopened). It follows routing's referral "
    "events (created, accepted, service_started, completed, declined, revoked) to decide what each agency may "
    "still do with a case: read and add to it while its referral is live, read only for the follow-up period "
    "once it is completed or the case closed, nothing once it is declined or revoked. It records every read of "
    "personal fields on sinergi.audit.",
    consumes=CONSUMES,
    publishes=(CaseReported, CaseLinked, CaseUpdated, CaseClosed, CaseReopened, PersonalDataRead),
)
