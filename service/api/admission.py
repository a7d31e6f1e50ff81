"""Admit only as many HTTP requests at once as the process can serve well.

Two limits, both per process (one gate shared by every route):

- **Busy requests** — those that work (query, serialize) from start to end — at most
  ``BUSY_REQUESTS`` at once. A request hops between the event loop and worker threads, and all of
  them share one GIL: the more run at once, the more each costs. Measured on the 2-core machine
  (`benchmarks/read_cost.py`, PostgreSQL, 12 clients reading reviews): 12 at once cost 13.5 ms of
  CPU per read and served 70 reads/s; 4 cost 8.5 ms (112/s); 2 cost 6.1 ms (156/s). In the full
  load benchmark 4 served more than 2 (139 vs 127 reads/s, same p95). Waiting at the gate, on
  the event loop, costs nothing.
- **Waiting requests** — routes that spend most of their time waiting (a model call, an upload
  streaming its body; marked ``opt={"model_call": True}`` or ``opt={"streams_body": True}``) —
  have a gate of their own, so a slow draft never holds a busy request's place.

Together they stay within the database pool: a request holds its connection across several
thread hops, and with more requests in flight than connections every worker thread could end up
blocked on the pool while the connections' holders wait for a thread (measured before this gate
existed: 0.9 reads/s at 160 readers on one process). WebSockets are not counted: they take a short
session per message, and a few connections are left over for them.
"""

from __future__ import annotations

import asyncio

from litestar.types import ASGIApp, Receive, Scope, Send

from service.settings import Settings

# Connections kept back for live sockets and the in-process job thread.
RESERVED_CONNECTIONS = 3
BUSY_REQUESTS = 4  # 2 costs less CPU per request but left the process idle between hops under load
UNCOUNTED_PREFIXES = ("/static/", "/health")
WAITING_OPTS = ("model_call", "streams_body")


def request_limits(settings: Settings) -> tuple[int, int]:
    """How many busy and how many waiting requests one process admits at once."""
    pool = max(1, settings.database.pool_size + settings.database.max_overflow - RESERVED_CONNECTIONS)
    busy = min(pool, BUSY_REQUESTS)
    return busy, max(1, pool - busy)


def admission_middleware(busy: int, waiting: int = 1):  # type: ignore[no-untyped-def]
    """Litestar middleware factory: at most ``busy`` + ``waiting`` HTTP requests inside the app at once.

    Litestar builds an app's middleware once per route; the gates are made here, once, so that
    they bound the whole process rather than each route.
    """
    busy_gate, waiting_gate = asyncio.Semaphore(busy), asyncio.Semaphore(waiting)  # bound to a loop on first wait

    def middleware(app: ASGIApp) -> ASGIApp:
        async def admit(scope: Scope, receive: Receive, send: Send) -> None:
            if scope["type"] != "http" or scope["path"].startswith(UNCOUNTED_PREFIXES):
                await app(scope, receive, send)
                return
            handler = scope.get("route_handler")
            opt = handler.opt if handler is not None else {}
            async with waiting_gate if any(opt.get(key) for key in WAITING_OPTS) else busy_gate:
                await app(scope, receive, send)

        return admit

    return middleware
