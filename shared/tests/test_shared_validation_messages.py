from __future__ import annotations

import json
from enum import StrEnum
from typing import Annotated, Any, Literal

import httpx
import pytest
from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from shared.service import validation_error_without_input
from shared.validation_messages import (
    GENERIC_MESSAGE,
    TRANSLATED_ERROR_TYPES,
    DomainValidationError,
    Language,
    LocalizedValueError,
    domain_validation_error_handler,
    localize_errors,
    negotiate_language,
)

SECRET = "Siti-081234567890-rahasia"


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (None, Language.ID),
        ("", Language.ID),
        ("id", Language.ID),
        ("id-ID", Language.ID),
        ("in-ID", Language.ID),
        ("en", Language.EN),
        ("en-GB", Language.EN),
        ("EN-us", Language.EN),
        ("en-US,en;q=0.9,id;q=0.8", Language.EN),
        ("id-ID,id;q=0.9,en-US;q=0.8,en;q=0.7", Language.ID),
        ("fr-FR,en;q=0.5,id;q=0.9", Language.ID),
        ("fr, de;q=0.9", Language.ID),
        ("*", Language.ID),
        ("fr, *;q=0.5", Language.ID),
        ("id;q=0.5, *;q=0.8", Language.EN),
        ("*, id;q=0", Language.EN),
        ("en, id", Language.EN),
        ("id, en", Language.ID),
        ("en;q=0.5, *;q=0.5", Language.EN),
        ("en;q=0", Language.ID),
        ("id;q=0", Language.EN),
        ("id;q=0, en;q=0", Language.ID),
        ("en;q=abc, id;q=0.1", Language.ID),
        ("en;q=2", Language.ID),
        ("en;q=nan", Language.ID),
        (";;;,,,", Language.ID),
        ("\x00\xff garbage", Language.ID),
        ("en_US", Language.ID),
        ("  en-AU ; q=0.7 ", Language.EN),
        ("x" * 100_000 + ",en", Language.ID),
    ],
)
def test_accept_language_negotiation(header: str | None, expected: Language) -> None:
    assert negotiate_language(header) is expected


class Sex(StrEnum):
    FEMALE = "female"
    MALE = "male"
    UNKNOWN = "unknown"


class VictimIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    sex: Sex
    age: Annotated[int, Field(ge=0, le=120)]
    name: Annotated[str | None, Field(max_length=10)] = None


class ReportBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    regency_code: Annotated[str, Field(pattern=r"^\d{2}\.\d{2}$")]
    channel: Literal["web", "hotline", "walk_in"]
    narrative: Annotated[str, Field(min_length=20, max_length=5000)]
    victims: Annotated[list[VictimIn], Field(min_length=1, max_length=3)]
    reporter_phone: str | None = None

    @field_validator("regency_code")
    @classmethod
    def known_regency(cls, code: str) -> str:
        if code == "99.99":
            raise LocalizedValueError(
                "unknown_regency",
                en="Unknown regency or city code.",
                id="Kode kabupaten/kota tidak dikenal.",
            )
        return code

    @model_validator(mode="after")
    def hotline_needs_phone(self) -> ReportBody:
        if self.channel == "hotline" and not self.reporter_phone:
            raise LocalizedValueError(
                "phone_required",
                field="reporter_phone",
                en="A hotline report needs the reporter's phone number.",
                id="Laporan melalui hotline wajib menyertakan nomor telepon pelapor.",
            )
        return self


def build_app() -> FastAPI:
    app = FastAPI()
    app.exception_handler(RequestValidationError)(validation_error_without_input)
    app.exception_handler(DomainValidationError)(domain_validation_error_handler)

    @app.post("/reports")
    async def create(body: ReportBody) -> dict[str, str]:
        if body.victims[0].age < 18 and body.channel == "walk_in":
            raise DomainValidationError(
                [
                    (("body", "victims", 0, "age"), LocalizedValueError(
                        "minor_walk_in", en="A minor must be accompanied.", id="Anak harus didampingi."
                    )),
                ]
            )
        if body.regency_code == "00.00":
            raise DomainValidationError.at(
                "body",
                LocalizedValueError("regency_retired", field="regency_code", en="Retired code.", id="Kode lama."),
                LocalizedValueError("bad_victim", field="victims.0.sex", en="Bad victim.", id="Korban salah."),
            )
        return {"status": "ok"}

    return app


