"""Browser sign-in sessions (Litestar's server-side sessions), kept only for requests that have one.

Litestar's backend stores every request's session and sets its cookie, even when the session is
empty and the request came without one: each API request authenticated by a token (which never
uses the session) wrote a new empty session to the store — a Redis SET, or a file, per read — and
got a cookie it did not ask for, and a client that sent that cookie back made every request read
and re-write it. Requests with a token now skip the session altogether, and an empty session
that was never sent is not stored. Signed-in browsers are unchanged (their session is re-stored on
every request, which keeps it alive while they are active).

Signing in starts a session under a **new id** (`start_session`). Litestar keeps whatever id the
request's cookie carried, even across `clear_session()`, so a session id planted in a victim's
browser before sign-in would have become a signed-in session the planter also holds (session
fixation).
"""

from __future__ import annotations

from typing import Any

from litestar.connection import ASGIConnection, Request
from litestar.middleware.session.server_side import ServerSideSessionBackend, ServerSideSessionConfig
from litestar.types import Message, ScopeSession

from service.api.auth import bearer_token

_NEW_ID = "debrief.new_session_id"  # set in the scope by start_session, read when the session is stored


def start_session(request: Request[Any, Any, Any], data: dict[str, Any]) -> None:
    """Begin a signed-in session under a fresh id; the id the browser came with is dropped."""
    request.clear_session()
    request.set_session(data)
    request.scope[_NEW_ID] = True  # type: ignore[literal-required]


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
        scope: dict[str, Any] = connection.scope  # type: ignore[assignment]
        if scope.get(_NEW_ID) is True and isinstance(scope_session, dict):
            old = connection.cookies.get(self.config.key)
            if old and old != "null":
                await self.delete(old, store=self.config.get_store_from_app(scope["app"]))
            scope[_NEW_ID] = self.generate_session_id()
        await super().store_in_message(scope_session, message, connection)

    def get_session_id(self, connection: ASGIConnection[Any, Any, Any, Any]) -> str:
        new_id = connection.scope.get(_NEW_ID)  # type: ignore[misc]
        return new_id if isinstance(new_id, str) else super().get_session_id(connection)


class SignInSessionConfig(ServerSideSessionConfig):
    _backend_class = SignInSessionBackend
