"""Raw audio is the most sensitive thing Debrief keeps: delete it after N days, keep the transcript."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from service.db.after_commit import on_commit
from service.db.engine import unit_of_work
from service.db.types import utcnow
from service.domain.recordings.storage import recording_path
from service.models import Recording, RecordingStatus
from service.settings import Settings

log = logging.getLogger("debrief")


def apply_audio_retention(factory: sessionmaker[Session], settings: Settings, *, now: datetime | None = None) -> int:
    """Delete the audio of recordings whose transcription finished over the retention period ago."""
    days = settings.whisper.audio_retention_days
    if days <= 0:
        return 0
    cutoff = (now or utcnow()) - timedelta(days=days)
    with unit_of_work(factory) as session:
        expired = list(
            session.scalars(
                select(Recording).where(
                    Recording.status.in_([RecordingStatus.DONE.value, RecordingStatus.FAILED.value]),
                    Recording.finished_at < cutoff,
                    Recording.audio_deleted_at.is_(None),
                )
            )
        )
        paths = [recording_path(settings.audio_dir, r.stored_name) for r in expired]
        for recording in expired:
            recording.audio_deleted_at = utcnow()

        def unlink() -> None:  # only once the rows say so: a rolled-back run deletes nothing
            for path in paths:
                path.unlink(missing_ok=True)

        on_commit(session, unlink)
    if expired:
        log.info("retention: deleted the audio of %d recording(s) older than %d days", len(expired), days)
    return len(expired)
