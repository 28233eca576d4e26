"""The public form posted as a plain form (no JavaScript) and the reporter's status page, against the real
Postgres: errors at their fields with a summary first, regions down to the desa by round trip, the number and
one-time code shown once (only a slow hash kept), the report's stage as its referrals move, information added as
a note from the reporter, the same answer for a wrong number as for a wrong code, and the lookup rate limit."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from uuid import UUID, uuid4

import httpx
import pytest
from sqlalchemy import text

from intake.service_layer.handlers import record_referral
from intake.service_layer.reporter import REPORTER_AUTHOR
from shared.access import SERVICE_CONTEXT
from shared.auth import Role
from shared.contracts import ReferralAccepted, ReferralCreated
from shared.limits import PublicRateLimiter

pytestmark = pytest.mark.integration

Bearer = Callable[..., dict[str, str]]
NUMBER = re.compile(r'<dd class="secret" id="nomor">([^<]+)</dd>')
CODE = re.compile(r'<dd class="secret" id="kode">([^<]+)</dd>')
VILLAGE = "62.13.01.2003"  # Pulau Patai, kecamatan Dusun Timur (62.13.01), Kabupaten Barito Timur


def filled(**overrides: str | list[str]) -> dict[str, str | list[str]]:
    """A complete form, down to the desa, as a browser posts it."""
    form: dict[str, str | list[str]] = {
        "lang": "id", "tanggal": "", "tanggal_tidak_tahu": "on", "provinsi": "62", "kabupaten": "62.13",
        "kecamatan": "62.13.01", "desa": VILLAGE, "tempat": "rumah_tangga", "alamat": "",
        "jenis": ["psikis"], "korban_jk": "perempuan", "korban_usia": "", "cerita": f"Uji formulir {uuid4().hex[:8]}.",
        "hubungan": "tetangga", "anonim": "on", "pelapor_nama": "", "pelapor_telepon": "", "situs": "", "aksi": "kirim",
    }
    form.update(overrides)
    return {name: value for name, value in form.items() if value != "__omit__"}


async def count_cases(client: httpx.AsyncClient) -> int:
    runtime = client.app.state.runtime  # type: ignore[attr-defined]
    async with runtime.unit_of_work(SERVICE_CONTEXT) as uow:
        return int((await uow.session.execute(text("SELECT count(*) FROM intake.cases"))).scalar_one())


async def reported(client: httpx.AsyncClient) -> tuple[str, str, UUID]:
    """A report sent through the form: its number, its code and its case id."""
    answer = await client.post("/lapor", data=filled())
    assert answer.status_code == 201, answer.text
    number, code = NUMBER.search(answer.text), CODE.search(answer.text)
    assert number is not None
    assert code is not None
    runtime = client.app.state.runtime  # type: ignore[attr-defined]
    async with runtime.unit_of_work(SERVICE_CONTEXT) as uow:
        case_id = (await uow.session.execute(
            text("SELECT case_id FROM intake.cases WHERE case_number = :n"), {"n": number.group(1)}
        )).scalar_one()
    return number.group(1), code.group(1), case_id


def field_block(html: str, control: str) -> str:
    """The part of the page from ``control``'s label to the control itself."""
    start = html.index(f'<label for="{control}"')
    return html[start:html.index(f'id="{control}"', start) + 200]


async def test_an_error_filled_form_comes_back_with_a_summary_first_each_error_at_its_field_and_typed_kept(
    intake: httpx.AsyncClient,
) -> None:
    before = await count_cases(intake)
    typed = "Uji: cerita yang tetap ada setelah kesalahan."
    answer = await intake.post("/lapor", data=filled(
        tempat="", alamat="Jl. Mawar 3", jenis=[], korban_jk="__omit__", anonim="__omit__", cerita=typed,
    ))

    assert answer.status_code == 422
    assert answer.headers["content-language"] == "id"
    html = answer.text
    summary = html.index('class="error-summary"')
    assert summary < html.index('<form id="lapor"')  # at the top, before the form (not below the button)
    assert 'tabindex="-1" autofocus' in html[summary - 200:summary + 200]  # focus moves to it, without script
    links = re.findall(r'<li><a href="#([^"]+)">([^<]+)</a></li>', html[summary:html.index("</ul>", summary)])
    assert links == [
        ("tempat", "Tempat kejadian: Wajib diisi."),
        ("jenis-fisik", "Bentuk kekerasan (boleh lebih dari satu): Harus berisi minimal 1 item."),
        ("korban_jk-perempuan", "Jenis kelamin korban: Wajib diisi."),
        ("pelapor_telepon",
         "Nomor telepon/WhatsApp agar petugas dapat menghubungi: Isi nomor telepon atau email agar dapat "
         "dihubungi, atau laporkan secara anonim."),
    ]
    # "Tempat kejadian"'s error is at its own field, and the optional address has none.
    place = field_block(html, "tempat")
    assert 'id="tempat-error"' in place
    assert 'aria-invalid="true" aria-describedby="tempat-error"' in place
    assert "field__error" not in field_block(html, "alamat")
    for control in ("jenis-fisik", "korban_jk-perempuan", "pelapor_telepon"):
        assert re.search(rf'id="{control}"[^>]*aria-invalid="true"', html), control
    assert not re.search(r'id="cerita"[^>]*aria-invalid', html)
    # What was typed is kept.
    assert f">{typed}</textarea>" in html
    assert 'value="Jl. Mawar 3"' in html
    assert f'<option value="{VILLAGE}" selected>' in html
    assert await count_cases(intake) == before


