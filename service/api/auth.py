"""Who is making the request: a browser session or a personal API token.

Built on Litestar's authentication middleware, server-side sessions and CSRF middleware. Two small
pieces are ours, each for a stated reason: the user lookup (it reads our tables), and letting
token-authenticated requests skip the CSRF check — a cross-site page can neither read our CSRF
cookie nor set an Authorization header without a CORS preflight that Debrief never grants, so
bearer requests cannot be forged, while cookie-authenticated ones still must carry the CSRF token.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

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
    """The signed-in person, as the middleware found them (re-loaded by each request's own session)."""

    id: int
    name: str
    is_admin: bool
    via_token: bool


def _bearer(scope: Scope) -> str | None:
    for name, value in scope.get("headers", []):
        if name == b"authorization":
            scheme, _, token = value.decode("latin-1").partition(" ")
            return token.strip() if scheme.lower() == "bearer" and token.strip() else None
    return None


class DebriefAuthenticationMiddleware(AbstractAuthenticationMiddleware):
    async def authenticate_request(self, connection: ASGIConnection[Any, Any, Any, Any]) -> AuthenticationResult:
        factory: sessionmaker[Session] = connection.app.state.session_factory
        token = _bearer(connection.scope)
        if token is not None:
            viewer = await run_sync(_person_for_token, factory, token)
            if viewer is None:
                raise NotAuthorizedException("This API token is unknown or revoked; create a new one.")
            return AuthenticationResult(user=viewer, auth="token")
        session = connection.scope.get("session")
        person_id = session.get(SESSION_KEY) if isinstance(session, dict) else None
        if person_id is None:
            raise NotAuthorizedException("Sign in first (POST /api/session), or send an API token.")
        viewer = await run_sync(_person_for_session, factory, int(person_id))
        if viewer is None:
            raise NotAuthorizedException("Your account is no longer active; sign in again.")
        return AuthenticationResult(user=viewer, auth="session")


def _viewer(person: Person, *, via_token: bool) -> Viewer:
    return Viewer(id=person.id, name=person.name, is_admin=person.is_admin, via_token=via_token)


def _person_for_token(factory: sessionmaker[Session], secret: str) -> Viewer | None:
    with unit_of_work(factory, write=False) as session:
        token = AccountService(session).token(secret)
        if token is None:
            return None
        viewer, token_id = _viewer(token.person, via_token=True), token.id
        stale = token.last_used_at is None or (utcnow() - token.last_used_at).total_seconds() > 60
    if stale:
        try:
            with unit_of_work(factory) as session:
                AccountService(session).note_token_use(token_id)
        except OperationalError as exc:  # bookkeeping only: a busy database must not refuse the request
            log.info("could not record API token use: %s", exc.orig)
    return viewer


def _person_for_session(factory: sessionmaker[Session], person_id: int) -> Viewer | None:
    with unit_of_work(factory, write=False) as session:
        person = session.get(Person, person_id)
        if person is None or person.disabled_at is not None:
            return None
        return _viewer(person, via_token=False)


class TokenAwareCSRFMiddleware(CSRFMiddleware):
    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and _bearer(scope) is not None:
            await self.app(scope, receive, send)
            return
        await super().__call__(scope, receive, send)
