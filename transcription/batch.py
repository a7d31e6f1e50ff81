"""Transcribe a long recording chunk by chunk, reporting progress, with absolute times.

Each yielded `ChunkResult` can be stored in its own transaction: `(chunk index, segment order)`
is a stable key for the same file, chunk length and model, so a job that is retried (or
redelivered after a worker died) can skip the chunks already stored with `start_chunk`.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Generator, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path

from transcription.audio import AudioChunk, iter_chunks, probe
from transcription.memory import release_freed_memory
from transcription.types import AudioArray, Segment, Transcriber, Transcript

ProgressCallback = Callable[[float, float], None]
"""Called with (seconds of audio done, total seconds) after each chunk has been handed over."""


@dataclass(frozen=True, slots=True)
class ChunkResult:
    index: int
    start_s: float
    end_s: float
    segments: tuple[Segment, ...]
    samples: AudioArray | None = field(default=None, repr=False, compare=False)
    """The chunk's audio, for what else needs it (speaker separation); dropped with the result."""

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
    workers: int = 1,
) -> Generator[ChunkResult, None, None]:
    """Probe the file (raising `AudioError` before any work), then yield each chunk's segments.

    Progress is reported after the caller has taken a chunk (when the generator resumes), so
    "done" means "handed over", e.g. stored; chunks before `start_chunk` are decoded but not
    transcribed.

    `workers` chunks are transcribed at once, each in its own thread, and handed over in order;
    the transcriber must take concurrent calls (`WhisperTranscriber(workers=...)` runs them in
    parallel). A decoding step of tiny.en is too small to keep two threads busy, so two chunks at
    once beat one chunk on two threads: on 2 cores (dev calls, the same text) the real-time factor
    went 0.071 -> 0.055 with two chunks on 2 threads each, 0.052 on 1 thread each; the peak rose
    ~320 -> ~410 MiB (two chunks' decoder state).
    """
    if workers < 1:
        raise ValueError(f"workers must be at least 1, not {workers}")
    total_s = probe(path).duration_s
    if on_progress:
        on_progress(0.0, total_s)
    pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="transcribe-chunk")
    # Chunks in file order, each with its transcription (None: before start_chunk); at most
    # `workers` are being transcribed, so memory holds that many chunks whatever the file's length.
    queued: deque[_Queued] = deque()
    try:
        for chunk in iter_chunks(path, chunk_s=chunk_s):
            work = pool.submit(_transcribe_chunk, transcriber, chunk) if chunk.index >= start_chunk else None
            samples = chunk.samples if work is not None else None
            queued.append(_Queued(chunk.index, chunk.start_s, chunk.end_s, work, samples))
            while sum(q.work is not None for q in queued) >= workers or (queued and queued[0].work is None):
                yield from _hand_over(queued.popleft(), total_s, on_progress)
        while queued:
            yield from _hand_over(queued.popleft(), total_s, on_progress)
    finally:
        # Reached too when the caller stops early (a job told to stop): wait for the chunks being
        # transcribed (a few seconds) so no thread outlives the job, and start no new one.
        pool.shutdown(wait=True, cancel_futures=True)


def _transcribe_chunk(transcriber: Transcriber, chunk: AudioChunk) -> tuple[Segment, ...]:
    segments = transcriber.transcribe(chunk.samples, offset_s=chunk.start_s)
    release_freed_memory()  # keeps a 2-hour file's memory flat (see transcription/memory.py)
    # Whisper may place an end slightly past the audio it saw; clamp so segments of consecutive
    # chunks never overlap and stored order equals time order.
    return tuple(_clamped(s, chunk.start_s, chunk.end_s) for s in segments)


@dataclass(frozen=True, slots=True)
class _Queued:
    index: int
    start_s: float
    end_s: float
    work: Future[tuple[Segment, ...]] | None  # None: a chunk before start_chunk
    samples: AudioArray | None


def _hand_over(queued: _Queued, total_s: float, on_progress: ProgressCallback | None) -> Iterator[ChunkResult]:
    if queued.work is not None:
        yield ChunkResult(queued.index, queued.start_s, queued.end_s, queued.work.result(), queued.samples)
    if on_progress:
        on_progress(min(queued.end_s, total_s), total_s)


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
