"""The public report form (Bahasa Indonesia, no login) and the region list it offers.

The page is static: its script reads ``GET /v1/regions`` and posts to ``POST /v1/reports`` like any client, so
the form gets exactly the API's rules, errors and abuse limits.
"""

from __future__ import annotations

from importlib.resources import files

from fastapi import APIRouter, Depends
from fastapi.responses import HTMLResponse
from pydantic import BaseModel

from shared.limits import public_rate_limit
from shared.regions import RegionKind, load_regions

router = APIRouter()

FORM_PAGE = files("intake") / "static" / "lapor.html"


@router.get("/lapor", response_class=HTMLResponse, tags=["public"], dependencies=[Depends(public_rate_limit)])
async def report_form() -> HTMLResponse:
    """Formulir pengaduan: anyone may report violence against women and children here, anonymously if they
    wish."""
    return HTMLResponse(
        FORM_PAGE.read_text(encoding="utf-8"),
        headers={
            "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
            "script-src 'self' 'unsafe-inline'; frame-ancestors 'none'",
            "Cache-Control": "no-store",
        },
    )


class RegionOut(BaseModel):
    code: str
    name: str
    kind: RegionKind


class RegionsOut(BaseModel):
    source: str
    regions: list[RegionOut]


@router.get("/v1/regions", response_model=RegionsOut, tags=["public"])
async def regions() -> RegionsOut:
    """Every province and regency/city of Indonesia with its Kemendagri code, and the decree they come from."""
    catalogue = load_regions()
    listed = [
        RegionOut(code=region.code, name=region.name, kind=region.kind)
        for province in catalogue.provinces()
        for region in (province, *catalogue.regencies_of(province.code))
    ]
    return RegionsOut(source=catalogue.source, regions=listed)
