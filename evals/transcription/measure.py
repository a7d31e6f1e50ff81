"""Transcribe one file the way an upload job does, in a fresh process, and print what it cost.

A separate process so that peak RSS is the transcription's own, not the eval harness's.

    python -m evals.transcription.measure FILE [--threads 2] [--chunk-s 60]
"""

from __future__ import annotations

import argparse
import json
import resource
import time

from transcription.batch import transcribe_file
from transcription.whisper import WhisperTranscriber


def _rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("path")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--chunk-s", type=float, default=60.0)
    args = parser.parse_args()
    transcriber = WhisperTranscriber(cpu_threads=args.threads)
    transcriber.load()
    after_load = _rss_mib()
    wall, cpu = time.perf_counter(), time.process_time()
    texts, end_s = [], 0.0
    for chunk in transcribe_file(args.path, transcriber, chunk_s=args.chunk_s):
        texts += [s.text for s in chunk.segments]  # kept like a job keeps them: stored, then dropped
        end_s = chunk.end_s
    result = {
        "duration_s": end_s,
        "wall_s": time.perf_counter() - wall,
        "cpu_s": time.process_time() - cpu,
        "peak_rss_mib": _rss_mib(),
        "rss_after_load_mib": after_load,
        "model": transcriber.model_name,
        "text": " ".join(texts),
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
