"""Teams and people over HTTP."""

from __future__ import annotations

from litestar import Controller, get, post
from litestar.params import JSONBody

from service.api.deps import ServicesDep
from service.api.types import PathId
from service.domain.people.schemas import MemberIn, PersonIn, PersonOut, TeamIn, TeamOut


class PeopleController(Controller):
    path = "/api"
    tags = ["people"]

    @post("/teams", sync_to_thread=True, summary="Create a team")
    def create_team(self, data: JSONBody[TeamIn], services: ServicesDep) -> TeamOut:
        return TeamOut.of(services.people.create_team(name=data.name))

    @get("/teams", sync_to_thread=True, summary="List teams")
    def list_teams(self, services: ServicesDep) -> list[TeamOut]:
        return [TeamOut.of(t) for t in services.people.list_teams()]

    @post("/teams/{team_id:int}/members", sync_to_thread=True, summary="Add a person to a team (or change their role)")
    def add_member(self, team_id: PathId, data: JSONBody[MemberIn], services: ServicesDep) -> PersonOut:
        member = services.people.add_member(team_id=team_id, person_id=data.person_id, role=data.role)
        return PersonOut.of(member.person)

    @post("/people", sync_to_thread=True, summary="Create a person")
    def create_person(self, data: JSONBody[PersonIn], services: ServicesDep) -> PersonOut:
        return PersonOut.of(services.people.create_person(name=data.name, email=data.email))

    @get("/people", sync_to_thread=True, summary="List people")
    def list_people(self, services: ServicesDep) -> list[PersonOut]:
        return [PersonOut.of(p) for p in services.people.list_people()]
