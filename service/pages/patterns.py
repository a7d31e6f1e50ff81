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
from service.models import Person
from service.pages.forms import Form, act, field


def _context(services: Services, me: Person, error: str | None) -> dict[str, object]:
    patterns = [PatternOut.of(p, services.patterns.visible_members(p)) for p in services.patterns.list_all()]
    return {"me": me, "patterns": patterns, "error": error}


class PatternPages(Controller):
    @get("/patterns", sync_to_thread=True)
    def report(
        self,
        services: ServicesDep,
        actor: ActorDep,
        error: Annotated[str | None, QueryParameter(name="error")] = None,
    ) -> Template:
        return Template(template_name="patterns.html", context=_context(services, actor, error))

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
