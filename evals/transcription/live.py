"""Live figures: committed-word delay at a WebSocket client, for 1 and 3 simultaneous speakers.

A real `debrief serve` on 127.0.0.1 (a child process, as in production), real WebSocket clients
(the `websockets` library): each speaker streams synthesised call audio in 100 ms messages at real
speed; a reader on `/events` notes when each committed word first arrives (a sentence's segment
is published again each time it grows; a word counts once, at its first arrival). A word's delay
is that arrival time minus the moment its last sample was sent (word end times come with the
event). Live WER scores each stream's committed words over its first playing of the call, against
the call's script, so a change that buys speed with accuracy shows. Words committed twice in a
row where the script says them once (a re-heard word committed again) are counted over the whole
stream: WER hides a few among hundreds of words.

With `--upload-min M` (or `upload_min=`), an M-minute recording of another call is then uploaded
to another review of the same service, and once its job has run alone for a while (its real-time
factor with no live stream), the speakers stream again while it transcribes: the live text of one
team's call while a facilitator's upload runs in the same process, on the same model.

    python -m evals.transcription.live [--seconds 600] [--speakers 1 3] [--upload-min 120]
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import wave
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from websockets.asyncio.client import connect

from evals.suite import Figure, review_calls
from evals.transcription.voices import Speaker, loop_to, pcm16
from service.db.engine import make_engine, make_session_factory
from service.db.migrate import upgrade
from service.domain.accounts.bootstrap import issue_token
from service.domain.services import provide_services
from service.settings import Settings
from transcription.text import normalise_text, word_error_rate
from transcription.types import SAMPLE_RATE, AudioArray

REPO = Path(__file__).resolve().parents[2]
CHUNK_S = 0.1
UPLOAD_ALONE_S = 90.0  # how long the upload runs alone before the speakers stream beside it


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


def run_live(
    cases: list[dict[str, Any]],
    workdir: Path,
    *,
    seconds: float,
    speaker_counts: tuple[int, ...] = (1, 3),
    upload_min: float = 0.0,
) -> tuple[list[Figure], list[str]]:
    settings = Settings(data_dir=workdir / "live-data")
    upgrade(settings)
    speaker = Speaker("espeak-ng", workdir)
    calls = [speaker.call(case)[:2] for case in cases[: max(speaker_counts)]]
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "service.cli", "serve", "--data-dir", str(settings.data_dir), "--port", str(port),
         "--no-migrate"],
        cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    figures: list[Figure] = []
    notes: list[str] = []
    try:
        _wait_up(port)
        for count in speaker_counts:
            figures += _scenario(port, settings, calls[:count], seconds, notes)
        if upload_min:
            # Another call than the speakers' (a different team's recording), spoken the same way.
            audio = speaker.call(cases[len(calls) % len(cases)])[0]
            upload = Upload.start(port, settings, _looped_wav(audio, upload_min * 60, workdir / "upload.wav"))
            alone = upload.real_time_factor(upload.watch(UPLOAD_ALONE_S))
            figures.append(Figure("upload real-time factor, no live stream", alone, "<= 0.06", alone <= 0.06))
            for count in speaker_counts:
                started = time.monotonic()
                figures += _scenario(port, settings, calls[:count], seconds, notes, upload=upload)
                upload.poll()
                progress = [p for p in upload.progress if p[0] >= started]
                label = f"{count} speaker{'s' if count > 1 else ''} streaming"
                figures.append(Figure(f"upload real-time factor, {label}", upload.real_time_factor(progress)))
                notes.append(f"upload beside {label}: {upload.overlap(started)}")
    finally:
        server.terminate()
        server.wait(30)
    return figures, notes


def _scenario(
    port: int,
    settings: Settings,
    calls: list[tuple[AudioArray, str]],
    seconds: float,
    notes: list[str],
    *,
    upload: Upload | None = None,
) -> list[Figure]:
    count = len(calls)
    label = f"{count} speaker{'s' if count > 1 else ''}, {seconds / 60:g} min{', upload running' if upload else ''}"
    review_id, reader, streams = _review_with_speakers(settings, calls, seconds)
    if upload is None:
        arrivals = asyncio.run(_stream_all(port, review_id, reader, streams))
    else:
        arrivals = asyncio.run(upload.beside(_stream_all(port, review_id, reader, streams)))
    notes.append(f"{label}, first committed text: {' | '.join(arrivals.texts[:3])[:300]}")
    doubled = [pair for stream in streams for pair in doubled_words(stream.reference, _committed_text(stream))]
    if doubled:
        notes.append(f"{label}, doubled words: {', '.join(doubled[:20])}")
    doubles = Figure(f"live words doubled that the script says once ({label})", len(doubled), "0", not doubled)
    return [*_figures(arrivals, count, label), _live_wer(streams, label, seconds), doubles]


@dataclass
class Upload:
    """One recording uploaded to its own review, and its job's progress as (monotonic time, audio s done)."""

    port: int
    review_id: int
    recording_id: int
    token: str
    duration_s: float
    progress: list[tuple[float, float]] = field(default_factory=list)

    @classmethod
    def start(cls, port: int, settings: Settings, path: Path) -> Upload:
        review_id, token = _upload_review(settings)
        url = f"http://127.0.0.1:{port}/api/reviews/{review_id}/recordings?filename={path.name}"
        reply = httpx.post(url, content=_blocks(path), headers=_auth(token), timeout=600)
        reply.raise_for_status()
        recording = reply.json()
        return cls(port, review_id, recording["id"], token, recording["duration_s"])

    def poll(self) -> dict[str, Any]:
        url = f"http://127.0.0.1:{self.port}/api/reviews/{self.review_id}/recordings/{self.recording_id}"
        recording = httpx.get(url, headers=_auth(self.token), timeout=30).json()
        done_s = recording["percent"] / 100 * self.duration_s
        if not self.progress or done_s != self.progress[-1][1]:
            self.progress.append((time.monotonic(), done_s))
        return recording

    def watch(self, seconds: float) -> list[tuple[float, float]]:
        """Poll for `seconds` after the job's first stored chunk; return the progress seen meanwhile."""
        while not self.progress or self.progress[-1][1] == 0:
            if self.poll()["status"] in ("done", "failed"):
                break
            time.sleep(0.5)
        since = self.progress[-1][0]
        while time.monotonic() - since < seconds and self.poll()["status"] == "running":
            time.sleep(0.5)
        return [p for p in self.progress if p[0] >= since]

    async def beside(self, live: Any) -> Arrivals:
        """Run the live streams while polling this job's progress (in a thread: httpx is sync here)."""
        task = asyncio.ensure_future(live)
        while not task.done():
            await asyncio.to_thread(self.poll)
            await asyncio.wait([task], timeout=0.5)
        return task.result()

    @staticmethod
    def real_time_factor(progress: list[tuple[float, float]]) -> float:
        """Seconds of work per second of audio between the first and last chunk stored in `progress`."""
        if len(progress) < 2 or progress[-1][1] == progress[0][1]:
            return float("nan")
        return round((progress[-1][0] - progress[0][0]) / (progress[-1][1] - progress[0][1]), 3)

    def overlap(self, since: float) -> str:
        last = self.poll()
        done = self.progress[-1][1]
        return f"status {last['status']}, {done / 60:.1f} of {self.duration_s / 60:.0f} min done, " + (
            "ran through the whole stream" if last["status"] == "running" else "FINISHED before the stream did"
        )


