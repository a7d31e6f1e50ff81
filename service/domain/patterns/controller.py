"""Cross-team patterns over HTTP: list, read, ask for proposals, accept, edit, reject, export."""

from __future__ import annotations

from litestar import Controller, Response, get, patch, post
from litestar.params import JSONBody

from service.api.deps import ActorDep, ServicesDep
from service.api.types import PathId
from service.domain.patterns.report import render_report
from service.domain.patterns.schemas import PatternEditIn, PatternOut
from service.models import Pattern


def _out(services: ServicesDep, pattern: Pattern) -> PatternOut:
    return PatternOut.of(pattern, services.patterns.visible_members(pattern))


class PatternController(Controller):
    path = "/api/patterns"
    tags = ["cross-team patterns"]

    @get("", sync_to_thread=True, summary="Proposed and decided patterns (rejected ones are left out)")
    def list_patterns(self, services: ServicesDep) -> list[PatternOut]:
        return [_out(services, p) for p in services.patterns.list_all()]

    @get("/export", sync_to_thread=True, summary="The pattern report as Markdown", media_type="text/markdown")
    def export(self, services: ServicesDep) -> Response[str]:
        text = render_report([_out(services, p) for p in services.patterns.list_all()])
        return Response(text, media_type="text/markdown; charset=utf-8")

    @post("/refresh", sync_to_thread=True, summary="Propose patterns from confirmed links and similarity (site admins)")
    def refresh(self, services: ServicesDep, actor: ActorDep) -> dict[str, int]:
        result = services.patterns.refresh()
        return {"proposed": result.proposed, "kept": result.kept, "withdrawn": result.withdrawn}

    @get("/{pattern_id:int}", sync_to_thread=True, summary="One pattern with its member failures and evidence")
    def show(self, pattern_id: PathId, services: ServicesDep) -> PatternOut:
        return _out(services, services.patterns.get(pattern_id))

    @post("/{pattern_id:int}/accept", sync_to_thread=True, summary="Accept: this is a real cross-team pattern")
    def accept(self, pattern_id: PathId, services: ServicesDep, actor: ActorDep) -> PatternOut:
        return _out(services, services.patterns.accept(services.patterns.get(pattern_id), actor=actor))

    @post("/{pattern_id:int}/reject", sync_to_thread=True, summary="Reject: not a pattern (it is not proposed again)")
    def reject(self, pattern_id: PathId, services: ServicesDep, actor: ActorDep) -> PatternOut:
        return _out(services, services.patterns.reject(services.patterns.get(pattern_id), actor=actor))

    @patch("/{pattern_id:int}", sync_to_thread=True, summary="Edit the theme or description (keeps the pattern)")
    def edit(
        self, pattern_id: PathId, data: JSONBody[PatternEditIn], services: ServicesDep, actor: ActorDep
    ) -> PatternOut:
        pattern = services.patterns.get(pattern_id)
        return _out(
            services, services.patterns.edit(pattern, theme=data.theme, description=data.description, actor=actor)
        )