async def test_regions_are_offered_down_to_the_desa_by_round_trip_keeping_what_was_typed(
    intake: httpx.AsyncClient,
) -> None:
    first = await intake.get("/lapor")
    assert first.status_code == 200
    assert '<option value="62">' in first.text
    assert '<option value="62.13">' not in first.text  # no regency before a province is chosen
    assert "<script" not in first.text

    steps = [
        ({"provinsi": "62"}, '<option value="62.13">Kabupaten Barito Timur</option>', "kabupaten"),
        ({"provinsi": "62", "kabupaten": "62.13"}, '<option value="62.13.01">', "kecamatan"),
        ({"provinsi": "62", "kabupaten": "62.13", "kecamatan": "62.13.01"},
         f'<option value="{VILLAGE}">Pulau Patai</option>', "desa"),
    ]
    for chosen, offered, focused in steps:
        answer = await intake.post("/lapor", data={"aksi": "wilayah", "cerita": "Masih ditulis.", **chosen})
        assert answer.status_code == 200
        assert offered in answer.text
        assert re.search(rf'<select id="{focused}" name="{focused}" autofocus>', answer.text), focused
        assert ">Masih ditulis.</textarea>" in answer.text
        assert 'id="error-summary"' not in answer.text  # a round trip is not a submit
    # A regency of another province is not offered: the levels follow what is chosen above.
    other = await intake.post("/lapor", data={"aksi": "wilayah", "provinsi": "31", "kabupaten": "62.13"})
    assert '<option value="62.13.01">' not in other.text


async def test_a_corrected_form_opens_a_case_down_to_the_desa_with_its_number_and_a_one_time_code(
    intake: httpx.AsyncClient,
) -> None:
    number, code, case_id = await reported(intake)
    assert re.fullmatch(r"6213-\d{4}-\d{5}", number)
    assert re.fullmatch(r"[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}", code)
    runtime = intake.app.state.runtime  # type: ignore[attr-defined]
    async with runtime.unit_of_work(SERVICE_CONTEXT) as uow:
        row = (await uow.session.execute(text(
            "SELECT c.facts->'location'->>'village_code' AS village, c.channel, r.code_hash"
            " FROM intake.cases c JOIN intake.reporter_codes r USING (case_id) WHERE c.case_id = :id"
        ), {"id": case_id})).one()
        outbox = " ".join(str(p) for p in (await uow.session.execute(
            text("SELECT payload FROM intake.outbox WHERE message_key = :key"), {"key": str(case_id)}
        )).scalars())
    assert row.village == VILLAGE
    assert row.channel == "web"
    assert row.code_hash.startswith("scrypt$")
    assert code not in row.code_hash
    assert code.replace("-", "") not in row.code_hash
    assert code not in outbox
    assert code.replace("-", "") not in outbox


async def test_the_status_page_says_received_referred_and_being_handled_and_nothing_about_who(
    intake: httpx.AsyncClient,
) -> None:
    number, code, case_id = await reported(intake)

    async def stage() -> str:
        # The reporter may type the code in lower case, without its dashes.
        answer = await intake.post("/lapor/status", data={"nomor": number, "kode": code.lower().replace("-", "")})
        assert answer.status_code == 200, answer.text
        assert code not in answer.url.query.decode()
        assert number not in str(answer.url)
        found = re.search(r'id="tahap" data-stage="([a-z_]+)"', answer.text)
        assert found is not None
        assert "uptd-" not in answer.text  # no agency named
        return found.group(1)

    assert await stage() == "received"
    runtime = intake.app.state.runtime  # type: ignore[attr-defined]
    referral_id, agency_id = uuid4(), f"uptd-{uuid4().hex[:8]}"
    await record_referral(ReferralCreated(
        case_id=case_id, referral_id=referral_id, agency_id=agency_id, agency_type="uptd_ppa", is_lead=True,
        province_code="62", regency_code="62.13", rule="test", reason="test",
    ), runtime.unit_of_work(SERVICE_CONTEXT))
    assert await stage() == "referred"
    await record_referral(ReferralAccepted(
        case_id=case_id, referral_id=referral_id, agency_id=agency_id, accepted_by="staff-1",
    ), runtime.unit_of_work(SERVICE_CONTEXT))
    assert await stage() == "in_handling"


