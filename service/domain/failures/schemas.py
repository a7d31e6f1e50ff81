"""API shapes for failures, answers and categories."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import msgspec
from sqlalchemy.orm import Session

from service.domain.drafts.schemas import CallRef, DraftOut
from service.domain.learnings.schemas import LearningOut
from service.models import Answer, Draft, Failure, Person, Question


class FailureIn(msgspec.Struct, kw_only=True):
    title: Annotated[str, msgspec.Meta(min_length=1, max_length=200)]


class AnswerIn(msgspec.Struct, kw_only=True):
    question: Annotated[int, msgspec.Meta(ge=1, le=3, description="1 intended, 2 actual, 3 gap.")]
    text: Annotated[str, msgspec.Meta(min_length=1, max_length=4000)]


class CategoryIn(msgspec.Struct, kw_only=True):
    category: Annotated[str, msgspec.Meta(description="avoidable, inherent or experiment")]
    rationale: Annotated[str, msgspec.Meta(min_length=1, max_length=2000)]


class PersonRef(msgspec.Struct, kw_only=True):
    id: int
    name: str


class DraftRef(msgspec.Struct, kw_only=True):
    id: int
    text: str
    grounding: str
    citations: list[int]
    llm_call: CallRef | None


class Provenance(msgspec.Struct, kw_only=True):
    """Where an answer came from: typed by a person, or an AI draft a person accepted or edited."""

    origin: str
    decided_by: PersonRef
    decided_at: datetime
    draft: DraftRef | None


class AnswerOut(msgspec.Struct, kw_only=True):
    id: int
    question: int
    key: str
    text: str
    provenance: Provenance

    @classmethod
    def of(cls, session: Session, answer: Answer) -> AnswerOut:
        decider = session.get(Person, answer.decided_by)
        assert decider is not None
        draft: Draft | None = answer.draft
        return cls(
            id=answer.id,
            question=answer.question,
            key=Question(answer.question).key,
            text=answer.text,
            provenance=Provenance(
                origin=answer.origin,
                decided_by=PersonRef(id=decider.id, name=decider.name),
                decided_at=answer.decided_at,
                draft=None
                if draft is None
                else DraftRef(
                    id=draft.id,
                    text=draft.text,
                    grounding=draft.grounding,
                    citations=list(draft.citations),
                    llm_call=CallRef.of(draft.llm_call),
                ),
            ),
        )


class FailureOut(msgspec.Struct, kw_only=True):
    id: int
    review_id: int
    position: int
    title: str
    category: str | None
    category_rationale: str
    answers: list[AnswerOut]
    learnings: list[LearningOut]
    drafts: list[DraftOut]

    @classmethod
    def of(cls, session: Session, failure: Failure, drafts: list[Draft]) -> FailureOut:
        assert failure.review_id is not None
        return cls(
            id=failure.id,
            review_id=failure.review_id,
            position=failure.position,
            title=failure.title,
            category=failure.category,
            category_rationale=failure.category_rationale,
            answers=[AnswerOut.of(session, a) for a in failure.answers],
            learnings=[LearningOut.of(learning) for learning in failure.learnings],
            drafts=[DraftOut.of(d) for d in drafts if d.failure_id == failure.id],
        )
