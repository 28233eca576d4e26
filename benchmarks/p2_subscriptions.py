"""P2's agencies: the demo directory in routing, and one webhook subscription per agency (``referral.created``)
pointing at P2's receiver, made and removed through notifications' public API with the tokens the demo seeding
uses (``sinergi_local.seed``): a province admin for a provincial agency, its supervisor for a national one."""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from shared.auth import Role
from sinergi_local.platform import Platform
from sinergi_local.seed import province_admin, seed_directory

EVENT_TYPES = ("referral.created",)


@dataclass(frozen=True)
class BenchSubscription:
    subscription_id: str
    headers: dict[str, str]  # of whoever made it: they may delete it


def _maker(platform: Platform, agency: dict[str, Any]) -> dict[str, str]:
    if agency.get("province_code"):
        return province_admin(platform, agency["province_code"])
    return platform.bearer(Role.AGENCY_SUPERVISOR, user_id=f"bench-supervisor-{agency['agency_id']}",
                           agency_id=agency["agency_id"], agency_type=agency["agency_type"])


def subscribe_receiver(platform: Platform, receiver_url: str, secrets_path: Path) -> list[BenchSubscription]:
    """Subscribe every agency of the demo directory to ``<receiver_url>/webhooks/<agency_id>``; the secrets go
    to ``secrets_path`` (owner-only), where the receiver reads them."""
    agencies = seed_directory(platform)
    known: dict[str, str] = {}
    made = []
    with httpx.Client(base_url=platform.url("notifications"), timeout=30) as client:
        for agency in agencies:
            agency_id, secret, headers = agency["agency_id"], secrets.token_urlsafe(24), _maker(platform, agency)
            response = client.post("/v1/subscriptions", headers=headers, json={
                "agency_id": agency_id, "target": f"{receiver_url}/webhooks/{agency_id}",
                "event_types": list(EVENT_TYPES), "secret": secret,
            })
            response.raise_for_status()
            known[agency_id] = secret
            made.append(BenchSubscription(response.json()["subscription_id"], headers))
    secrets_path.touch(mode=0o600)
    secrets_path.write_text(json.dumps(known))
    return made


def unsubscribe(platform: Platform, subscriptions: list[BenchSubscription]) -> None:
    """Remove P2's subscriptions, so that later benchmarks do not deliver to a receiver that is gone."""
    with httpx.Client(base_url=platform.url("notifications"), timeout=30) as client:
        for subscription in subscriptions:
            client.delete(f"/v1/subscriptions/{subscription.subscription_id}",
                          headers=subscription.headers).raise_for_status()
