"""The services' HTTP APIs, called as the signed-in person (their bearer token, their language): every rule of
the access matrix and of row-level security applies exactly as to any other client."""

from __future__ import annotations

import logging
from typing import Any
from uuid import UUID

import httpx

log = logging.getLogger(__name__)


class ServiceError(Exception):
    """A service did not do what was asked. ``service`` names it; nothing of the request is kept."""

    def __init__(self, service: str, status: int, detail: Any = None) -> None:
        super().__init__(f"{service} answered {status}")
        self.service = service
        self.status = status
        self.detail = detail


class ServiceUnavailableError(ServiceError):
    """The service cannot be reached, timed out or answered 5xx."""


class TokenRejectedError(ServiceError):
    """401: the person's token is no longer accepted; they sign in again."""


class Services:
    def __init__(self, *, intake_url: str, routing_url: str, timeout: float, **more_urls: str) -> None:
        """``more_urls``: the other services', by name (``reporting_url=...``)."""
        urls = {"intake": intake_url, "routing": routing_url}
        urls |= {name.removesuffix("_url"): url for name, url in more_urls.items()}
        self.urls = {name: url.rstrip("/") for name, url in urls.items()}
        self.client = httpx.AsyncClient(timeout=timeout, follow_redirects=False)

    async def close(self) -> None:
        await self.client.aclose()

    async def call(
        self, service: str, method: str, path: str, *, token: str, lang: str,
        json: Any = None, params: dict[str, str] | None = None, yaml: str | None = None,
    ) -> Any:
        """The answer's JSON; a ``yaml`` body (routing's rules) is sent as YAML, and the YAML answer returned."""
        headers = {"authorization": f"Bearer {token}", "accept-language": lang, "accept": "application/json"}
        if yaml is not None:
            headers["content-type"] = "application/yaml"
        try:
            response = await self.client.request(
                method, self.urls[service] + path, headers=headers, json=json, params=params,
                content=None if yaml is None else yaml.encode(),
            )
        except httpx.HTTPError as error:
            log.warning("%s unreachable (%s)", service, type(error).__name__)
            raise ServiceUnavailableError(service, 503) from None
        if response.status_code >= 500:
            log.warning("%s answered %s", service, response.status_code)
            raise ServiceUnavailableError(service, response.status_code)
        if response.status_code == 401:
            raise TokenRejectedError(service, 401)
        if response.status_code >= 400:
            try:
                detail = response.json().get("detail")
            except ValueError:
                detail = None
            raise ServiceError(service, response.status_code, detail)
        if response.headers.get("content-type", "").startswith("application/yaml"):
            return response.text
        return response.json() if response.content else None

    # routing
    async def referrals(self, token: str, lang: str, params: dict[str, str]) -> dict[str, Any]:
        found: dict[str, Any] = await self.call("routing", "GET", "/v1/referrals", token=token, lang=lang,
                                                params=params)
        return found

    async def case_referrals(self, token: str, lang: str, case_id: UUID) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = await self.call(
            "routing", "GET", f"/v1/cases/{case_id}/referrals", token=token, lang=lang)
        return found

    async def move(self, token: str, lang: str, referral_id: UUID, move: str, body: dict[str, Any] | None) -> Any:
        return await self.call("routing", "POST", f"/v1/referrals/{referral_id}/{move}", token=token, lang=lang,
                               json=body)

    async def follow_ups(self, token: str, lang: str, referral_id: UUID) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = await self.call(
            "routing", "GET", f"/v1/referrals/{referral_id}/follow-ups", token=token, lang=lang)
        return found

    async def add_follow_up(self, token: str, lang: str, referral_id: UUID, *, due_at: str, note: str) -> Any:
        return await self.call("routing", "POST", f"/v1/referrals/{referral_id}/follow-ups", token=token,
                               lang=lang, json={"due_at": due_at, "note": note})

    async def follow_up_done(self, token: str, lang: str, referral_id: UUID, follow_up_id: UUID) -> Any:
        return await self.call("routing", "POST", f"/v1/referrals/{referral_id}/follow-ups/{follow_up_id}/done",
                               token=token, lang=lang)

    # routing: the district supervisor's
    async def district_referrals(self, token: str, lang: str) -> dict[str, Any]:
        found: dict[str, Any] = await self.call("routing", "GET", "/v1/district/referrals", token=token, lang=lang)
        return found

    async def district_workload(self, token: str, lang: str) -> dict[str, Any]:
        found: dict[str, Any] = await self.call("routing", "GET", "/v1/district/workload", token=token, lang=lang)
        return found

    async def agencies(self, token: str, lang: str, params: dict[str, str]) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = await self.call("routing", "GET", "/v1/agencies", token=token, lang=lang,
                                                      params=params)
        return found

    async def hand(self, token: str, lang: str, case_id: UUID, what: str, *, agency_id: str, reason: str) -> Any:
        """``what``: ``referrals`` (a manual referral) or ``lead-handover``."""
        return await self.call("routing", "POST", f"/v1/cases/{case_id}/{what}", token=token, lang=lang,
                               json={"agency_id": agency_id, "reason": reason})

    # reporting
    async def stats(self, token: str, lang: str, what: str, params: dict[str, str]) -> dict[str, Any]:
        """``what``: ``cases`` or ``referrals``."""
        found: dict[str, Any] = await self.call("reporting", "GET", f"/v1/stats/{what}", token=token, lang=lang,
                                                params=params)
        return found

    # intake
    async def case(self, token: str, lang: str, case_id: UUID) -> dict[str, Any]:
        found: dict[str, Any] = await self.call("intake", "GET", f"/v1/cases/{case_id}", token=token, lang=lang)
        return found

    async def case_notes(self, token: str, lang: str, case_id: UUID) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = await self.call("intake", "GET", f"/v1/cases/{case_id}/notes", token=token,
                                                      lang=lang)
        return found

    async def add_note(self, token: str, lang: str, case_id: UUID, note: str) -> Any:
        return await self.call("intake", "POST", f"/v1/cases/{case_id}/updates", token=token, lang=lang,
                               json={"kind": "information_added", "note": note})
