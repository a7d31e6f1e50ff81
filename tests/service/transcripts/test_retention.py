"""Raw audio is deleted after the retention period; the transcript stays."""

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from service.db.engine import make_engine, make_session_factory
from service.domain.recordings.retention import apply_audio_retention
from service.domain.services import provide_services
from service.domain.transcripts.service import NewSegment
from service.models import Recording, Segment, SegmentSource
from tests.helpers import make_cast


def _recording(services, review, audio_dir, name: str, finished_days_ago: float):  # type: ignore[no-untyped-def]
    path = audio_dir / (name * 32 + ".audio")
    path.write_bytes(b"not really audio")
    services.session.add(
        Recording(
            review_id=review.id,
            filename="call.wav",
            stored_name=path.name,
            size_bytes=16,
            duration_s=1.0,
            container="wav",
            codec="pcm_s16le",
            status="done",
            finished_at=datetime.now(UTC) - timedelta(days=finished_days_ago),
        )
    )
    return path


def test_old_audio_goes_and_its_transcript_stays(settings):
    settings.audio_dir.mkdir(parents=True, exist_ok=True)
    engine = make_engine(settings)
    factory = make_session_factory(engine)
    with provide_services(factory, settings) as services:
        cast = make_cast(services)
        old = _recording(services, cast.review, settings.audio_dir, "a", finished_days_ago=40)
        recent = _recording(services, cast.review, settings.audio_dir, "b", finished_days_ago=2)
        services.transcripts.add(
            cast.review,
            [
                NewSegment(
                    speaker="Recording: call.wav",
                    text="We shipped it.",
                    start_s=0,
                    end_s=1,
                    source=SegmentSource.UPLOAD,
                )
            ],
            actor=None,
        )

    assert apply_audio_retention(factory, settings) == 0  # 0 days = keep audio (the default)
    settings.whisper.audio_retention_days = 30
    assert apply_audio_retention(factory, settings) == 1
    assert not old.exists() and recent.exists()
    assert apply_audio_retention(factory, settings) == 0  # idempotent
    with factory() as session:
        assert session.scalar(select(func.count(Segment.id))) == 1
        marked = session.scalars(select(Recording.audio_deleted_at).order_by(Recording.id)).all()
        assert marked[0] is not None and marked[1] is None
    engine.dispose()
