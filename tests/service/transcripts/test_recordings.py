"""Upload → background job → transcript segments, through the API, with real audio and the real model."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
from litestar.testing import TestClient

from service.app import create_app
from service.settings import Settings
from tests.helpers import ok
from tests.service.transcripts.conftest import wait_for


def _with(settings: Settings, **whisper: object) -> Settings:
    return settings.model_copy(update={"whisper": settings.whisper.model_copy(update=whisper)})


def _upload(
    client: TestClient, review_id: int, path: Path | None, headers: dict, *, body: bytes | None = None, name=None
):
    content = path.read_bytes() if path is not None else body
    filename = name or (path.name if path is not None else "upload.bin")
    return client.post(
        f"/api/reviews/{review_id}/recordings", params={"filename": filename}, content=content, headers=headers
    )


def _finished(client: TestClient, review_id: int, recording_id: int, headers: dict, timeout_s: float = 60) -> dict:
    url = f"/api/reviews/{review_id}/recordings/{recording_id}"

    def done() -> dict | None:
        body = ok(client.get(url, headers=headers))
        return body if body["status"] in ("done", "failed") else None

    return wait_for(done, timeout_s=timeout_s, what=f"recording {recording_id} to finish")


def _audio_files(settings: Settings) -> list[Path]:
    return sorted(settings.audio_dir.glob("*")) if settings.audio_dir.exists() else []


def test_an_uploaded_recording_becomes_transcript_segments(client, settings, cast_ids, auth, speech_ogg):
    alice, rid = auth(cast_ids["alice"]), cast_ids["review"]
    created = ok(_upload(client, rid, speech_ogg, alice, name="../../etc/passwd call.ogg"), 201)
    assert created["status"] in ("queued", "running", "done") and 13 < created["duration_s"] < 16
    # The client's name is kept for display only; the file on disk has a name the service chose.
    assert created["filename"] == "passwd call.ogg"
    [stored] = _audio_files(settings)
    assert stored.parent == settings.audio_dir and "passwd" not in stored.name

    finished = _finished(client, rid, created["id"], alice)
    assert finished["status"] == "done", finished["error"]
    assert finished["percent"] == 100.0 and finished["remaining_s"] == 0.0 and finished["elapsed_s"] >= 0
    assert finished["model"].startswith("tiny.en@") and finished["segments"] >= 2

    segments = ok(client.get(f"/api/reviews/{rid}/segments", headers=alice))
    assert len(segments) == finished["segments"]
    assert {s["source"] for s in segments} == {"upload"}
    text = " ".join(s["text"] for s in segments).lower()
    for heard in ("fifty members", "twelve", "renewal page", "payment form"):
        assert heard in text.replace("50", "fifty").replace("12", "twelve"), text
    assert all(a["end_s"] <= b["start_s"] + 0.01 for a, b in itertools.pairwise(segments))
    listed = ok(client.get(f"/api/reviews/{rid}/recordings", headers=alice))
    assert [r["id"] for r in listed] == [created["id"]]


@pytest.mark.parametrize(
    ("name", "make", "status", "says"),
    [
        (
            "notes.mp3",
            lambda p: b"Minutes of the review: we intended to sign fifty members.\n" * 40,
            415,
            "not an audio",
        ),
        ("empty.wav", lambda p: b"", 422, "holds no audio"),
        ("cut.wav", lambda p: p.read_bytes()[: p.stat().st_size // 2], 422, "truncated"),
    ],
)
def test_bad_uploads_are_refused_clearly_and_leave_nothing(
    client, settings, cast_ids, auth, speech_wav, name, make, status, says
):
    response = _upload(client, cast_ids["review"], None, auth(cast_ids["alice"]), body=make(speech_wav), name=name)
    assert response.status_code == status, response.text
    problem = response.json()
    assert response.headers["content-type"].startswith("application/problem+json")
    assert says in problem["detail"] and name in problem["detail"], problem
    assert _audio_files(settings) == []
    assert ok(client.get(f"/api/reviews/{cast_ids['review']}/recordings", headers=auth(cast_ids["alice"]))) == []


def test_a_zero_second_recording_is_refused(client, settings, cast_ids, auth, audio_dir):
    import subprocess

    path = audio_dir / "zero.wav"
    subprocess.run(["sox", "-n", "-r", "16000", "-c", "1", "-b", "16", str(path), "trim", "0", "0"], check=True)
    response = _upload(client, cast_ids["review"], path, auth(cast_ids["alice"]))
    assert response.status_code == 422 and "holds no audio" in response.json()["detail"], response.text
    assert _audio_files(settings) == []


def test_a_recording_over_the_limit_is_refused_with_the_limit(settings, cast_ids, auth):
    small = _with(settings, max_upload_mb=1)
    with TestClient(app=create_app(small)) as client:
        response = _upload(client, cast_ids["review"], None, auth(cast_ids["alice"]), body=b"\0" * (1024 * 1024 + 1))
    assert response.status_code == 413, response.text
    assert "larger than the 1 MB" in response.json()["detail"]
    assert _audio_files(small) == []


def test_other_routes_keep_the_default_body_limit(client, cast_ids, auth):
    big = {"segments": [{"speaker": "x", "text": "y" * 20000}] * 600}  # ~12 MB of JSON
    response = client.post(f"/api/reviews/{cast_ids['review']}/segments", json=big, headers=auth(cast_ids["alice"]))
    assert response.status_code == 413


def test_two_hours_of_silence_give_an_empty_transcript(client, cast_ids, auth, silent_2h_flac):
    alice, rid = auth(cast_ids["alice"]), cast_ids["review"]
    created = ok(_upload(client, rid, silent_2h_flac, alice), 201)
    assert created["duration_s"] == 7200.0
    finished = _finished(client, rid, created["id"], alice, timeout_s=60)
    assert finished["status"] == "done" and finished["segments"] == 0, finished
    assert ok(client.get(f"/api/reviews/{rid}/segments", headers=alice)) == []


def test_only_people_taking_part_can_upload_or_read_recordings(client, settings, cast_ids, auth, speech_wav):
    rid = cast_ids["review"]
    created = ok(_upload(client, rid, speech_wav, auth(cast_ids["bob"])), 201)
    outsider = auth(cast_ids["outsider"])
    assert _upload(client, rid, speech_wav, outsider).status_code == 404
    assert client.get(f"/api/reviews/{rid}/recordings", headers=outsider).status_code == 404
    assert client.get(f"/api/reviews/{rid}/recordings/{created['id']}", headers=outsider).status_code == 404
    assert client.post(f"/api/reviews/{rid}/recordings", content=b"x").status_code == 401
    assert len(_audio_files(settings)) == 1
