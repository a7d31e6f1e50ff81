from __future__ import annotations

import threading
from itertools import pairwise
from pathlib import Path

import numpy as np
import pytest

from transcription.audio import decode_audio, iter_chunks
from transcription.batch import transcribe_file, transcribe_to_transcript
from transcription.errors import NotAudioError
from transcription.text import normalise_text, word_error_rate
from transcription.types import SAMPLE_RATE, Segment
from transcription.whisper import WhisperTranscriber

# Four sentences, each followed by a long pause, make a ~3-minute call quickly: VAD skips the
# pauses, so only ~15 s of speech is decoded. tiny.en hears these sentences (nearly) exactly;
# others, such as "ran for three evenings" ("3D meetings"), it does not.
SENTENCES = [
    "We intended to sign 50 members by the end of March.",
    "We signed 12 members by Friday.",
    "The phone bank called 400 people.",
    "Nobody owned the call list after the spring drive.",
]
PAUSE_S = 40.0


@pytest.fixture(scope="module")
def long_call(speech_samples, encode_audio, tmp_path_factory) -> tuple[Path, list[float]]:
    """Return an MP3 of the sentences separated by pauses, and when each sentence starts."""
    pieces, starts, at = [], [], 0.0
    for sentence in SENTENCES:
        speech = speech_samples(sentence)
        starts.append(at)
        pieces += [speech, np.zeros(int(PAUSE_S * SAMPLE_RATE), dtype=np.float32)]
        at += len(speech) / SAMPLE_RATE + PAUSE_S
    path = tmp_path_factory.mktemp("long") / "call.mp3"
    return encode_audio(np.concatenate(pieces), path), starts


def test_a_long_file_is_transcribed_chunk_by_chunk_with_absolute_times(long_call, transcriber) -> None:
    path, starts = long_call
    progress: list[tuple[float, float]] = []
    results = list(transcribe_file(path, transcriber, chunk_s=30.0, on_progress=lambda d, t: progress.append((d, t))))
    total_s = progress[-1][1]
    assert total_s == pytest.approx(len(decode_audio(path)) / SAMPLE_RATE, abs=0.05)
    assert total_s > 170

    assert [r.index for r in results] == list(range(len(results))) and len(results) >= 6
    done = [d for d, _ in progress]
    assert done[0] == 0.0 and done[-1] == pytest.approx(total_s)
    assert all(a < b for a, b in pairwise(done))  # strictly increasing

    segments = [s for r in results for s in r.segments]
    assert all(a.end <= b.start for a, b in pairwise(segments))
    for result in results:
        assert all(result.start_s <= s.start and s.end <= result.end_s for s in result.segments)
    for sentence, start in zip(SENTENCES, starts, strict=True):
        # Each sentence is found, once, where it was spoken (absolute, not chunk-relative).
        matches = [s for s in segments if word_error_rate(sentence, s.text) <= 0.25]
        assert len(matches) == 1, (sentence, [s.text for s in segments])
        assert matches[0].start == pytest.approx(start, abs=1.0)

    keys = [key for r in results for key in r.segment_keys()]
    assert len(keys) == len(set(keys)) == len(segments)


def test_resuming_from_a_chunk_gives_the_same_segments(long_call, transcriber) -> None:
    path, _ = long_call
    full = {r.index: r for r in transcribe_file(path, transcriber, chunk_s=30.0)}
    resumed = list(transcribe_file(path, transcriber, chunk_s=30.0, start_chunk=4))
    assert [r.index for r in resumed] == [i for i in full if i >= 4]
    assert all(r.segments == full[r.index].segments for r in resumed)


def test_a_bad_file_fails_before_any_transcription(tmp_path: Path, transcriber) -> None:
    path = tmp_path / "notes.mp3"
    path.write_text("not audio " * 100)
    with pytest.raises(NotAudioError):
        next(transcribe_file(path, transcriber))


def test_transcript_collects_everything(long_call, transcriber) -> None:
    path, _ = long_call
    transcript = transcribe_to_transcript(path, transcriber, chunk_s=60.0)
    assert transcript.model == "tiny.en@1a5afae06a4d"
    assert transcript.duration_s > 170
    assert word_error_rate(" ".join(SENTENCES), transcript.text) <= 0.1, transcript.text
    assert {"50", "12", "400"} <= set(normalise_text(transcript.text))


