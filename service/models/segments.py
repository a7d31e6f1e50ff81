"""Transcript segments: who said what, when, and while which question was open."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from service.db.base import Base, Timestamped
from service.models.vocabulary import SegmentSource, one_of


class Segment(Timestamped, Base):
    __tablename__ = "segments"
    __table_args__ = (
        one_of("source", SegmentSource, name="source"),
        CheckConstraint("end_s >= start_s", name="time_order"),
        # A job that writes segments names each one; retrying the job can then never duplicate them.
        UniqueConstraint("review_id", "source_key", name="uq_segments_review_source_key"),
        # Drafts cite segments by id: a removed segment's id must never come back (SQLite reuses
        # the last rowid without AUTOINCREMENT; PostgreSQL's sequences never do).
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("reviews.id", ondelete="CASCADE"), index=True)
    speaker: Mapped[str] = mapped_column(String(120))
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    start_s: Mapped[float]
    end_s: Mapped[float]
    text: Mapped[str] = mapped_column(Text)
    source: Mapped[str] = mapped_column(String(10))
    confidence: Mapped[float | None]
    question: Mapped[int | None] = mapped_column(default=None)
    source_key: Mapped[str | None] = mapped_column(String(120))
    corrected_by: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    """Who last corrected the text by hand (the audit log keeps every version); None: as transcribed."""
    corrected_at: Mapped[datetime | None]
    speaker_id: Mapped[int | None] = mapped_column(
        ForeignKey("recording_speakers.id", ondelete="SET NULL"), index=True, default=None
    )
    """The separated voice of an uploaded recording that said it (None: live, typed, or not separated)."""
