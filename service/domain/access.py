"""Who may see and change what. Every object route reaches its review through here.

A review is visible to site admins, to members of its team (any role) and to the people taking part
(the facilitator, participants, and whoever accepted an invitation). Anyone else is told it does not
exist (404), so a review's existence never leaks to other teams.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, SQLColumnExpression, exists, false, or_, select, true
from sqlalchemy.orm import Session

from service.errors import Forbidden, NotFound
from service.models import Participant, Person, Review, Role, TeamMember


class Access:
    """Access decisions for one viewer: a person, nobody (not signed in), or the system (CLI, jobs)."""

    def __init__(self, session: Session, viewer: Person | None, *, system: bool = False) -> None:
        if system and viewer is not None:
            raise ValueError("the system acts for nobody in particular")
        self.session = session
        self.viewer = viewer
        self.is_system = system

    @property
    def is_site_admin(self) -> bool:
        return self.is_system or (self.viewer is not None and self.viewer.is_admin)

    def role_in_team(self, team_id: int) -> Role | None:
        if self.is_system:
            return Role.ADMIN
        if self.viewer is None:
            return None
        member = self.session.get(TeamMember, (team_id, self.viewer.id))
        return Role(member.role) if member else None

    def can_see_review(self, review: Review) -> bool:
        if self.is_site_admin:
            return True
        if self.viewer is None:
            return False
        if self.role_in_team(review.team_id) is not None or review.facilitator_id == self.viewer.id:
            return True
        return any(p.person_id == self.viewer.id for p in review.participants)

    def ensure_visible(self, review: Review) -> Review:
        if not self.can_see_review(review):
            raise NotFound(f"No review with id {review.id}.")
        return review

    def visible_reviews(self) -> ColumnElement[bool]:
        """A WHERE clause selecting the reviews this viewer may see."""
        if self.is_site_admin:
            return true()
        if self.viewer is None:
            return false()
        teams = select(TeamMember.team_id).where(TeamMember.person_id == self.viewer.id)
        taking_part = select(Participant.review_id).where(Participant.person_id == self.viewer.id)
        return or_(Review.team_id.in_(teams), Review.id.in_(taking_part), Review.facilitator_id == self.viewer.id)

    @staticmethod
    def review_visible_to(
        person_id: SQLColumnExpression[int], is_admin: SQLColumnExpression[bool]
    ) -> ColumnElement[bool]:
        """`can_see_review` as SQL about ``Review`` and a person given as columns of the same query.

        The room read checks credentials and access in one statement (service/domain/reviews/room_access.py);
        tests/service/test_access.py checks the two definitions agree.
        """
        member = exists().where(TeamMember.team_id == Review.team_id, TeamMember.person_id == person_id)
        taking_part = exists().where(Participant.review_id == Review.id, Participant.person_id == person_id)
        return or_(is_admin, member, Review.facilitator_id == person_id, taking_part)

    def ensure_can_start_reviews(self, team_id: int) -> None:
        role = self.role_in_team(team_id)
        if self.is_site_admin or role in (Role.ADMIN, Role.FACILITATOR, Role.PARTICIPANT):
            return
        raise Forbidden("Only members of this team (not readers) can start a review for it.")

    def ensure_team_admin(self, team_id: int, what: str) -> None:
        if self.is_site_admin or self.role_in_team(team_id) == Role.ADMIN:
            return
        raise Forbidden(f"Only an admin of this team can {what}.")

    def ensure_site_admin(self, what: str) -> None:
        if not self.is_site_admin:
            raise Forbidden(f"Only a site admin can {what}.")
