"""Uploads separate their speakers: numbers survive a resumed job; the group names a speaker once for all segments."""

from __future__ import annotations

import threading
import wave
from pathlib import Path

import numpy as np
import pytest
from litestar.testing import TestClient
from sqlalchemy import select, update

from service.app import create_app
from service.db.engine import make_engine, make_session_factory
from service.domain import audit
from service.domain.drafts.service import ModelCall
from service.domain.services import provide_services
from service.jobs.transcription import make_transcriber, run_transcription_job
from service.models import AuditEvent, DraftKind, Failure, Review, Segment
from service.settings import Settings
from tests.helpers import ok
from tests.service.transcripts.conftest import _tool
from transcription.audio import decode_audio
from transcription.types import SAMPLE_RATE

ORIGIN = {"origin": "http://testserver.local"}
# Two voices the speaker encoder tells apart (see tests/transcription/test_speakers.py).
TURNS = [
    ("en-us", "We intended to sign fifty members by the end of March, and we planned three evenings of calls."),
    ("en-us+f3", "What actually happened is that we signed twelve, because the list we called was two years old."),
    ("en-us", "So the gap is thirty eight members, and most of it comes from the old list rather than the calls."),
    ("en-us+f3", "I think that was avoidable. Next time we check the list against the register before we start."),
]


