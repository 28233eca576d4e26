"""People signed in to the workspace as a browser signs them in, over HTTP: the workspace sends them to the OIDC
provider's own sign-in page, they post their user name and password there, and the provider sends them back
through the workspace's callback. Nothing is put into a session or a header by the test."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from urllib.parse import urljoin

import httpx

from sinergi_local.identity.sign_in import form_action
from sinergi_local.platform import Platform

_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@dataclass
class Person:
    """One person's browser: its cookies (the workspace's session, the provider's), and every address it was
    sent to on the way (for the checks that nothing personal is ever in a URL)."""

    client: httpx.AsyncClient
    base: str
    username: str | None = None
    visited: list[str] = field(default_factory=list)

    async def go(self, response: httpx.Response) -> httpx.Response:
        """Follow ``response``'s redirects as a browser does, noting each address."""
        for _ in range(20):
            location = response.headers.get("location")
            if not response.is_redirect or location is None:
                return response
            target = urljoin(str(response.url), location)
            self.visited.append(target)
            response = await self.client.get(target)
        raise AssertionError("too many redirects")

    async def get(self, path: str, **kwargs: object) -> httpx.Response:
        return await self.client.get(self.base + path, **kwargs)  # type: ignore[arg-type]

    async def post(self, path: str, data: dict[str, object], **kwargs: object) -> httpx.Response:
        return await self.client.post(self.base + path, data=data, **kwargs)  # type: ignore[arg-type]

    async def sign_in(self, platform: Platform, username: str, page: str = "/") -> httpx.Response:
        """Ask for ``page``, sign in at the provider when it asks, and land on the page (returned)."""
        answer = await self.go(await self.get(page))
        if 'id="username"' in answer.text:  # the provider's sign-in page
            assert platform.identity is not None
            answer = await self.go(await self.client.post(form_action(answer), data={
                "username": username, "password": platform.identity.demo_password()}))
        self.username = username
        return answer

    async def csrf(self, path: str = "/") -> str:
        found = _CSRF.search((await self.get(path)).text)
        assert found is not None, "no form on the page"
        return found.group(1)


@asynccontextmanager
async def browser(platform: Platform, lang: str = "id") -> AsyncIterator[Person]:
    """A fresh browser (no cookies) asking for pages in ``lang``."""
    async with httpx.AsyncClient(timeout=30, headers={"accept-language": lang}) as client:
        yield Person(client, platform.url("workspace"))


@asynccontextmanager
async def signed_in(platform: Platform, username: str, lang: str = "id") -> AsyncIterator[Person]:
    async with browser(platform, lang) as person:
        landed = await person.sign_in(platform, username)
        assert landed.status_code == 200, (username, landed.status_code, landed.text[:300])
        assert str(landed.url).startswith(person.base), (username, str(landed.url))
        yield person