async def test_a_wrong_number_and_a_wrong_code_get_the_same_answer(intake: httpx.AsyncClient) -> None:
    number, code, _ = await reported(intake)
    unknown_number = number[:-5] + ("99999" if not number.endswith("99999") else "99998")
    wrong_code = await intake.post("/lapor/status", data={"nomor": number, "kode": "AAAA-BBBB-CCCC"})
    wrong_number = await intake.post("/lapor/status", data={"nomor": unknown_number, "kode": code})
    assert wrong_code.status_code == wrong_number.status_code == 422
    assert wrong_code.text.replace(number, "N") == wrong_number.text.replace(unknown_number, "N")
    assert dict(wrong_code.headers) | {"content-length": ""} == dict(wrong_number.headers) | {"content-length": ""}
    assert "Nomor laporan atau kode rahasia tidak cocok." in wrong_code.text
    assert code not in wrong_number.text  # the code typed never comes back
    # Adding information answers a wrong number or code the same way, and adds nothing.
    added = await intake.post("/lapor/status/informasi",
                              data={"nomor": number, "kode": "AAAA-BBBB-CCCC", "informasi": "Tidak masuk."})
    assert added.status_code == 422
    assert added.text.replace(number, "N") == wrong_code.text.replace(number, "N")


async def test_information_added_by_the_reporter_reaches_the_lead_agency_as_a_note_from_the_reporter(
    intake: httpx.AsyncClient, bearer: Bearer
) -> None:
    number, code, case_id = await reported(intake)
    tag = uuid4().hex[:8]
    agency_id = f"uptd-{tag}"
    runtime = intake.app.state.runtime  # type: ignore[attr-defined]
    await record_referral(ReferralCreated(
        case_id=case_id, referral_id=uuid4(), agency_id=agency_id, agency_type="uptd_ppa", is_lead=True,
        province_code="62", regency_code="62.13", rule="test", reason="test",
    ), runtime.unit_of_work(SERVICE_CONTEXT))

    empty = await intake.post("/lapor/status/informasi", data={"nomor": number, "kode": code, "informasi": "  "})
    assert empty.status_code == 422
    assert 'href="#informasi"' in empty.text
    assert 'id="informasi-error"' in empty.text

    information = f"Pelaku sekarang tinggal di rumah sebelah {tag}."
    added = await intake.post("/lapor/status/informasi", data={"nomor": number, "kode": code, "informasi": information})
    assert added.status_code == 200, added.text
    assert "Informasi Anda sudah diteruskan" in added.text
    assert information not in added.text

    lead = bearer(Role.AGENCY_STAFF, user_id=f"staff-{tag}", agency_id=agency_id, agency_type="uptd_ppa")
    notes = (await intake.get(f"/v1/cases/{case_id}/notes", headers=lead)).json()
    assert [(n["note"], n["from_reporter"], n["author"]["agency_id"]) for n in notes] == [(information, True, None)]
    async with runtime.unit_of_work(SERVICE_CONTEXT) as uow:
        payloads = [json.loads(p) for p in (await uow.session.execute(text(
            "SELECT payload FROM intake.outbox WHERE message_key = :key AND event_type = 'case.updated'"
        ), {"key": str(case_id)})).scalars()]
    assert [(p["updated_by"], p["changed_fields"]) for p in payloads] == [(REPORTER_AUTHOR, ["notes"])]
    assert information not in json.dumps(payloads)


async def test_status_lookups_are_rate_limited_per_client(intake: httpx.AsyncClient) -> None:
    intake.app.state.reporter_lookup_limiter = PublicRateLimiter("2/minute")  # type: ignore[attr-defined]
    for _ in range(2):
        assert (await intake.post("/lapor/status", data={"nomor": "6213-2026-00001", "kode": "X"})).status_code == 422
    refused = await intake.post("/lapor/status", data={"nomor": "6213-2026-00001", "kode": "X"})
    assert refused.status_code == 429
    assert int(refused.headers["retry-after"]) >= 1
    assert "Terlalu banyak permintaan" in refused.text
    refused = await intake.post("/lapor/status/informasi", data={"nomor": "6213-2026-00001", "kode": "X",
                                                                  "informasi": "x"})
    assert refused.status_code == 429


