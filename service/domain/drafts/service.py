"""AI drafts and the human decision on each one.

Nothing a model wrote becomes part of the record here except through ``accept`` or ``edit``, both of
which name the person who decided. A rejected draft stays visible in the history, never in the record.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.db.types import utcnow
from service.domain import audit
from service.domain.drafts.grounding import draft_problems, grounding_problems
from service.domain.failures.service import FailureService
from service.domain.learnings.service import LearningService
from service.domain.reviews.service import ReviewService
from service.errors import Conflict, InvalidInput, NotFound
from service.models import (
    Category,
    Draft,
    DraftDecision,
    DraftDecisionKind,
    DraftKind,
    Failure,
    Grounding,
    LLMCall,
    Person,
    Question,
    Review,
    Segment,
)


@dataclass(frozen=True)
class ModelCall:
    """What a drafter reports about the model call that produced a draft."""

    prompt_id: str
    prompt_version: str
    model: str
    input_hash: str
    raw_output: str
    parsed_output: Any = None
    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    latency_ms: float | None = None
    redactions: int = 0
    error: str | None = None


class DraftService:
    def __init__(
        self, session: Session, *, reviews: ReviewService, failures: FailureService, learnings: LearningService
    ) -> None:
        self.session = session
        self.reviews = reviews
        self.failures = failures
        self.learnings = learnings

    def get(self, draft_id: int) -> Draft:
        draft = self.session.get(Draft, draft_id)
        review = self.session.get(Review, draft.review_id) if draft else None
        if draft is None or review is None or not self.reviews.access.can_see_review(review):
            raise NotFound(f"No draft with id {draft_id}.")
        return draft

    def record(
        self,
        failure: Failure,
        *,
        kind: DraftKind,
        text: str,
        citations: list[int],
        call: ModelCall | None,
        question: int | None = None,
        category: str | None = None,
        suggested_owner: str | None = None,
        extractive: bool = False,
    ) -> Draft:
        """Store a draft made by a model (or extracted by code) after checking its grounding."""
        review = self.failures.review_of(failure)
        self.reviews.ensure_open(review)
        if kind == DraftKind.ANSWER:
            if question is None:
                raise InvalidInput("An answer draft says which question (1-4) it answers.", field="question")
            q = self.reviews.ensure_question_open(review, question)
            if q == Question.CATEGORY and category is None:
                raise InvalidInput("A draft for question 4 suggests a category.", field="category")
        elif question is not None:
            raise InvalidInput("A learning draft does not answer a question; leave question empty.")
        if category is not None and category not in {c.value for c in Category}:
            raise InvalidInput("category must be one of: avoidable, inherent, experiment.", field="category")
        if not text.strip():
            raise InvalidInput("A draft cannot be empty.", field="text")
        if call is None and not extractive:
            raise InvalidInput("A draft names the model call that made it, or is marked extractive.")

        rows = self.session.execute(
            select(Segment.id, Segment.text, Segment.speaker).where(
                Segment.review_id == review.id, Segment.id.in_(citations)
            )
        )
        segments: dict[int, str] = {}
        speakers: dict[int, str] = {}
        for segment_id, segment_text, speaker in rows:
            segments[segment_id], speakers[segment_id] = segment_text, speaker
        # Model-written text gets the stricter check (names, dates, figures with their units); text built
        # from the speakers' own sentences is checked for what it cites and quotes.
        problems = (
            grounding_problems(text, citations, segments)
            if extractive
            else draft_problems(text, citations, segments, speakers=speakers)
        )
        grounding = Grounding.UNVERIFIED if problems else (Grounding.EXTRACTIVE if extractive else Grounding.GROUNDED)

        llm_call = None
        if call is not None:
            llm_call = LLMCall(review_id=review.id, **call.__dict__)
            self.session.add(llm_call)
            self.session.flush()
        draft = Draft(
            review_id=review.id,
            failure_id=failure.id,
            kind=kind.value,
            question=question,
            text=text.strip(),
            category=category,
            suggested_owner=suggested_owner,
            citations=list(citations),
            grounding=grounding.value,
            grounding_problems=problems,
            llm_call_id=llm_call.id if llm_call else None,
        )
        self.session.add(draft)
        self.session.flush()
        return draft

    def accept(self, draft: Draft, *, actor: Person, owner_id: int | None = None, due_on: date | None = None) -> Draft:
        """A person takes the draft into the record as it stands."""
        return self._decide(
            draft,
            DraftDecisionKind.ACCEPTED,
            actor=actor,
            text=draft.text,
            category=draft.category,
            owner_id=owner_id,
            due_on=due_on,
        )

    def edit(
        self,
        draft: Draft,
        *,
        text: str,
        actor: Person,
        category: str | None = None,
        owner_id: int | None = None,
        due_on: date | None = None,
    ) -> Draft:
        """A person takes the draft into the record in their own words."""
        if not text.strip():
            raise InvalidInput("The edited text is empty; reject the draft instead.", field="text")
        return self._decide(
            draft,
            DraftDecisionKind.EDITED,
            actor=actor,
            text=text.strip(),
            category=category or draft.category,
            owner_id=owner_id,
            due_on=due_on,
        )

    def reject(self, draft: Draft, *, actor: Person, note: str = "") -> Draft:
        """A person keeps the draft out of the record."""
        return self._decide(draft, DraftDecisionKind.REJECTED, actor=actor, text=None, note=note)

    def _decide(
        self,
        draft: Draft,
        decision: DraftDecisionKind,
        *,
        actor: Person,
        text: str | None,
        category: str | None = None,
        owner_id: int | None = None,
        due_on: date | None = None,
        note: str = "",
    ) -> Draft:
        failure = self.failures.get(draft.failure_id)
        review = self.failures.review_of(failure)
        self.reviews.ensure_participant(review, actor, "decide on an AI draft")
        self.reviews.ensure_open(review)
        if draft.decision is not None:
            d = draft.decision
            raise Conflict(
                f"This draft was already {d.decision} by person {d.decided_by}; "
                "write a new answer instead of deciding twice."
            )
        if draft.kind == DraftKind.LEARNING.value and decision != DraftDecisionKind.REJECTED and owner_id is None:
            raise InvalidInput("Name the one person who owns this learning (owner_id).", field="owner_id")
        draft.decision = DraftDecision(
            decision=decision.value,
            decided_by=actor.id,
            decided_at=utcnow(),
            edited_text=text if decision == DraftDecisionKind.EDITED else None,
            note=note,
        )
        self.session.flush()
        origin = decision.value
        if decision != DraftDecisionKind.REJECTED and text is not None:
            if draft.kind == DraftKind.LEARNING.value:
                self.learnings.add(failure, text=text, owner_id=owner_id, due_on=due_on, actor=actor, draft=draft)
            elif draft.question == Question.CATEGORY:
                self.failures.set_category(
                    failure, category=category or "", rationale=text, actor=actor, draft=draft, origin=origin
                )
            else:
                assert draft.question is not None  # answer drafts always name their question
                self.failures.record_answer(
                    failure, Question(draft.question), text=text, origin=origin, draft=draft, actor=actor
                )
        audit.record(
            self.session,
            review=review,
            actor_id=actor.id,
            action=f"draft.{decision.value}",
            subject_type="draft",
            subject_id=draft.id,
            grounding=draft.grounding,
        )
        return draft
