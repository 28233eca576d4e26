"""The workspace in process on the session's Postgres (provisioned and migrated by ``service_env``)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable

import httpx
import pytest
from fastapi import FastAPI

from workspace.app import create_app
from workspace.settings import WorkspaceSettings


@pytest.fixture(scope="package")
def workspace_app(make_settings: Callable[..., WorkspaceSettings]) -> FastAPI:
    # An issuer nobody answers on: these tests never reach the provider (the browser tests use the real one).
    return create_app(make_settings(WorkspaceSettings, "workspace", oidc_issuer="http://127.0.0.1:9"))


@pytest.fixture
async def browser_client(workspace_app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """A client that keeps cookies, as a browser does; it does not follow redirects."""
    transport = httpx.ASGITransport(app=workspace_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1:8005") as client:
        yield client
