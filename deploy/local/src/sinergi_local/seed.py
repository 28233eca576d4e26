"""Demo data for a local platform: the agency directory, a webhook subscription per agency pointing at the
demo sink, sample reports across the districts named in the users' articles (full SIMFONI-PPA records with
made-up names, phone numbers and addresses in every kind of personal field, so the encryption has something to
protect), and the referred agencies reading their cases (so the read audit has something to record).
Everything goes through the services' public APIs with the tokens the people doing it would hold, the demo users
of ``sinergi_local.identity.demo_users`` (signed in at the identity provider under `make up`): a province admin
keeps the directory and subscriptions, the public reports on the web, an operator of the district records what
reached staff by other channels (a hotline call, a walk-in, the police...), the lead agency's staff read."""

from __future__ import annotations

import json
import random
import secrets
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx

from routing.directory_data import demo_directory
from sinergi_local.platform import Platform

SAMPLE_REGENCIES = ("62.13", "62.71", "64.74", "64.01", "63.72", "63.71")
VIOLENCE_TYPES = ("fisik", "psikis", "seksual", "eksploitasi", "perdagangan_orang", "penelantaran", "lainnya")
# The public reports on the web; staff say how a report reached them (see ``submit_sample_reports``).
CHANNELS = ("web", "web", "web", "hotline", "walk_in", "police", "school", "health", "community")
PUBLIC_CHANNEL = "web"
PLACES = ("rumah_tangga", "rumah_tangga", "fasilitas_umum", "sekolah", "tempat_kerja", "daring", "lainnya")
RELATIONSHIPS = ("orang_tua", "suami_istri", "pacar_teman", "tetangga", "keluarga_saudara", "guru", "majikan")
REPORTER_RELATIONS = ("keluarga", "tetangga", "teman", "guru_sekolah", "tenaga_kesehatan", "perangkat_rt_rw")
NEEDS = ("pengaduan", "kesehatan", "bantuan_hukum", "penegakan_hukum", "rehabilitasi_sosial", "penampungan_sementara")
# Incidents happen on or before this day (fixed, so the same seed gives the same reports on any day).
LAST_INCIDENT_DAY = date(2025, 12, 31)
# Made up for the demo; distinctive enough that a scan for them finds only real leaks.
GIVEN_NAMES = {
    "perempuan": ("Sriwahyuni", "Nurhalimah", "Rusmawati", "Yohana", "Kartika", "Marlina"),
    "laki_laki": ("Ardiansyah", "Saripudin", "Hendrikus", "Juliansyah", "Bonifasius", "Rahmatullah"),
}
FAMILY_NAMES = ("Tambunan", "Lumbantoruan", "Sinaga", "Nainggolan", "Rahmadhani", "Setiawati", "Purbaningsih")
STREETS = ("Jl. Tjilik Riwut", "Jl. Ahmad Yani", "Jl. Pangeran Antasari", "Jl. Lambung Mangkurat", "Gg. Mawar")

def province_admin(platform: Platform, province_code: str = "62") -> dict[str, str]:
    return platform.demo_bearer(f"province_admin.{province_code}")


def seed_directory(platform: Platform) -> list[dict[str, Any]]:
    agencies: list[dict[str, Any]] = demo_directory()
    response = httpx.put(f"{platform.url('routing')}/v1/directory", json={"agencies": agencies}, timeout=30,
                         headers=province_admin(platform))
    response.raise_for_status()
    return agencies


