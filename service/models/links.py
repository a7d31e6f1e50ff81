"""Similarity links between failures (hypotheses until a person decides) and cross-team patterns."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from service.db.base import Base, Timestamped
from service.models.failures import Failure
from service.models.vocabulary import LinkStatus, PatternStatus, one_of


class SimilarityLink(Timestamped, Base):
    __tablename__ = "similarity_links"
    __table_args__ = (
        one_of("status", LinkStatus, name="status"),
        # One link per pair, ever: a dismissed hypothesis keeps its row, so it can never come back.
        UniqueConstraint("failure_id", "similar_failure_id", name="uq_similarity_links_pair"),
        CheckConstraint("failure_id <> similar_failure_id", name="not_self"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    failure_id: Mapped[int] = mapped_column(ForeignKey("failures.id", ondelete="CASCADE"), index=True)
    similar_failure_id: Mapped[int] = mapped_column(ForeignKey("failures.id", ondelete="CASCADE"), index=True)
    score: Mapped[float]
    reason: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(12), default=LinkStatus.HYPOTHESIS.value)
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None]
    note: Mapped[str] = mapped_column(Text, default="")

    failure: Mapped[Failure] = relationship(foreign_keys=[failure_id])
    similar_failure: Mapped[Failure] = relationship(foreign_keys=[similar_failure_id])


class Pattern(Timestamped, Base):
    """A proposed cross-team pattern: at least three member failures, and a human verdict."""

    __tablename__ = "patterns"
    __table_args__ = (one_of("status", PatternStatus, name="status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    theme: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(10), default=PatternStatus.PROPOSED.value)
    llm_call_id: Mapped[int | None] = mapped_column(ForeignKey("llm_calls.id", ondelete="SET NULL"))
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None]

    members: Mapped[list[PatternMember]] = relationship(cascade="all, delete-orphan")


class PatternMember(Base):
    __tablename__ = "pattern_members"

    pattern_id: Mapped[int] = mapped_column(ForeignKey("patterns.id", ondelete="CASCADE"), primary_key=True)
    failure_id: Mapped[int] = mapped_column(ForeignKey("failures.id", ondelete="CASCADE"), primary_key=True)
    evidence: Mapped[str] = mapped_column(Text, default="")
