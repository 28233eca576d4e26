"""Each service's API pages (``/docs``: Swagger UI, ``/redoc``: ReDoc) with their files served by the service
itself, after FastAPI's recipe for self-hosting them: the browser fetches nothing from a CDN, so the pages work
on a network without the internet, and a CDN never sees who reads Sinergi's API or when.

The files (JavaScript, CSS, favicon) come from the ``fastapi-offline`` package on PyPI, which ships Swagger UI
5 (it reads the OpenAPI 3.1 documents FastAPI writes) and ReDoc.
"""

from __future__ import annotations

from pathlib import Path

import fastapi_offline
from fastapi import FastAPI, Request
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html, get_swagger_ui_oauth2_redirect_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

ASSETS_PATH = "/docs-assets"
ASSETS = Path(fastapi_offline.__file__).parent / "static"
DOCS_PATHS = ("/docs", "/docs/oauth2-redirect", "/redoc")


def add_api_docs(app: FastAPI) -> None:
    """``/docs``, its OAuth2 redirect and ``/redoc`` on ``app`` (built with ``docs_url=None, redoc_url=None``),
    and the files they load under ``/docs-assets``."""
    app.mount(ASSETS_PATH, StaticFiles(directory=ASSETS), name="docs-assets")
    title = app.title

    def here(request: Request, path: str) -> str:
        return f"{request.scope.get('root_path', '')}{path}"

    @app.get("/docs", include_in_schema=False)
    async def swagger_ui(request: Request) -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=here(request, app.openapi_url or "/openapi.json"), title=f"{title} - Swagger UI",
            oauth2_redirect_url=here(request, "/docs/oauth2-redirect"),
            swagger_js_url=here(request, f"{ASSETS_PATH}/swagger-ui-bundle.js"),
            swagger_css_url=here(request, f"{ASSETS_PATH}/swagger-ui.css"),
            swagger_favicon_url=here(request, f"{ASSETS_PATH}/favicon.png"),
        )

    @app.get("/docs/oauth2-redirect", include_in_schema=False)
    async def swagger_ui_redirect() -> HTMLResponse:
        return get_swagger_ui_oauth2_redirect_html()

    @app.get("/redoc", include_in_schema=False)
    async def redoc(request: Request) -> HTMLResponse:
        return get_redoc_html(
            openapi_url=here(request, app.openapi_url or "/openapi.json"), title=f"{title} - ReDoc",
            redoc_js_url=here(request, f"{ASSETS_PATH}/redoc.standalone.js"),
            redoc_favicon_url=here(request, f"{ASSETS_PATH}/favicon.png"), with_google_fonts=False,
        )
