"""Remove a deleted review's audio files from disk, once the deletion has committed."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.db.after_commit import on_commit
from service.domain.recordings.storage import recording_path
from service.models import Recording, Review

log = logging.getLogger("debrief")


def audio_purger(audio_dir: Path) -> Callable[[Session, Review], None]:
    """A ReviewService purger: the recordings' rows go with the review, their files right after commit."""

    def purge(session: Session, review: Review) -> None:
        names = list(session.scalars(select(Recording.stored_name).where(Recording.review_id == review.id)))
        paths = [recording_path(audio_dir, name) for name in names]

        def unlink() -> None:
            for path in paths:
                path.unlink(missing_ok=True)
            if paths:
                log.info("deleted %d audio file(s) of review %d", len(paths), review_id)

        review_id = review.id
        on_commit(session, unlink)

    return purge