def _upload_review(settings: Settings) -> tuple[int, str]:
    engine = make_engine(settings)
    with provide_services(make_session_factory(engine), settings) as services:
        team = services.people.create_team(name=f"Upload {time.time_ns()}")
        facilitator = services.people.create_person(name="Facilitator")
        services.people.add_member(team_id=team.id, person_id=facilitator.id)
        review = services.reviews.create(
            team_id=team.id, title="Uploaded call", what_failed="", failed_at=datetime.now(UTC),
            facilitator_id=facilitator.id, participant_ids=[], actor=facilitator,
        )  # fmt: skip
        ids = (review.id, facilitator.id)
    engine.dispose()
    return ids[0], issue_token(settings, person=ids[1], name="bench")


def _looped_wav(speech: AudioArray, seconds: float, path: Path) -> Path:
    """Write `speech` repeated to `seconds` as a 16-bit WAV, one repetition at a time (2 hours: 230 MB)."""
    once = pcm16(speech)
    total = int(seconds * SAMPLE_RATE) * 2
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(SAMPLE_RATE)
        written = 0
        while written < total:
            piece = once[: total - written]
            out.writeframes(piece)
            written += len(piece)
    return path


def _blocks(path: Path, size: int = 1 << 20) -> Iterator[bytes]:
    with path.open("rb") as f:
        while block := f.read(size):
            yield block


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


def _committed_text(stream: Stream) -> str:
    return " ".join(text for _end, text in sorted(w for ws in stream.heard.values() for w in ws))


def doubled_words(reference: str, hypothesis: str) -> list[str]:
    """Return each word the hypothesis says twice in a row where the script never does ("hiring hiring").

    A live pass that hears a committed word again with drifted times can commit it a second time;
    WER counts that as one insertion among hundreds, so it is counted here on its own. Numbers
    are left out: a spoken time or amount reaches the script and Whisper's text as different
    tokens ("04:10" is 04 10; "oh four ten" may come out as 0 4 10), so "0 0" is not a doubling.
    """
    ref, hyp = normalise_text(reference), normalise_text(hypothesis)
    said_twice = {a for a, b in itertools.pairwise(ref) if a == b}
    return [f"{a} {b}" for a, b in itertools.pairwise(hyp) if a == b and a not in said_twice and not a[0].isdigit()]


def _live_wer(streams: list[Stream], label: str, seconds: float) -> Figure:
    """WER of what each stream committed during its first playing of the call, against the script."""
    if any(stream.first_loop_s >= seconds for stream in streams):
        return Figure(f"live WER ({label})", "n/a: the stream is shorter than one playing of the call")
    refs, hyps = [], []
    for stream in streams:
        words = sorted(w for ws in stream.heard.values() for w in ws)
        hyps.append(" ".join(text for end, text in words if end <= stream.first_loop_s))
        refs.append(stream.reference)
    wer = word_error_rate(" ".join(refs), " ".join(hyps))
    return Figure(f"live WER, first playing of each call ({label})", round(wer, 3))


def _figures(arrivals: Arrivals, count: int, label: str) -> list[Figure]:
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


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m evals.transcription.live", description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=600, help="length of each live stream")
    parser.add_argument("--speakers", type=int, nargs="+", default=[1, 3], help="speakers at once, per scenario")
    parser.add_argument("--upload-min", type=float, default=0, help="then stream again beside an upload this long")
    args = parser.parse_args()
    cases = review_calls()
    with tempfile.TemporaryDirectory() as tmp:
        figures, notes = run_live(
            cases, Path(tmp), seconds=args.seconds, speaker_counts=tuple(args.speakers), upload_min=args.upload_min
        )
    for figure in figures:
        met = "" if figure.met is None else ("  met" if figure.met else "  MISSED")
        print(f"{figure.name}: {figure.value} {figure.target}{met}")
    for note in notes:
        print(f"- {note}")


if __name__ == "__main__":
    main()
