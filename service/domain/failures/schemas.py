"""API shapes for failures, answers and categories."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

import msgspec
from sqlalchemy import Row
from sqlalchemy.orm import Session

from service.api.rows import Columns
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

    @classmethod
    def of(cls, person: Person | Row[Any]) -> PersonRef:
        """From a Person, or a row of `PERSON_COLUMNS.select()`."""
        return PERSON_COLUMNS.build(person)


class DraftRef(msgspec.Struct, kw_only=True):
    id: int
    text: str
    grounding: str
    citations: list[int]
    llm_call: CallRef | None

    @classmethod
    def of(cls, draft: Draft | Row[Any] | None) -> DraftRef | None:
        """From a Draft, or a `Related` row of `DRAFT_REF_COLUMNS.select()` and its `llm_call`; None for none."""
        if draft is None:
            return None
        return DRAFT_REF_COLUMNS.build(draft, citations=list(draft.citations), llm_call=CallRef.of(draft.llm_call))


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
        # The decider by the answer's column: a loaded `answer.decider` may predate a new decision.
        decider = session.get(Person, answer.decided_by)
        assert decider is not None
        return cls.build(answer, decider)

    @classmethod
    def build(cls, answer: Answer | Row[Any], decider: Person | Row[Any]) -> AnswerOut:
        """From an Answer, or a row of `ANSWER_COLUMNS.select()` with its `draft` as `Related`, and its decider."""
        return ANSWER_COLUMNS.build(
            answer,
            key=Question(answer.question).key,
            provenance=Provenance(
                origin=answer.origin,
                decided_by=PersonRef.of(decider),
                decided_at=answer.decided_at,
                draft=DraftRef.of(answer.draft),
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
        return FAILURE_COLUMNS.build(
            failure,
            answers=[AnswerOut.of(session, a) for a in failure.answers],
            learnings=[LearningOut.of(learning) for learning in failure.learnings],
            drafts=[DraftOut.of(d) for d in drafts if d.failure_id == failure.id],
        )


PERSON_COLUMNS = Columns(PersonRef, Person)
DRAFT_REF_COLUMNS = Columns(DraftRef, Draft)
ANSWER_COLUMNS = Columns(AnswerOut, Answer, extra=("origin", "decided_at"))
FAILURE_COLUMNS = Columns(FailureOut, Failure)
