"""Reviews: creation, who takes part, and the four questions in order."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime, timedelta

from sqlalchemy import case, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.interfaces import ORMOption

from service.db.types import utcnow
from service.domain import audit
from service.domain.access import Access
from service.domain.accounts.secrets import new_token, token_digest
from service.domain.people.service import PeopleService
from service.errors import Conflict, Forbidden, InvalidInput, NotFound
from service.models import (
    Answer,
    Failure,
    Participant,
    Person,
    Question,
    Review,
    ReviewInvite,
    ReviewStatus,
    Role,
)

# Removes what lives outside the database for a review being deleted (audio files, index entries);
# it queues that work with service.db.after_commit.on_commit so nothing goes if the deletion rolls back.
Purger = Callable[[Session, Review], None]


def _check_failure_time(failed_at: datetime) -> None:
    if failed_at.tzinfo is None:
        raise InvalidInput("failed_at needs a timezone, e.g. 2026-11-20T14:00:00Z.", field="failed_at")
    if failed_at > utcnow() + timedelta(minutes=5):
        raise InvalidInput("failed_at is in the future; a review looks back at a failure that happened.")


class ReviewService:
    def __init__(
        self, session: Session, *, access: Access, due_hours: int = 72, purgers: Sequence[Purger] = ()
    ) -> None:
        self.session = session
        self.purgers = list(purgers)
        self.access = access
        self.due_hours = due_hours
        self.people = PeopleService(session, access=access)

    # -- reading -------------------------------------------------------------------------------

    def get(self, review_id: int, *, options: Sequence[ORMOption] = ()) -> Review:
        """The review, if this viewer may see it; ``options`` say what to load with it in the same trip."""
        review = self.session.get(Review, review_id, options=options)
        if review is None:
            raise NotFound(f"No review with id {review_id}.")
        return self.access.ensure_visible(review)

    def list_reviews(self, *, team_id: int | None = None, person_id: int | None = None) -> list[Review]:
        """Open reviews first, soonest due (or most overdue) first; then closed ones, newest first."""
        query = select(Review).where(self.access.visible_reviews())
        if team_id is not None:
            query = query.where(Review.team_id == team_id)
        if person_id is not None:
            query = query.where(Review.id.in_(select(Participant.review_id).where(Participant.person_id == person_id)))
        is_closed = case((Review.status == ReviewStatus.CLOSED.value, 1), else_=0)
        return list(self.session.scalars(query.order_by(is_closed, Review.due_at, Review.id)))

    # -- writing -------------------------------------------------------------------------------

    def create(
        self,
        *,
        team_id: int,
        title: str,
        what_failed: str,
        failed_at: datetime,
        facilitator_id: int,
        participant_ids: list[int],
        actor: Person,
    ) -> Review:
        team = self.people.get_team(team_id)
        self.access.ensure_can_start_reviews(team.id)
        facilitator = self.people.get_person(facilitator_id)
        if not title.strip():
            raise InvalidInput("A review needs a title, e.g. 'Payments outage after config push'.", field="title")
        _check_failure_time(failed_at)
        review = Review(
            team_id=team.id,
            title=title.strip(),
            what_failed=what_failed.strip(),
            failed_at=failed_at,
            due_at=failed_at + timedelta(hours=self.due_hours),
            facilitator_id=facilitator.id,
            status=ReviewStatus.SCHEDULED.value,
            current_question=Question.INTENDED,
        )
        self.session.add(review)
        self.session.flush()
        audit.record(
            self.session,
            review=review,
            actor_id=actor.id,
            action="review.created",
            subject_type="review",
            subject_id=review.id,
        )
        for person_id in dict.fromkeys([facilitator.id, *participant_ids]):
            self.add_participant(review, person_id=person_id, actor=actor)
        return review

    def update(
        self,
        review: Review,
        *,
        actor: Person,
        title: str | None = None,
        what_failed: str | None = None,
        failed_at: datetime | None = None,
    ) -> Review:
        """Correct the review's title, description or failure time (the due time follows the failure time)."""
        self.ensure_facilitator(review, actor, "edit the review's details")
        self.ensure_open(review)
        changed: list[str] = []
        if title is not None:
            if not title.strip():
                raise InvalidInput("A review needs a title.", field="title")
            review.title = title.strip()
            changed.append("title")
        if what_failed is not None:
            review.what_failed = what_failed.strip()
            changed.append("what_failed")
        if failed_at is not None:
            _check_failure_time(failed_at)
            review.failed_at = failed_at
            review.due_at = failed_at + timedelta(hours=self.due_hours)
            changed.append("failed_at")
        audit.record(
            self.session,
            review=review,
            actor_id=actor.id,
            action="review.updated",
            subject_type="review",
            subject_id=review.id,
            fields=changed,
        )
        return review

    def add_participant(self, review: Review, *, person_id: int, actor: Person) -> Participant:
        self.ensure_open(review)
        person = self.people.get_person(person_id)
        existing = self.session.scalar(
            select(Participant).where(Participant.review_id == review.id, Participant.person_id == person.id)
        )
        if existing:
            return existing
        participant = Participant(review_id=review.id, person_id=person.id)
        self.session.add(participant)
        self.session.flush()
        audit.record(
            self.session,
            review=review,
            actor_id=actor.id,
            action="participant.added",
            subject_type="person",
            subject_id=person.id,
        )
        return participant

    def invite(self, review: Review, *, actor: Person, hours: int) -> tuple[ReviewInvite, str]:
        """Issue an expiring link that makes whoever accepts it a participant (the secret is shown once)."""
        self.ensure_participant(review, actor, "invite people")
        self.ensure_open(review)
        secret = new_token()
        invite = ReviewInvite(
            review_id=review.id,
            token_hash=token_digest(secret),
            created_by=actor.id,
            expires_at=utcnow() + timedelta(hours=hours),
        )
        self.session.add(invite)
        self.session.flush()
        audit.record(
            self.session,
            review=review,
            actor_id=actor.id,
            action="invite.created",
            subject_type="invite",
            subject_id=invite.id,
        )
        return invite, secret

    def revoke_invite(self, review: Review, *, invite_id: int, actor: Person) -> None:
        self.ensure_participant(review, actor, "revoke invitations")
        invite = self.session.get(ReviewInvite, invite_id)
        if invite is None or invite.review_id != review.id:
            raise NotFound(f"No invitation with id {invite_id} in this review.")
        invite.revoked_at = invite.revoked_at or utcnow()
        audit.record(
            self.session,
            review=review,
            actor_id=actor.id,
            action="invite.revoked",
            subject_type="invite",
            subject_id=invite.id,
        )

    def accept_invite(self, secret: str, *, actor: Person) -> Review:
        invite = self.session.scalar(select(ReviewInvite).where(ReviewInvite.token_hash == token_digest(secret)))
        if invite is None or invite.revoked_at is not None or invite.expires_at < utcnow():
            raise NotFound("This invitation is unknown, revoked or expired; ask the facilitator for a new one.")
        review = self.session.get(Review, invite.review_id)
        assert review is not None
        self.ensure_open(review)
        if not any(p.person_id == actor.id for p in review.participants):
            self.session.add(Participant(review_id=review.id, person_id=actor.id))
            self.session.flush()
            self.session.refresh(review, ["participants"])
        invite.accepted_by, invite.accepted_at = actor.id, utcnow()
        audit.record(
            self.session,
            review=review,
            actor_id=actor.id,
            action="invite.accepted",
            subject_type="invite",
            subject_id=invite.id,
        )
        return review

    def delete(self, review: Review, *, actor: Person) -> None:
        """Delete a review and everything recorded in it (segments, failures, answers, drafts, model calls).

        Files and index entries derived from it are removed by the purgers, after the commit. The
        audit log keeps one line saying who deleted which review id, and nothing of its content.
        """
        if not (
            actor.id == review.facilitator_id
            or self.access.is_site_admin
            or self.access.role_in_team(review.team_id) == Role.ADMIN
        ):
            raise Forbidden("Only the review's facilitator or a team admin can delete a review.")
        for purge in self.purgers:
            purge(self.session, review)
        audit.record(
            self.session,
            review=review,
            actor_id=actor.id,
            action="review.deleted",
            subject_type="review",
            subject_id=review.id,
        )
        self.session.delete(review)
        self.session.flush()

    def start(self, review: Review, *, actor: Person) -> Review:
        """Mark the review as held now (if it was not already); the due window is judged by this."""
        self.ensure_open(review)
        if review.status == ReviewStatus.SCHEDULED.value:
            review.status = ReviewStatus.IN_PROGRESS.value
            review.held_at = utcnow()
            audit.record(
                self.session,
                review=review,
                actor_id=actor.id,
                action="review.started",
                subject_type="review",
                subject_id=review.id,
            )
        return review

    def advance_question(self, review: Review, *, actor: Person) -> Review:
        """Move to the next question once every failure has an answer to the current one."""
        self.ensure_facilitator(review, actor, "advance to the next question")
        self.start(review, actor=actor)
        current = Question(review.current_question)
        if current == Question.CATEGORY:
            raise Conflict("This is the last question. Close the review when every failure has its learnings.")
        failures = review.failures
        if not failures:
            raise Conflict("Name at least one failure before moving on: the questions are asked per failure.")
        missing = [f.title for f in failures if not self._answer(f, current)]
        if missing:
            raise Conflict(
                f"Answer '{current.prompt}' for every failure before moving on; still open: "
                + "; ".join(missing)
                + ".",
                unanswered_failures=missing,
            )
        review.current_question = current + 1
        audit.record(
            self.session,
            review=review,
            actor_id=actor.id,
            action="question.advanced",
            subject_type="review",
            subject_id=review.id,
            question=review.current_question,
        )
        return review

    def go_back_to(self, review: Review, *, question: int, actor: Person) -> Review:
        """Return to an earlier question; answers given since are kept."""
        self.ensure_facilitator(review, actor, "go back to an earlier question")
        self.ensure_open(review)
        if question not in {q.value for q in Question}:
            raise InvalidInput("question must be 1, 2, 3 or 4.", field="question")
        if question > review.current_question:
            raise Conflict("Questions advance in order: use 'advance' to move forward one question at a time.")
        review.current_question = question
        audit.record(
            self.session,
            review=review,
            actor_id=actor.id,
            action="question.reopened",
            subject_type="review",
            subject_id=review.id,
            question=question,
        )
        return review

    def close(self, review: Review, *, actor: Person) -> Review:
        """Close the record once every failure is answered, categorised and has an owned learning."""
        self.ensure_facilitator(review, actor, "close the review")
        self.ensure_open(review)
        problems: list[str] = []
        if not review.failures:
            problems.append("the review names no failure")
        for failure in review.failures:
            unanswered = [q.key for q in Question if not self._answer(failure, q)]
            if unanswered:
                problems.append(f"'{failure.title}' has no answer to: {', '.join(unanswered)}")
            if not failure.category:
                problems.append(f"'{failure.title}' has no category")
            if not failure.learnings:
                problems.append(f"'{failure.title}' has no learning with an owner")
        if problems:
            raise Conflict("The review cannot close yet: " + "; ".join(problems) + ".", problems=problems)
        review.status = ReviewStatus.CLOSED.value
        review.closed_at = utcnow()
        audit.record(
            self.session,
            review=review,
            actor_id=actor.id,
            action="review.closed",
            subject_type="review",
            subject_id=review.id,
        )
        return review

    def reopen(self, review: Review, *, actor: Person) -> Review:
        self.ensure_facilitator(review, actor, "reopen the review")
        if review.status != ReviewStatus.CLOSED.value:
            raise Conflict("The review is not closed.")
        review.status = ReviewStatus.IN_PROGRESS.value
        review.closed_at = None
        audit.record(
            self.session,
            review=review,
            actor_id=actor.id,
            action="review.reopened",
            subject_type="review",
            subject_id=review.id,
        )
        return review

    # -- rules shared by the other services ----------------------------------------------------

    def ensure_open(self, review: Review) -> None:
        if review.status == ReviewStatus.CLOSED.value:
            raise Conflict("This review is closed; the facilitator can reopen it to change the record.")

    def ensure_facilitator(self, review: Review, actor: Person, what: str) -> None:
        if actor.id != review.facilitator_id:
            raise Forbidden(f"Only the review's facilitator can {what}.")

    def ensure_participant(self, review: Review, actor: Person, what: str) -> None:
        if takes_part(review, actor.id):
            return
        raise Forbidden(f"Only people taking part in this review can {what}; ask the facilitator to add you.")

    def ensure_question_open(self, review: Review, question: int) -> Question:
        """Answers may be given to the current question or revised for earlier ones, never ahead."""
        try:
            q = Question(question)
        except ValueError:
            raise InvalidInput("question must be 1, 2, 3 or 4.", field="question") from None
        if q > review.current_question:
            current = Question(review.current_question)
            raise Conflict(
                f"The review is on question {current.value} ('{current.prompt}'); "
                f"question {q.value} comes later. The facilitator advances the questions in order."
            )
        return q

    @staticmethod
    def _answer(failure: Failure, question: Question) -> Answer | None:
        return next((a for a in failure.answers if a.question == question), None)


def takes_part(review: Review, person_id: int) -> bool:
    """The person is the review's facilitator or one of its participants."""
    return person_id == review.facilitator_id or any(p.person_id == person_id for p in review.participants)
