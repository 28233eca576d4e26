"""Demo data for a local platform: the agency directory, a webhook subscription per agency pointing at the
demo sink, and sample reports across the districts named in the users' articles. Everything goes through the
services' public APIs, as an operator's tools would."""

from __future__ import annotations

import json
import random
import secrets
from pathlib import Path
from typing import Any

import httpx

from routing.directory_data import demo_directory
from sinergi_local.platform import Platform

SAMPLE_REGENCIES = ("62.13", "62.71", "64.74", "64.01", "63.72", "63.71")
VIOLENCE_TYPES = ("fisik", "psikis", "seksual", "eksploitasi", "perdagangan_orang", "penelantaran", "lainnya")
CHANNELS = ("hotline", "web", "whatsapp", "walk_in", "police", "school", "health", "community")


def seed_directory(platform: Platform) -> list[dict[str, Any]]:
    agencies: list[dict[str, Any]] = demo_directory()
    response = httpx.put(f"{platform.url('routing')}/v1/directory", json={"agencies": agencies}, timeout=30)
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
        response = httpx.post(f"{platform.url('notifications')}/v1/subscriptions", timeout=30, json={
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


def sample_report(rng: random.Random, number: int) -> dict[str, Any]:
    return {
        "regency_code": rng.choice(SAMPLE_REGENCIES),
        "violence_types": sorted(set(rng.sample(VIOLENCE_TYPES, rng.choice((1, 1, 2))))),
        "victim": {"sex": rng.choice(("perempuan", "perempuan", "laki_laki")), "age": rng.randint(2, 60)},
        "narrative": f"Laporan contoh nomor {number} (data demo, bukan kasus nyata).",
        "channel": rng.choice(CHANNELS),
    }


def submit_sample_reports(platform: Platform, count: int = 50, seed: int = 2025) -> list[dict[str, Any]]:
    rng = random.Random(seed)  # noqa: S311 - demo data, not security
    accepted = []
    with httpx.Client(base_url=platform.url("intake"), timeout=30) as client:
        for number in range(1, count + 1):
            response = client.post("/v1/reports", json=sample_report(rng, number))
            response.raise_for_status()
            accepted.append(response.json())
    return accepted


def seed_all(platform: Platform, reports: int = 50) -> None:
    agencies = seed_directory(platform)
    subscribe_agencies(platform, agencies)
    submit_sample_reports(platform, reports)
