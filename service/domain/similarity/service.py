"""Similarity links: a machine's guess that two failures share a cause, until a person decides."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.db.types import utcnow
from service.domain import audit
from service.domain.reviews.service import ReviewService
from service.errors import Conflict, InvalidInput, NotFound
from service.models import Failure, LinkStatus, Person, SimilarityLink


class SimilarityService:
    def __init__(self, session: Session, *, reviews: ReviewService) -> None:
        self.session = session
        self.reviews = reviews

    def get(self, link_id: int) -> SimilarityLink:
        link = self.session.get(SimilarityLink, link_id)
        review = link.failure.review if link else None
        if link is None or review is None or not self.reviews.access.can_see_review(review):
            raise NotFound(f"No similarity link with id {link_id}.")
        return link

    def propose(self, failure: Failure, *, similar: Failure, score: float, reason: str) -> SimilarityLink | None:
        """Offer a hypothesis; returns None when a person already decided on this pair (it stays decided)."""
        if similar.id == failure.id:
            raise InvalidInput("A failure cannot be similar to itself.")
        link = self.session.scalar(
            select(SimilarityLink).where(
                SimilarityLink.failure_id == failure.id, SimilarityLink.similar_failure_id == similar.id
            )
        )
        if link is not None:
            if link.status != LinkStatus.HYPOTHESIS.value:
                return None
            link.score, link.reason = score, reason
            return link
        link = SimilarityLink(
            failure_id=failure.id,
            similar_failure_id=similar.id,
            score=score,
            reason=reason,
            status=LinkStatus.HYPOTHESIS.value,
        )
        self.session.add(link)
        self.session.flush()
        return link

    def withdraw_other_hypotheses(self, failure: Failure, *, keep: set[int]) -> int:
        """Delete undecided hypotheses for this failure except those in keep; decided links stay."""
        stale = self.session.scalars(
            select(SimilarityLink).where(
                SimilarityLink.failure_id == failure.id,
                SimilarityLink.status == LinkStatus.HYPOTHESIS.value,
                SimilarityLink.similar_failure_id.not_in(keep),
            )
        ).all()
        for link in stale:
            self.session.delete(link)
        self.session.flush()
        return len(stale)

    def decide(self, link: SimilarityLink, *, confirm: bool, note: str, actor: Person) -> SimilarityLink:
        review = link.failure.review
        assert review is not None
        self.reviews.ensure_participant(review, actor, "confirm or dismiss a similar failure")
        if link.status != LinkStatus.HYPOTHESIS.value:
            raise Conflict(f"This link was already {link.status}.")
        link.status = (LinkStatus.CONFIRMED if confirm else LinkStatus.DISMISSED).value
        link.decided_by = actor.id
        link.decided_at = utcnow()
        link.note = note.strip()
        audit.record(
            self.session,
            review=review,
            actor_id=actor.id,
            action=f"link.{link.status}",
            subject_type="similarity_link",
            subject_id=link.id,
        )
        return link
