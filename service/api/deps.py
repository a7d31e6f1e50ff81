"""Request-scoped dependencies: one session (one transaction) per request, the services, the actor."""

from __future__ import annotations

from collections.abc import AsyncIterator
from functools import partial

from anyio.to_thread import run_sync
from litestar import Request
from litestar.datastructures import State
from litestar.di import NamedDependency
from litestar.params import SkipValidation
from sqlalchemy.orm import Session

from service.api.auth import REQUEST_SESSION, Viewer, request_person, request_writes, scope_extras
from service.domain.services import Services, build_services
from service.errors import NeedsPerson
from service.live.room_changes import announce_room_changes
from service.models import Person


async def provide_services(request: Request, state: State) -> AsyncIterator[Services]:
    """Yield the services on the request's session; commit before the response is sent, roll back on error.

    The session is the one the authentication middleware opened and loaded the signed-in person on
    (public routes get a fresh one). Handlers run in worker threads; so do the blocking steps here
    (taking SQLite's write lock can wait up to the busy timeout), which keeps the event loop free
    for live connections.
    """
    session: Session | None = scope_extras(request.scope).pop(REQUEST_SESSION, None)
    if session is None:
        session = state.session_factory()
    # Drafts made or decided in this request reach everyone in the review once it commits.
    announce_room_changes(session, state.get("publish_event"))
    try:
        # Routes that call a model take their write lock only after the call (see drafting.generate).
        if request_writes(request):
            await run_sync(partial(session.connection, execution_options={"debrief_write": True}))
        person = request_person(session)
        if person is None and isinstance(request.scope.get("user"), Viewer):
            raise NeedsPerson("Your account no longer exists; sign in again.")
        yield build_services(session, state.settings, viewer=person)
        await run_sync(partial(_finish, session, commit=True))
    except BaseException:
        await run_sync(partial(_finish, session, commit=False))
        raise


def _finish(session: Session, *, commit: bool) -> None:
    """Commit (or roll back) and close in one trip to a worker thread."""
    try:
        if commit:
            session.commit()
        else:
            session.rollback()
    finally:
        session.close()


def provide_actor(services: NamedDependency[SkipValidation[Services]]) -> Person:
    """The signed-in person acting on this request (the authentication middleware guarantees one)."""
    person = services.access.viewer
    if person is None:
        raise NeedsPerson("Sign in first (POST /api/session), or send an API token.")
    return person


# Injected parameters are marked explicitly (name-inferred injection is deprecated in Litestar), and
# not re-validated: they are ORM objects built by the providers above, not user input.
ServicesDep = NamedDependency[SkipValidation[Services]]
ActorDep = NamedDependency[SkipValidation[Person]]
