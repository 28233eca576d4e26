"""The calls of the auditor's and the province admin's pages: reporting's audit trail and exports, and
notifications' subscriptions; made as the signed-in person through ``Services`` (their token, their language)."""

from __future__ import annotations

import logging
from typing import Any
from uuid import UUID

import httpx

from workspace.adapters.services import ServiceError, Services, ServiceUnavailableError, TokenRejectedError

log = logging.getLogger(__name__)


async def _list(services: Services, service: str, path: str, token: str, lang: str,
                *, params: dict[str, str] | None = None) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = await services.call(service, "GET", path, token=token, lang=lang, params=params)
    return found


# reporting: the audit trail
async def cases_numbered(services: Services, token: str, lang: str, case_number: str) -> list[dict[str, Any]]:
    return await _list(services, "reporting", "/v1/audit/cases", token, lang, params={"case_number": case_number})


async def case_trail(services: Services, token: str, lang: str, case_id: UUID) -> list[dict[str, Any]]:
    return await _list(services, "reporting", f"/v1/audit/cases/{case_id}/trail", token, lang)


async def case_reads(services: Services, token: str, lang: str, case_id: UUID) -> list[dict[str, Any]]:
    return await _list(services, "reporting", f"/v1/audit/cases/{case_id}/reads", token, lang, params={"limit": "1000"})


async def chain_verification(services: Services, token: str, lang: str, case_id: UUID) -> dict[str, Any]:
    found: dict[str, Any] = await services.call("reporting", "GET", f"/v1/audit/cases/{case_id}/verification",
                                                token=token, lang=lang)
    return found


# routing: the province's agencies, to subscribe one
async def agencies_of_province(services: Services, token: str, lang: str, province: str) -> list[dict[str, Any]]:
    return await _list(services, "routing", "/v1/agencies", token, lang, params={"province_code": province})


# notifications: subscriptions
async def subscriptions_of_province(services: Services, token: str, lang: str, province: str) -> list[dict[str, Any]]:
    return await _list(services, "notifications", "/v1/subscriptions", token, lang, params={"province_code": province})


async def event_types(services: Services, token: str, lang: str) -> list[dict[str, Any]]:
    return await _list(services, "notifications", "/v1/event-types", token, lang)


async def subscription(services: Services, token: str, lang: str, subscription_id: UUID) -> dict[str, Any]:
    found: dict[str, Any] = await services.call("notifications", "GET", f"/v1/subscriptions/{subscription_id}",
                                                token=token, lang=lang)
    return found


async def deliveries(services: Services, token: str, lang: str, subscription_id: UUID) -> list[dict[str, Any]]:
    return await _list(services, "notifications", f"/v1/subscriptions/{subscription_id}/deliveries", token, lang,
                       params={"limit": "20"})


async def subscribe(services: Services, token: str, lang: str, body: dict[str, Any]) -> dict[str, Any]:
    made: dict[str, Any] = await services.call("notifications", "POST", "/v1/subscriptions", token=token, lang=lang,
                                               json=body)
    return made


async def change_subscription(services: Services, token: str, lang: str, subscription_id: UUID, action: str) -> Any:
    """``pause``, ``resume``, ``rotate-secret`` (answers the new secret) or ``delete``."""
    if action == "delete":
        return await services.call("notifications", "DELETE", f"/v1/subscriptions/{subscription_id}", token=token,
                                   lang=lang)
    return await services.call("notifications", "POST", f"/v1/subscriptions/{subscription_id}/{action}",
                               token=token, lang=lang)


async def open_download(services: Services, service: str, path: str, *, token: str, lang: str,
                        params: dict[str, str]) -> httpx.Response:
    """A file from a service, open for streaming (its body not yet read; the caller closes it once sent).
    Refusals raise as ``Services.call``'s do, the answer closed."""
    headers = {"authorization": f"Bearer {token}", "accept-language": lang}
    request = services.client.build_request("GET", services.urls[service] + path, headers=headers, params=params)
    try:
        response = await services.client.send(request, stream=True)
    except httpx.HTTPError as error:
        log.warning("%s unreachable (%s)", service, type(error).__name__)
        raise ServiceUnavailableError(service, 503) from None
    if response.status_code < 400:
        return response
    try:
        await response.aread()
    finally:
        await response.aclose()
    if response.status_code >= 500:
        raise ServiceUnavailableError(service, response.status_code)
    if response.status_code == 401:
        raise TokenRejectedError(service, 401)
    try:
        detail = response.json().get("detail")
    except ValueError:
        detail = None
    raise ServiceError(service, response.status_code, detail)
