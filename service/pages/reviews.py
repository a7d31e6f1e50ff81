"""Home (my reviews, most urgent first) and starting a review."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, Request, get, post
from litestar.params import QueryParameter
from litestar.response import Redirect, Template
from sqlalchemy import select

from service.api.deps import ActorDep, ServicesDep
from service.domain.reviews.schemas import ReviewSummary
from service.domain.services import Services
from service.errors import DebriefError
from service.models import Person, Role, Team, TeamMember
from service.pages.forms import Form, field, int_field, ints, local_datetime_field


def _startable_teams(services: Services, me: Person) -> list[Team]:
    """Teams in which this person may start a review (not as a reader)."""
    if me.is_admin:
        return services.people.list_teams()
    roles = (Role.ADMIN.value, Role.FACILITATOR.value, Role.PARTICIPANT.value)
    return list(
        services.session.scalars(
            select(Team)
            .join(TeamMember)
            .where(TeamMember.person_id == me.id, TeamMember.role.in_(roles))
            .order_by(Team.name)
        )
    )


class ReviewPages(Controller):
    @get("/", sync_to_thread=True)
    def home(
        self,
        services: ServicesDep,
        actor: ActorDep,
        error: Annotated[str | None, QueryParameter(name="error")] = None,
    ) -> Template:
        reviews = [ReviewSummary.of(r) for r in services.reviews.list_reviews()]
        open_reviews = [r for r in reviews if r.status != "closed"]
        closed = [r for r in reviews if r.status == "closed"]
        return Template(
            template_name="home.html",
            context={
                "me": actor,
                "open_reviews": open_reviews,
                "closed_reviews": closed,
                "error": error,
                "teams": _startable_teams(services, actor),
                "people": services.people.list_people(),
            },
        )

    @post("/reviews", sync_to_thread=True, status_code=303)
    def create(self, request: Request, data: Form, services: ServicesDep, actor: ActorDep) -> Redirect:
        try:
            offset = int(field(data, "tz_offset") or 0)
            review = services.reviews.create(
                team_id=int_field(data, "team_id"),
                title=field(data, "title"),
                what_failed=field(data, "what_failed"),
                failed_at=local_datetime_field(data, "failed_at", offset_minutes=offset),
                facilitator_id=actor.id,
                participant_ids=ints(data, "participant_ids"),
                actor=actor,
            )
        except DebriefError as exc:
            services.session.rollback()
            from urllib.parse import urlencode

            return Redirect("/?" + urlencode({"error": exc.detail}) + "#start", status_code=303)
        return Redirect(f"/reviews/{review.id}", status_code=303)