@pytest.fixture
async def client() -> Any:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=build_app()), base_url="http://t") as client:
        yield client


def valid_body(**changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "regency_code": "62.13",
        "channel": "web",
        "narrative": "Kejadian di rumah tetangga pada malam hari.",
        "victims": [{"sex": "female", "age": 30}],
    }
    return body | changes


INVALID_BODY = {
    "regency_code": SECRET,
    "channel": SECRET,
    "narrative": "pendek",
    "victims": [
        {"sex": "female", "age": 30},
        {"sex": SECRET, "age": 121, "name": SECRET, "nik": SECRET},
        {"age": SECRET},
    ],
    "password": SECRET,
}


def by_loc(response: httpx.Response) -> dict[tuple[str | int, ...], dict[str, Any]]:
    return {tuple(item["loc"]): item for item in response.json()["detail"]}


async def test_validation_errors_name_the_path_and_speak_indonesian_by_default(client: httpx.AsyncClient) -> None:
    response = await client.post("/reports", json=INVALID_BODY)

    assert response.status_code == 422
    assert response.headers["content-language"] == "id"
    assert "Accept-Language" in response.headers["vary"]
    errors = by_loc(response)
    assert errors[("body", "regency_code")]["type"] == "string_pattern_mismatch"
    assert errors[("body", "regency_code")]["msg"] == "Harus berupa kode kabupaten/kota, mis. 62.13."
    assert errors[("body", "channel")] == {
        "loc": ["body", "channel"], "type": "literal_error", "msg": "Harus 'web', 'hotline', atau 'walk_in'.",
    }
    assert errors[("body", "narrative")]["msg"] == "Minimal 20 karakter."
    assert errors[("body", "victims", 1, "sex")]["msg"] == "Harus 'female', 'male', atau 'unknown'."
    assert errors[("body", "victims", 1, "age")]["msg"] == "Harus lebih kecil dari atau sama dengan 120."
    assert errors[("body", "victims", 1, "name")]["msg"] == "Maksimal 10 karakter."
    assert errors[("body", "victims", 1, "nik")]["type"] == "extra_forbidden"
    assert errors[("body", "victims", 2, "sex")] == {
        "loc": ["body", "victims", 2, "sex"], "type": "missing", "msg": "Wajib diisi.",
    }
    assert errors[("body", "victims", 2, "age")]["msg"] == "Harus berupa bilangan bulat."
    assert errors[("body", "password")]["msg"] == "Kolom ini tidak dikenal dan tidak diizinkan."
    for item in response.json()["detail"]:
        assert set(item) == {"loc", "msg", "type"}

    four = await client.post("/reports", json=valid_body(victims=[{"sex": "male", "age": 5}] * 4))
    none = await client.post("/reports", json=valid_body(victims=[]))
    assert four.json()["detail"] == [
        {"loc": ["body", "victims"], "type": "too_long", "msg": "Harus berisi maksimal 3 item."}
    ]
    assert none.json()["detail"] == [
        {"loc": ["body", "victims"], "type": "too_short", "msg": "Harus berisi minimal 1 item."}
    ]


async def test_no_rejected_value_is_ever_echoed(client: httpx.AsyncClient) -> None:
    for language in ("id", "en-GB"):
        response = await client.post("/reports", json=INVALID_BODY, headers={"Accept-Language": language})
        assert response.status_code == 422
        assert "rahasia" not in response.text
        assert "081234567890" not in response.text
        assert "pendek" not in response.text


