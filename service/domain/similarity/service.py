"""Similarity links: a machine's guess that two failures share a cause, until a person decides.

A link from a failure in a review is decided by the review's participants, in the room. A link from a
past failure (one outside any review: the imported record) is decided on the link review page by a
member of either failure's team who is not a reader; both failures must be visible to that person.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.db.types import utcnow
from service.domain import audit
from service.domain.reviews.service import ReviewService
from service.errors import Conflict, Forbidden, InvalidInput, NotFound
from service.models import Failure, LinkStatus, Person, Role, ShareLevel, SimilarityLink


class SimilarityService:
    def __init__(self, session: Session, *, reviews: ReviewService) -> None:
        self.session = session
        self.reviews = reviews

    def get(self, link_id: int) -> SimilarityLink:
        link = self.session.get(SimilarityLink, link_id)
        if link is None:
            raise NotFound(f"No similarity link with id {link_id}.")
        review = link.failure.review
        if review is not None:
            visible = self.reviews.access.can_see_review(review)
        else:
            visible = self.can_see_failure(link.failure) and self.can_see_failure(link.similar_failure)
        if not visible:
            raise NotFound(f"No similarity link with id {link_id}.")
        return link

    def can_see_failure(self, failure: Failure) -> bool:
        """At least its title and gap: its review is visible, its team is one's own, or its team shares."""
        access = self.reviews.access
        if access.is_site_admin or access.role_in_team(failure.team_id) is not None:
            return True
        if failure.review is not None and access.can_see_review(failure.review):
            return True
        return failure.team.share_level == ShareLevel.TITLE_AND_GAP.value

    def partners_linking_to(self, failure: Failure) -> set[int]:
        """Failures that hold a link (of any status) to this one: the pair is already offered or decided."""
        return set(
            self.session.scalars(
                select(SimilarityLink.failure_id).where(SimilarityLink.similar_failure_id == failure.id)
            )
        )

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
        if review is not None:
            self.reviews.ensure_participant(review, actor, "confirm or dismiss a similar failure")
        else:
            self._ensure_can_decide_past(link)
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

    def _ensure_can_decide_past(self, link: SimilarityLink) -> None:
        """Between past failures: site admins, or a member (not a reader) of either failure's team."""
        access = self.reviews.access
        if access.is_site_admin:
            return
        roles = {access.role_in_team(link.failure.team_id), access.role_in_team(link.similar_failure.team_id)}
        if not roles & {Role.ADMIN, Role.FACILITATOR, Role.PARTICIPANT}:
            raise Forbidden(
                "Only a member of one of the two failures' teams (not a reader) can confirm or dismiss this link."
            )
