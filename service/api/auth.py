"""Who is making the request: a browser session or a personal API token.

Built on Litestar's authentication middleware, server-side sessions and CSRF middleware. Two small
pieces are ours, each for a stated reason: the user lookup (it reads our tables), and letting
token-authenticated requests skip the CSRF check — a cross-site page can neither read our CSRF
cookie nor set an Authorization header without a CORS preflight that Debrief never grants, so
bearer requests cannot be forged, while cookie-authenticated ones still must carry the CSRF token.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any, cast

from anyio.to_thread import run_sync
from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException
from litestar.middleware import AbstractAuthenticationMiddleware, AuthenticationResult
from litestar.middleware.csrf import CSRFMiddleware
from litestar.types import Receive, Scope, Send
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from service.db.engine import unit_of_work
from service.db.types import utcnow
from service.domain.accounts.service import AccountService
from service.models import Person

log = logging.getLogger("debrief")
SESSION_KEY = "person_id"
READ_ONLY_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# Keys in the ASGI scope and the database session's info: the request's database session (opened
# here, taken over by provide_services), the person loaded on it, and a token to mark as used.
REQUEST_SESSION = "debrief.db_session"
STALE_TOKEN = "debrief.stale_token"
PERSON_KEY = "debrief.person"
SIGN_IN_FIRST = "Sign in first (POST /api/session), or send an API token."
TOKEN_REFUSED = "This API token is unknown or revoked; create a new one."
ACCOUNT_INACTIVE = "Your account is no longer active; sign in again."
SERVICE_PARAMETERS = frozenset({"services", "actor"})  # handler parameters served by provide_services
# Reachable without signing in: health, sign-in itself, first-run setup, password links, static files,
# the API description, and the pages that explain how to sign in.
PUBLIC_PATHS = [
    "^/health$",
    "^/static/",
    "^/api/schema",
    "^/api/session$",
    "^/api/password-links/",
    "^/api/setup$",
    "^/login$",
    "^/logout$",
    "^/setup$",
    "^/password/",
]


@dataclass(frozen=True)
class Viewer:
    """The signed-in person, as the middleware found them (HTTP handlers get the Person itself, loaded on
    the request's session; see ``request_person``)."""

    id: int
    name: str
    is_admin: bool
    via_token: bool


def bearer_token(scope: Scope) -> str | None:
    for name, value in scope.get("headers", []):
        if name == b"authorization":
            scheme, _, token = value.decode("latin-1").partition(" ")
            return token.strip() if scheme.lower() == "bearer" and token.strip() else None
    return None


class DebriefAuthenticationMiddleware(AbstractAuthenticationMiddleware):
    """Find the signed-in person on the request's own database session, which the handler then uses.

    One session per HTTP request: the token (or session cookie) is checked and the person loaded in
    the same transaction the handler reads in, so authentication costs one query and no session of
    its own, and a revoked token is refused by every process on its very next request (nothing is
    cached). WebSockets only check here, on a short session of their own: a stream lasting an hour
    must not hold a database connection.
    """

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await super().__call__(scope, receive, send)
        finally:
            # provide_services takes the session over; close it here when no handler did.
            session = scope_extras(scope).pop(REQUEST_SESSION, None)
            if session is not None:
                await run_sync(session.close)
            token_id = scope_extras(scope).pop(STALE_TOKEN, None)
            if token_id is not None:  # bookkeeping, after the response and on a session of its own
                await run_sync(note_token_use, connection_factory(scope), token_id)

    async def authenticate_request(self, connection: ASGIConnection[Any, Any, Any, Any]) -> AuthenticationResult:
        scope = connection.scope
        factory = connection_factory(scope)
        token = bearer_token(scope)
        person_id = None
        if token is None:
            cookie_session = scope.get("session")
            person_id = cookie_session.get(SESSION_KEY) if isinstance(cookie_session, dict) else None
            if person_id is None:
                raise NotAuthorizedException(SIGN_IN_FIRST)
        if scope["type"] == "websocket":
            with_session = partial(_with_own_session, factory)
        else:
            session = scope_extras(scope)[REQUEST_SESSION] = factory()
            # Keep the read open for the handler only when the handler goes on to use this session.
            end_read = request_writes(connection) or not _uses_services(connection)
            with_session = partial(
                _on_request_session, session, end_read=end_read, reads_only=request_reads_only(connection)
            )
        found = await run_sync(with_session, partial(_find_person, token=token, person_id=person_id))
        if found is None:
            raise NotAuthorizedException(TOKEN_REFUSED if token is not None else ACCOUNT_INACTIVE)
        viewer, stale_token_id = found
        if stale_token_id is not None:
            scope_extras(scope)[STALE_TOKEN] = stale_token_id
        return AuthenticationResult(user=viewer, auth="session" if token is None else "token")


def scope_extras(scope: Scope) -> dict[str, Any]:
    """The ASGI scope as the plain dict it is, for the keys Debrief adds (REQUEST_SESSION, STALE_TOKEN)."""
    return cast("dict[str, Any]", scope)


def connection_factory(scope: Scope) -> sessionmaker[Session]:
    return scope["app"].state.session_factory  # type: ignore[no-any-return]


def request_writes(connection: ASGIConnection[Any, Any, Any, Any]) -> bool:
    """Does this request's handler write? (Routes that call a model take their write lock later.)"""
    opt = connection.route_handler.opt
    writes = connection.scope.get("method") not in READ_ONLY_METHODS or opt.get("writes", False)
    return bool(writes and not opt.get("model_call"))


def request_reads_only(connection: ASGIConnection[Any, Any, Any, Any]) -> bool:
    """Is this a GET (or HEAD, OPTIONS) not marked as writing? Nothing it does needs a transaction."""
    opt = connection.route_handler.opt
    return connection.scope.get("method") in READ_ONLY_METHODS and not opt.get("writes") and not opt.get("model_call")


def _uses_services(connection: ASGIConnection[Any, Any, Any, Any]) -> bool:
    return not SERVICE_PARAMETERS.isdisjoint(connection.route_handler.parsed_fn_signature.parameters)


def request_person(session: Session) -> Person | None:
    """The person the authentication middleware loaded on this request's session, if any."""
    return session.info.get(PERSON_KEY)


FoundPerson = tuple[Viewer, int | None]  # the viewer, and a token whose last use is a minute old


def _find_person(session: Session, *, token: str | None, person_id: int | None) -> FoundPerson | None:
    stale_token_id = None
    if token is not None:
        api_token = AccountService(session).token(token)
        if api_token is None:
            return None
        person = api_token.person
        last = api_token.last_used_at
        stale_token_id = api_token.id if last is None or (utcnow() - last).total_seconds() > 60 else None
    else:
        signed_in = session.get(Person, int(person_id or 0))
        if signed_in is None or signed_in.disabled_at is not None:
            return None
        person = signed_in
    session.info[PERSON_KEY] = person
    viewer = Viewer(id=person.id, name=person.name, is_admin=person.is_admin, via_token=token is not None)
    return viewer, stale_token_id


def _on_request_session(
    session: Session, find: Callable[[Session], FoundPerson | None], *, end_read: bool, reads_only: bool
) -> FoundPerson | None:
    if reads_only and session.get_bind().dialect.name == "postgresql":
        # Each statement on its own, without BEGIN and COMMIT: two fewer round trips to the server per
        # read (of six for a room read). Under READ COMMITTED, PostgreSQL's default, every statement
        # of a transaction sees the latest commits anyway, so the reads see what they saw before.
        # (SQLite keeps its transaction: there BEGIN and COMMIT cost no round trip, and the
        # transaction is what gives its reads one snapshot.) The connection leaves the mode when it
        # goes back to the pool.
        session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})
    found = find(session)
    if end_read:
        # A writing handler starts its own transaction, taking SQLite's write lock up front
        # (provide_services); a read transaction left open here would have to be upgraded instead.
        # Commit keeps the loaded person (expire_on_commit is off).
        session.commit()
    return found


def _with_own_session(
    factory: sessionmaker[Session], find: Callable[[Session], FoundPerson | None]
) -> FoundPerson | None:
    with unit_of_work(factory, write=False) as session:
        found = find(session)
    if found is not None and found[1] is not None:
        note_token_use(factory, found[1])
    return found


def note_token_use(factory: sessionmaker[Session], token_id: int) -> None:
    """Record that a token was used (to the minute), on a session of its own; a busy database only logs."""
    try:
        with unit_of_work(factory) as session:
            AccountService(session).note_token_use(token_id)
    except OperationalError as exc:  # bookkeeping only: a busy database must not refuse the request
        log.info("could not record API token use: %s", exc.orig)


class TokenAwareCSRFMiddleware(CSRFMiddleware):
    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and bearer_token(scope) is not None:
            await self.app(scope, receive, send)
            return
        await super().__call__(scope, receive, send)
