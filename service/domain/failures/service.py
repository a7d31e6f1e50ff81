"""Failures in a review, the answers to the four questions, and the category."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from service.db.types import utcnow
from service.domain import audit
from service.domain.reviews.service import ReviewService
from service.errors import Conflict, InvalidInput, NotFound
from service.models import (
    Answer,
    Category,
    Draft,
    Failure,
    LearningKind,
    Person,
    Question,
    Review,
)


class FailureService:
    def __init__(self, session: Session, *, reviews: ReviewService) -> None:
        self.session = session
        self.reviews = reviews

    def get(self, failure_id: int) -> Failure:
        failure = self.session.get(Failure, failure_id)
        if failure is None or failure.review is None or not self.reviews.access.can_see_review(failure.review):
            raise NotFound(f"No failure with id {failure_id} in any review you can see.")
        return failure

    def review_of(self, failure: Failure) -> Review:
        assert failure.review is not None  # get() only returns failures that belong to a review
        return failure.review

    def create(self, review: Review, *, title: str, actor: Person) -> Failure:
        """Name one failure the review covers; a review may cover several."""
        self.reviews.ensure_participant(review, actor, "name a failure")
        self.reviews.ensure_open(review)
        self.reviews.start(review, actor=actor)
        if not title.strip():
            raise InvalidInput(
                "A failure needs a short name, e.g. 'Config pushed to all regions at once'.", field="title"
            )
        position = (
            self.session.scalar(select(func.max(Failure.position)).where(Failure.review_id == review.id)) or 0
        ) + 1
        failure = Failure(
            team_id=review.team_id, position=position, title=title.strip(), occurred_on=review.failed_at.date()
        )
        review.failures.append(failure)
        self.session.flush()
        audit.record(
            self.session,
            review=review,
            actor_id=actor.id,
            action="failure.created",
            subject_type="failure",
            subject_id=failure.id,
        )
        return failure

    def rename(self, failure: Failure, *, title: str, actor: Person) -> Failure:
        review = self.review_of(failure)
        self.reviews.ensure_participant(review, actor, "rename a failure")
        self.reviews.ensure_open(review)
        if not title.strip():
            raise InvalidInput("A failure needs a short name.", field="title")
        failure.title = title.strip()
        audit.record(
            self.session,
            review=review,
            actor_id=actor.id,
            action="failure.renamed",
            subject_type="failure",
            subject_id=failure.id,
        )
        return failure

    def split(self, failure: Failure, *, title: str, move_questions: list[int], actor: Person) -> Failure:
        """The group finds one failure is really two: name the second and move the answers that belong to it."""
        review = self.review_of(failure)
        self.reviews.ensure_participant(review, actor, "split a failure")
        self.reviews.ensure_open(review)
        if failure.learnings and Question.CATEGORY in move_questions:
            raise Conflict(
                "This failure's learnings follow its category; move the category only before learnings exist."
            )
        second = self.create(review, title=title, actor=actor)
        moving = [a for a in failure.answers if a.question in set(move_questions)]
        # Move rather than delete and re-create: the answers keep their provenance (draft, decider).
        with self.session.no_autoflush:
            for answer in moving:
                answer.failure = second
        if Question.CATEGORY in move_questions and failure.category:
            second.category, second.category_rationale = failure.category, failure.category_rationale
            second.category_set_by, second.category_set_at = failure.category_set_by, failure.category_set_at
            failure.category, failure.category_rationale = None, ""
            failure.category_set_by = failure.category_set_at = None
        self.session.flush()
        audit.record(
            self.session,
            review=review,
            actor_id=actor.id,
            action="failure.split",
            subject_type="failure",
            subject_id=failure.id,
            into=second.id,
            moved=sorted(a.question for a in moving),
        )
        return second

    def remove(self, failure: Failure, *, actor: Person) -> None:
        """Remove a failure named by mistake; one that already has learnings must keep them, so is refused."""
        review = self.review_of(failure)
        self.reviews.ensure_facilitator(review, actor, "remove a failure")
        self.reviews.ensure_open(review)
        if failure.learnings:
            raise Conflict("This failure has learnings with owners; close or reassign them instead of deleting.")
        audit.record(
            self.session,
            review=review,
            actor_id=actor.id,
            action="failure.removed",
            subject_type="failure",
            subject_id=failure.id,
            title=failure.title,
        )
        review.failures.remove(failure)
        self.session.flush()

    def write_answer(self, failure: Failure, *, question: int, text: str, actor: Person) -> Answer:
        """Record an answer a person typed themselves."""
        review = self.review_of(failure)
        self.reviews.ensure_participant(review, actor, "answer a question")
        self.reviews.ensure_open(review)
        q = self.reviews.ensure_question_open(review, question)
        if q == Question.CATEGORY:
            raise InvalidInput(
                "Question 4 is answered by choosing a category (avoidable, inherent or "
                "experiment) with a rationale: set the failure's category."
            )
        return self.record_answer(failure, q, text=text, origin="typed", draft=None, actor=actor)

    def set_category(
        self,
        failure: Failure,
        *,
        category: str,
        rationale: str,
        actor: Person,
        draft: Draft | None = None,
        origin: str = "typed",
    ) -> Failure:
        """Answer question 4: the group's category for the gap, with its reason."""
        review = self.review_of(failure)
        self.reviews.ensure_participant(review, actor, "set a category")
        self.reviews.ensure_open(review)
        self.reviews.ensure_question_open(review, Question.CATEGORY)
        try:
            chosen = Category(category)
        except ValueError:
            raise InvalidInput("category must be one of: avoidable, inherent, experiment.", field="category") from None
        if not rationale.strip():
            raise InvalidInput("Say why in one sentence: the rationale is what the next team reads.", field="rationale")
        previous = failure.category
        failure.category = chosen.value
        failure.category_rationale = rationale.strip()
        failure.category_set_by = actor.id
        failure.category_set_at = utcnow()
        self.record_answer(failure, Question.CATEGORY, text=rationale, origin=origin, draft=draft, actor=actor)
        # The kind of every learning follows the category (avoidable → process change, ...).
        for learning in failure.learnings:
            learning.kind = LearningKind.for_category(chosen).value
        audit.record(
            self.session,
            review=review,
            actor_id=actor.id,
            action="category.set",
            subject_type="failure",
            subject_id=failure.id,
            category=chosen.value,
            previous=previous,
        )
        return failure

    def record_answer(
        self, failure: Failure, question: Question, *, text: str, origin: str, draft: Draft | None, actor: Person
    ) -> Answer:
        text = text.strip()
        if not text:
            raise InvalidInput("An answer cannot be empty.", field="text")
        answer = next((a for a in failure.answers if a.question == question), None)
        replaced = answer is not None
        if answer is None:
            answer = Answer(failure_id=failure.id, question=question.value)
            failure.answers.append(answer)
        answer.text = text
        answer.origin = origin
        answer.draft_id = draft.id if draft else None
        answer.decided_by = actor.id
        answer.decided_at = utcnow()
        self.session.flush()
        review = self.review_of(failure)
        audit.record(
            self.session,
            review=review,
            actor_id=actor.id,
            action="answer.recorded",
            subject_type="answer",
            subject_id=answer.id,
            question=question.value,
            origin=origin,
            draft_id=answer.draft_id,
            replaced=replaced,
        )
        return answer
