"""Failures (one review may cover several; imported history has no review) and their answers."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from service.db.base import Base, Timestamped
from service.models.people import Person, Team
from service.models.vocabulary import Category, one_of

if TYPE_CHECKING:
    from service.models.drafts import Draft
    from service.models.learnings import Learning
    from service.models.reviews import Review


class Failure(Timestamped, Base):
    __tablename__ = "failures"
    __table_args__ = (one_of("category", Category, name="category", nullable=True),)

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int | None] = mapped_column(ForeignKey("reviews.id", ondelete="CASCADE"), index=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="RESTRICT"), index=True)
    position: Mapped[int] = mapped_column(default=1)
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(Text, default="")
    external_id: Mapped[str | None] = mapped_column(String(120), unique=True)
    occurred_on: Mapped[date | None]
    category: Mapped[str | None] = mapped_column(String(20))
    category_rationale: Mapped[str] = mapped_column(Text, default="")
    category_set_by: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    category_set_at: Mapped[datetime | None]

    review: Mapped[Review | None] = relationship(back_populates="failures")
    team: Mapped[Team] = relationship()
    answers: Mapped[list[Answer]] = relationship(
        back_populates="failure", cascade="all, delete-orphan", order_by="Answer.question"
    )
    learnings: Mapped[list[Learning]] = relationship(
        back_populates="failure", cascade="all, delete-orphan", order_by="Learning.id"
    )


class Answer(Timestamped, Base):
    """The record's answer to one question for one failure: typed by a person or a decided draft."""

    __tablename__ = "answers"
    __table_args__ = (
        UniqueConstraint("failure_id", "question", name="uq_answers_failure_question"),
        CheckConstraint("question BETWEEN 1 AND 4", name="question"),
        CheckConstraint("origin IN ('typed', 'accepted', 'edited')", name="origin"),
        # Provenance is structural: an answer that came from a draft must name it.
        CheckConstraint("(origin = 'typed') = (draft_id IS NULL)", name="draft_provenance"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    failure_id: Mapped[int] = mapped_column(ForeignKey("failures.id", ondelete="CASCADE"), index=True)
    question: Mapped[int]
    text: Mapped[str] = mapped_column(Text)
    origin: Mapped[str] = mapped_column(String(10))
    draft_id: Mapped[int | None] = mapped_column(ForeignKey("drafts.id", ondelete="RESTRICT"))
    decided_by: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="RESTRICT"))
    decided_at: Mapped[datetime]

    failure: Mapped[Failure] = relationship(back_populates="answers")
    draft: Mapped[Draft | None] = relationship()
    decider: Mapped[Person] = relationship()
