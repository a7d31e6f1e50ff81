"""Admit only as many HTTP requests at once as the database pool can serve.

A request holds its database connection across several worker-thread hops (authenticate, run the
handler, commit, close), giving its thread back in between. With more requests in flight than
connections, every worker thread can end up blocked waiting for a connection that is held by a
request which needs a thread to finish: under load that stalls the process until the pool's
30-second timeout (measured: 0.9 reads/s at 160 readers on one process). Waiting here instead, on
the event loop, costs nothing and keeps every admitted request moving. WebSockets are not counted:
they take a short session per message, and a few connections are left over for them.
"""

from __future__ import annotations

import asyncio

from litestar.types import ASGIApp, Receive, Scope, Send

from service.settings import Settings

# Connections kept back for live sockets and the in-process job thread.
RESERVED_CONNECTIONS = 3
UNCOUNTED_PREFIXES = ("/static/", "/health")


def request_limit(settings: Settings) -> int:
    pool = settings.database.pool_size + settings.database.max_overflow
    return max(1, pool - RESERVED_CONNECTIONS)


def admission_middleware(limit: int):  # type: ignore[no-untyped-def]
    """Litestar middleware factory: at most ``limit`` HTTP requests inside the app at once."""

    def middleware(app: ASGIApp) -> ASGIApp:
        gate = asyncio.Semaphore(limit)  # created on first use inside the server's loop (3.10+)

        async def admit(scope: Scope, receive: Receive, send: Send) -> None:
            if scope["type"] != "http" or scope["path"].startswith(UNCOUNTED_PREFIXES):
                await app(scope, receive, send)
                return
            async with gate:
                await app(scope, receive, send)

        return admit

    return middleware