@pytest.fixture(scope="module")
def two_voices_wav(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """About 25 s: two voices taking turns, a second of silence between turns."""
    import subprocess

    directory = tmp_path_factory.mktemp("two-voices")
    pieces = []
    for n, (voice, text) in enumerate(TURNS):
        path = directory / f"turn-{n}.wav"
        subprocess.run([_tool("espeak-ng"), "-v", voice, "-w", str(path), text], check=True)
        pieces += [decode_audio(path), np.zeros(SAMPLE_RATE, np.float32)]
    out = directory / "call.wav"
    with wave.open(str(out), "wb") as handle:
        handle.setnchannels(1)
        handle.setsampwidth(2)
        handle.setframerate(SAMPLE_RATE)
        handle.writeframes((np.clip(np.concatenate(pieces), -1, 1) * 32767).astype("<i2").tobytes())
    return out


def _with(settings: Settings, **whisper: object) -> Settings:
    return settings.model_copy(update={"whisper": settings.whisper.model_copy(update=whisper)})


def _labels(settings: Settings, recording_id: int) -> dict[str, str]:
    engine = make_engine(settings)
    with make_session_factory(engine)() as session:
        rows = session.execute(
            select(Segment.source_key, Segment.speaker).where(Segment.source_key.like(f"rec{recording_id}:%"))
        ).all()
    engine.dispose()
    return {key.split(":", 1)[1]: speaker for key, speaker in rows}


def _upload(client: TestClient, rid: int, headers: dict[str, str], wav: Path) -> int:
    response = client.post(
        f"/api/reviews/{rid}/recordings", params={"filename": "call.wav"}, content=wav.read_bytes(), headers=headers
    )
    return int(ok(response, 201)["id"])


def test_a_job_resumed_mid_file_numbers_speakers_as_an_unbroken_one(settings, cast_ids, auth, two_voices_wav):
    queued = _with(settings, in_process_worker=False, chunk_s=10.0, upload_workers=1)
    alice, rid = auth(cast_ids["alice"]), cast_ids["review"]
    transcriber = make_transcriber(queued)
    with TestClient(app=create_app(queued)) as client:
        unbroken, resumed = _upload(client, rid, alice, two_voices_wav), _upload(client, rid, alice, two_voices_wav)
        assert run_transcription_job(unbroken, settings=queued, transcriber=transcriber) == "done"
        stop = threading.Event()
        stop.set()  # the job stores one chunk, then stops as at a shutdown
        assert run_transcription_job(resumed, settings=queued, transcriber=transcriber, stop=stop) == "queued"
        assert len(_labels(settings, resumed)) < len(_labels(settings, unbroken))
        assert run_transcription_job(resumed, settings=queued, transcriber=transcriber) == "done"
        speakers = ok(client.get(f"/api/reviews/{rid}/recordings/{resumed}/speakers", headers=alice))
    labels = _labels(settings, unbroken)
    assert set(labels.values()) == {"Speaker 1 (call.wav)", "Speaker 2 (call.wav)"}
    assert _labels(settings, resumed) == labels
    assert [s["label"] for s in speakers] == ["Speaker 1", "Speaker 2"]


def test_naming_a_speaker_relabels_audits_and_tells_the_room(settings, cast_ids, auth, two_voices_wav):
    queued = _with(settings, in_process_worker=False, chunk_s=30.0)
    alice, bob, rid = auth(cast_ids["alice"]), auth(cast_ids["bob"]), cast_ids["review"]
    with TestClient(app=create_app(queued)) as client:
        recording = _upload(client, rid, alice, two_voices_wav)
        assert run_transcription_job(recording, settings=queued, transcriber=make_transcriber(queued)) == "done"
        segments = ok(client.get(f"/api/reviews/{rid}/segments", headers=alice))
        second = [s for s in segments if s["speaker"] == "Speaker 2 (call.wav)"]
        assert second and len(second) < len(segments)
        cited = _draft_citing(settings, rid, second[0]["id"])
        url = f"/api/reviews/{rid}/recordings/{recording}/speakers/2"
        with client.websocket_connect(f"/api/reviews/{rid}/events", headers={**alice, **ORIGIN}) as reader:
            assert reader.receive_json(timeout=10)["type"] == "subscribed"
            named = ok(client.put(url, json={"person_id": cast_ids["bob"]}, headers=bob))
            event = reader.receive_json(timeout=10)
        assert named == {"number": 2, "label": "Bob Lindqvist", "name": "Bob Lindqvist",
                         "person_id": cast_ids["bob"], "seconds": named["seconds"]}  # fmt: skip
        after = {s["id"]: s for s in ok(client.get(f"/api/reviews/{rid}/segments", headers=alice))}
        assert all(after[s["id"]]["speaker"] == "Bob Lindqvist" for s in second)
        assert all(after[s["id"]]["person_id"] == cast_ids["bob"] for s in second)
        assert all(after[s["id"]]["text"] == s["text"] for s in second)  # the words a draft quotes stay
        others = [s for s in after.values() if s["id"] not in {x["id"] for x in second}]
        assert others and all(s["speaker"] == "Speaker 1 (call.wav)" for s in others)
        assert event["type"] == "speaker_named" and event["speaker"] == named
        assert sorted(s["id"] for s in event["segments"]) == sorted(s["id"] for s in second)
        [entry] = [e for e in _audit(settings, rid) if e.action == "recording.speaker_named"]
        assert entry.actor_id == cast_ids["bob"] and entry.subject_id == recording
        assert entry.detail["before"] == "Speaker 2" and entry.detail["after"] == "Bob Lindqvist"
        assert entry.detail["segments"] == len(second) and cited

        typed = ok(client.put(url, json={"name": "  Dana   from finance "}, headers=alice))
        assert typed["label"] == "Dana from finance" and typed["person_id"] is None
        assert client.put(url, json={"person_id": cast_ids["outsider"]}, headers=alice).status_code == 409
        assert client.put(url, json={}, headers=alice).status_code == 400
        assert client.put(url, json={"name": "x", "person_id": cast_ids["bob"]}, headers=alice).status_code == 400
        assert client.put(url[:-1] + "9", json={"name": "x"}, headers=alice).status_code == 404
        assert client.put(url, json={"name": "x"}, headers=auth(cast_ids["outsider"])).status_code == 404
        _close(settings, rid)
        closed = client.put(url, json={"name": "Late"}, headers=alice)
        assert closed.status_code == 409 and "closed" in closed.json()["detail"]


def _draft_citing(settings: Settings, review_id: int, segment_id: int) -> int:
    """A pending draft citing the segment: naming its speaker must still be allowed."""
    call = ModelCall(prompt_id="p", prompt_version="1", model="m", input_hash="0" * 64, raw_output="{}")
    engine = make_engine(settings)
    with provide_services(make_session_factory(engine), settings) as services:
        review = services.session.get(Review, review_id)
        assert review is not None
        failure = services.failures.create(review, title="Sign-up drive", actor=review.facilitator)
        draft = services.drafts.record(
            failure, kind=DraftKind.ANSWER, question=1, text="We signed twelve.", citations=[segment_id], call=call
        )
        draft_id = draft.id
    engine.dispose()
    assert isinstance(failure, Failure)
    return draft_id


def _audit(settings: Settings, review_id: int) -> list[AuditEvent]:
    engine = make_engine(settings)
    with make_session_factory(engine)() as session:
        events = audit.events_for_review(session, review_id)
    engine.dispose()
    return events


def _close(settings: Settings, review_id: int) -> None:
    engine = make_engine(settings)
    with provide_services(make_session_factory(engine), settings) as services:
        services.session.execute(update(Review).where(Review.id == review_id).values(status="closed"))
    engine.dispose()
