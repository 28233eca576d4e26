"""The workspace says why a case was referred in the person's language, from the rule routing names: every rule
of routing's lead-agency ladder, its escalation and its default rule set has words in both catalogues; a rule
a province added shows routing's own sentence, marked as English."""

from __future__ import annotations

from routing.domain.rules import LEAD_AGENCY_LADDER, RULE_NATIONAL_FALLBACK
from routing.rules_data import packaged_rules
from routing.service_layer.referrals import RULE_ESCALATION
from workspace.entrypoints.labels import REASONS, referral_reason
from workspace.entrypoints.rendering import Pages


def test_every_rule_routing_ships_has_words_in_the_workspace() -> None:
    shipped = {step.rule for step in LEAD_AGENCY_LADDER} | {RULE_NATIONAL_FALLBACK, RULE_ESCALATION}
    shipped |= {rule.id for rule in packaged_rules().rules}
    assert shipped <= set(REASONS), sorted(shipped - set(REASONS))


def test_the_reason_is_in_the_persons_language() -> None:
    pages = Pages()
    referral = {"rule": "lead-agency/regency-uptd", "reason": "UPTD PPA X is the active UPTD PPA of regency 62.13."}
    indonesian = referral_reason(referral, pages.translations["id"].gettext)
    assert indonesian == ("Pengelola kasus: UPTD PPA kabupaten/kota tempat kasus terjadi.", None)
    english = referral_reason(referral, pages.translations["en"].gettext)
    assert english == ("Case manager: the UPTD PPA of the case's regency.", None)
    replacing = referral_reason({**referral, "replaces_referral_id": "r0"}, pages.translations["id"].gettext)
    assert replacing[0].endswith("Rujukan ini menggantikan lembaga yang menolak kasus atau tidak dapat menanganinya.")


def test_a_provinces_own_rule_shows_routings_sentence_marked_english() -> None:
    referral = {"rule": "province-62/ngo-shelter", "reason": "Rule province-62/ngo-shelter (A shelter)."}
    assert referral_reason(referral, Pages().translations["id"].gettext) == (referral["reason"], "en")
