"""Learnings: the change a failure causes, each carried by exactly one person."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session

from service.db.types import utcnow
from service.domain import audit
from service.domain.reviews.service import ReviewService, takes_part
from service.errors import Conflict, Forbidden, InvalidInput, NotFound
from service.models import (
    Category,
    Failure,
    Learning,
    LearningKind,
    LearningStatus,
    Person,
    Review,
)

if TYPE_CHECKING:
    from service.models import Draft

ONE_OWNER = (
    "A learning has exactly one owner: one person, not a list and not 'the team'. "
    "Pick the person who will carry it into the next cycle."
)


class LearningService:
    def __init__(self, session: Session, *, reviews: ReviewService) -> None:
        self.session = session
        self.reviews = reviews

    def get(self, learning_id: int) -> Learning:
        learning = self.session.get(Learning, learning_id)
        review = learning.failure.review if learning else None
        if learning is None or review is None or not self.reviews.access.can_see_review(review):
            raise NotFound(f"No learning with id {learning_id}.")
        return learning

    def add(
        self,
        failure: Failure,
        *,
        text: str,
        owner_id: Any,
        due_on: date | None,
        actor: Person,
        draft: Draft | None = None,
    ) -> Learning:
        """Record a learning for a categorised failure, owned by one person of the team or the call."""
        review = failure.review
        assert review is not None
        self.reviews.ensure_participant(review, actor, "record a learning")
        self.reviews.ensure_open(review)
        owner = self._one_owner(review, owner_id)
        if not failure.category:
            raise Conflict(
                "Set the failure's category first (question 4): the kind of learning follows "
                "from it — a process change, a named constraint or what an experiment taught."
            )
        if not text.strip():
            raise InvalidInput(
                "Say what changes, concretely: a checklist step, a named constraint, or what the next team should try.",
                field="text",
            )
        learning = Learning(
            kind=LearningKind.for_category(Category(failure.category)).value,
            text=text.strip(),
            owner_id=owner.id,
            due_on=due_on,
            status=LearningStatus.OPEN.value,
            created_by=actor.id,
            draft_id=draft.id if draft else None,
        )
        failure.learnings.append(learning)
        self.session.flush()
        audit.record(
            self.session,
            review=review,
            actor_id=actor.id,
            action="learning.assigned",
            subject_type="learning",
            subject_id=learning.id,
            owner_id=owner.id,
        )
        return learning

    def reassign(self, learning: Learning, *, owner_id: Any, actor: Person) -> Learning:
        review = learning.failure.review
        assert review is not None
        self.reviews.ensure_participant(review, actor, "reassign a learning")
        owner = self._one_owner(review, owner_id)
        previous = learning.owner_id
        learning.owner_id = owner.id
        audit.record(
            self.session,
            review=review,
            actor_id=actor.id,
            action="learning.reassigned",
            subject_type="learning",
            subject_id=learning.id,
            owner_id=owner.id,
            previous=previous,
        )
        return learning

    def set_status(self, learning: Learning, *, status: str, note: str, actor: Person) -> Learning:
        """Close a learning as done or dropped (with a note), or reopen it."""
        review = learning.failure.review
        assert review is not None
        try:
            new = LearningStatus(status)
        except ValueError:
            raise InvalidInput("status must be open, done or dropped.", field="status") from None
        if actor.id not in (learning.owner_id, review.facilitator_id):
            raise Forbidden("Only the learning's owner or the review's facilitator can change its status.")
        if new == LearningStatus.DROPPED and not note.strip():
            raise InvalidInput(
                "Say why the learning is dropped; an unexplained drop is how reviews turn into ritual.", field="note"
            )
        learning.status = new.value
        learning.status_note = note.strip()
        learning.closed_at = None if new == LearningStatus.OPEN else utcnow()
        audit.record(
            self.session,
            review=review,
            actor_id=actor.id,
            action=f"learning.{new.value}",
            subject_type="learning",
            subject_id=learning.id,
        )
        return learning

    def _one_owner(self, review: Review, owner_id: Any) -> Person:
        # Checked here, not only by the API schema, because jobs and the CLI call services directly.
        if owner_id is None or isinstance(owner_id, (list, tuple, set, dict, bool)):
            raise InvalidInput(ONE_OWNER, field="owner_id")
        if not isinstance(owner_id, int):
            raise InvalidInput(ONE_OWNER, field="owner_id")
        owner = self.session.get(Person, owner_id)
        if owner is None:
            raise NotFound(f"No person with id {owner_id} to own this learning.")
        in_team = self.reviews.people.is_member
        if not takes_part(review, owner.id) and not in_team(team_id=review.team_id, person_id=owner.id):
            raise Conflict(f"{owner.name} is neither in this review nor in its team; add them first.")
        return owner
