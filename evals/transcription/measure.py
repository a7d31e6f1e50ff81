"""Transcribe one file the way an upload job does, in a fresh process, and print what it cost.

A separate process so that peak RSS is the transcription's own, not the eval harness's.

    python -m evals.transcription.measure FILE [--threads 2] [--workers 2] [--chunk-s 60] [--nice 19]

Threads, workers and nice default to the service's settings (DEBRIEF_WHISPER_THREADS,
_UPLOAD_WORKERS, _UPLOAD_NICE).
"""

from __future__ import annotations

import argparse
import json
import resource
import time
from pathlib import Path

from service.settings import Settings
from transcription.batch import transcribe_file
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
    args = parser.parse_args()
    transcriber = WhisperTranscriber(cpu_threads=args.threads, workers=args.workers, nice=args.nice)
    transcriber.load()
    after_load = _proc_status_mib("VmRSS")
    wall, cpu = time.perf_counter(), time.process_time()
    texts, end_s = [], 0.0
    for chunk in transcribe_file(args.path, transcriber, chunk_s=args.chunk_s, workers=args.workers):
        texts += [s.text for s in chunk.segments]  # kept like a job keeps them: stored, then dropped
        end_s = chunk.end_s
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
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
