"""Account tasks run by the system itself: the first admin, tokens for scripts (CLI, evals, tests)."""

from __future__ import annotations

from sqlalchemy import select

from service.db.engine import make_engine, make_session_factory
from service.domain.services import provide_services
from service.errors import NotFound
from service.models import Person
from service.settings import Settings


def create_user(settings: Settings, *, name: str, email: str | None, password: str | None, admin: bool = False) -> int:
    """Create a person (optionally a site admin, optionally able to sign in); returns their id."""
    engine = make_engine(settings)
    try:
        with provide_services(make_session_factory(engine), settings) as services:
            person = services.people.create_person(name=name, email=email, is_admin=admin)
            if password:
                services.accounts.set_password(person, password)
            return person.id
    finally:
        engine.dispose()


def issue_token(settings: Settings, *, person: int | str, name: str) -> str:
    """Issue an API token for a person given by id or e-mail; returns the secret (shown once)."""
    engine = make_engine(settings)
    try:
        with provide_services(make_session_factory(engine), settings) as services:
            if isinstance(person, int):
                target = services.people.get_person(person)
            else:
                found = services.session.scalar(select(Person).where(Person.email == person.strip().lower()))
                if found is None:
                    raise NotFound(f"No person with the e-mail {person}.")
                target = found
            return services.accounts.create_token(target, name=name)[1]
    finally:
        engine.dispose()
