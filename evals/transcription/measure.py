"""Transcribe one file the way an upload job does, in a fresh process, and print what it cost.

A separate process so that peak RSS is the transcription's own, not the eval harness's.

    python -m evals.transcription.measure FILE [--threads 2] [--workers 2] [--chunk-s 60] [--nice 19] [--speakers]

Threads, workers and nice default to the service's settings (DEBRIEF_WHISPER_THREADS,
_UPLOAD_WORKERS, _UPLOAD_NICE). With --speakers it also separates speakers chunk by chunk as the
job does (service/jobs/speakers.py: embed in the job's thread while the next chunks are
transcribed, then number), and prints each segment's speaker and word times.
"""

from __future__ import annotations

import argparse
import json
import resource
import time
from pathlib import Path
from typing import Any

from service.settings import Settings
from transcription.batch import transcribe_file
from transcription.speakers import Speaker, assign_speakers, segment_voices
from transcription.types import SAMPLE_RATE, Segment
from transcription.voice_encoder import VoiceEncoder
from transcription.voice_weights import load_voice_weights
from transcription.whisper import WhisperTranscriber


def peak_rss_mib() -> float:
    """Return this process's own peak resident memory, in MiB.

    Not `getrusage().ru_maxrss` alone: on Linux a process started by fork or vfork and exec
    keeps its parent's peak there (the kernel carries the larger across exec), so each file
    the eval harness measured reported the harness's own peak as the transcription's. The
    harness builds the 60-minute WAV in memory (~730 MiB): that was the "743 MiB" 60-minute
    peak; the transcription's own was 339. VmHWM in /proc/self/status is this process's alone.
    """
    return _proc_status_mib("VmHWM") or resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _proc_status_mib(field: str) -> float | None:
    try:
        lines = Path("/proc/self/status").read_text().splitlines()
    except OSError:  # not Linux
        return None
    values = [line.split()[1] for line in lines if line.startswith(f"{field}:")]
    return int(values[0]) / 1024 if values else None


def main() -> None:
    whisper = Settings().whisper
    parser = argparse.ArgumentParser()
    parser.add_argument("path")
    parser.add_argument("--threads", type=int, default=whisper.threads)
    parser.add_argument("--workers", type=int, default=whisper.upload_workers, help="chunks at once")
    parser.add_argument("--chunk-s", type=float, default=whisper.chunk_s)
    parser.add_argument("--nice", type=int, default=whisper.upload_nice, help="the model's CPU priority")
    parser.add_argument("--speakers", action="store_true", help="separate speakers as an upload job does")
    args = parser.parse_args()
    encoder = VoiceEncoder(load_voice_weights()) if args.speakers else None
    speakers: list[Speaker] = []
    labelled: list[dict[str, Any]] = []
    transcriber = WhisperTranscriber(cpu_threads=args.threads, workers=args.workers, nice=args.nice)
    transcriber.load()
    after_load = _proc_status_mib("VmRSS")
    wall, cpu = time.perf_counter(), time.process_time()
    texts, end_s = [], 0.0
    for chunk in transcribe_file(args.path, transcriber, chunk_s=args.chunk_s, workers=args.workers):
        texts += [s.text for s in chunk.segments]  # kept like a job keeps them: stored, then dropped
        end_s = chunk.end_s
        if encoder is not None and chunk.samples is not None:
            voices = segment_voices(encoder, chunk.samples, chunk.start_s, chunk.segments, sample_rate=SAMPLE_RATE)
            numbers = assign_speakers(voices, speakers, threshold=whisper.speaker_threshold)
            labelled += [_labelled(segment, number) for segment, number in zip(chunk.segments, numbers, strict=True)]
    result = {
        "duration_s": end_s,
        "wall_s": time.perf_counter() - wall,
        "cpu_s": time.process_time() - cpu,
        "peak_rss_mib": peak_rss_mib(),
        "rss_after_load_mib": after_load,
        "model": transcriber.model_name,
        "threads": args.threads,
        "workers": args.workers,
        "text": " ".join(texts),
        "speakers": len(speakers) if encoder is not None else None,
        "segments": labelled,
    }
    print(json.dumps(result))


def _labelled(segment: Segment, number: int | None) -> dict[str, Any]:
    return {"speaker": number, "words": [[w.start, w.end] for w in segment.words] or [[segment.start, segment.end]]}


if __name__ == "__main__":
    main()
