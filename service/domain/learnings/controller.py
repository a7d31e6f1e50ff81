"""Learnings over HTTP."""

from __future__ import annotations

from litestar import Controller, patch, post
from litestar.params import JSONBody

from service.api.deps import ActorDep, ServicesDep
from service.api.types import PathId
from service.domain.learnings.schemas import LearningIn, LearningOut, LearningPatch


class LearningController(Controller):
    path = "/api"
    tags = ["learnings"]

    @post(
        "/failures/{failure_id:int}/learnings", sync_to_thread=True, summary="Record a learning with exactly one owner"
    )
    def add(
        self, failure_id: PathId, data: JSONBody[LearningIn], services: ServicesDep, actor: ActorDep
    ) -> LearningOut:
        learning = services.learnings.add(
            services.failures.get(failure_id), text=data.text, owner_id=data.owner_id, due_on=data.due_on, actor=actor
        )
        return LearningOut.of(learning)

    @patch(
        "/learnings/{learning_id:int}",
        sync_to_thread=True,
        summary="Mark done / dropped / open, or hand to another owner",
    )
    def update(
        self, learning_id: PathId, data: JSONBody[LearningPatch], services: ServicesDep, actor: ActorDep
    ) -> LearningOut:
        learning = services.learnings.get(learning_id)
        if data.owner_id is not None:
            services.learnings.reassign(learning, owner_id=data.owner_id, actor=actor)
        if data.status is not None:
            services.learnings.set_status(learning, status=data.status, note=data.note, actor=actor)
        return LearningOut.of(learning)
