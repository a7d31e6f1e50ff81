"""Teams and people."""

from __future__ import annotations

import re

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from service.domain.access import Access
from service.errors import Conflict, InvalidInput, NotFound
from service.models import Participant, Person, Review, Role, ShareLevel, Team, TeamMember

# The method's rule is "one owner, a person, not the team": refuse records that name a group.
_GROUP_NAMES = re.compile(
    r"^\s*(the\s+)?(team|teams|everyone|everybody|all|we|us|group|the\s+group|nobody|tbd|n/?a)\s*$",
    re.IGNORECASE,
)


class PeopleService:
    def __init__(self, session: Session, *, access: Access) -> None:
        self.session = session
        self.access = access

    def create_person(self, *, name: str, email: str | None = None, is_admin: bool = False) -> Person:
        if is_admin:
            self.access.ensure_site_admin("create site admins")
        name = name.strip()
        if not name:
            raise InvalidInput("A person needs a name.")
        if _GROUP_NAMES.match(name):
            raise InvalidInput(
                f"'{name}' names a group, not a person. Add each person by their own name.",
                field="name",
            )
        if email and self.session.scalar(select(Person).where(Person.email == email.strip().lower())):
            raise Conflict(f"Someone with the e-mail {email} already exists.", field="email")
        person = Person(name=name, email=email.strip().lower() if email else None, is_admin=is_admin)
        self.session.add(person)
        self.session.flush()
        return person

    def get_person(self, person_id: int) -> Person:
        person = self.session.get(Person, person_id)
        if person is None:
            raise NotFound(f"No person with id {person_id}.")
        return person

    def list_people(self) -> list[Person]:
        """Everyone for a site admin; otherwise the people of the viewer's teams and reviews."""
        query = select(Person).order_by(Person.name, Person.id)
        viewer = self.access.viewer
        if viewer is not None and not viewer.is_admin:
            my_teams = select(TeamMember.team_id).where(TeamMember.person_id == viewer.id)
            my_reviews = select(Review.id).where(self.access.visible_reviews())
            query = query.where(
                or_(
                    Person.id.in_(select(TeamMember.person_id).where(TeamMember.team_id.in_(my_teams))),
                    Person.id.in_(select(Participant.person_id).where(Participant.review_id.in_(my_reviews))),
                )
            )
        return list(self.session.scalars(query))

    def create_team(self, *, name: str, share_level: ShareLevel = ShareLevel.TITLE_AND_GAP) -> Team:
        self.access.ensure_site_admin("create teams")
        name = name.strip()
        if not name:
            raise InvalidInput("A team needs a name.", field="name")
        if self.session.scalar(select(Team).where(Team.name == name)):
            raise Conflict(f"A team called '{name}' already exists.", field="name")
        team = Team(name=name, share_level=share_level.value)
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
        self.access.ensure_team_admin(team.id, "add or change team members")
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
