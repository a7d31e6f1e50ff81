"""Live figures: committed-word delay at a WebSocket client, for 1 and 3 simultaneous speakers.

A real `debrief serve` on 127.0.0.1 (a child process, as in production), real WebSocket clients
(the `websockets` library): each speaker streams synthesised call audio in 100 ms messages at real
speed; a reader on `/events` notes when each committed word first arrives (a sentence's segment
is published again each time it grows; a word counts once, at its first arrival). A word's delay
is that arrival time minus the moment its last sample was sent (word end times come with the
event). Live WER scores each stream's committed words over its first playing of the call, against
the call's script, so a change that buys speed with accuracy shows.
"""

from __future__ import annotations

import asyncio
import json
import socket
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from websockets.asyncio.client import connect

from evals.suite import Figure
from evals.transcription.voices import Speaker, loop_to, pcm16
from service.db.engine import make_engine, make_session_factory
from service.db.migrate import upgrade
from service.domain.accounts.bootstrap import issue_token
from service.domain.services import provide_services
from service.settings import Settings
from transcription.text import word_error_rate
from transcription.types import SAMPLE_RATE, AudioArray

REPO = Path(__file__).resolve().parents[2]
CHUNK_S = 0.1


@dataclass
class Stream:
    person_id: int
    token: str
    audio: bytes
    reference: str = ""
    first_loop_s: float = 0.0  # length of one playing of the call
    clock_s: float = 0.0
    started: float = 0.0
    heard: dict[int, list[tuple[float, str]]] = field(default_factory=dict)  # segment id -> (end, word)


@dataclass
class Arrivals:
    words: list[tuple[float, float]] = field(default_factory=list)  # (audio time of word end, delay)
    segment_ends: list[tuple[float, float]] = field(default_factory=list)  # last word of each sentence
    texts: list[str] = field(default_factory=list)
    first_arrival: dict[tuple[int, int], float] = field(default_factory=dict)  # (segment, word) -> delay


def run_live(cases: list[dict[str, Any]], workdir: Path, *, seconds: float) -> tuple[list[Figure], list[str]]:
    settings = Settings(data_dir=workdir / "live-data")
    upgrade(settings)
    speaker = Speaker("espeak-ng", workdir)
    calls = [speaker.call(case)[:2] for case in cases[:3]]
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "service.cli", "serve", "--data-dir", str(settings.data_dir), "--port", str(port),
         "--no-migrate"],
        cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    figures, notes = [], []
    try:
        _wait_up(port)
        for count in (1, 3):
            review_id, reader, streams = _review_with_speakers(settings, calls[:count], seconds)
            arrivals = asyncio.run(_stream_all(port, review_id, reader, streams))
            figures += _figures(arrivals, count, seconds)
            figures.append(_live_wer(streams, count, seconds))
            notes.append(f"{count} speaker(s), first committed text: {' | '.join(arrivals.texts[:3])[:300]}")
    finally:
        server.terminate()
        server.wait(30)
    return figures, notes


async def _stream_all(port: int, review_id: int, reader: str, streams: list[Stream]) -> Arrivals:
    base = f"ws://127.0.0.1:{port}/api/reviews/{review_id}"
    arrivals = Arrivals()
    async with connect(f"{base}/events", additional_headers=_auth(reader), max_size=None) as events:
        assert json.loads(await events.recv())["type"] == "subscribed"
        listener = asyncio.create_task(_listen(events, streams, arrivals))
        await asyncio.gather(*(_speak(f"{base}/live", stream) for stream in streams))
        await asyncio.sleep(3)  # let the last events arrive
        listener.cancel()
    return arrivals


async def _speak(url: str, stream: Stream) -> None:
    async with connect(url, additional_headers=_auth(stream.token), max_size=None) as live:
        ready = json.loads(await live.recv())
        stream.clock_s = ready["clock_s"]
        step = int(CHUNK_S * SAMPLE_RATE) * 2
        stream.started = time.monotonic()
        for n, at in enumerate(range(0, len(stream.audio), step)):
            # Message n carries audio up to (n + 1) * 100 ms: like a microphone, it cannot leave earlier.
            delay = stream.started + (n + 1) * CHUNK_S - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            await live.send(stream.audio[at : at + step])
        await live.send(json.dumps({"type": "stop"}))
        async for message in live:
            if json.loads(message).get("type") == "finished":
                break


