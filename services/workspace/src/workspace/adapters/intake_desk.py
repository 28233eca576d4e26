"""Intake's API for the hotline operator, called as the signed-in operator (``adapters.services``): their token
and language, so intake's rules and words apply as to any other client."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from workspace.adapters.services import Services


async def recent_cases(services: Services, token: str, lang: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = await services.call("intake", "GET", "/v1/cases", token=token, lang=lang,
                                                      params={"limit": "50"})
    return found


async def drafts(services: Services, token: str, lang: str) -> list[dict[str, Any]]:
    """The WhatsApp and SMS messages waiting (each read is audited by intake)."""
    found: list[dict[str, Any]] = await services.call("intake", "GET", "/v1/drafts", token=token, lang=lang,
                                                      params={"limit": "200"})
    return found


async def possible_duplicates(services: Services, token: str, lang: str, report: dict[str, Any]) -> list[Any]:
    found: list[Any] = await services.call("intake", "POST", "/v1/reports/duplicates", token=token, lang=lang,
                                           json=report)
    return found


async def save_report(
    services: Services, token: str, lang: str, report: dict[str, Any], *, link_to: str, draft_id: str
) -> dict[str, Any]:
    """Save the report (a draft's, when ``draft_id``), linked to ``link_to`` when the operator chose one."""
    path = f"/v1/drafts/{UUID(draft_id)}/report" if draft_id else "/v1/reports"
    params = {"link_to": str(UUID(link_to))} if link_to else None
    saved: dict[str, Any] = await services.call("intake", "POST", path, token=token, lang=lang, json=report,
                                                params=params)
    return saved


async def raise_priority(
    services: Services, token: str, lang: str, case_id: UUID, *, priority: str, reason: str
) -> dict[str, Any]:
    raised: dict[str, Any] = await services.call("intake", "POST", f"/v1/cases/{case_id}/priority", token=token,
                                                 lang=lang, json={"priority": priority, "reason": reason})
    return raised
