"""The live path end to end: a participant streams a WAV in real time; readers receive the segments."""

from __future__ import annotations

import json
import subprocess
import time
from collections.abc import Iterator
from itertools import pairwise
from pathlib import Path

import numpy as np
import pytest
from litestar.exceptions import WebSocketDisconnect

from tests.helpers import ok
from tests.service.transcripts.conftest import wait_for
from transcription.audio import decode_audio

ORIGIN = {"origin": "http://testserver.local"}  # the TestClient's own host
CHUNK = 1600  # 100 ms of 16 kHz audio per message, as a browser's audio worklet sends it


@pytest.fixture(scope="session")
def spoken_pcm(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    """One spoken sentence pair (~4.5 s) and 1 s of silence, as PCM16 LE at 16 kHz."""
    path = tmp_path_factory.mktemp("live") / "speech.wav"
    text = "We intended to sign fifty members by the end of March. We signed twelve."
    subprocess.run(["espeak-ng", "-v", "en-us", "-s", "165", "-w", str(path), text], check=True)
    samples = np.concatenate([decode_audio(Path(path)), np.zeros(16000, np.float32)])
    return (np.clip(samples, -1, 1) * 32767).astype("<i2").tobytes()


def _real_time(pcm: bytes, *, seconds: float | None = None) -> Iterator[bytes]:
    """Yield 100 ms messages no faster than the audio plays (what a microphone produces)."""
    started = time.monotonic()
    limit = len(pcm) if seconds is None else int(seconds * 32000)
    for n, at in enumerate(range(0, min(limit, len(pcm)), CHUNK * 2)):
        delay = started + n * CHUNK / 16000 - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        yield pcm[at : at + CHUNK * 2]


def _closed(socket) -> WebSocketDisconnect:
    with pytest.raises(WebSocketDisconnect) as closed:
        while True:
            socket.receive(timeout=30)
    return closed.value


def test_a_participant_streams_and_every_reader_receives_the_committed_segments(client, cast_ids, auth, spoken_pcm):
    rid = cast_ids["review"]
    with client.websocket_connect(f"/api/reviews/{rid}/events", headers={**auth(cast_ids["bob"]), **ORIGIN}) as reader:
        assert reader.receive_json(timeout=10)["type"] == "subscribed"
        headers = {**auth(cast_ids["alice"]), **ORIGIN}
        with client.websocket_connect(f"/api/reviews/{rid}/live", headers=headers) as speaker:
            ready = speaker.receive_json(timeout=10)
            assert ready["type"] == "ready" and ready["speaker"] == "Alice Okafor" and ready["clock_s"] >= 0
            assert (ready["sample_rate"], ready["format"]) == (16000, "pcm_s16le")
            for message in _real_time(spoken_pcm):
                speaker.send_bytes(message)
            speaker.send_text(json.dumps({"type": "stop"}))
            finished = speaker.receive_json(timeout=30)
            assert finished["type"] == "finished" and finished["segments"] >= 1
            closed = _closed(speaker)
            assert closed.code == 1000 and "saved" in closed.detail

        events, latest = [], {}
        # A sentence's segment is published as it grows, under one id, until it is complete.
        while len(latest) < finished["segments"] or not all(s["complete"] for s in latest.values()):
            events.append(reader.receive_json(timeout=10))
            if events[-1]["type"] == "segment":
                latest[events[-1]["segment"]["id"]] = events[-1]["segment"]
        segments = list(latest.values())
    growth = [e["segment"] for e in events if e["type"] == "segment" and e["segment"]["id"] == segments[0]["id"]]
    assert not growth[0]["complete"] and len(growth[0]["words"]) < len(growth[-1]["words"])  # out before its end
    assert all(b["text"].startswith(a["text"]) for a, b in pairwise(growth))
    provisional = [e for e in events if e["type"] == "provisional"]
    assert provisional and all(e["provisional"] is True and e["speaker"] == "Alice Okafor" for e in provisional)
    assert {(s["speaker"], s["source"], s["person_id"]) for s in segments} == {
        ("Alice Okafor", "live", cast_ids["alice"])
    }
    said = " ".join(s["text"] for s in segments).lower()
    # The short last sentence ("We signed twelve.") is where tiny.en errs live ("we signed it well"):
    # reported by the live benchmark, not asserted here.
    assert "intended to sign" in said and ("50" in said or "fifty" in said), said
    stored = ok(client.get(f"/api/reviews/{rid}/segments", headers=auth(cast_ids["bob"])))
    assert [(s["id"], s["text"], s["end_s"]) for s in stored] == [(s["id"], s["text"], s["end_s"]) for s in segments]
    words = [w for s in segments for w in s["words"]]
    assert len(words) >= 10 and all(s["start_s"] <= w[0] <= w[1] <= s["end_s"] for s in segments for w in s["words"])


def test_a_disconnect_mid_sentence_keeps_what_was_said(client, cast_ids, auth, spoken_pcm):
    rid = cast_ids["review"]
    with client.websocket_connect(f"/api/reviews/{rid}/live", headers={**auth(cast_ids["alice"]), **ORIGIN}) as speaker:
        speaker.receive_json(timeout=10)
        for message in _real_time(spoken_pcm, seconds=3.0):  # "...fifty members by the end" and gone
            speaker.send_bytes(message)
    url = f"/api/reviews/{rid}/segments"

    # Words committed while streaming are stored at once; the rest arrives with the final flush.
    def said() -> str:
        return " ".join(s["text"] for s in ok(client.get(url, headers=auth(cast_ids["bob"])))).lower()

    assert "intended" in wait_for(lambda: "intended" in said() and said(), timeout_s=20, what="kept text")


def test_garbage_closes_the_stream_with_a_reason(client, cast_ids, auth, spoken_pcm):
    rid, headers = cast_ids["review"], {**auth(cast_ids["alice"]), **ORIGIN}
    cases = [(b"\x01\x02\x03", "odd number"), ("hello", "not JSON"), ('{"type": "pause"}', "Unknown text message")]
    for garbage, says in cases:
        with client.websocket_connect(f"/api/reviews/{rid}/live", headers=headers) as speaker:
            speaker.receive_json(timeout=10)
            speaker.send_bytes(spoken_pcm[:3200])
            speaker.send(garbage, mode="binary" if isinstance(garbage, bytes) else "text")
            closed = _closed(speaker)
        assert closed.code == 1007 and says in closed.detail, closed.detail


@pytest.mark.parametrize("path", ["live", "events"])
def test_outsiders_and_other_origins_are_refused(client, cast_ids, auth, path):
    url = f"/api/reviews/{cast_ids['review']}/{path}"
    refusals = [
        ({**auth(cast_ids["outsider"]), **ORIGIN}, 4404, "No review"),
        ({**auth(cast_ids["alice"]), "origin": "https://evil.example"}, 4403, "not this site"),
        ({**auth(cast_ids["alice"]), "origin": "null"}, 4403, "not this site"),
    ]
    for headers, code, says in refusals:
        with client.websocket_connect(url, headers=headers) as socket:
            closed = _closed(socket)
        assert closed.code == code and says in closed.detail, (headers, closed.code, closed.detail)
    with pytest.raises(WebSocketDisconnect) as anonymous, client.websocket_connect(url, headers=ORIGIN) as socket:
        socket.receive(timeout=10)
    assert "Sign in" in anonymous.value.detail


def test_a_muted_stream_stays_open_sends_nothing_to_the_transcript_and_does_not_crowd_the_passes(
    client, cast_ids, auth, spoken_pcm
):
    rid, headers = cast_ids["review"], {**auth(cast_ids["alice"]), **ORIGIN}
    with client.websocket_connect(f"/api/reviews/{rid}/live", headers=headers) as speaker:
        speaker.receive_json(timeout=10)
        passes = client.app.state.live_passes
        for message in _real_time(bytes(64000)):  # 2 s of exact zeros: what the room's Mute button sends
            speaker.send_bytes(message)
        wait_for(lambda: passes.open_streams == 1 and passes.sounding_streams == 0, timeout_s=10, what="muted")
        for message in _real_time(spoken_pcm, seconds=1.0):  # unmuted: the speaker's words count again
            speaker.send_bytes(message)
        wait_for(lambda: passes.sounding_streams == 1, timeout_s=10, what="sounding")
        for message in _real_time(spoken_pcm[32000:]):
            speaker.send_bytes(message)
        # Its last second is exact zeros, as a pause of synthesised speech: a pause is not a mute.
        assert passes.sounding_streams == 1
        speaker.send_text(json.dumps({"type": "stop"}))
        assert speaker.receive_json(timeout=30)["type"] == "finished"
    stored = ok(client.get(f"/api/reviews/{rid}/segments", headers=auth(cast_ids["bob"])))
    # The muted seconds said nothing and kept the clock: the words start after them (Whisper may
    # stretch a first word a little back into the silence before it).
    assert stored and min(s["start_s"] for s in stored) >= 1.5, stored
