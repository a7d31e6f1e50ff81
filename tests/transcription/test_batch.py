from __future__ import annotations

from itertools import pairwise
from pathlib import Path

import numpy as np
import pytest

from transcription.audio import decode_audio
from transcription.batch import transcribe_file, transcribe_to_transcript
from transcription.errors import NotAudioError
from transcription.text import normalise_text, word_error_rate
from transcription.types import SAMPLE_RATE

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
