"""AI drafting over HTTP: draft the current question, and the facilitator's private blame flags."""

from __future__ import annotations

from typing import Annotated

import msgspec
from litestar import Controller, get, post
from litestar.datastructures import State
from litestar.params import JSONBody

from service.api.deps import ActorDep, ServicesDep
from service.api.types import PathId
from service.domain.drafting.generate import generate_draft, review_blame_flags
from service.domain.drafts.schemas import DraftOut


class GenerateIn(msgspec.Struct, kw_only=True):
    question: Annotated[int, msgspec.Meta(ge=1, le=4)] | None = None
    learning: bool = False


class BlameFlagOut(msgspec.Struct, kw_only=True):
    segment_id: int
    speaker: str
    phrase: str
    target: str
    rewording: str


class DraftingController(Controller):
    path = "/api"
    tags = ["drafts"]

    @post(
        "/failures/{failure_id:int}/drafts/generate",
        sync_to_thread=True,
        summary="Ask the AI for a draft of a question (or the learning), grounded in the transcript",
        opt={"model_call": True},
    )
    def generate(
        self, failure_id: PathId, data: JSONBody[GenerateIn], state: State, services: ServicesDep, actor: ActorDep
    ) -> DraftOut:
        draft = generate_draft(
            services,
            failure_id=failure_id,
            question=data.question,
            learning=data.learning,
            endpoint=state.model_endpoint,
        )
        return DraftOut.of(draft)

    @get(
        "/reviews/{review_id:int}/blame-flags",
        sync_to_thread=True,
        summary="Facilitator only: segments that blame a person or team, with a system-focused rewording",
    )
    def blame(self, review_id: PathId, services: ServicesDep, actor: ActorDep) -> list[BlameFlagOut]:
        review = services.reviews.get(review_id)
        services.reviews.ensure_facilitator(review, actor, "see blame flags")
        return [BlameFlagOut(**flag.__dict__) for flag in review_blame_flags(services, review)]
