"""The province admin's pages for the notification subscriptions of their province's agencies: the list, a new
one (webhook, email, SMS or WhatsApp), one's recent deliveries, pause, resume, a new secret, delete.

A webhook's secret is shown once, on the page that answers the form that made it (creation or a new secret):
it is never kept by the workspace, never put in a URL, and notifications never hands it out again."""

from __future__ import annotations

import asyncio
from typing import Annotated, Any, Literal
from uuid import UUID

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response

from workspace.adapters import oversight
from workspace.adapters.services import ServiceError
from workspace.domain.person import Person
from workspace.domain.referrals import FieldError
from workspace.domain.subscription_form import check_subscription, form_values
from workspace.entrypoints.people import bearer_token, province_admin
from workspace.entrypoints.referral_page import service_error_page, services_of
from workspace.entrypoints.rendering import language, pages
from workspace.entrypoints.security import check_csrf

router = APIRouter(include_in_schema=False)
Admin = Annotated[Person, Depends(province_admin)]
Token = Annotated[str, Depends(bearer_token)]
LIST = "/admin/subscriptions"
Action = Literal["pause", "resume", "rotate-secret", "delete"]


async def _choices(request: Request, token: str, me: Person) -> tuple[list[dict[str, Any]], list[str]]:
    """The province's agencies (by name) and what an agency may be told of."""
    services, lang = services_of(request), language(request)
    agencies, types = await asyncio.gather(
        oversight.agencies_of_province(services, token, lang, me.province_code or ""),
        oversight.event_types(services, token, lang))
    return (sorted(agencies, key=lambda agency: str(agency["name"])),
            [item["event_type"] for item in types if "agency" in item.get("scopes", [])])


@router.get(LIST)
async def subscriptions(request: Request, me: Admin, token: Token) -> Response:
    services, lang = services_of(request), language(request)
    try:
        found, agencies = await asyncio.gather(
            oversight.subscriptions_of_province(services, token, lang, me.province_code or ""),
            oversight.agencies_of_province(services, token, lang, me.province_code or ""))
    except ServiceError as error:
        return service_error_page(request, error)
    names = {agency["agency_id"]: agency["name"] for agency in agencies}
    return pages(request).render(request, "subscriptions.html", me=me, subscriptions=found, names=names,
                                 done=request.session.pop("done", None))


async def _new_form(request: Request, token: str, me: Person, *, status_code: int = 200,
                    errors: list[FieldError] | None = None, values: dict[str, Any] | None = None) -> Response:
    try:
        agencies, event_types = await _choices(request, token, me)
    except ServiceError as error:
        return service_error_page(request, error)
    return pages(request).render(
        request, "subscription_new.html", status_code=status_code, me=me, agencies=agencies,
        event_types=event_types, errors=errors or [],
        values=values or {"channel": "webhook", "language": "id", "event_types": ["referral.created"]})


@router.get(LIST + "/new")
async def new_subscription(request: Request, me: Admin, token: Token) -> Response:
    return await _new_form(request, token, me)


@router.post(LIST, dependencies=[Depends(check_csrf)])
async def create_subscription(request: Request, me: Admin, token: Token) -> Response:
    form = await request.form()
    values = form_values({k: str(v) for k, v in form.items()}, [str(v) for v in form.getlist("event_types")])
    try:
        agencies, event_types = await _choices(request, token, me)
    except ServiceError as error:
        return service_error_page(request, error)
    body, errors = check_subscription(values, agencies={a["agency_id"] for a in agencies}, event_types=event_types)
    if body is None:
        return await _new_form(request, token, me, status_code=422, errors=errors, values=values)
    try:
        made = await oversight.subscribe(services_of(request), token, language(request), body)
    except ServiceError as error:
        if error.status == 422 and isinstance(error.detail, list):
            errors = [_field_error(item) for item in error.detail if isinstance(item, dict)]
            return await _new_form(request, token, me, status_code=422, errors=errors, values=values)
        return service_error_page(request, error)
    if not made.get("secret"):
        request.session["done"] = "subscription_created"
        return RedirectResponse(f"{LIST}/{made['subscription_id']}", status_code=303)
    return await _show(request, token, me, UUID(made["subscription_id"]), secret=made["secret"], status_code=201,
                       done="subscription_created")


def _field_error(item: dict[str, Any]) -> FieldError:
    """A field notifications refused, with its own words (asked for in the person's language)."""
    location = [str(part) for part in item.get("loc", []) if part not in {"body", "query"}]
    return FieldError(location[0] if location else "target", str(item.get("msg", "")))


async def _show(request: Request, token: str, me: Person, subscription_id: UUID, *, secret: str | None = None,
                status_code: int = 200, done: str | None = None) -> Response:
    services, lang = services_of(request), language(request)
    try:
        found, log = await asyncio.gather(oversight.subscription(services, token, lang, subscription_id),
                                          oversight.deliveries(services, token, lang, subscription_id))
    except ServiceError as error:
        return service_error_page(request, error)
    return pages(request).render(
        request, "subscription.html", status_code=status_code, me=me, subscription=found, deliveries=log,
        secret=secret, done=done or request.session.pop("done", None), province=me.province_code or "")


@router.get(LIST + "/{subscription_id}")
async def subscription_page(request: Request, subscription_id: UUID, me: Admin, token: Token) -> Response:
    return await _show(request, token, me, subscription_id)


@router.post(LIST + "/{subscription_id}/{action}", dependencies=[Depends(check_csrf)])
async def change_subscription(
    request: Request, subscription_id: UUID, action: Action, me: Admin, token: Token
) -> Response:
    try:
        answer = await oversight.change_subscription(services_of(request), token, language(request),
                                                     subscription_id, action)
    except ServiceError as error:
        return service_error_page(request, error)
    if action == "rotate-secret":
        return await _show(request, token, me, subscription_id, secret=answer["secret"], done="secret_rotated")
    request.session["done"] = {"pause": "subscription_paused", "resume": "subscription_resumed",
                               "delete": "subscription_deleted"}[action]
    return RedirectResponse(LIST if action == "delete" else f"{LIST}/{subscription_id}", status_code=303)
