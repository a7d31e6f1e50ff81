"""`GET /api/reviews/{id}`, the room's read, in one database round trip and (on PostgreSQL) no thread hop.

Every participant's room reads it once a second; it is most of what Debrief serves. Through the
usual path a read hopped to a worker thread three times (the authentication middleware's lookup,
the handler, closing the session) and made four round trips, and under load it spent 13-15 ms
inside the admission gate for ~3 ms of CPU, so reads queued at the gate (docs/deploy.md, issue #8).

So this route is left out of the authentication middleware (Litestar's ``exclude_from_auth``) and
checks the same credentials itself, in the one statement of room_access.py that also checks
access and reads the cache key: nothing is cached about who may read, and a revoked token or a
removed member is refused on the very next read, in every process.

On PostgreSQL the statement runs on the event loop, on SQLAlchemy's asyncio engine (psycopg 3
speaks asyncio; no new package). SQLite has no asyncio driver without adding aiosqlite, and its
reads make no network round trip to save, so there it runs in one worker thread. A read the
cache cannot answer (the review changed) builds the room in a worker thread, as every read did.

Reads of one room come together: every participant's page re-reads when an event says the room
changed, and the load benchmark's readers of a room read in step. So a change made each of them
miss the cache at the same moment and build the same room, side by side, in the admission gate's
few places. Now the first read that misses builds it and the others that miss on the same key
wait for that build (`RoomBuilds`): one build per change per process, not one per reader.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from functools import partial
from typing import Any

from anyio.to_thread import run_sync
from litestar import Request
from litestar.background_tasks import BackgroundTask
from litestar.datastructures import State
from litestar.exceptions import NotAuthorizedException
from litestar.serialization import encode_json
from sqlalchemy import Engine

from service.api.auth import ACCOUNT_INACTIVE, SESSION_KEY, SIGN_IN_FIRST, TOKEN_REFUSED, bearer_token, note_token_use
from service.domain.access import Access
from service.domain.reviews.room_access import RoomKey, room_key
from service.domain.reviews.room_reads import RoomRead
from service.domain.reviews.service import ReviewService
from service.errors import NotFound
from service.models import Person


async def read_room(
    request: Request[Any, Any, Any], state: State, review_id: int
) -> tuple[RoomRead, BackgroundTask | None]:
    """The room as this viewer may see it, and the bookkeeping to run after the response (a token's use)."""
    token = bearer_token(request.scope)
    person_id = None
    if token is None:
        cookie_session = request.scope.get("session")
        person_id = cookie_session.get(SESSION_KEY) if isinstance(cookie_session, dict) else None
        if person_id is None:
            raise NotAuthorizedException(SIGN_IN_FIRST)
    find = partial(room_key, review_id=review_id, token=token, person_id=person_id)
    if state.room_read_engine is not None:
        async with state.room_read_engine.connect() as connection:
            key = await connection.run_sync(find)
    else:
        key = await run_sync(_on_connection, state.engine, find)
    if key is None:
        raise NotAuthorizedException(TOKEN_REFUSED if token is not None else ACCOUNT_INACTIVE)
    if key.summary is None:
        raise NotFound(f"No review with id {review_id}.")
    read = state.room_reads.cached(review_id, key.revision, key.summary)
    if read is None:
        build = partial(run_sync, _build, state, key.person_id, review_id)
        read = await state.room_builds.once((review_id, key.revision, encode_json(key.summary)), build)
    used = key.stale_token_id
    return read, None if used is None else BackgroundTask(run_sync, note_token_use, state.session_factory, used)


def _on_connection(engine: Engine, find: partial[RoomKey | None]) -> RoomKey | None:
    with engine.connect() as connection:
        return find(connection)


def _build(state: State, person_id: int, review_id: int) -> RoomRead:
    """Build the room as every read did before: on a session, access checked again on the way."""
    with state.session_factory() as session:
        if session.get_bind().dialect.name == "postgresql":
            # As service/api/auth.py does for reads: no BEGIN and COMMIT, two round trips fewer.
            session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})
        access = Access(session, session.get(Person, person_id))
        return state.room_reads.read(session, ReviewService(session, access=access), review_id)  # type: ignore[no-any-return]


class RoomBuilds:
    """One build at a time per room and cache key in this process; reads that miss together share it.

    Hand-written: Litestar has no request coalescing, and the builds to share are this process's
    own (the cache they fill is per process). Used on the event loop only, so it needs no lock.
    """

    def __init__(self) -> None:
        self._running: dict[tuple[int, int, bytes], asyncio.Future[RoomRead]] = {}

    async def once(self, key: tuple[int, int, bytes], build: Callable[[], Awaitable[RoomRead]]) -> RoomRead:
        """The room built for ``key``: by this call, or by the call already building it."""
        running = self._running.get(key)
        if running is None:
            running = asyncio.ensure_future(build())
            self._running[key] = running
            running.add_done_callback(lambda _: self._running.pop(key, None))
            # shield: a reader that hangs up does not cancel the build the others wait for.
            return await asyncio.shield(running)
        try:
            return await asyncio.shield(running)
        except (NotAuthorizedException, NotFound):
            # The build checks access again, as its first reader: what refused that reader (a token
            # revoked meanwhile) says nothing about this one, who builds on their own account.
            return await build()
