"""Small builders shared by tests: a team, people and a review in a few lines."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from litestar.testing import TestClient

from service.api.deps import PERSON_HEADER
from service.domain.services import Services
from service.models import Person, Review, Team


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


def as_person(person_id: int) -> dict[str, str]:
    return {PERSON_HEADER: str(person_id)}


def ok(response, status: int = 200):  # type: ignore[no-untyped-def]
    """Return the JSON body, failing with the problem detail when the status is not the expected one."""
    assert response.status_code == status, f"{response.status_code}: {response.text}"
    return response.json()


__all__ = ["Cast", "TestClient", "as_person", "make_cast", "ok"]
