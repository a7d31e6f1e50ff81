"""Transcribe a long recording chunk by chunk, reporting progress, with absolute times.

Each yielded `ChunkResult` can be stored in its own transaction: `(chunk index, segment order)`
is a stable key for the same file, chunk length and model, so a job that is retried (or
redelivered after a worker died) can skip the chunks already stored with `start_chunk`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path

from transcription.audio import iter_chunks, probe
from transcription.memory import release_freed_memory
from transcription.types import Segment, Transcriber, Transcript

ProgressCallback = Callable[[float, float], None]
"""Called with (seconds of audio done, total seconds) after each chunk has been handed over."""


@dataclass(frozen=True, slots=True)
class ChunkResult:
    index: int
    start_s: float
    end_s: float
    segments: tuple[Segment, ...]

    def segment_keys(self) -> list[tuple[int, int]]:
        """Return the stable (chunk index, order) key of each segment, for idempotent storage."""
        return [(self.index, order) for order in range(len(self.segments))]


def transcribe_file(
    path: str | Path,
    transcriber: Transcriber,
    *,
    chunk_s: float = 60.0,
    start_chunk: int = 0,
    on_progress: ProgressCallback | None = None,
) -> Iterator[ChunkResult]:
    """Probe the file (raising `AudioError` before any work), then yield each chunk's segments.

    Progress is reported after the caller has taken a chunk (when the generator resumes), so
    "done" means "handed over", e.g. stored; chunks before `start_chunk` are decoded but not
    transcribed.
    """
    total_s = probe(path).duration_s
    if on_progress:
        on_progress(0.0, total_s)
    for chunk in iter_chunks(path, chunk_s=chunk_s):
        if chunk.index >= start_chunk:
            segments = transcriber.transcribe(chunk.samples, offset_s=chunk.start_s)
            release_freed_memory()  # keeps a 2-hour file's memory flat (see transcription/memory.py)
            # Whisper may place an end slightly past the audio it saw; clamp so segments of
            # consecutive chunks never overlap and stored order equals time order.
            yield ChunkResult(chunk.index, chunk.start_s, chunk.end_s,
                              tuple(_clamped(s, chunk.start_s, chunk.end_s) for s in segments))  # fmt: skip
        if on_progress:
            on_progress(min(chunk.end_s, total_s), total_s)


def transcribe_to_transcript(path: str | Path, transcriber: Transcriber, *, chunk_s: float = 60.0) -> Transcript:
    """Transcribe a whole file into one `Transcript` (for scripts and evals)."""
    segments: list[Segment] = []
    end_s = 0.0
    for result in transcribe_file(path, transcriber, chunk_s=chunk_s):
        segments.extend(result.segments)
        end_s = result.end_s
    return Transcript(duration_s=end_s, model=transcriber.model_name, segments=tuple(segments))


def _clamped(segment: Segment, start_s: float, end_s: float) -> Segment:
    if start_s <= segment.start and segment.end <= end_s:
        return segment
    return replace(segment, start=max(segment.start, start_s), end=min(segment.end, end_s))
