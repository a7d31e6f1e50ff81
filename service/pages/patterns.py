"""The cross-team pattern report: machine-proposed patterns (≥ 3 failures, ≥ 2 teams) a person decides on."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, Request, get, post
from litestar.params import FromPath, QueryParameter
from litestar.response import Redirect, Template

from service.api.deps import ActorDep, ServicesDep
from service.api.types import PathId
from service.domain.patterns.schemas import PatternOut
from service.domain.services import Services
from service.domain.similarity.review import PAGE_SIZE, link_review
from service.domain.similarity.schemas import shared_gap
from service.errors import NotFound
from service.models import Person
from service.pages.forms import Form, act, field

LINKS = "/patterns/links"
PageNumber = Annotated[int, QueryParameter(ge=0, le=100_000)]


def _context(services: Services, me: Person, error: str | None) -> dict[str, object]:
    patterns = [PatternOut.of(p, services.patterns.visible_members(p)) for p in services.patterns.list_all()]
    return {"me": me, "patterns": patterns, "error": error}


def _links_context(services: Services, me: Person, page: int, error: str | None) -> dict[str, object]:
    review = link_review(services)
    total = review.count()
    views = review.page(page)
    return {
        "me": me,
        "views": views,
        "gap": shared_gap,
        "progress": review.progress(),
        "page": page,
        "pages": max(1, -(-total // PAGE_SIZE)),
        "total": total,
        # Only "you": the page spans teams, and people's names stay within their teams.
        "deciders": {me.id: "you"},
        "error": error,
    }


class PatternPages(Controller):
    @get("/patterns", sync_to_thread=True)
    def report(
        self,
        services: ServicesDep,
        actor: ActorDep,
        error: Annotated[str | None, QueryParameter(name="error")] = None,
    ) -> Template:
        return Template(template_name="patterns.html", context=_context(services, actor, error))

    @post("/patterns/refresh", sync_to_thread=True)
    def refresh(self, request: Request, services: ServicesDep, actor: ActorDep) -> Template | Redirect:
        """Site admins ask for new proposals from the links people confirmed."""
        return act(
            request,
            services.session,
            page="/patterns",
            action=services.patterns.refresh,
            render=lambda error: Template(template_name="patterns.html", context=_context(services, actor, error)),
        )

    @post("/patterns/{pattern_id:int}/{verdict:str}", sync_to_thread=True)
    def decide(
        self,
        request: Request,
        pattern_id: PathId,
        verdict: FromPath[str],
        data: Form,
        services: ServicesDep,
        actor: ActorDep,
    ) -> Template | Redirect:
        pattern = services.patterns.get(pattern_id)

        def decide_now() -> None:
            if verdict == "accept":
                services.patterns.accept(pattern, actor=actor)
            elif verdict == "reject":
                services.patterns.reject(pattern, actor=actor)
            elif verdict == "edit":
                services.patterns.edit(
                    pattern,
                    theme=field(data, "theme") or None,
                    description=field(data, "description") or None,
                    actor=actor,
                )

        return act(
            request,
            services.session,
            page="/patterns",
            action=decide_now,  # type: ignore[no-any-return]
            render=lambda error: Template(template_name="patterns.html", context=_context(services, actor, error)),
        )

    # -- link review: people confirm or dismiss the suggested links between past failures --------

    @get(LINKS, sync_to_thread=True, opt={"writes": True})
    def links(
        self,
        services: ServicesDep,
        actor: ActorDep,
        page: PageNumber = 0,
        error: Annotated[str | None, QueryParameter(name="error")] = None,
    ) -> Template:
        return Template(template_name="link_review.html", context=_links_context(services, actor, page, error))

    @post(LINKS + "/{link_id:int}/{verdict:str}", sync_to_thread=True)
    def decide_link(
        self,
        request: Request,
        link_id: PathId,
        verdict: FromPath[str],
        data: Form,
        services: ServicesDep,
        actor: ActorDep,
    ) -> Template | Redirect:
        if verdict not in ("confirm", "dismiss"):
            raise NotFound(f"No such verdict {verdict!r}: confirm or dismiss.")
        link = services.similarity.get(link_id)
        page = int(field(data, "page")) if field(data, "page").isdigit() else 0
        page = min(page, 100_000)
        return act(
            request,
            services.session,
            page=f"{LINKS}?page={page}",
            action=lambda: services.similarity.decide(
                link, confirm=verdict == "confirm", note=field(data, "note"), actor=actor
            ),
            render=lambda error: Template(
                template_name="link_review.html", context=_links_context(services, actor, page, error)
            ),
        )
