"""AI drafts over HTTP: recording them, and the accept / edit / reject decision."""

from __future__ import annotations

from litestar import Controller, post
from litestar.params import JSONBody

from service.api.deps import ActorDep, ServicesDep
from service.api.types import PathId
from service.domain.drafts.schemas import AcceptIn, DraftIn, DraftOut, EditIn, RejectIn
from service.domain.drafts.service import ModelCall


class DraftController(Controller):
    path = "/api"
    tags = ["drafts"]

    @post(
        "/failures/{failure_id:int}/drafts",
        sync_to_thread=True,
        summary="Record an AI draft (its grounding is checked against the cited segments)",
    )
    def record(self, failure_id: PathId, data: JSONBody[DraftIn], services: ServicesDep, actor: ActorDep) -> DraftOut:
        failure = services.failures.get(failure_id)
        services.reviews.ensure_participant(services.failures.review_of(failure), actor, "add AI drafts")
        call = (
            None
            if data.model_call is None
            else ModelCall(**{f: getattr(data.model_call, f) for f in data.model_call.__struct_fields__})
        )
        draft = services.drafts.record(
            failure,
            kind=data.kind,
            text=data.text,
            citations=data.citations,
            call=call,
            question=data.question,
            category=data.category,
            suggested_owner=data.suggested_owner,
            extractive=data.extractive,
        )
        return DraftOut.of(draft)

    @post(
        "/drafts/{draft_id:int}/accept", sync_to_thread=True, summary="Accept a draft as written; it becomes the answer"
    )
    def accept(
        self, draft_id: PathId, services: ServicesDep, actor: ActorDep, data: JSONBody[AcceptIn | None] = None
    ) -> DraftOut:
        data = data or AcceptIn()
        draft = services.drafts.accept(
            services.drafts.get(draft_id), actor=actor, owner_id=data.owner_id, due_on=data.due_on
        )
        return DraftOut.of(draft)

    @post("/drafts/{draft_id:int}/edit", sync_to_thread=True, summary="Accept a draft in your own words")
    def edit(self, draft_id: PathId, data: JSONBody[EditIn], services: ServicesDep, actor: ActorDep) -> DraftOut:
        draft = services.drafts.edit(
            services.drafts.get(draft_id),
            text=data.text,
            actor=actor,
            category=data.category,
            owner_id=data.owner_id,
            due_on=data.due_on,
        )
        return DraftOut.of(draft)

    @post("/drafts/{draft_id:int}/reject", sync_to_thread=True, summary="Keep a draft out of the record")
    def reject(
        self, draft_id: PathId, services: ServicesDep, actor: ActorDep, data: JSONBody[RejectIn | None] = None
    ) -> DraftOut:
        draft = services.drafts.reject(services.drafts.get(draft_id), actor=actor, note=(data or RejectIn()).note)
        return DraftOut.of(draft)
