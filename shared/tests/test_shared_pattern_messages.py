"""A value in the wrong format is explained with an example of the right one, in both languages; a pattern
without an example gets a plain sentence, and the regular expression is never shown."""

from __future__ import annotations

import re

import pytest
from pydantic import BaseModel, Field, ValidationError

from shared.pattern_messages import KNOWN_PATTERNS, pattern_examples, pattern_message_en, pattern_message_id
from shared.validation_messages import Language, localize_errors


class Location(BaseModel):
    province_code: str = Field(pattern=r"^\d{2}$")
    regency_code: str = Field(pattern=r"^\d{2}\.\d{2}$")
    district_code: str = Field(pattern=r"^\d{2}\.\d{2}\.\d{2}$")
    village_code: str = Field(pattern=r"^\d{2}\.\d{2}\.\d{2}\.\d{4}$")
    slot: str = Field(pattern=r"^[A-Z]{3}-\d+$")  # a pattern no contract uses


def messages(language: Language) -> dict[str, str]:
    with pytest.raises(ValidationError) as caught:
        Location(province_code="6", regency_code="6213", district_code="62.13", village_code="62", slot="x")
    return {str(item["loc"][-1]): item["msg"] for item in localize_errors(caught.value.errors(), language)}


def test_codes_in_the_wrong_format_are_explained_by_example() -> None:
    assert messages(Language.ID) == {
        "province_code": "Harus berupa kode provinsi dua digit, mis. 62.",
        "regency_code": "Harus berupa kode kabupaten/kota, mis. 62.13.",
        "district_code": "Harus berupa kode kecamatan, mis. 62.13.01.",
        "village_code": "Harus berupa kode desa/kelurahan, mis. 62.13.01.2003.",
        "slot": "Formatnya tidak sesuai.",
    }
    assert messages(Language.EN) == {
        "province_code": "Must be a two-digit province code, e.g. 62.",
        "regency_code": "Must be a regency or city code, e.g. 62.13.",
        "district_code": "Must be a district (kecamatan) code, e.g. 62.13.01.",
        "village_code": "Must be a village (desa) code, e.g. 62.13.01.2003.",
        "slot": "Does not have the required format.",
    }


@pytest.mark.parametrize("pattern", sorted(KNOWN_PATTERNS))
def test_each_example_matches_its_own_pattern(pattern: str) -> None:
    examples = pattern_examples(pattern)

    assert examples
    for example in examples:
        assert re.fullmatch(pattern, example), example
        assert example in pattern_message_en(pattern)
        assert example in pattern_message_id(pattern)
    assert pattern not in pattern_message_en(pattern) + pattern_message_id(pattern)
