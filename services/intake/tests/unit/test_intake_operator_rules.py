"""The operator's rules: the region a possible duplicate must be in, and a priority only ever raised."""

from __future__ import annotations

import pytest

from intake.domain.operator_rules import check_raise, in_region, more_urgent
from shared.auth import Principal, Role
from shared.contracts.vocabulary import Priority
from shared.validation_messages import LocalizedValueError


def operator(province: str | None, regency: str | None) -> Principal:
    return Principal(user_id="op", roles=frozenset({Role.OPERATOR}), province_code=province, regency_code=regency)


def test_the_region_is_the_regency_else_the_province_else_none() -> None:
    assert in_region(operator("62", "62.13"), "62", "62.13")
    assert not in_region(operator("62", "62.13"), "62", "62.71")
    assert in_region(operator("62", None), "62", "62.71")
    assert not in_region(operator("62", None), "63", "63.71")
    assert not in_region(operator(None, None), "62", "62.13")


@pytest.mark.parametrize(("current", "wanted"), [("P3", "P2"), ("P3", "P1"), ("P2", "P1")])
def test_a_more_urgent_priority_is_a_raise(current: str, wanted: str) -> None:
    check_raise(Priority(current), Priority(wanted))
    assert more_urgent(Priority(current), Priority(wanted)) == Priority(wanted)


@pytest.mark.parametrize(("current", "wanted"), [("P1", "P1"), ("P1", "P3"), ("P2", "P3"), ("P2", "P2")])
def test_the_same_or_a_lower_priority_is_refused_naming_the_field(current: str, wanted: str) -> None:
    with pytest.raises(LocalizedValueError) as refused:
        check_raise(Priority(current), Priority(wanted))
    assert refused.value.field == "priority"
    assert current in refused.value.id
    assert more_urgent(Priority(current), Priority(wanted)) == Priority(current)