def subscribe_agencies(platform: Platform, agencies: list[dict[str, Any]]) -> int:
    """One subscription per agency to the demo sink; the sink learns each secret from the run folder. The admin
    of the agency's province makes it (a province admin's subscription covers their province only); a national
    agency, whose referrals come from every province, makes its own as its supervisor."""
    secrets_path = platform.run_dir / "sink-secrets.json"
    known: dict[str, str] = json.loads(secrets_path.read_text()) if secrets_path.exists() else {}
    created = 0
    for agency in agencies:
        agency_id = agency["agency_id"]
        if agency_id in known:
            continue
        secret = secrets.token_urlsafe(24)
        known[agency_id] = secret
        _write_secrets(secrets_path, known)
        maker = (
            province_admin(platform, agency["province_code"]) if agency.get("province_code")
            else platform.demo_bearer(f"agency_supervisor.{agency_id}")
        )
        response = httpx.post(f"{platform.url('notifications')}/v1/subscriptions", timeout=30, headers=maker, json={
            "agency_id": agency_id,
            "target": f"{platform.url('sink')}/webhooks/{agency_id}",
            "event_types": list(AGENCY_EVENTS),
            "secret": secret,
        })
        response.raise_for_status()
        created += 1
    return created + subscribe_province_by_email(platform)


# What the demo agencies hear of: their referrals, deadlines missed, and their cases changing or closing.
AGENCY_EVENTS = ("referral.created", "referral.sla_breached", "case.updated", "case.closed")
DEMO_PROVINCE_MAILBOX = "dp3appkb@kalteng.example"


def subscribe_province_by_email(platform: Platform) -> int:
    """The province office hears of each new case and each missed deadline of the province by email (to the
    local mail server's Maildir, ``.run/mail``), in Bahasa Indonesia."""
    headers = province_admin(platform)
    existing = httpx.get(f"{platform.url('notifications')}/v1/subscriptions", params={"region_code": "62"},
                         headers=headers, timeout=30)
    existing.raise_for_status()
    if any(subscription["channel"] == "email" for subscription in existing.json()):
        return 0
    response = httpx.post(f"{platform.url('notifications')}/v1/subscriptions", timeout=30, headers=headers, json={
        "scope": "region", "event_types": ["case.reported", "referral.sla_breached"], "channel": "email",
        "target": DEMO_PROVINCE_MAILBOX,
    })
    response.raise_for_status()
    return 1


def _write_secrets(path: Path, values: dict[str, str]) -> None:
    path.write_text(json.dumps(values))
    path.chmod(0o600)


def _name(rng: random.Random, sex: str | None = None) -> str:
    given = GIVEN_NAMES[sex or rng.choice(tuple(GIVEN_NAMES))]
    return f"{rng.choice(given)} {rng.choice(FAMILY_NAMES)}"


def _incident(rng: random.Random) -> dict[str, Any]:
    precision = rng.choice(("day", "day", "day", "month", "year", "unknown"))
    if precision == "unknown":
        return {"precision": "unknown"}
    day = LAST_INCIDENT_DAY - timedelta(days=rng.randint(0, 600))
    return {"date": day.isoformat(), "precision": precision}


def _phone(rng: random.Random) -> str:
    return f"+62 812-{rng.randint(1000, 9999)}-{rng.randint(1000, 9999)}"


