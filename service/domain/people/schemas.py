"""API shapes for teams and people."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import msgspec

from service.api.types import Id
from service.models import Person, Role, Team

Name = Annotated[str, msgspec.Meta(min_length=1, max_length=120)]


class TeamIn(msgspec.Struct, kw_only=True):
    name: Name


class TeamOut(msgspec.Struct, kw_only=True):
    id: int
    name: str
    created_at: datetime

    @classmethod
    def of(cls, team: Team) -> TeamOut:
        return cls(id=team.id, name=team.name, created_at=team.created_at)


class PersonIn(msgspec.Struct, kw_only=True):
    name: Annotated[Name, msgspec.Meta(description="A person's own name; groups such as 'the team' are refused.")]
    email: str | None = None


class PersonOut(msgspec.Struct, kw_only=True):
    id: int
    name: str
    email: str | None

    @classmethod
    def of(cls, person: Person) -> PersonOut:
        return cls(id=person.id, name=person.name, email=person.email)


class MemberIn(msgspec.Struct, kw_only=True):
    person_id: Id
    role: Role = Role.PARTICIPANT
