"""The live inbox: server-sent events telling an open inbox that one of its referrals changed (its agency's, or a
district supervisor's regency's). The page's script then fetches the inbox again (as the person, so every access
rule holds) and announces it."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response, StreamingResponse

from workspace.domain.person import Person
from workspace.entrypoints.people import workspace_person
from workspace.service_layer.live import LiveHub

router = APIRouter(include_in_schema=False)
_KEEPALIVE_SECONDS = 15


def hub_of(request: Request) -> LiveHub:
    hub: LiveHub = request.app.state.live_hub
    return hub


@router.get("/inbox/events")
async def inbox_events(request: Request, person: Annotated[Person, Depends(workspace_person)]) -> Response:
    audience = person.live_audience
    if audience is None:
        return Response(status_code=204)  # nothing to follow: the script stops asking
    hub = hub_of(request)
    queue = hub.listen(audience)

    async def stream() -> AsyncIterator[str]:
        try:
            yield "retry: 3000\n\n"
            while True:
                try:
                    notice = await asyncio.wait_for(queue.get(), _KEEPALIVE_SECONDS)
                except TimeoutError:
                    yield ": keepalive\n\n"
                    continue
                yield f"event: referral\ndata: {json.dumps(notice.as_dict())}\n\n"
        finally:
            hub.stop_listening(audience, queue)

    return StreamingResponse(stream(), media_type="text/event-stream",
                             headers={"x-accel-buffering": "no"})
