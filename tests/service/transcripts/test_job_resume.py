"""A transcription job killed mid-way (SIGKILL, no cleanup) resumes on restart without duplicating segments."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

from litestar.testing import TestClient
from sqlalchemy import select

from service.app import create_app
from service.db.engine import make_engine, make_session_factory
from service.models import Recording, Segment
from service.settings import Settings
from tests.helpers import ok
from tests.service.transcripts.conftest import wait_for

REPO = Path(__file__).resolve().parents[3]
# What a job worker process does: nothing but the job function, on the same database and files.
WORKER = """
import json, sys
from service.jobs.transcription import run_transcription_job
from service.settings import Settings
print(run_transcription_job(int(sys.argv[2]), settings=Settings(**json.loads(sys.argv[1]))))
"""


def _with(settings: Settings, **whisper: object) -> Settings:
    return settings.model_copy(update={"whisper": settings.whisper.model_copy(update=whisper)})


def _segments(factory, recording_id: int) -> list[tuple[int, int, str]]:
    with factory() as session:
        rows = session.execute(
            select(Segment.source_key, Segment.text).where(Segment.source_key.like(f"rec{recording_id}:%"))
        ).all()
    keyed = []
    for key, text in rows:
        _, chunk, order = key.split(":")
        keyed.append((int(chunk[1:]), int(order[1:]), text))
    return sorted(keyed)


def test_a_killed_job_resumes_at_the_first_unstored_chunk_and_never_duplicates(settings, cast_ids, auth, speech_wav):
    # One chunk at a time, so the kill lands between the two chunks (two at once would finish both
    # together); a worker killed with two chunks in flight is tests/scale/test_cluster.py's case.
    queued_only = _with(settings, in_process_worker=False, chunk_s=10.0, upload_workers=1)
    alice, rid = auth(cast_ids["alice"]), cast_ids["review"]
    with TestClient(app=create_app(queued_only)) as client:
        upload = {"content": speech_wav.read_bytes(), "headers": alice}
        killed = ok(client.post(f"/api/reviews/{rid}/recordings", params={"filename": "a.wav"}, **upload), 201)
        reference = ok(client.post(f"/api/reviews/{rid}/recordings", params={"filename": "b.wav"}, **upload), 201)
    assert killed["status"] == reference["status"] == "queued"

    engine = make_engine(settings)
    factory = make_session_factory(engine)

    def recording(recording_id: int) -> Recording:
        with factory() as session:
            found = session.get(Recording, recording_id)
            assert found is not None
            return found

    worker = subprocess.Popen(
        [sys.executable, "-c", WORKER, queued_only.model_dump_json(), str(killed["id"])],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        wait_for(lambda: recording(killed["id"]).chunks_done >= 1 or worker.poll() is not None, timeout_s=60,
                 what="the worker to store its first chunk")  # fmt: skip
    finally:
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait()
    assert worker.returncode == -signal.SIGKILL, worker.stderr.read().decode()[-2000:]

    interrupted = recording(killed["id"])
    stored_before = _segments(factory, killed["id"])
    assert interrupted.status == "running" and interrupted.attempts == 1
    assert interrupted.chunks_done == 1, "the job must be killed part-way (it has two chunks)"
    assert {chunk for chunk, _, _ in stored_before} <= set(range(interrupted.chunks_done))
    assert interrupted.segments_stored == len(stored_before)

    # Restart the service: its worker resumes the killed job and runs the queued one.
    with TestClient(app=create_app(_with(settings, chunk_s=60.0))) as client:
        for recording_id in (killed["id"], reference["id"]):
            url = f"/api/reviews/{rid}/recordings/{recording_id}"
            wait_for(lambda url=url: ok(client.get(url, headers=alice))["status"] == "done", timeout_s=60,
                     what=f"recording {recording_id}")  # fmt: skip

    resumed, uninterrupted = _segments(factory, killed["id"]), _segments(factory, reference["id"])
    assert resumed[: len(stored_before)] == stored_before  # kept, not rewritten
    assert resumed == uninterrupted  # exactly one copy of each segment, none lost
    assert len(resumed) >= 2 and recording(killed["id"]).attempts == 2
    assert recording(killed["id"]).chunk_s == 10.0  # the stored job keeps its chunking across restarts
    engine.dispose()
