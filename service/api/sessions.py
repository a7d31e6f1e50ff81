"""Browser sign-in sessions (Litestar's server-side sessions), kept only for requests that have one.

Litestar's backend stores every request's session and sets its cookie, even when the session is
empty and the request came without one: each API request authenticated by a token (which never
uses the session) wrote a new empty session to the store — a Redis SET, or a file, per read — and
got a cookie it did not ask for, and a client that sent that cookie back made every request read
and re-write it. Requests with a token now skip the session altogether, and an empty session
that was never sent is not stored. Signed-in browsers are unchanged (their session is re-stored on
every request, which keeps it alive while they are active).
"""

from __future__ import annotations

from typing import Any

from litestar.connection import ASGIConnection
from litestar.middleware.session.server_side import ServerSideSessionBackend, ServerSideSessionConfig
from litestar.types import Message, ScopeSession

from service.api.auth import bearer_token


class SignInSessionBackend(ServerSideSessionBackend):
    async def load_from_connection(self, connection: ASGIConnection[Any, Any, Any, Any]) -> dict[str, Any]:
        if bearer_token(connection.scope) is not None:
            return {}  # a token says who is asking; the browser's session is neither read nor changed
        return await super().load_from_connection(connection)

    async def store_in_message(
        self, scope_session: ScopeSession, message: Message, connection: ASGIConnection[Any, Any, Any, Any]
    ) -> None:
        if scope_session == {} and (
            bearer_token(connection.scope) is not None or not connection.cookies.get(self.config.key)
        ):
            return
        await super().store_in_message(scope_session, message, connection)


class SignInSessionConfig(ServerSideSessionConfig):
    _backend_class = SignInSessionBackend
