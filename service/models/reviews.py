"""Reviews and who took part in them."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from service.db.base import Base, Timestamped
from service.models.people import Person, Team
from service.models.vocabulary import ReviewStatus, one_of

if TYPE_CHECKING:
    from service.models.failures import Failure


class Review(Timestamped, Base):
    """One after-action review of one event; it may cover several failures."""

    __tablename__ = "reviews"
    __table_args__ = (
        one_of("status", ReviewStatus, name="status"),
        CheckConstraint("current_question BETWEEN 1 AND 4", name="current_question"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="RESTRICT"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    what_failed: Mapped[str] = mapped_column(Text, default="")
    failed_at: Mapped[datetime]
    due_at: Mapped[datetime]
    held_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    facilitator_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="RESTRICT"))
    status: Mapped[str] = mapped_column(String(20), default=ReviewStatus.SCHEDULED.value)
    current_question: Mapped[int] = mapped_column(default=1)
    # Bumped in the same transaction as every change the review room shows (service/models/revision.py),
    # so a read can tell in one column whether what it built before is still current.
    revision: Mapped[int] = mapped_column(default=0)

    team: Mapped[Team] = relationship()
    facilitator: Mapped[Person] = relationship()
    participants: Mapped[list[Participant]] = relationship(
        back_populates="review", cascade="all, delete-orphan", order_by="Participant.id"
    )
    failures: Mapped[list[Failure]] = relationship(
        back_populates="review", cascade="all, delete-orphan", order_by="Failure.position"
    )


class Participant(Timestamped, Base):
    __tablename__ = "participants"
    __table_args__ = (UniqueConstraint("review_id", "person_id", name="uq_participants_review_person"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("reviews.id", ondelete="CASCADE"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="RESTRICT"))

    review: Mapped[Review] = relationship(back_populates="participants")
    person: Mapped[Person] = relationship()