async def test_the_pages_are_indonesian_first_and_english_on_request(intake: httpx.AsyncClient) -> None:
    indonesian = await intake.get("/lapor")
    assert '<html lang="id">' in indonesian.text
    assert 'href="/lapor?lang=en"' in indonesian.text
    english = await intake.post("/lapor", data=filled(lang="en", tempat=""))
    assert english.status_code == 422
    assert english.headers["content-language"] == "en"
    assert '<html lang="en">' in english.text
    assert '<a href="#tempat">Place of the incident: ' in english.text
    status = await intake.get("/lapor/status?lang=en")
    assert "Enter the report number and the secret code" in status.text
    # Every page's switch leads to a page that answers GET, also after adding information (a post).
    number, code, _ = await reported(intake)
    added = await intake.post("/lapor/status/informasi", data={"nomor": number, "kode": code, "informasi": "Ada."})
    switch = re.search(r'<a href="([^"]+)" lang="en"', added.text)
    assert switch is not None
    assert (await intake.get(switch.group(1))).status_code == 200


async def test_a_report_through_the_api_gets_no_code(intake: httpx.AsyncClient) -> None:
    """Only the form gives a code: scrypt's cost (tens of milliseconds of CPU) stays off the API's throughput."""
    body = {
        "incident": {"precision": "unknown"},
        "location": {"province_code": "62", "regency_code": "62.13", "place": "rumah_tangga"},
        "violence_types": ["fisik"], "victims": [{"sex": "perempuan"}],
        "reporter": {"relation": "tetangga", "anonymous": True}, "narrative": f"Uji API {uuid4().hex[:8]}.",
    }
    made = await intake.post("/v1/reports", json=body)
    assert made.status_code == 201, made.text
    assert set(made.json()) == {"case_id", "case_number", "status"}
    runtime = intake.app.state.runtime  # type: ignore[attr-defined]
    async with runtime.unit_of_work(SERVICE_CONTEXT) as uow:
        codes = (await uow.session.execute(text("SELECT count(*) FROM intake.reporter_codes WHERE case_id = :id"),
                                           {"id": made.json()["case_id"]})).scalar_one()
    assert codes == 0
    shown = await intake.post("/lapor/status", data={"nomor": made.json()["case_number"], "kode": "AAAA-BBBB-CCCC"})
    assert shown.status_code == 422


async def test_a_closed_report_says_so_and_takes_no_more_information(
    intake: httpx.AsyncClient, bearer: Bearer
) -> None:
    number, code, case_id = await reported(intake)
    tag = uuid4().hex[:8]
    agency_id = f"uptd-{tag}"
    runtime = intake.app.state.runtime  # type: ignore[attr-defined]
    await record_referral(ReferralCreated(
        case_id=case_id, referral_id=uuid4(), agency_id=agency_id, agency_type="uptd_ppa", is_lead=True,
        province_code="62", regency_code="62.13", rule="test", reason="test",
    ), runtime.unit_of_work(SERVICE_CONTEXT))
    lead = bearer(Role.AGENCY_STAFF, user_id=f"staff-{tag}", agency_id=agency_id, agency_type="uptd_ppa")
    closed = await intake.post(f"/v1/cases/{case_id}/close", json={"reason": "handled"}, headers=lead)
    assert closed.status_code == 200, closed.text

    shown = await intake.post("/lapor/status", data={"nomor": number, "kode": code})
    assert 'data-stage="closed"' in shown.text
    assert 'id="informasi"' not in shown.text  # no form to add to a closed report
    refused = await intake.post("/lapor/status/informasi",
                                data={"nomor": number, "kode": code, "informasi": "Masih ada lagi."})
    assert refused.status_code == 409
    assert "Laporan ini sudah ditutup" in refused.text
    notes = (await intake.get(f"/v1/cases/{case_id}/notes", headers=lead)).json()
    assert [n for n in notes if n["from_reporter"]] == []


async def test_a_filled_hidden_field_opens_no_case_and_the_code_page_is_never_cached(
    intake: httpx.AsyncClient,
) -> None:
    before = await count_cases(intake)
    bot = await intake.post("/lapor", data=filled(situs="http://iklan.example"))
    assert bot.status_code == 200  # the form again, as if nothing happened: a bot learns nothing
    assert NUMBER.search(bot.text) is None
    assert await count_cases(intake) == before
    sent = await intake.post("/lapor", data=filled())
    assert sent.status_code == 201
    assert sent.headers["cache-control"] == "no-store"
    assert sent.headers["referrer-policy"] == "no-referrer"
    assert "script-src" not in sent.headers["content-security-policy"]  # no script may run: default-src 'none'
