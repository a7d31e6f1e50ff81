"""Learnings: what changes because of a failure, and the one person who carries it."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from service.db.base import Base, Timestamped
from service.models.people import Person
from service.models.vocabulary import LearningKind, LearningStatus, one_of

if TYPE_CHECKING:
    from service.models.failures import Failure


class Learning(Timestamped, Base):
    __tablename__ = "learnings"
    __table_args__ = (
        one_of("kind", LearningKind, name="kind"),
        one_of("status", LearningStatus, name="status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    failure_id: Mapped[int] = mapped_column(ForeignKey("failures.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(24))
    text: Mapped[str] = mapped_column(Text)
    # Exactly one owner, and a person: the column is a single non-null reference to people.
    owner_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="RESTRICT"), index=True)
    due_on: Mapped[date | None]
    status: Mapped[str] = mapped_column(String(10), default=LearningStatus.OPEN.value)
    status_note: Mapped[str] = mapped_column(Text, default="")
    closed_at: Mapped[datetime | None]
    created_by: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="RESTRICT"))
    draft_id: Mapped[int | None] = mapped_column(ForeignKey("drafts.id", ondelete="SET NULL"))

    failure: Mapped[Failure] = relationship(back_populates="learnings")
    owner: Mapped[Person] = relationship(foreign_keys=[owner_id])