class _TwoAtOnce:
    """A `Transcriber` that needs the first two chunks in flight together, and finishes chunk 0 last.

    Chunk 0 and chunk 1 meet at a barrier (broken after 30 s if only one ever arrives), and chunk 0
    returns only once chunk 1 has returned: results must still be handed over in file order.
    """

    model_name = "two-at-once"

    def __init__(self, path: Path) -> None:
        self._starts = [chunk.start_s for chunk in iter_chunks(path, chunk_s=10.0)]
        self.started: list[int] = []
        self.running = self.most_running = 0
        self._lock = threading.Lock()
        self._meet = threading.Barrier(2, timeout=30)
        self._second_done = threading.Event()

    def transcribe(self, audio, *, offset_s: float = 0.0, prompt: str | None = None) -> list[Segment]:
        index = self._starts.index(offset_s)
        with self._lock:
            self.started.append(index)
            self.running += 1
            self.most_running = max(self.most_running, self.running)
        try:
            if index in (0, 1):
                self._meet.wait()
            if index == 1:
                self._second_done.set()
            if index == 0:
                assert self._second_done.wait(timeout=30)
            return [Segment(start=offset_s, end=offset_s + 1.0, text=f"chunk {index}")]
        finally:
            with self._lock:
                self.running -= 1


@pytest.fixture(scope="module")
def forty_seconds(encode_audio, tmp_path_factory) -> Path:
    """40 s of quiet noise: five or six chunks of at most 10 s (the fake transcriber does not listen)."""
    noise = np.random.default_rng(0).normal(0, 0.01, 40 * SAMPLE_RATE).astype(np.float32)
    return encode_audio(noise, tmp_path_factory.mktemp("noise") / "noise.wav")


def test_workers_transcribe_chunks_at_once_and_hand_them_over_in_order(forty_seconds) -> None:
    fake = _TwoAtOnce(forty_seconds)
    progress: list[float] = []
    results = list(transcribe_file(forty_seconds, fake, chunk_s=10.0, workers=2,
                                   on_progress=lambda done, _: progress.append(done)))  # fmt: skip
    count = len(results)
    assert count >= 4 and [r.index for r in results] == list(range(count))
    assert [s.text for r in results for s in r.segments] == [f"chunk {i}" for i in range(count)]
    assert fake.most_running == 2  # never more chunks in memory than workers
    assert progress[0] == 0.0 and all(a < b for a, b in pairwise(progress)) and len(progress) == count + 1


def test_one_worker_transcribes_one_chunk_at_a_time(forty_seconds) -> None:
    with pytest.raises(threading.BrokenBarrierError):
        list(transcribe_file(forty_seconds, _TwoAtOnce(forty_seconds), chunk_s=10.0, workers=1))


def test_workers_skip_chunks_before_the_resume_point(forty_seconds) -> None:
    fake = _TwoAtOnce(forty_seconds)
    fake._meet = threading.Barrier(1)  # chunks 0 and 1 are never transcribed: nothing to meet
    fake._second_done.set()
    progress: list[float] = []
    results = list(transcribe_file(forty_seconds, fake, chunk_s=10.0, workers=2, start_chunk=2,
                                   on_progress=lambda done, _: progress.append(done)))  # fmt: skip
    count = len(fake._starts)
    assert [r.index for r in results] == sorted(fake.started) == list(range(2, count))
    assert len(progress) == count + 1 and progress[-1] == pytest.approx(40.0, abs=0.1)


def test_a_job_that_stops_early_leaves_no_chunk_running(forty_seconds) -> None:
    fake = _TwoAtOnce(forty_seconds)
    chunks = transcribe_file(forty_seconds, fake, chunk_s=10.0, workers=2)
    assert next(chunks).index == 0
    chunks.close()  # what a job told to stop does
    assert sorted(fake.started) == [0, 1] and fake.running == 0
    assert not [t for t in threading.enumerate() if t.name.startswith("transcribe-chunk")]


def test_two_workers_hear_the_same_as_one(long_call, transcriber) -> None:
    path, _ = long_call
    two = WhisperTranscriber(cpu_threads=1, workers=2)
    two.load()
    assert two._loaded.model is not None and two._loaded.model.model.num_workers == 2
    one_at_a_time = list(transcribe_file(path, transcriber, chunk_s=30.0))
    at_once = list(transcribe_file(path, two, chunk_s=30.0, workers=2))
    assert [r.index for r in at_once] == [r.index for r in one_at_a_time]
    assert [s.text for r in at_once for s in r.segments] == [s.text for r in one_at_a_time for s in r.segments]
