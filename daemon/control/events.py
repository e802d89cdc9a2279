"""``/v1/events``: the core's event stream as server-sent events, with heartbeats."""

from __future__ import annotations

import asyncio
import json
import queue
from collections.abc import AsyncIterator

from fastapi import APIRouter
from fastapi.responses import StreamingResponse

from daemon.control.deps import Core

router = APIRouter()
HEARTBEAT_SECONDS = 15


@router.get("/v1/events")
async def events(core: Core) -> StreamingResponse:
    subscription = core.bus.subscribe()

    async def stream() -> AsyncIterator[bytes]:
        try:
            yield b": connected\n\n"
            while True:
                try:
                    event = await asyncio.to_thread(subscription.get, True, HEARTBEAT_SECONDS)
                except queue.Empty:
                    yield b": heartbeat\n\n"
                    continue
                if event is None:  # the daemon stops: the stream ends
                    return
                payload = json.dumps(event.model_dump(mode="json", by_alias=True))
                yield f"data: {payload}\n\n".encode()
        finally:
            core.bus.unsubscribe(subscription)

    return StreamingResponse(
        stream(), media_type="text/event-stream", headers={"Cache-Control": "no-store"}
    )
