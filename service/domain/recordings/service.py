"""Uploaded recordings: register a checked upload as a transcription job, report its progress."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.db.types import utcnow
from service.domain import audit
from service.domain.reviews.service import ReviewService
from service.errors import NotFound
from service.models import Person, Recording, RecordingStatus, Review
from transcription.audio import AudioInfo

UNFINISHED = (RecordingStatus.QUEUED.value, RecordingStatus.RUNNING.value)


@dataclass(frozen=True)
class Progress:
    percent: float
    elapsed_s: float | None
    """Seconds since the job first started (to its end once finished)."""
    remaining_s: float | None
    """Estimated from this attempt's speed; None until the first chunk of the attempt is done."""


class RecordingService:
    def __init__(self, session: Session, *, reviews: ReviewService) -> None:
        self.session = session
        self.reviews = reviews

    def ensure_can_upload(self, review: Review, actor: Person) -> None:
        self.reviews.ensure_open(review)
        self.reviews.ensure_participant(review, actor, "upload a recording")

    def create(
        self,
        review: Review,
        *,
        actor: Person,
        filename: str,
        stored_name: str,
        size_bytes: int,
        audio: AudioInfo,
        chunk_s: float,
    ) -> Recording:
        """Record a checked upload as a queued transcription job."""
        self.ensure_can_upload(review, actor)
        recording = Recording(
            review_id=review.id,
            uploaded_by=actor.id,
            filename=filename,
            stored_name=stored_name,
            size_bytes=size_bytes,
            duration_s=round(audio.duration_s, 3),
            container=audio.container[:40],
            codec=audio.codec[:40],
            chunk_s=chunk_s,
        )
        self.session.add(recording)
        self.session.flush()
        audit.record(
            self.session,
            review=review,
            actor_id=actor.id,
            action="recording.uploaded",
            subject_type="recording",
            subject_id=recording.id,
        )
        return recording

    def get(self, review: Review, recording_id: int) -> Recording:
        recording = self.session.get(Recording, recording_id)
        if recording is None or recording.review_id != review.id:
            raise NotFound(f"No recording with id {recording_id} in review {review.id}.")
        return recording

    def list_recordings(self, review: Review) -> list[Recording]:
        return list(
            self.session.scalars(select(Recording).where(Recording.review_id == review.id).order_by(Recording.id))
        )


def unfinished_recording_ids(session: Session) -> list[int]:
    """Jobs a restarted service must pick up again, oldest first."""
    return list(session.scalars(select(Recording.id).where(Recording.status.in_(UNFINISHED)).order_by(Recording.id)))


def progress(recording: Recording, *, now: datetime | None = None) -> Progress:
    now = now or utcnow()
    if recording.status == RecordingStatus.DONE.value:
        percent = 100.0
    else:
        percent = 100.0 * recording.done_s / recording.duration_s if recording.duration_s else 0.0
    elapsed = None
    if recording.started_at is not None:
        elapsed = ((recording.finished_at or now) - recording.started_at).total_seconds()
    remaining = None
    if recording.status == RecordingStatus.DONE.value:
        remaining = 0.0
    elif recording.status == RecordingStatus.RUNNING.value and recording.attempt_started_at is not None:
        # Speed of this attempt only: chunks skipped on resume would make an earlier start look fast.
        done_now = recording.done_s - recording.attempt_start_s
        if done_now > 0:
            seconds_per_audio_s = (now - recording.attempt_started_at).total_seconds() / done_now
            remaining = round(seconds_per_audio_s * max(recording.duration_s - recording.done_s, 0.0), 1)
    return Progress(
        percent=round(min(percent, 100.0), 1),
        elapsed_s=round(elapsed, 1) if elapsed is not None else None,
        remaining_s=remaining,
    )
