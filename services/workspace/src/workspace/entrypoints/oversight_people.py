"""Who may open the oversight pages: an auditor of a province the audit pages, a province admin the
subscriptions and export pages. Anyone else signed in gets the forbidden page; the services check the same
token by their own rules besides."""

from __future__ import annotations

from fastapi import HTTPException, Request

from workspace.domain.person import Person
from workspace.entrypoints.people import current_person


async def auditor(request: Request) -> Person:
    person = await current_person(request)
    if not person.audits_province:
        raise HTTPException(status_code=403)
    return person


async def province_admin(request: Request) -> Person:
    person = await current_person(request)
    if not person.administers_province:
        raise HTTPException(status_code=403)
    return person
