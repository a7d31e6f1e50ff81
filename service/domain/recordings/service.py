"""Uploaded recordings: register a checked upload as a transcription job, report its progress."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.db.after_commit import on_commit
from service.db.types import utcnow
from service.domain import audit
from service.domain.drafts.citing import drafts_citing
from service.domain.recordings.storage import recording_path
from service.domain.reviews.service import ReviewService
from service.errors import Conflict, Forbidden, NotFound
from service.models import Person, Recording, RecordingStatus, Review, Segment
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

    def remove(self, review: Review, recording_id: int, *, actor: Person, audio_dir: Path) -> list[int]:
        """Remove a recording, the transcript made from it and its audio; return the removed segments' ids.

        For a wrong file, or one the group does not want kept. Its transcription job, wherever it
        runs, stops at its next chunk (it finds the recording gone). Refused while a draft that is
        not rejected cites the recording's transcript: the record keeps what its drafts stand on.
        """
        self.reviews.ensure_open(review)
        # Locked as a job locks it to store a chunk: removal waits for a chunk being stored, and
        # then removes that chunk's segments too (PostgreSQL; SQLite takes one writer at a time).
        recording = self.session.get(Recording, recording_id, with_for_update=True)
        if recording is None or recording.review_id != review.id:
            raise NotFound(f"No recording with id {recording_id} in review {review.id}.")
        if actor.id not in (recording.uploaded_by, review.facilitator_id):
            raise Forbidden("Only the person who uploaded a recording, or the review's facilitator, can remove it.")
        segments = list(
            self.session.scalars(
                select(Segment).where(
                    Segment.review_id == review.id, Segment.source_key.startswith(f"rec{recording.id}:")
                )
            )
        )
        removed = {segment.id for segment in segments}
        citing = drafts_citing(self.session, review.id, removed)
        if citing:
            raise Conflict(
                f"{len(citing)} draft(s) cite this recording's transcript (draft {', '.join(map(str, citing))}); "
                "reject them first, or keep the recording."
            )
        for segment in segments:
            self.session.delete(segment)
        self.session.delete(recording)
        audit.record(
            self.session,
            review=review,
            actor_id=actor.id,
            action="recording.removed",
            subject_type="recording",
            subject_id=recording.id,
            filename=recording.filename,
            segments=len(segments),
        )
        path = recording_path(audio_dir, recording.stored_name)
        on_commit(self.session, lambda: path.unlink(missing_ok=True))  # the file goes only if the removal commits
        return sorted(removed)

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
