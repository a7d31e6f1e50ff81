"""Say where an upload's time and peak memory go, chunk by chunk and model call by model call.

For each chunk: wall time, resident memory after, the chunk's own peak (Linux resets the
high-water mark when 5 is written to /proc/self/clear_refs), the glibc heap's size and free
space (mallinfo2), and every CTranslate2 call inside it (encode, generate at each temperature
tried, align) with how far it raised the chunk's peak. A chunk whose decode needed a temperature fallback shows one
generate per temperature tried.

    python -m evals.transcription.chunk_profile FILE [--threads 2] [--chunk-s 60] [--fallback]

Prints one JSON line per chunk, then a summary line. Figures, not assertions: run it under the
shared CPU lock.
"""

from __future__ import annotations

import argparse
import ctypes
import json
import resource
import time
from pathlib import Path
from typing import Any

from transcription.batch import transcribe_file
from transcription.filters import compression_ratio
from transcription.whisper import NO_REPEAT_NGRAM_SIZE, WhisperTranscriber


class _MallInfo2(ctypes.Structure):
    _fields_ = [(name, ctypes.c_size_t) for name in
                ("arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks", "fsmblks", "uordblks", "fordblks",
                 "keepcost")]  # fmt: skip


_LIBC = ctypes.CDLL("libc.so.6")
_LIBC.mallinfo2.restype = _MallInfo2


def _status() -> dict[str, float]:
    fields = {}
    for line in Path("/proc/self/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM", "RssAnon", "RssFile"):
            fields[key] = int(value.split()[0]) / 1024
    return fields


def _reset_peak() -> None:
    Path("/proc/self/clear_refs").write_text("5")


def _heap() -> dict[str, float]:
    info = _LIBC.mallinfo2()
    mib = 1 << 20
    return {"heap_mib": round(info.arena / mib, 1), "heap_free_mib": round(info.fordblks / mib, 1),
            "mmapped_mib": round(info.hblkhd / mib, 1), "mmapped_blocks": info.hblks}  # fmt: skip


class _RecordingModel:
    """Forwards to a ctranslate2 Whisper model, recording each call's time, peak and options."""

    def __init__(self, model: Any, calls: list[dict[str, Any]], decode: Any) -> None:
        self._model = model
        self._calls = calls
        self._decode = decode

    def __getattr__(self, name: str) -> Any:
        return getattr(self._model, name)

    def _record(self, name: str, fn: Any, *args: Any, **kwargs: Any) -> Any:
        # The chunk's high-water mark is not reset here, so a peak reached between calls (VAD,
        # features, Python) still counts for the chunk: a call "set" the peak if it raised it.
        before = _status()["VmHWM"]
        started = time.perf_counter()
        result = fn(*args, **kwargs)
        after = _status()["VmHWM"]
        entry = {"call": name, "s": round(time.perf_counter() - started, 3), "peak_mib": round(after),
                 "raised_mib": round(after - before)}  # fmt: skip
        if name == "generate":
            entry["temperature"] = kwargs.get("sampling_temperature", 0.0)
            entry["hypotheses"] = kwargs.get("num_hypotheses", kwargs.get("beam_size"))
            best = result[0]
            tokens = best.sequences_ids[0]
            entry["tokens"] = max(len(ids) for r in result for ids in r.sequences_ids)
            # faster-whisper's own fallback signals (length_penalty 1): mean log-prob, zlib ratio
            entry["avg_logprob"] = round(best.scores[0] * len(tokens) / (len(tokens) + 1), 2)
            entry["compression"] = round(compression_ratio(self._decode(tokens)), 2)
            entry["no_speech"] = round(best.no_speech_prob, 2)
        if name == "align":
            entry["text_tokens"] = sum(len(t) for t in args[2]) if len(args) > 2 else None
        self._calls.append(entry)
        return result

    def encode(self, *args: Any, **kwargs: Any) -> Any:
        return self._record("encode", self._model.encode, *args, **kwargs)

    def generate(self, *args: Any, **kwargs: Any) -> Any:
        return self._record("generate", self._model.generate, *args, **kwargs)

    def align(self, *args: Any, **kwargs: Any) -> Any:
        return self._record("align", self._model.align, *args, **kwargs)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("path")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--chunk-s", type=float, default=60.0)
    parser.add_argument("--fallback", action="store_true", help="Whisper's temperature fallback (off by default)")
    parser.add_argument("--no-repeat-ngram", type=int, default=NO_REPEAT_NGRAM_SIZE)
    args = parser.parse_args()
    transcriber = WhisperTranscriber(
        cpu_threads=args.threads, fallback=args.fallback, no_repeat_ngram_size=args.no_repeat_ngram
    )
    transcriber.load()
    whisper = transcriber._loaded.model  # a profiler looks inside
    assert whisper is not None  # loaded just above
    calls: list[dict[str, Any]] = []
    whisper.model = _RecordingModel(whisper.model, calls, whisper.hf_tokenizer.decode)
    after_load = _status()["VmRSS"]
    wall, cpu = time.perf_counter(), time.process_time()
    peaks = []
    _reset_peak()
    started = time.perf_counter()
    duration = 0.0
    for chunk in transcribe_file(args.path, transcriber, chunk_s=args.chunk_s):
        status = _status()
        generates = [c for c in calls if c["call"] == "generate"]
        row = {
            "chunk": chunk.index, "s": round(time.perf_counter() - started, 2),
            "peak_mib": round(status["VmHWM"]),
            "rss_mib": round(status["VmRSS"]),
            "windows": sum(1 for c in calls if c["call"] == "encode"),
            "fallback_decodes": sum(1 for c in generates if c["temperature"] > 0),
            "max_temperature": max((c["temperature"] for c in generates), default=None),
            "words": sum(len(s.text.split()) for s in chunk.segments),
            "peak_set_by": max(calls, key=lambda c: c["raised_mib"], default=None),
            # where the chunk's time went; "other" is VAD, log-mel features and Python
            **{f"{name}_s": round(sum(c["s"] for c in calls if c["call"] == name), 2)
               for name in ("encode", "generate", "align")},
            "generates": [{k: c[k] for k in ("s", "peak_mib", "temperature", "tokens", "avg_logprob", "compression")}
                          for c in generates] if any(c["temperature"] > 0 for c in generates) else None,
            **_heap(),
        }  # fmt: skip
        print(json.dumps(row), flush=True)
        peaks.append(row)
        duration = chunk.end_s
        calls.clear()
        _reset_peak()
        started = time.perf_counter()
    summary = {
        "duration_s": round(duration, 1),
        "rtf": round((time.perf_counter() - wall) / duration, 3),
        "cpu_rtf": round((time.process_time() - cpu) / duration, 3),
        "rss_after_load_mib": round(after_load),
        "max_chunk_peak_mib": max(p["peak_mib"] for p in peaks),
        "process_peak_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "chunks_with_fallback": sum(1 for p in peaks if p["fallback_decodes"]),
        "chunks": len(peaks),
    }
    print(json.dumps(summary), flush=True)


if __name__ == "__main__":
    main()
