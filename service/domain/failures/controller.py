"""Failures, answers and categories over HTTP."""

from __future__ import annotations

from litestar import Controller, delete, patch, post, put
from litestar.params import JSONBody
from sqlalchemy import select

from service.api.deps import ActorDep, ServicesDep
from service.api.types import PathId
from service.domain.failures.schemas import (
    AnswerIn,
    AnswerOut,
    CategoryIn,
    FailureIn,
    FailureOut,
)
from service.models import Draft, Failure


def _out(services: ServicesDep, failure: Failure) -> FailureOut:
    drafts = list(services.session.scalars(select(Draft).where(Draft.failure_id == failure.id).order_by(Draft.id)))
    return FailureOut.of(services.session, failure, drafts)


class FailureController(Controller):
    path = "/api"
    tags = ["failures"]

    @post("/reviews/{review_id:int}/failures", sync_to_thread=True, summary="Name a failure the review covers")
    def create(
        self, review_id: PathId, data: JSONBody[FailureIn], services: ServicesDep, actor: ActorDep
    ) -> FailureOut:
        failure = services.failures.create(services.reviews.get(review_id), title=data.title, actor=actor)
        return _out(services, failure)

    @patch("/failures/{failure_id:int}", sync_to_thread=True, summary="Rename a failure")
    def rename(
        self, failure_id: PathId, data: JSONBody[FailureIn], services: ServicesDep, actor: ActorDep
    ) -> FailureOut:
        failure = services.failures.rename(services.failures.get(failure_id), title=data.title, actor=actor)
        return _out(services, failure)

    @delete("/failures/{failure_id:int}", sync_to_thread=True, summary="Remove a failure named by mistake")
    def remove(self, failure_id: PathId, services: ServicesDep, actor: ActorDep) -> None:
        services.failures.remove(services.failures.get(failure_id), actor=actor)

    @post(
        "/failures/{failure_id:int}/answers",
        sync_to_thread=True,
        summary="Record an answer a person wrote (questions 1-3)",
    )
    def answer(self, failure_id: PathId, data: JSONBody[AnswerIn], services: ServicesDep, actor: ActorDep) -> AnswerOut:
        failure = services.failures.get(failure_id)
        answer = services.failures.write_answer(failure, question=data.question, text=data.text, actor=actor)
        return AnswerOut.of(services.session, answer)

    @put("/failures/{failure_id:int}/category", sync_to_thread=True, summary="Answer question 4: the group's category")
    def set_category(
        self, failure_id: PathId, data: JSONBody[CategoryIn], services: ServicesDep, actor: ActorDep
    ) -> FailureOut:
        failure = services.failures.set_category(
            services.failures.get(failure_id), category=data.category, rationale=data.rationale, actor=actor
        )
        return _out(services, failure)
