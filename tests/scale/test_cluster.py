"""Several real processes on real engines: two app processes, SAQ workers, Redis, PostgreSQL, Chroma.

Each test starts the very commands a deployment runs (`debrief serve`, `debrief worker`,
`chroma run`) as subprocesses configured only by environment variables, then talks to them over
HTTP and WebSockets like a browser would.
"""

from __future__ import annotations

import json
import signal
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from websockets.sync.client import ClientConnection, connect

from benchmarks.cluster import Cluster
from service.db.engine import make_engine, make_session_factory
from service.domain.accounts.bootstrap import issue_token
from service.domain.services import provide_services
from service.settings import Settings
from tests.helpers import make_cast
from tests.service.transcripts.conftest import wait_for

# PostgreSQL only: several processes writing at once is what the production database is for.
pytestmark = [pytest.mark.slow, pytest.mark.parametrize("backend", ["postgresql"])]
SENTENCES = (
    "We intended to sign fifty members by the end of March. We signed twelve.",
    "The renewal page went live on Monday and the queue stopped at four hundred people.",
    "Next time we test the payment form with real cards before the launch.",
)


@pytest.fixture
def cluster(settings: Settings, redis_url: str) -> Iterator[Cluster]:
    cluster = Cluster.configure(
        settings.data_dir,
        database_url=settings.database.url,
        queue_url=redis_url,
        events_url=redis_url,
        # Small chunks and a quick heartbeat so a killed worker is noticed within seconds.
        extra={"DEBRIEF_WHISPER_CHUNK_S": "10", "DEBRIEF_QUEUE_HEARTBEAT_S": "1", "DEBRIEF_QUEUE_SWEEP_S": "2"},
    )
    cluster.start_chroma()
    try:
        yield cluster
    finally:
        cluster.stop()


@pytest.fixture
def people(settings: Settings, cluster: Cluster) -> dict[str, Any]:
    """A team, its review, and a second review of the same team; API tokens for two members."""
    engine = make_engine(settings)
    with provide_services(make_session_factory(engine), settings) as services:
        cast = make_cast(services)
        second = services.reviews.create(
            team_id=cast.team.id,
            title="The same call, uploaded again",
            what_failed="Reference run",
            failed_at=cast.review.failed_at,
            facilitator_id=cast.facilitator.id,
            participant_ids=[cast.alice.id, cast.bob.id],
            actor=cast.facilitator,
        )
        ids: dict[str, Any] = {"review": cast.review.id, "second": second.id}
        ids |= {"alice": cast.alice.id, "bob": cast.bob.id}
    engine.dispose()
    ids["alice_headers"] = {"Authorization": f"Bearer {issue_token(settings, person=ids['alice'], name='t')}"}
    ids["bob_headers"] = {"Authorization": f"Bearer {issue_token(settings, person=ids['bob'], name='t')}"}
    return ids


