"""At most `limit` HTTP requests are inside the app at once; the rest wait on the event loop."""

from __future__ import annotations

import asyncio

import httpx
from litestar import Litestar, get

from service.api.admission import admission_middleware, request_limit
from service.settings import Settings


def test_requests_beyond_the_limit_wait_their_turn_and_all_complete():
    inside = {"now": 0, "most": 0}

    @get("/work")
    async def work() -> dict[str, int]:
        inside["now"] += 1
        inside["most"] = max(inside["most"], inside["now"])
        await asyncio.sleep(0.05)
        inside["now"] -= 1
        return {"ok": 1}

    @get("/health")
    async def health() -> str:
        return "ok"

    app = Litestar([work, health], middleware=[admission_middleware(3)])

    async def run() -> list[int]:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            responses = await asyncio.gather(*[client.get("/work") for _ in range(12)])
            # Uncounted paths pass even while the gate is full.
            health = await client.get("/health")
        return [r.status_code for r in [*responses, health]]

    assert asyncio.run(run()) == [200] * 13
    assert inside["most"] == 3


def test_the_limit_leaves_database_connections_for_live_sockets():
    settings = Settings(database={"pool_size": 10, "max_overflow": 10})
    assert request_limit(settings) == 17
    assert request_limit(Settings(database={"pool_size": 1, "max_overflow": 0})) == 1
