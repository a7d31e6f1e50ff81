"""Removing an uploaded recording: its transcript and audio go, its job stops, drafts standing on it protect it."""

from __future__ import annotations

from litestar.testing import TestClient
from sqlalchemy import select

from service.app import create_app
from service.db.engine import make_engine, make_session_factory, unit_of_work
from service.domain.recordings.service import RecordingService
from service.domain.services import build_services, provide_services
from service.jobs.transcription import run_transcription_job
from service.models import AuditEvent, DraftKind, Person, Recording, Segment
from tests.helpers import ok
from tests.service.transcripts.test_recordings import _audio_files, _finished, _upload, _with

ORIGIN = {"origin": "http://testserver.local"}


def test_the_uploader_removes_a_recording_with_its_transcript_and_audio_and_the_room_hears_of_it(
    client, settings, cast_ids, auth, speech_ogg
):
    alice, bob, rid = auth(cast_ids["alice"]), auth(cast_ids["bob"]), cast_ids["review"]
    typed = ok(client.post(f"/api/reviews/{rid}/segments", json={"segments": [
        {"speaker": "Bob Lindqvist", "text": "I typed this myself.", "start_s": 0, "end_s": 0, "source": "typed"}
    ]}, headers=bob), 201)  # fmt: skip
    created = ok(_upload(client, rid, speech_ogg, alice), 201)
    assert _finished(client, rid, created["id"], alice)["status"] == "done"
    url = f"/api/reviews/{rid}/recordings/{created['id']}"
    assert client.delete(url, headers=bob).status_code == 403  # taking part is not enough
    assert "uploaded" in client.delete(url, headers=bob).json()["detail"]
    assert client.delete(url, headers=auth(cast_ids["outsider"])).status_code == 404

    with client.websocket_connect(f"/api/reviews/{rid}/events", headers={**bob, **ORIGIN}) as reader:
        assert reader.receive_json(timeout=10)["type"] == "subscribed"
        segments = ok(client.get(f"/api/reviews/{rid}/segments", headers=alice))
        from_upload = sorted(s["id"] for s in segments if s["source"] == "upload")
        assert from_upload and client.delete(url, headers=alice).status_code == 204
        event = reader.receive_json(timeout=10)
    assert event == {"type": "recording_removed", "recording_id": created["id"], "segment_ids": from_upload}

    left = ok(client.get(f"/api/reviews/{rid}/segments", headers=alice))
    assert [s["id"] for s in left] == [typed[0]["id"]]  # only the upload's transcript went
    assert ok(client.get(f"/api/reviews/{rid}/recordings", headers=alice)) == []
    assert client.get(url, headers=alice).status_code == 404
    assert _audio_files(settings) == []
    engine = make_engine(settings)
    with unit_of_work(make_session_factory(engine)) as session:
        [removed] = session.scalars(select(AuditEvent).where(AuditEvent.action == "recording.removed")).all()
        assert removed.actor_id == cast_ids["alice"] and removed.detail["segments"] == len(from_upload)
    engine.dispose()


def test_a_recording_cited_by_a_draft_stays_until_the_draft_is_rejected(client, settings, cast_ids, auth, speech_ogg):
    alice, rid = auth(cast_ids["alice"]), cast_ids["review"]
    created = ok(_upload(client, rid, speech_ogg, alice), 201)
    assert _finished(client, rid, created["id"], alice)["status"] == "done"
    cited = ok(client.get(f"/api/reviews/{rid}/segments", headers=alice))[0]
    engine = make_engine(settings)
    factory = make_session_factory(engine)
    with provide_services(factory, settings) as services:
        review = services.reviews.get(rid)
        facilitator = services.people.get_person(cast_ids["facilitator"])
        failure = services.failures.create(review, title="Renewals stalled", actor=facilitator)
        draft_id = services.drafts.record(
            failure, kind=DraftKind.ANSWER, text=cited["text"], citations=[cited["id"]], call=None, question=1,
            extractive=True,
        ).id  # fmt: skip

    url = f"/api/reviews/{rid}/recordings/{created['id']}"
    refused = client.delete(url, headers=alice)
    assert refused.status_code == 409 and f"draft {draft_id}" in refused.json()["detail"]
    assert any(s["id"] == cited["id"] for s in ok(client.get(f"/api/reviews/{rid}/segments", headers=alice)))
    assert len(_audio_files(settings)) == 1  # refused: nothing removed

    with provide_services(factory, settings) as services:
        services.drafts.reject(services.drafts.get(draft_id), actor=services.people.get_person(cast_ids["alice"]))
    engine.dispose()
    assert client.delete(url, headers=auth(cast_ids["facilitator"])).status_code == 204  # the facilitator may too


def test_a_recording_removed_while_it_transcribes_stops_its_job_and_leaves_no_segment(
    settings, cast_ids, auth, speech_ogg
):
    # Chunks of 10 s: the ~15 s recording is two. No worker in the app: the test runs the job itself.
    settings = _with(settings, chunk_s=10.0, upload_workers=1, in_process_worker=False)
    with TestClient(app=create_app(settings)) as client:
        created = ok(_upload(client, cast_ids["review"], speech_ogg, auth(cast_ids["alice"])), 201)
    engine = make_engine(settings)
    factory = make_session_factory(engine)
    published: list[dict] = []

    def publish(review_id: int, event: dict) -> None:
        published.append(event)
        if event["type"] == "recording":  # the first chunk is stored: its uploader removes it now
            with unit_of_work(factory) as session:
                alice = session.get(Person, cast_ids["alice"])
                services = build_services(session, settings, viewer=alice)
                review = services.reviews.get(cast_ids["review"])
                RecordingService(session, reviews=services.reviews).remove(
                    review, created["id"], actor=alice, audio_dir=settings.audio_dir
                )

    status = run_transcription_job(created["id"], settings=settings, session_factory=factory, publish=publish)
    assert status == "removed"
    assert [e["type"] for e in published].count("recording") == 1  # the second chunk was never stored
    with unit_of_work(factory) as session:
        assert session.get(Recording, created["id"]) is None
        assert session.scalars(select(Segment).where(Segment.review_id == cast_ids["review"])).all() == []
        assert session.scalars(select(AuditEvent.action).where(AuditEvent.action == "recording.removed")).all()
    engine.dispose()