@pytest.fixture(scope="module")
def speech(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """About 14 s of espeak-ng speech."""
    path = tmp_path_factory.mktemp("cluster-audio") / "speech.wav"
    subprocess.run(["espeak-ng", "-v", "en-us", "-s", "165", "-w", str(path), " ".join(SENTENCES)], check=True)
    return path


@pytest.fixture(scope="module")
def long_speech(speech: Path) -> Path:
    """The same speech twelve times (about 3 minutes): enough 10-second chunks to kill a worker mid-job."""
    path = speech.with_name("long.wav")
    subprocess.run(["sox", *[str(speech)] * 12, str(path)], check=True)
    return path


@contextmanager
def events_socket(base: str, review_id: int, headers: dict[str, str]) -> Iterator[ClientConnection]:
    url = f"ws{base[4:]}/api/reviews/{review_id}/events"
    with connect(url, additional_headers=headers, open_timeout=10) as socket:
        assert json.loads(socket.recv(timeout=10))["type"] == "subscribed"
        yield socket


def upload(base: str, review_id: int, path: Path, headers: dict[str, str]) -> dict[str, Any]:
    response = httpx.post(
        f"{base}/api/reviews/{review_id}/recordings",
        params={"filename": path.name},
        content=path.read_bytes(),
        headers=headers,
        timeout=60,
    )
    assert response.status_code == 201, response.text
    return response.json()


def recording(base: str, review_id: int, recording_id: int, headers: dict[str, str]) -> dict[str, Any]:
    response = httpx.get(f"{base}/api/reviews/{review_id}/recordings/{recording_id}", headers=headers, timeout=10)
    assert response.status_code == 200, response.text
    return response.json()


def test_a_participant_on_one_process_sees_what_a_worker_transcribed_for_an_upload_to_another(
    cluster: Cluster, people: dict[str, Any], speech: Path
) -> None:
    a = cluster.start_app("app-a")
    b = cluster.start_app("app-b")
    cluster.start_worker("worker")
    review = people["review"]
    segments, final = [], None
    with events_socket(a, review, people["bob_headers"]) as reader:
        created = upload(b, review, speech, people["alice_headers"])
        deadline = time.monotonic() + 120
        while final is None and time.monotonic() < deadline:
            event = json.loads(reader.recv(timeout=max(0.1, deadline - time.monotonic())))
            if event["type"] == "segment":
                segments.append(event["segment"])
            elif event["type"] == "recording" and event["recording"]["status"] in ("done", "failed"):
                final = event["recording"]

    assert final is not None and final["id"] == created["id"] and final["status"] == "done", final
    spoken = " ".join(s["text"] for s in segments).lower()
    assert "twelve" in spoken or "12" in spoken, spoken
    # What the reader on A was pushed is exactly what B now serves from the database.
    stored = httpx.get(f"{b}/api/reviews/{review}/segments", headers=people["alice_headers"], timeout=10).json()
    assert [s["id"] for s in stored] == [s["id"] for s in segments]
    assert all(s["source"] == "upload" for s in stored)


def test_typed_lines_reach_readers_on_the_other_process(cluster: Cluster, people: dict[str, Any]) -> None:
    a = cluster.start_app("app-a")
    b = cluster.start_app("app-b")
    review = people["review"]
    line = {"speaker": "Alice Okafor", "text": "We signed twelve members.", "start_s": 1.0, "end_s": 2.5}
    with events_socket(a, review, people["bob_headers"]) as reader:
        response = httpx.post(
            f"{b}/api/reviews/{review}/segments", json={"segments": [line]}, headers=people["alice_headers"], timeout=10
        )
        assert response.status_code == 201, response.text
        event = json.loads(reader.recv(timeout=10))
    assert event["type"] == "segment" and event["segment"]["id"] == response.json()[0]["id"]
    assert event["segment"]["text"] == "We signed twelve members."


def test_a_worker_killed_mid_job_is_replaced_and_the_transcript_has_exactly_one_copy(
    cluster: Cluster, people: dict[str, Any], long_speech: Path
) -> None:
    app = cluster.start_app("app")
    review, headers = people["review"], people["alice_headers"]
    cluster.start_worker("worker-1")
    created = upload(app, review, long_speech, headers)
    total_chunks = -(-created["duration_s"] // 10)

    def partly_done() -> dict[str, Any] | None:
        current = recording(app, review, created["id"], headers)
        return current if current["status"] == "running" and current["segments"] >= 2 else None

    before_kill = wait_for(partly_done, timeout_s=120, what="the first worker to store a few chunks")
    cluster.kill("worker-1", signal.SIGKILL)
    at_kill = recording(app, review, created["id"], headers)
    assert at_kill["status"] == "running" and at_kill["percent"] < 100, at_kill

    cluster.start_worker("worker-2")
    done = wait_for(
        lambda: (r := recording(app, review, created["id"], headers))["status"] in ("done", "failed") and r,
        timeout_s=180,
        what="the replacement worker to finish the swept job",
    )
    assert done["status"] == "done", done
    assert done["attempts"] >= 2, "the job was not retried after the kill"
    assert "Sweeping job" in cluster.log("worker-2") or "sweep" in cluster.log("worker-2").lower()

    killed = httpx.get(f"{app}/api/reviews/{review}/segments", headers=headers, timeout=10).json()
    assert len({(s["start_s"], s["text"]) for s in killed}) == len(killed) == done["segments"]
    assert before_kill["segments"] <= done["segments"]

    # The same file transcribed without interruption, in a second review: the same transcript.
    other = people["second"]
    clean = upload(app, other, long_speech, headers)
    wait_for(
        lambda: recording(app, other, clean["id"], headers)["status"] == "done",
        timeout_s=180,
        what="the uninterrupted transcription",
    )
    reference = httpx.get(f"{app}/api/reviews/{other}/segments", headers=headers, timeout=10).json()
    assert [(s["start_s"], s["text"]) for s in killed] == [(s["start_s"], s["text"]) for s in reference]
    assert total_chunks >= 15


def test_a_chroma_server_that_goes_away_gives_a_clear_503_and_the_record_stays_usable(
    cluster: Cluster, people: dict[str, Any]
) -> None:
    app = cluster.start_app("app")
    review, headers = people["review"], people["alice_headers"]
    failure = httpx.post(
        f"{app}/api/reviews/{review}/failures", json={"title": "Renewal page queue"}, headers=headers, timeout=10
    )
    assert failure.status_code == 201, failure.text
    similar = f"{app}/api/failures/{failure.json()['id']}/similar"
    assert httpx.get(similar, headers=headers, timeout=30).status_code == 200

    cluster.kill("chroma", signal.SIGKILL)
    gone = httpx.get(similar, headers=headers, timeout=30)
    assert gone.status_code == 503, gone.text
    assert gone.headers["content-type"].startswith("application/problem+json")
    assert "Chroma server" in gone.json()["detail"] and gone.headers["retry-after"]
    # Everything else is the database's, and keeps working.
    assert httpx.get(f"{app}/api/reviews/{review}", headers=headers, timeout=10).status_code == 200
