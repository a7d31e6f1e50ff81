"""At most `busy` working requests (and `waiting` slow ones) are inside a process at once; the rest wait."""

from __future__ import annotations

import asyncio

import httpx
from litestar import Litestar, get

from service.api.admission import BUSY_REQUESTS, admission_middleware, request_limits
from service.settings import Settings


def _app(inside: dict[str, int], busy: int, waiting: int) -> Litestar:
    async def occupy(key: str) -> None:
        inside[key] += 1
        inside[f"most_{key}"] = max(inside[f"most_{key}"], inside[key])
        await asyncio.sleep(0.05)
        inside[key] -= 1

    @get("/reads")
    async def reads() -> dict[str, int]:
        await occupy("busy")
        return {"ok": 1}

    @get("/writes")
    async def writes() -> dict[str, int]:
        await occupy("busy")
        return {"ok": 1}

    @get("/draft", opt={"model_call": True})
    async def draft() -> dict[str, int]:
        await occupy("waiting")
        return {"ok": 1}

    @get("/health")
    async def health() -> str:
        return "ok"

    return Litestar([reads, writes, draft, health], middleware=[admission_middleware(busy, waiting)])


def _run(app: Litestar, paths: list[str]) -> list[int]:
    async def run() -> list[int]:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            responses = await asyncio.gather(*[client.get(path) for path in paths])
            # Uncounted paths pass even while the gate is full.
            health = await client.get("/health")
        return [r.status_code for r in [*responses, health]]

    return asyncio.run(run())


def test_requests_beyond_the_limit_wait_their_turn_and_all_complete():
    inside = {"busy": 0, "most_busy": 0, "waiting": 0, "most_waiting": 0}
    assert _run(_app(inside, 3, 1), ["/reads"] * 12) == [200] * 13
    assert inside["most_busy"] == 3


def test_the_limit_is_for_the_whole_process_not_per_route():
    # Litestar builds middleware once per route: the gate must still be one.
    inside = {"busy": 0, "most_busy": 0, "waiting": 0, "most_waiting": 0}
    assert _run(_app(inside, 2, 1), ["/reads", "/writes"] * 6) == [200] * 13
    assert inside["most_busy"] == 2


def test_slow_model_calls_have_their_own_gate_and_never_hold_a_busy_place():
    inside = {"busy": 0, "most_busy": 0, "waiting": 0, "most_waiting": 0}
    assert _run(_app(inside, 2, 3), ["/draft"] * 6 + ["/reads"] * 6) == [200] * 13
    assert inside["most_busy"] == 2 and inside["most_waiting"] == 3


def test_the_limits_leave_database_connections_for_live_sockets():
    assert request_limits(Settings(database={"pool_size": 10, "max_overflow": 10})) == (
        BUSY_REQUESTS,
        17 - BUSY_REQUESTS,
    )
    assert request_limits(Settings(database={"pool_size": 1, "max_overflow": 0})) == (1, 1)