async def _listen(events: Any, streams: list[Stream], arrivals: Arrivals) -> None:
    by_person = {s.person_id: s for s in streams}
    async for message in events:
        now = time.monotonic()
        event = json.loads(message)
        if event.get("type") != "segment":
            continue
        segment = event["segment"]
        stream = by_person[segment["person_id"]]
        words = [(word_end - stream.clock_s, text) for _, word_end, text in segment.get("words", [])]
        stream.heard[segment["id"]] = words
        for n, (end, _text) in enumerate(words):
            if (segment["id"], n) not in arrivals.first_arrival:  # already counted when it first came
                arrivals.first_arrival[segment["id"], n] = now - (stream.started + end)
                arrivals.words.append((end, now - (stream.started + end)))
        if segment.get("complete", True) and words:
            arrivals.texts.append(segment["text"])
            arrivals.segment_ends.append((words[-1][0], arrivals.first_arrival[segment["id"], len(words) - 1]))


def _live_wer(streams: list[Stream], count: int, seconds: float) -> Figure:
    """WER of what each stream committed during its first playing of the call, against the script."""
    label = f"{count} speaker{'s' if count > 1 else ''}, {seconds / 60:g} min"
    if any(stream.first_loop_s >= seconds for stream in streams):
        return Figure(f"live WER ({label})", "n/a: the stream is shorter than one playing of the call")
    refs, hyps = [], []
    for stream in streams:
        words = sorted(w for ws in stream.heard.values() for w in ws)
        hyps.append(" ".join(text for end, text in words if end <= stream.first_loop_s))
        refs.append(stream.reference)
    wer = word_error_rate(" ".join(refs), " ".join(hyps))
    return Figure(f"live WER, first playing of each call ({label})", round(wer, 3))


def _figures(arrivals: Arrivals, count: int, seconds: float) -> list[Figure]:
    label = f"{count} speaker{'s' if count > 1 else ''}, {seconds / 60:g} min"
    if not arrivals.words:
        return [Figure(f"live committed words ({label})", 0, "> 0", False)]
    delays = sorted(d for _, d in arrivals.words)
    p50, p95 = _pct(delays, 0.5), _pct(delays, 0.95)
    p95_target = 4.0 if count == 1 else 6.0
    tail = sorted(arrivals.segment_ends)
    fifth = max(1, len(tail) // 5)
    early = statistics.median(d for _, d in tail[:fifth])
    late = statistics.median(d for _, d in tail[-fifth:])
    figures = [
        Figure(f"live committed words ({label})", len(delays)),
        Figure(
            f"live word delay p50 s ({label})",
            round(p50, 2),
            "<= 2.5" if count == 1 else "",
            p50 <= 2.5 if count == 1 else None,
        ),
        Figure(f"live word delay p95 s ({label})", round(p95, 2), f"<= {p95_target:g}", p95 <= p95_target),
        Figure(f"live sentence-end delay p50 s ({label})", round(statistics.median(d for _, d in tail), 2)),
        Figure(
            f"live lag growth s, last fifth minus first fifth ({label})",
            round(late - early, 2),
            "no growth (<= 1)",
            late - early <= 1.0,
        ),
    ]
    return figures


def _review_with_speakers(
    settings: Settings, calls: list[tuple[AudioArray, str]], seconds: float
) -> tuple[int, str, list[Stream]]:
    engine = make_engine(settings)
    with provide_services(make_session_factory(engine), settings) as services:
        people = services.people
        team = people.create_team(name=f"Bench {time.time_ns()}")
        speakers = [people.create_person(name=f"Speaker {i + 1}") for i in range(len(calls))]
        reader = people.create_person(name="Reader")
        for person in [*speakers, reader]:
            people.add_member(team_id=team.id, person_id=person.id)
        review = services.reviews.create(
            team_id=team.id, title="Live benchmark", what_failed="", failed_at=datetime.now(UTC),
            facilitator_id=speakers[0].id, participant_ids=[p.id for p in speakers[1:]], actor=speakers[0],
        )  # fmt: skip
        ids = (review.id, reader.id, [p.id for p in speakers])
    engine.dispose()
    review_id, reader_id, speaker_ids = ids
    streams = [
        Stream(pid, issue_token(settings, person=pid, name="bench"), pcm16(loop_to(audio, seconds)), reference,
               min(seconds, len(audio) / SAMPLE_RATE))
        for pid, (audio, reference) in zip(speaker_ids, calls, strict=True)
    ]  # fmt: skip
    return review_id, issue_token(settings, person=reader_id, name="bench"), streams


def _pct(values: list[float], q: float) -> float:
    return values[min(len(values) - 1, int(q * (len(values) - 1) + 0.5))]


def _auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_up(port: int, timeout_s: float = 60) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/health", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"debrief serve did not answer on port {port} within {timeout_s} s")
