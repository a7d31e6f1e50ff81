"""Request-scoped dependencies: one session (one transaction) per request, the services, the actor."""

from __future__ import annotations

from collections.abc import AsyncIterator
from functools import partial

from anyio.to_thread import run_sync
from litestar import Request
from litestar.datastructures import State
from litestar.di import NamedDependency
from litestar.params import SkipValidation

from service.domain.services import Services, build_services
from service.errors import InvalidInput, NeedsPerson, NotFound
from service.models import Person

PERSON_HEADER = "X-Debrief-Person"
_READ_ONLY = {"GET", "HEAD", "OPTIONS"}


async def provide_services(request: Request, state: State) -> AsyncIterator[Services]:
    """Yield the services on a fresh session; commit before the response is sent, roll back on error.

    Handlers run in worker threads; so do the blocking steps here (taking SQLite's write lock can
    wait up to the busy timeout), which keeps the event loop free for live connections.
    """
    session = state.session_factory()
    try:
        if request.method not in _READ_ONLY:
            await run_sync(partial(session.connection, execution_options={"debrief_write": True}))
        yield build_services(session, state.settings)
        await run_sync(session.commit)
    except BaseException:
        await run_sync(session.rollback)
        raise
    finally:
        await run_sync(session.close)


def provide_actor(request: Request, services: NamedDependency[SkipValidation[Services]]) -> Person:
    """The person acting on this request.

    Until accounts exist (see the accounts issue) the caller names themselves with a header; every
    decision is still attributed to a person record and audited.
    """
    raw = request.headers.get(PERSON_HEADER)
    if not raw:
        raise NeedsPerson(f"Say who is acting: send the {PERSON_HEADER} header with your person id.")
    try:
        person_id = int(raw)
    except ValueError:
        raise InvalidInput(f"{PERSON_HEADER} must be a person id (a whole number), not '{raw}'.") from None
    try:
        return services.people.get_person(person_id)
    except NotFound:
        raise NeedsPerson(f"No person with id {person_id}; create the person first (POST /api/people).") from None


# Injected parameters are marked explicitly (name-inferred injection is deprecated in Litestar), and
# not re-validated: they are ORM objects built by the providers above, not user input.
ServicesDep = NamedDependency[SkipValidation[Services]]
ActorDep = NamedDependency[SkipValidation[Person]]