async def test_accept_language_id_and_en_gb(client: httpx.AsyncClient) -> None:
    indonesian = await client.post("/reports", json=INVALID_BODY, headers={"Accept-Language": "id"})
    english = await client.post("/reports", json=INVALID_BODY, headers={"Accept-Language": "en-GB,en;q=0.9"})

    assert indonesian.headers["content-language"] == "id"
    assert by_loc(indonesian)[("body", "victims", 2, "sex")]["msg"] == "Wajib diisi."
    assert english.headers["content-language"] == "en"
    errors = by_loc(english)
    assert errors[("body", "victims", 2, "sex")]["msg"] == "Field required."
    assert errors[("body", "channel")]["msg"] == "Must be 'web', 'hotline' or 'walk_in'."
    assert errors[("body", "narrative")]["msg"] == "Must have at least 20 characters."
    assert errors[("body", "victims", 1, "age")]["msg"] == "Must be less than or equal to 120."
    assert errors[("body", "password")]["msg"] == "This field is not allowed."
    # The same paths and types in both languages: only the words change.
    assert [(e["loc"], e["type"]) for e in indonesian.json()["detail"]] == [
        (e["loc"], e["type"]) for e in english.json()["detail"]
    ]


async def test_localized_value_errors_from_validators_use_their_code(client: httpx.AsyncClient) -> None:
    unknown = await client.post("/reports", json=valid_body(regency_code="99.99"))
    assert unknown.status_code == 422
    assert unknown.json()["detail"] == [
        {"loc": ["body", "regency_code"], "type": "unknown_regency", "msg": "Kode kabupaten/kota tidak dikenal."}
    ]

    hotline = await client.post(
        "/reports", json=valid_body(channel="hotline"), headers={"Accept-Language": "en"}
    )
    assert hotline.status_code == 422
    assert hotline.json()["detail"] == [
        {
            "loc": ["body", "reporter_phone"],
            "type": "phone_required",
            "msg": "A hotline report needs the reporter's phone number.",
        }
    ]


async def test_malformed_json_is_a_localized_json_invalid(client: httpx.AsyncClient) -> None:
    body = '{"regency_code": "' + SECRET + '", '
    headers = {"Content-Type": "application/json"}

    response = await client.post("/reports", content=body, headers=headers)
    english = await client.post("/reports", content=body, headers=headers | {"Accept-Language": "en"})

    assert response.status_code == 422
    [item] = response.json()["detail"]
    assert item["type"] == "json_invalid"
    assert item["loc"][0] == "body"
    assert item["msg"] == "Isi permintaan bukan JSON yang valid."
    assert english.json()["detail"][0]["msg"] == "The request body is not valid JSON."
    assert "rahasia" not in response.text + english.text


async def test_domain_validation_errors_are_422_with_their_codes(client: httpx.AsyncClient) -> None:
    minor = await client.post("/reports", json=valid_body(channel="walk_in", victims=[{"sex": "male", "age": 9}]))
    assert minor.status_code == 422
    assert minor.headers["content-language"] == "id"
    assert minor.json() == {
        "detail": [{"loc": ["body", "victims", 0, "age"], "type": "minor_walk_in", "msg": "Anak harus didampingi."}]
    }

    retired = await client.post("/reports", json=valid_body(regency_code="00.00"), headers={"Accept-Language": "en"})
    assert retired.status_code == 422
    assert retired.headers["content-language"] == "en"
    assert retired.json()["detail"] == [
        {"loc": ["body", "regency_code"], "type": "regency_retired", "msg": "Retired code."},
        {"loc": ["body", "victims", 0, "sex"], "type": "bad_victim", "msg": "Bad victim."},
    ]


async def test_a_valid_report_passes(client: httpx.AsyncClient) -> None:
    response = await client.post("/reports", json=valid_body())
    assert response.status_code == 200, response.text


def test_a_domain_validation_error_says_only_paths_and_codes() -> None:
    error = DomainValidationError.at(
        ("body", "victim"), LocalizedValueError("too_old", field="age", en="Too old.", id="Terlalu tua.")
    )
    assert str(error) == "body.victim.age: too_old"
    with pytest.raises(ValueError, match="at least one"):
        DomainValidationError([])


