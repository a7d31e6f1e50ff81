"""Teams and people."""

from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.errors import Conflict, InvalidInput, NotFound
from service.models import Person, Role, Team, TeamMember

# The method's rule is "one owner, a person, not the team": refuse records that name a group.
_GROUP_NAMES = re.compile(
    r"^\s*(the\s+)?(team|teams|everyone|everybody|all|we|us|group|the\s+group|nobody|tbd|n/?a)\s*$",
    re.IGNORECASE,
)


class PeopleService:
    def __init__(self, session: Session) -> None:
        self.session = session

    def create_person(self, *, name: str, email: str | None = None) -> Person:
        name = name.strip()
        if not name:
            raise InvalidInput("A person needs a name.")
        if _GROUP_NAMES.match(name):
            raise InvalidInput(
                f"'{name}' names a group, not a person. Add each person by their own name.",
                field="name",
            )
        if email and self.session.scalar(select(Person).where(Person.email == email)):
            raise Conflict(f"Someone with the e-mail {email} already exists.", field="email")
        person = Person(name=name, email=email or None)
        self.session.add(person)
        self.session.flush()
        return person

    def get_person(self, person_id: int) -> Person:
        person = self.session.get(Person, person_id)
        if person is None:
            raise NotFound(f"No person with id {person_id}.")
        return person

    def list_people(self) -> list[Person]:
        return list(self.session.scalars(select(Person).order_by(Person.name, Person.id)))

    def create_team(self, *, name: str) -> Team:
        name = name.strip()
        if not name:
            raise InvalidInput("A team needs a name.", field="name")
        if self.session.scalar(select(Team).where(Team.name == name)):
            raise Conflict(f"A team called '{name}' already exists.", field="name")
        team = Team(name=name)
        self.session.add(team)
        self.session.flush()
        return team

    def get_team(self, team_id: int) -> Team:
        team = self.session.get(Team, team_id)
        if team is None:
            raise NotFound(f"No team with id {team_id}.")
        return team

    def list_teams(self) -> list[Team]:
        return list(self.session.scalars(select(Team).order_by(Team.name)))

    def add_member(self, *, team_id: int, person_id: int, role: Role = Role.PARTICIPANT) -> TeamMember:
        team = self.get_team(team_id)
        self.get_person(person_id)
        member = self.session.get(TeamMember, (team.id, person_id))
        if member is None:
            member = TeamMember(team_id=team.id, person_id=person_id, role=role.value)
            self.session.add(member)
        else:
            member.role = role.value
        self.session.flush()
        return member

    def is_member(self, *, team_id: int, person_id: int) -> bool:
        return self.session.get(TeamMember, (team_id, person_id)) is not None
