"""Demo data for a local platform: the agency directory, a webhook subscription per agency pointing at the
demo sink, sample reports across the districts named in the users' articles (with made-up names, phone numbers
and addresses, so the encryption has something to protect), and the referred agencies reading their cases (so
the read audit has something to record). Everything goes through the services' public APIs with the tokens the
people doing it would hold: a province admin keeps the directory and subscriptions, the public reports, agency
staff read."""

from __future__ import annotations

import json
import random
import secrets
import time
from pathlib import Path
from typing import Any

import httpx

from routing.directory_data import demo_directory
from shared.auth import Role
from sinergi_local.platform import Platform

SAMPLE_REGENCIES = ("62.13", "62.71", "64.74", "64.01", "63.72", "63.71")
VIOLENCE_TYPES = ("fisik", "psikis", "seksual", "eksploitasi", "perdagangan_orang", "penelantaran", "lainnya")
CHANNELS = ("hotline", "web", "whatsapp", "walk_in", "police", "school", "health", "community")
# Made up for the demo; distinctive enough that a scan for them finds only real leaks.
GIVEN_NAMES = ("Sriwahyuni", "Nurhalimah", "Rusmawati", "Yohana", "Kartika", "Ardiansyah", "Saripudin", "Marlina")
FAMILY_NAMES = ("Tambunan", "Lumbantoruan", "Sinaga", "Nainggolan", "Rahmadhani", "Setiawati", "Purbaningsih")
STREETS = ("Jl. Tjilik Riwut", "Jl. Ahmad Yani", "Jl. Pangeran Antasari", "Jl. Lambung Mangkurat", "Gg. Mawar")


def province_admin(platform: Platform, province_code: str = "62") -> dict[str, str]:
    return platform.bearer(Role.PROVINCE_ADMIN, user_id=f"demo-admin-{province_code}", province_code=province_code)


def seed_directory(platform: Platform) -> list[dict[str, Any]]:
    agencies: list[dict[str, Any]] = demo_directory()
    response = httpx.put(f"{platform.url('routing')}/v1/directory", json={"agencies": agencies}, timeout=30,
                         headers=province_admin(platform))
    response.raise_for_status()
    return agencies


def subscribe_agencies(platform: Platform, agencies: list[dict[str, Any]]) -> int:
    """One subscription per agency to the demo sink; the sink learns each secret from the run folder."""
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
        response = httpx.post(f"{platform.url('notifications')}/v1/subscriptions", timeout=30,
                              headers=province_admin(platform), json={
            "agency_id": agency_id,
            "url": f"{platform.url('sink')}/webhooks/{agency_id}",
            "event_types": ["referral.created"],
            "secret": secret,
        })
        response.raise_for_status()
        created += 1
    return created


def _write_secrets(path: Path, values: dict[str, str]) -> None:
    path.write_text(json.dumps(values))
    path.chmod(0o600)


def _name(rng: random.Random) -> str:
    return f"{rng.choice(GIVEN_NAMES)} {rng.choice(FAMILY_NAMES)}"


def sample_report(rng: random.Random, number: int) -> dict[str, Any]:
    return {
        "regency_code": rng.choice(SAMPLE_REGENCIES),
        "violence_types": sorted(set(rng.sample(VIOLENCE_TYPES, rng.choice((1, 1, 2))))),
        "victim": {
            "sex": rng.choice(("perempuan", "perempuan", "laki_laki")),
            "age": rng.randint(2, 60),
            "name": _name(rng),
        },
        "reporter": {"name": _name(rng), "phone": f"+62 812-{rng.randint(1000, 9999)}-{rng.randint(1000, 9999)}"},
        "address": f"{rng.choice(STREETS)} No. {rng.randint(1, 300)}, RT {rng.randint(1, 20):03d}",
        "narrative": f"Laporan contoh nomor {number} (data demo, bukan kasus nyata): korban {number} perlu bantuan.",
        "channel": rng.choice(CHANNELS),
    }


def sample_reports(count: int = 50, seed: int = 2025) -> list[dict[str, Any]]:
    """The reports ``submit_sample_reports`` sends: the same for the same seed."""
    rng = random.Random(seed)  # noqa: S311 - demo data, not security
    return [sample_report(rng, number) for number in range(1, count + 1)]


def submit_sample_reports(platform: Platform, count: int = 50, seed: int = 2025) -> list[dict[str, Any]]:
    accepted = []
    with httpx.Client(base_url=platform.url("intake"), timeout=30) as client:  # the public: no token
        for report in sample_reports(count, seed):
            response = client.post("/v1/reports", json=report)
            response.raise_for_status()
            accepted.append(response.json())
    return accepted


def read_as_lead_agencies(platform: Platform, accepted: list[dict[str, Any]], *, timeout: float = 60) -> int:
    """Each accepted report's lead agency reads its case (once routing has referred it and intake has heard):
    how many reads showed personal fields. Each of those is a ``personal_data.read`` on the audit topic."""
    shown = 0
    deadline = time.monotonic() + timeout
    with httpx.Client(timeout=30) as client:
        for report in accepted:
            case_id = report["case_id"]
            admin = province_admin(platform, report["case_number"][:2])  # numbers start with the regency code
            while True:
                referrals = client.get(f"{platform.url('routing')}/v1/cases/{case_id}/referrals", headers=admin)
                lead = next((r for r in referrals.json() if r["is_lead"]), None) if referrals.is_success else None
                staff = lead and platform.bearer(
                    Role.AGENCY_STAFF, user_id=f"staff-{lead['agency_id']}", agency_id=lead["agency_id"],
                    agency_type=lead["agency_type"],
                )
                case = client.get(f"{platform.url('intake')}/v1/cases/{case_id}", headers=staff) if staff else None
                if case is not None and case.status_code == 200:
                    shown += bool(case.json()["personal"])
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
