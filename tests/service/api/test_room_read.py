"""service/api/room_read.py: the room's read checks credentials and access itself, in one statement."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Coroutine
from types import SimpleNamespace
from typing import Any

import httpx
from litestar.exceptions import NotAuthorizedException
from sqlalchemy import event, update

from service.api.room_read import RoomBuilds
from service.app import create_app
from service.db.engine import make_engine
from service.db.types import utcnow
from service.domain.reviews.room_reads import RoomRead
from service.models import Person
from tests.helpers import committed_cast, create_person, ok, token_headers
from tests.service.api.conftest import sign_in

LINE = {"speaker": "Alice Okafor", "text": "It went to all four regions.", "start_s": 1.0, "end_s": 2.0}


def test_a_read_from_the_cache_asks_the_database_one_statement(client, settings):
    room = committed_cast(settings)
    alice = token_headers(settings, room["alice"])
    url = f"/api/reviews/{room['review']}"
    ok(client.get(url, headers=alice))  # builds the room; records the token's first use
    engines = [client.app.state.engine]
    if client.app.state.room_read_engine is not None:
        engines.append(client.app.state.room_read_engine.sync_engine)
    statements: list[str] = []

    def note(_connection, _cursor, statement: str, *_args: object) -> None:
        if statement.split(None, 1)[0].upper() not in ("BEGIN", "COMMIT", "ROLLBACK"):
            statements.append(statement)

    for engine in engines:
        event.listen(engine, "before_cursor_execute", note)
    try:
        assert client.get(url, headers=alice).status_code == 200
    finally:
        for engine in engines:
            event.remove(engine, "before_cursor_execute", note)
    assert len(statements) == 1, statements


def test_a_browser_is_refused_once_signed_out_or_disabled(client, settings):
    room = committed_cast(settings)
    url = f"/api/reviews/{room['review']}"
    refused = client.get(url)
    assert refused.status_code == 401 and "Sign in first" in refused.json()["detail"]
    bea = create_person(settings, "Bea", email="bea@example.org", password="a long passphrase")
    sign_in(client, "bea@example.org", "a long passphrase")
    assert client.get(url).status_code == 404  # signed in, but Bea is in no team
    engine = make_engine(settings)
    with engine.begin() as connection:
        connection.execute(update(Person).where(Person.id == bea).values(disabled_at=utcnow()))
    engine.dispose()
    disabled = client.get(url)
    assert disabled.status_code == 401 and "no longer active" in disabled.json()["detail"]


def test_reads_that_miss_together_build_the_room_once(settings):
    room = committed_cast(settings)
    alice = token_headers(settings, room["alice"])
    url = f"/api/reviews/{room['review']}"
    app = create_app(settings)
    reads, builds = app.state.room_reads, []

    def slow_read(*args: object, **kwargs: object) -> object:
        builds.append(1)
        time.sleep(0.2)  # a build long enough for every reader of the burst to miss the cache meanwhile
        return reads.read(*args, **kwargs)

    app.state.room_reads = SimpleNamespace(cached=reads.cached, read=slow_read)

    async def burst() -> list[bytes]:
        # httpx's ASGI transport, not Litestar's test clients: those serve one request at a time.
        transport = httpx.ASGITransport(app=app)
        async with app.lifespan(), httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            ok(await client.post(f"{url}/segments", json={"segments": [LINE]}, headers=alice), 201)
            answers = await asyncio.gather(*[client.get(url, headers=alice) for _ in range(8)])
        assert {a.status_code for a in answers} == {200}
        return [a.content for a in answers]

    bodies = asyncio.run(burst())
    assert len(set(bodies)) == 1 and json.loads(bodies[0])["segment_count"] >= 1
    assert len(builds) == 1, builds


def _run(*coroutines: Coroutine[Any, Any, Any]) -> list[Any]:
    async def together() -> list[Any]:
        return await asyncio.gather(*coroutines, return_exceptions=True)

    return asyncio.run(together())


def test_a_reader_refused_by_the_build_it_waited_for_builds_on_its_own_account():
    builds = RoomBuilds()
    read = RoomRead(body=b"{}", etag='"e"')
    built_own = asyncio.Event()

    async def leader() -> RoomRead:
        async def refused() -> RoomRead:
            await asyncio.sleep(0.05)
            raise NotAuthorizedException("token revoked meanwhile")

        return await builds.once((1, 7, b"s"), refused)

    async def follower() -> RoomRead:
        await asyncio.sleep(0)  # joins while the leader's build runs

        async def own() -> RoomRead:
            built_own.set()
            return read

        return await builds.once((1, 7, b"s"), own)

    first, second = _run(leader(), follower())
    assert isinstance(first, NotAuthorizedException) and second is read and built_own.is_set()


def test_a_reader_that_hangs_up_does_not_cancel_the_build_others_wait_for():
    builds = RoomBuilds()
    read = RoomRead(body=b"{}", etag='"e"')
    calls: list[str] = []

    async def build() -> RoomRead:
        calls.append("built")
        await asyncio.sleep(0.05)
        return read

    async def scenario() -> tuple[list[Any], list[str]]:
        leader = asyncio.ensure_future(builds.once((1, 7, b"s"), build))
        await asyncio.sleep(0)
        follower = asyncio.ensure_future(builds.once((1, 7, b"s"), build))
        await asyncio.sleep(0)
        leader.cancel()
        answers = await asyncio.gather(leader, follower, return_exceptions=True)
        again = await builds.once((1, 7, b"s"), build)  # done builds are forgotten: the cache holds them
        return [*answers, again], calls

    (leader, follower, again), calls = asyncio.run(scenario())
    assert isinstance(leader, asyncio.CancelledError) and follower is read and again is read
    assert calls == ["built", "built"]