def sample_report(rng: random.Random, number: int) -> dict[str, Any]:
    """One made-up SIMFONI-PPA record, with a value in every kind of personal field: the victims' and the
    perpetrator's names, the reporter's name and phone, the address and the narrative."""
    regency_code = rng.choice(SAMPLE_REGENCIES)
    channel = rng.choice(CHANNELS)
    victims: list[dict[str, Any]] = []
    for _ in range(rng.choice((1, 1, 1, 2))):
        sex = rng.choice(("perempuan", "perempuan", "laki_laki"))
        victims.append({"sex": sex, "age": rng.randint(2, 60), "name": _name(rng, sex)})
    child = any(victim["age"] < 18 for victim in victims)
    perpetrator_sex = rng.choice(("laki_laki", "laki_laki", "perempuan"))
    report: dict[str, Any] = {
        "incident": _incident(rng),
        "location": {
            "province_code": regency_code[:2],
            "regency_code": regency_code,
            "place": rng.choice(PLACES),
            "address": f"{rng.choice(STREETS)} No. {rng.randint(1, 300)}, RT {rng.randint(1, 20):03d}",
        },
        "violence_types": sorted(set(rng.sample(VIOLENCE_TYPES, rng.choice((1, 1, 2))))),
        "injuries": rng.random() < 0.2,
        "ongoing_danger": rng.random() < 0.1,
        "victims": victims,
        "perpetrators": [{"sex": perpetrator_sex, "age": rng.randint(18, 70), "name": _name(rng, perpetrator_sex),
                          "relationship": rng.choice(RELATIONSHIPS)}],
        "needs": sorted(set(rng.sample(NEEDS, rng.randint(1, 3)))),
        "reporter": {"relation": rng.choice(REPORTER_RELATIONS), "name": _name(rng), "phone": _phone(rng)},
        "narrative": f"Laporan contoh nomor {number} (data demo, bukan kasus nyata): korban {number} perlu bantuan.",
        "channel": channel,
    }
    if channel != PUBLIC_CHANNEL:  # staff ask the victim (or a child's guardian) what may be shared
        report["consent"] = {"given_by": "wali" if child else "korban", "agency_types": ["health", "police_ppa"]}
    return report


def sample_reports(count: int = 50, seed: int = 2025) -> list[dict[str, Any]]:
    """The reports ``submit_sample_reports`` sends: the same for the same seed."""
    rng = random.Random(seed)  # noqa: S311 - demo data, not security
    return [sample_report(rng, number) for number in range(1, count + 1)]


def submit_sample_reports(platform: Platform, count: int = 50, seed: int = 2025) -> list[dict[str, Any]]:
    """Send the sample reports: web reports as the public (no token), the others as the operator of the
    district who took them (``operator.<regency>``). The accepted reports, in order."""
    accepted = []
    with httpx.Client(base_url=platform.url("intake"), timeout=30) as client:
        for report in sample_reports(count, seed):
            regency = report["location"]["regency_code"]
            headers = {} if report["channel"] == PUBLIC_CHANNEL else platform.demo_bearer(f"operator.{regency}")
            response = client.post("/v1/reports", json=report, headers=headers)
            response.raise_for_status()
            accepted.append(response.json())
    return accepted


def read_as_lead_agencies(platform: Platform, accepted: list[dict[str, Any]], *, timeout: float = 60) -> int:
    """Each accepted report's lead agency reads its case (once routing has referred it and intake has heard),
    takes it on and starts its service, so the referral figures have times to show: how many reads showed
    personal fields. Each of those is a ``personal_data.read`` on the audit topic."""
    shown = 0
    deadline = time.monotonic() + timeout
    with httpx.Client(timeout=30) as client:
        for report in accepted:
            case_id = report["case_id"]
            admin = province_admin(platform, report["case_number"][:2])  # numbers start with the regency code
            while True:
                referrals = client.get(f"{platform.url('routing')}/v1/cases/{case_id}/referrals", headers=admin)
                lead = next((r for r in referrals.json() if r["is_lead"]), None) if referrals.is_success else None
                staff = lead and platform.demo_bearer(f"agency_staff.{lead['agency_id']}")
                case = client.get(f"{platform.url('intake')}/v1/cases/{case_id}", headers=staff) if staff else None
                if lead and case is not None and case.status_code == 200:
                    shown += bool(case.json()["personal"])
                    for step in ("accept", "start"):
                        url = f"{platform.url('routing')}/v1/referrals/{lead['referral_id']}/{step}"
                        client.post(url, headers=staff).raise_for_status()
                    break
                if time.monotonic() > deadline:
                    raise TimeoutError(f"case {case_id} was not readable by its lead agency within {timeout}s")
                time.sleep(0.3)
    return shown


def seed_all(platform: Platform, reports: int = 50, reads: int = 5) -> None:
    agencies = seed_directory(platform)
    subscribe_agencies(platform, agencies)
    accepted = submit_sample_reports(platform, reports)
    read_as_lead_agencies(platform, accepted[:reads])
