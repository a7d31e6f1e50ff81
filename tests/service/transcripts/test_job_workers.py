"""An upload job transcribes `upload_workers` chunks at once, on a model that runs them in parallel."""

from __future__ import annotations

import threading

from litestar.testing import TestClient

from service.app import create_app
from service.jobs.transcription import make_transcriber, run_transcription_job
from service.live.controller import live_passes_of
from service.settings import Settings
from tests.helpers import ok
from transcription.types import Segment


def _with(settings: Settings, **whisper: object) -> Settings:
    return settings.model_copy(update={"whisper": settings.whisper.model_copy(update=whisper)})


class _NeedsTwoAtOnce:
    """Answers only when two chunks are being transcribed together (gives up after 20 s)."""

    model_name = "needs-two-at-once"

    def __init__(self) -> None:
        self._meet = threading.Barrier(2, timeout=20)

    def transcribe(self, audio, *, offset_s: float = 0.0, prompt: str | None = None) -> list[Segment]:
        self._meet.wait()
        return [Segment(start=offset_s, end=offset_s + 1.0, text=f"from {offset_s:.1f} s")]


def test_an_upload_job_transcribes_its_chunks_at_once(settings, cast_ids, auth, speech_wav):
    two_at_once = _with(settings, in_process_worker=False, chunk_s=10.0, upload_workers=2)  # ~14 s: 2 chunks
    alice, rid = auth(cast_ids["alice"]), cast_ids["review"]
    with TestClient(app=create_app(two_at_once)) as client:
        upload = {"content": speech_wav.read_bytes(), "headers": alice}
        queued = ok(client.post(f"/api/reviews/{rid}/recordings", params={"filename": "a.wav"}, **upload), 201)
        status = run_transcription_job(queued["id"], settings=two_at_once, transcriber=_NeedsTwoAtOnce())
        assert status == "done"
        recording = ok(client.get(f"/api/reviews/{rid}/recordings/{queued['id']}", headers=alice))
    assert recording["segments"] == 2 and recording["percent"] == 100


def test_the_upload_model_runs_as_many_calls_at_once_as_workers(settings):
    transcriber = make_transcriber(_with(settings, upload_workers=3))
    transcriber.load()
    assert transcriber._loaded.model is not None and transcriber._loaded.model.model.num_workers == 3


def test_live_passes_get_a_model_of_their_own_and_uploads_compute_nicer(settings):
    in_process = _with(settings, upload_nice=7)
    with TestClient(app=create_app(in_process)) as client:
        state = client.app.state
        upload, live = state.transcriber, state.live_transcriber
    # Separate CTranslate2 models: the live one's threads keep the process's priority while the
    # upload one's run 7 steps nicer (tests/transcription/test_whisper.py checks the threads).
    assert live._loaded is not upload._loaded
    assert (upload._nice, live._nice) == (7, 0)
    assert live._workers == 1 and upload._workers == in_process.whisper.upload_workers


def test_a_speaker_alone_hears_the_full_window_unless_a_shorter_one_is_set(settings):
    for alone_s, window in ((30.0, None), (15.0, (2.0, 15.0)), (12.0, (2.0, 12.0))):
        with TestClient(app=create_app(_with(settings, live_alone_window_s=alone_s))) as client:
            passes = live_passes_of(client.app.state)
        with passes.open():
            assert passes.chosen()._window == window  # type: ignore[attr-defined]
        with passes.open(), passes.open():
            assert passes.chosen()._window == (2.0, 10.0)  # type: ignore[attr-defined]
