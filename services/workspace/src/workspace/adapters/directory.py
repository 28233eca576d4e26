"""Routing's directory and rules, as the province admin's pages call them (as the signed-in admin)."""

from __future__ import annotations

from typing import Any

from workspace.adapters.services import Services


async def agencies(services: Services, token: str, lang: str, province_code: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = await services.call(
        "routing", "GET", "/v1/agencies", token=token, lang=lang, params={"province_code": province_code})
    return found


async def agency(services: Services, token: str, lang: str, agency_id: str) -> dict[str, Any]:
    found: dict[str, Any] = await services.call("routing", "GET", f"/v1/agencies/{agency_id}", token=token, lang=lang)
    return found


async def put_agency(services: Services, token: str, lang: str, body: dict[str, Any]) -> Any:
    return await services.call("routing", "PUT", f"/v1/agencies/{body['agency_id']}", token=token, lang=lang,
                               json=body)


async def deactivate(services: Services, token: str, lang: str, agency_id: str) -> Any:
    return await services.call("routing", "DELETE", f"/v1/agencies/{agency_id}", token=token, lang=lang)


async def rules(services: Services, token: str, lang: str, province_code: str) -> str:
    found: str = await services.call("routing", "GET", f"/v1/provinces/{province_code}/rules", token=token,
                                     lang=lang)
    return found


async def put_rules(services: Services, token: str, lang: str, province_code: str, document: str) -> Any:
    return await services.call("routing", "PUT", f"/v1/provinces/{province_code}/rules", token=token, lang=lang,
                               yaml=document)


async def preview(services: Services, token: str, lang: str, province_code: str, body: dict[str, Any]) -> Any:
    return await services.call("routing", "POST", f"/v1/provinces/{province_code}/rules/preview", token=token,
                               lang=lang, json=body)
