"""Past its limit of requests in flight a service answers 503 with Retry-After at once, health endpoints aside,
and takes requests again as soon as one ends."""

import asyncio

import httpx
from fastapi import FastAPI

from shared.limits import InFlightLimitMiddleware


def held_app(limit: int) -> tuple[FastAPI, asyncio.Event, asyncio.Event, list[str]]:
    """An app whose requests wait for ``release``; ``full`` is set once ``limit`` of them are in."""
    app = FastAPI()
    release, full = asyncio.Event(), asyncio.Event()
    entered: list[str] = []

    @app.get("/v1/slow/{name}")
    async def slow(name: str) -> dict[str, str]:
        entered.append(name)
        if len(entered) == limit:
            full.set()
        await release.wait()
        return {"name": name}

    @app.get("/health")
    async def health() -> dict[str, str]:
        return {"status": "ok"}

    app.add_middleware(InFlightLimitMiddleware, limit=limit)
    return app, release, full, entered


async def test_past_the_limit_a_request_gets_503_with_retry_after_and_is_not_handled() -> None:
    app, release, full, entered = held_app(limit=2)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://sinergi") as client:
        held = [asyncio.create_task(client.get(f"/v1/slow/{name}")) for name in ("a", "b")]
        async with asyncio.timeout(5):
            await full.wait()

        refused = await client.get("/v1/slow/c")
        assert refused.status_code == 503
        assert refused.headers["retry-after"] == "1"
        assert refused.json() == {"detail": [{
            "loc": ["service"], "type": "at_capacity", "msg": "Layanan sedang penuh; coba lagi dalam 1 detik.",
        }]}
        assert refused.headers["content-language"] == "id"
        english = await client.get("/v1/slow/c", headers={"Accept-Language": "en"})
        assert english.json()["detail"][0]["msg"] == "The service is at capacity; try again in 1 s."
        assert english.headers["retry-after"] == "1"
        assert entered == ["a", "b"]  # the refused request never reached its handler
        assert (await client.get("/health")).status_code == 200  # an overloaded service is alive

        release.set()
        assert [response.json() for response in await asyncio.gather(*held)] == [{"name": "a"}, {"name": "b"}]
        assert (await client.get("/v1/slow/d")).json() == {"name": "d"}  # room again once they ended


async def test_a_failing_request_gives_its_place_back() -> None:
    app = FastAPI()

    @app.get("/v1/broken")
    async def broken() -> None:
        raise RuntimeError("a bug")

    app.add_middleware(InFlightLimitMiddleware, limit=1)
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://sinergi") as client:
        for _ in range(3):
            assert (await client.get("/v1/broken")).status_code == 500
