"""Deleting a review removes what it recorded everywhere: rows, audio files on disk, vectors in the index."""

from sqlalchemy import func, select

from service.db.engine import make_engine, make_session_factory
from service.domain.services import provide_services
from service.models import Recording, Segment
from tests.helpers import make_cast


def test_deletion_reaches_the_audio_files_and_the_vector_index(settings, client, auth):
    engine = make_engine(settings)
    with provide_services(make_session_factory(engine), settings) as services:
        cast = make_cast(services)
        failure = services.failures.create(cast.review, title="Config pushed to every region at once", actor=cast.alice)
        audio = settings.audio_dir / ("ab" * 16 + ".audio")
        audio.parent.mkdir(parents=True, exist_ok=True)
        audio.write_bytes(b"RIFF....WAVE")
        services.session.add(
            Recording(
                review_id=cast.review.id,
                uploaded_by=cast.alice.id,
                filename="call.wav",
                stored_name=audio.name,
                size_bytes=12,
                duration_s=1.0,
                container="wav",
                codec="pcm_s16le",
                status="done",
            )
        )
        review_id, failure_id, facilitator = cast.review.id, failure.id, cast.facilitator.id
    engine.dispose()
    # The running app's index keeper follows commits made through the app; add the failure through it.
    client.get(f"/api/failures/{failure_id}/similar", headers=auth(facilitator))
    index = client.app.state.similarity_index
    with make_session_factory(client.app.state.engine)() as session:
        index.reconcile(session)
    assert str(failure_id) in index.index.metadata_by_id()

    response = client.delete(f"/api/reviews/{review_id}", headers=auth(facilitator))
    assert response.status_code == 204, response.text
    assert not audio.exists()
    assert str(failure_id) not in index.index.metadata_by_id()
    engine = make_engine(settings)
    with make_session_factory(engine)() as session:
        assert session.scalar(select(func.count(Recording.id))) == 0
        assert session.scalar(select(func.count(Segment.id))) == 0
    engine.dispose()
