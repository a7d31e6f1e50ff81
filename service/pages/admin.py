"""Setting up: teams and people (admins), one-time password links, and joining a review by invitation."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, Request, get, post
from litestar.params import FromPath, QueryParameter
from litestar.response import Redirect, Template

from service.api.deps import ActorDep, ServicesDep
from service.domain.services import Services
from service.errors import DebriefError
from service.models import Person, Role
from service.pages.forms import Form, act, field, int_field

ROLES = [r.value for r in Role]


def _admin_context(services: Services, me: Person, error: str | None, link: str | None = None) -> dict[str, object]:
    services.access.ensure_site_admin("manage teams and people")
    return {
        "me": me,
        "teams": services.people.list_teams(),
        "people": services.people.list_people(),
        "roles": ROLES,
        "error": error,
        "link": link,
    }


class AdminPages(Controller):
    @get("/admin", sync_to_thread=True)
    def admin(
        self, services: ServicesDep, actor: ActorDep, error: Annotated[str | None, QueryParameter(name="error")] = None
    ) -> Template:
        return Template(template_name="admin.html", context=_admin_context(services, actor, error))

    @post("/admin/teams", sync_to_thread=True)
    def create_team(self, request: Request, data: Form, services: ServicesDep, actor: ActorDep) -> object:
        return act(
            request,
            services.session,
            page="/admin",
            action=lambda: services.people.create_team(name=field(data, "name")),
            render=lambda error: Template(template_name="admin.html", context=_admin_context(services, actor, error)),
        )

    @post("/admin/people", sync_to_thread=True)
    def add_person(self, request: Request, data: Form, services: ServicesDep, actor: ActorDep) -> Template:
        """Add a person to a team and show the one-time link they use to set their password."""
        services.access.ensure_site_admin("add people")
        try:
            person = services.people.create_person(name=field(data, "name"), email=field(data, "email") or None)
            services.people.add_member(
                team_id=int_field(data, "team_id"),
                person_id=person.id,
                role=Role(field(data, "role") or Role.PARTICIPANT.value),
            )
            secret = services.accounts.issue_password_link(person, by=actor)
        except (DebriefError, ValueError) as exc:
            services.session.rollback()
            detail = exc.detail if isinstance(exc, DebriefError) else "Choose a role from the list."
            return Template(
                template_name="admin.html", status_code=400, context=_admin_context(services, actor, detail)
            )
        link = f"{request.base_url}password/{secret}"
        return Template(template_name="admin.html", context=_admin_context(services, actor, None, link=link))


class LinkPages(Controller):
    @get("/password/{token:str}", sync_to_thread=False)
    def password_page(self, token: FromPath[str]) -> Template:
        return Template(template_name="password.html", context={"token": token, "error": None})

    @post("/password/{token:str}", sync_to_thread=True, status_code=303)
    def set_password(self, token: FromPath[str], data: Form, services: ServicesDep) -> Template | Redirect:
        try:
            services.accounts.redeem_password_link(token, password=field(data, "password"))
        except DebriefError as exc:
            services.session.rollback()
            return Template(
                template_name="password.html", status_code=400, context={"token": token, "error": exc.detail}
            )
        return Redirect("/login", status_code=303)

    @get("/invites/{token:str}", sync_to_thread=False)
    def invite_page(self, token: FromPath[str], actor: ActorDep) -> Template:
        return Template(template_name="invite.html", context={"me": actor, "token": token, "error": None})

    @post("/invites/{token:str}", sync_to_thread=True, status_code=303)
    def accept_invite(self, token: FromPath[str], services: ServicesDep, actor: ActorDep) -> Template | Redirect:
        try:
            review = services.reviews.accept_invite(token, actor=actor)
        except DebriefError as exc:
            services.session.rollback()
            return Template(
                template_name="invite.html", status_code=404, context={"me": actor, "token": token, "error": exc.detail}
            )
        return Redirect(f"/reviews/{review.id}", status_code=303)