SAMPLE_CTX: dict[str, Any] = {
    "min_length": 2,
    "max_length": 5,
    "pattern": "^[0-9]+$",
    "expected": "'a', 'b' or 'c'",
    "ge": 1,
    "le": 9,
    "gt": 0,
    "lt": 10,
    "multiple_of": 5,
    "error": "detail",
    "class_name": "Victim",
    "field_type": "List",
    "actual_length": 7,
    "expected_schemes": "'http' or 'https'",
    "max_bytes": 262144,
    "retry_after": 7,
    # The refusals' (shared.refusal_messages).
    "status_code": 418,
    "allowed": "regency, violence_type",
    "in_force": 3,
    "next_version": 4,
    "line": 2,
}


@pytest.mark.parametrize("error_type", sorted(TRANSLATED_ERROR_TYPES))
def test_every_translated_type_has_both_languages(error_type: str) -> None:
    error = {"type": error_type, "loc": ("body", "x"), "msg": "PYDANTIC SAYS", "input": None, "ctx": SAMPLE_CTX}

    [english] = localize_errors([error], Language.EN)
    [indonesian] = localize_errors([error], Language.ID)

    assert english["msg"]
    assert indonesian["msg"]
    assert english["msg"] != "PYDANTIC SAYS"
    assert indonesian["msg"] != GENERIC_MESSAGE[Language.ID]
    assert english["msg"] != indonesian["msg"]
    assert english == {"loc": ["body", "x"], "type": error_type, "msg": english["msg"]}


def test_one_item_lists_and_empty_strings_read_naturally() -> None:
    errors = [
        {"type": "string_too_short", "loc": ("q",), "msg": "", "ctx": {"min_length": 1}},
        {"type": "too_short", "loc": ("l",), "msg": "", "ctx": {"min_length": 1}},
        {"type": "enum", "loc": ("e",), "msg": "", "ctx": {"expected": "'x, or y' or 'z'"}},
    ]
    assert [e["msg"] for e in localize_errors(errors, Language.EN)] == [
        "Must not be empty.", "Must have at least 1 item.", "Must be 'x, or y' or 'z'.",
    ]
    assert [e["msg"] for e in localize_errors(errors, Language.ID)] == [
        "Tidak boleh kosong.", "Harus berisi minimal 1 item.", "Harus 'x, or y' atau 'z'.",
    ]


def test_unknown_types_fall_back_without_echoing_input() -> None:
    unknown = {"type": "decimal_max_digits", "loc": ("amount",), "msg": "Decimal input should have no more than 3 "
               "digits in total", "input": "12345.6", "ctx": {"max_digits": 3}}
    plain = {"type": "value_error", "loc": ("phone",), "msg": f"Value error, {SECRET} is not a phone number",
             "input": SECRET, "ctx": {"error": ValueError(f"{SECRET} is not a phone number")}}
    missing_ctx = {"type": "greater_than", "loc": ("n",), "msg": "Input should be greater than 3", "input": 1}

    english = localize_errors([unknown, plain, missing_ctx], Language.EN)
    indonesian = localize_errors([unknown, plain, missing_ctx], Language.ID)

    assert [e["msg"] for e in english] == [
        "Decimal input should have no more than 3 digits in total", "Invalid value.", "Input should be greater than 3",
    ]
    assert [e["msg"] for e in indonesian] == ["Nilai tidak valid."] * 3
    assert [e["type"] for e in english] == ["decimal_max_digits", "value_error", "greater_than"]
    assert SECRET not in json.dumps(english + indonesian)


def test_a_localized_message_that_repeats_the_rejected_value_is_withheld() -> None:
    slip = LocalizedValueError("unknown_phone", en=f"{SECRET} is unknown.", id=f"{SECRET} tidak dikenal.")
    error = {"type": "value_error", "loc": ("phone",), "msg": "", "input": SECRET, "ctx": {"error": slip}}

    assert localize_errors([error], Language.EN) == [
        {"loc": ["phone"], "type": "unknown_phone", "msg": "Invalid value."}
    ]
    assert localize_errors([error], Language.ID)[0]["msg"] == "Nilai tidak valid."
