"""Small builders shared by tests: a team, people and a review in a few lines."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from litestar.testing import TestClient

from service.db.engine import make_engine, make_session_factory
from service.domain.accounts.bootstrap import create_user, issue_token
from service.domain.drafts.service import ModelCall
from service.domain.services import Services, provide_services
from service.models import Person, Review, Team
from service.settings import Settings

# A model call as the drafting service records it, for tests that store drafts without a model.
MODEL_CALL = ModelCall(
    prompt_id="draft_answer",
    prompt_version="1",
    model="smollm2-135m",
    input_hash="0" * 64,
    raw_output='{"text": "..."}',
)


@dataclass
class Cast:
    team: Team
    facilitator: Person
    alice: Person
    bob: Person
    outsider: Person
    review: Review


def make_cast(services: Services, *, hours_ago: float = 30) -> Cast:
    """A team of three, one person from elsewhere, and a review of a failure `hours_ago` hours back."""
    people = services.people
    team = people.create_team(name="Payments")
    facilitator = people.create_person(name="Fran Facilitator")
    alice = people.create_person(name="Alice Okafor")
    bob = people.create_person(name="Bob Lindqvist")
    outsider = people.create_person(name="Olga Outsider")
    for person in (facilitator, alice, bob):
        people.add_member(team_id=team.id, person_id=person.id)
    review = services.reviews.create(
        team_id=team.id,
        title="Config push took down payments",
        what_failed="A config change went everywhere",
        failed_at=datetime.now(UTC) - timedelta(hours=hours_ago),
        facilitator_id=facilitator.id,
        participant_ids=[alice.id, bob.id],
        actor=facilitator,
    )
    return Cast(team=team, facilitator=facilitator, alice=alice, bob=bob, outsider=outsider, review=review)


def committed_cast(settings: Settings) -> dict[str, int]:
    """make_cast committed on its own engine, for tests that then talk to an app: the ids of its parts."""
    engine = make_engine(settings)
    with provide_services(make_session_factory(engine), settings) as services:
        cast = make_cast(services)
        ids = {"team": cast.team.id, "review": cast.review.id, "facilitator": cast.facilitator.id}
        ids |= {"alice": cast.alice.id, "bob": cast.bob.id, "outsider": cast.outsider.id}
    engine.dispose()
    return ids


def token_headers(settings: Settings, person_id: int) -> dict[str, str]:
    """Headers that authenticate as this person through a real API token stored in the database."""
    return {"Authorization": f"Bearer {issue_token(settings, person=person_id, name='test')}"}


def create_person(
    settings: Settings, name: str, *, is_admin: bool = False, email: str | None = None, password: str | None = None
) -> int:
    return create_user(settings, name=name, email=email, password=password, admin=is_admin)


def ok(response, status: int = 200):  # type: ignore[no-untyped-def]
    """Return the JSON body, failing with the problem detail when the status is not the expected one."""
    assert response.status_code == status, f"{response.status_code}: {response.text}"
    return response.json()


__all__ = ["Cast", "TestClient", "create_person", "make_cast", "ok", "token_headers"]
