"""Uploaded recordings of review calls and the state of their transcription job."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from service.db.base import Base, Timestamped
from service.models.vocabulary import one_of


class RecordingStatus(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class Recording(Timestamped, Base):
    """One uploaded file; the row is also its transcription job (one job per file, never two).

    `chunks_done` is updated in the same transaction as that chunk's segments, so after a crash
    the job resumes at exactly the first chunk whose segments were not stored.
    """

    __tablename__ = "recordings"
    __table_args__ = (
        one_of("status", RecordingStatus, name="status"),
        CheckConstraint("done_s <= duration_s + 1", name="progress"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("reviews.id", ondelete="CASCADE"), index=True)
    uploaded_by: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    filename: Mapped[str] = mapped_column(String(200))
    """The name the uploader gave, for display only: the file on disk is `stored_name`."""
    stored_name: Mapped[str] = mapped_column(String(64), unique=True)
    size_bytes: Mapped[int] = mapped_column(BigInteger)
    duration_s: Mapped[float]
    container: Mapped[str] = mapped_column(String(40))
    codec: Mapped[str] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(10), default=RecordingStatus.QUEUED.value, index=True)
    chunk_s: Mapped[float] = mapped_column(default=60.0)
    chunks_done: Mapped[int] = mapped_column(default=0)
    done_s: Mapped[float] = mapped_column(default=0.0)
    segments_stored: Mapped[int] = mapped_column(default=0)
    attempts: Mapped[int] = mapped_column(default=0)
    model: Mapped[str | None] = mapped_column(String(120))
    error: Mapped[str | None] = mapped_column(Text)
    started_at: Mapped[datetime | None]
    attempt_started_at: Mapped[datetime | None]
    attempt_start_s: Mapped[float] = mapped_column(default=0.0)
    finished_at: Mapped[datetime | None]
    audio_deleted_at: Mapped[datetime | None]
    """Set when the retention policy removed the audio file; the transcript stays."""


class RecordingSpeaker(Base):
    """One voice that speaker separation found in a recording, and who the group says it is.

    `voice` is the duration-weighted sum of its segments' voice embeddings (256 little-endian
    float32 values), stored with each chunk's segments so a resumed job numbers speakers as an
    unbroken one would (transcription/speakers.py).
    """

    __tablename__ = "recording_speakers"
    __table_args__ = (UniqueConstraint("recording_id", "number", name="uq_recording_speakers_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    recording_id: Mapped[int] = mapped_column(ForeignKey("recordings.id", ondelete="CASCADE"), index=True)
    number: Mapped[int]
    """1, 2, ... in order of first appearance in the recording."""
    voice: Mapped[bytes] = mapped_column(LargeBinary)
    seconds: Mapped[float] = mapped_column(default=0.0)
    name: Mapped[str | None] = mapped_column(String(120))
    """Who the group says this is; None: still "Speaker N"."""
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
