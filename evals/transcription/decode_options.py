"""Compare Whisper decoding options on the dev calls: WER and numbers per voice, time, fallbacks, peak.

Used to choose how uploads decode (see `WhisperTranscriber`). Each option transcribes the same
audio, chunk by chunk as an upload job does, in one process (one model load); a chunk's peak is
measured by resetting the kernel's high-water mark (/proc/self/clear_refs) before it.

    python -m evals.transcription.decode_options [--calls 3] [--extra FILE ...]

Figures, not assertions: run it under the shared CPU lock.
"""

from __future__ import annotations

import argparse
import json
import time
from collections import Counter
from pathlib import Path
from typing import Any

from evals.suite import review_calls
from evals.transcription.batch import numbers_kept
from evals.transcription.voices import Speaker, available_voices, write_wav
from transcription.batch import transcribe_file
from transcription.text import word_error_rate
from transcription.whisper import WhisperTranscriber

WHISPER_RULE = {"temperature": [0.0, 0.2, 0.4, 0.6, 0.8, 1.0]}
OPTIONS: dict[str, dict[str, Any]] = {
    "fallback 0-1.0, best_of 5 (Whisper's rule)": WHISPER_RULE,
    "no fallback": {"temperature": [0.0]},
    "no fallback, repetition_penalty 1.05": {"temperature": [0.0], "repetition_penalty": 1.05},
    "no fallback, repetition_penalty 1.1": {"temperature": [0.0], "repetition_penalty": 1.1},
    "no fallback, no_repeat_ngram 6 (the default)": {"temperature": [0.0], "no_repeat_ngram_size": 6},
    "no fallback, no_repeat_ngram 6, beam 3": {"temperature": [0.0], "no_repeat_ngram_size": 6, "beam_size": 3},
    "no fallback, no_repeat_ngram 6, beam 2": {"temperature": [0.0], "no_repeat_ngram_size": 6, "beam_size": 2},
}
"""Each option starts from faster-whisper's defaults for these keys (no_repeat_ngram_size 0)."""


def _peak_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _speak_calls(count: int, workdir: Path) -> list[tuple[str, Path, str]]:
    cases = review_calls()
    spoken = []
    for voice_set, status in available_voices().items():
        if status != "ok":
            continue
        speaker = Speaker(voice_set, workdir)
        for case in cases[:count]:
            path = workdir / f"{case['id']}-{voice_set}.wav"
            audio, reference, _ = speaker.call(case)
            if not path.exists():
                write_wav(audio, path)
            spoken.append((voice_set, path, reference))
    return spoken


def _run(transcriber: WhisperTranscriber, overrides: dict[str, Any], path: Path) -> dict[str, Any]:
    whisper = transcriber._loaded.model  # an eval swaps decoding options
    assert whisper is not None
    original = whisper.transcribe
    fallbacks = Counter[str]()

    def with_options(audio: Any, **kwargs: Any) -> Any:
        kwargs.update({"no_repeat_ngram_size": 0, **overrides})
        segments, info = original(audio, **kwargs)

        def counted() -> Any:
            for segment in segments:
                fallbacks["segments"] += 1
                fallbacks["at_temperature"] += segment.temperature > 0
                yield segment

        return counted(), info

    whisper.transcribe = with_options  # type: ignore[method-assign]
    Path("/proc/self/clear_refs").write_text("5")
    started = time.perf_counter()
    texts, end_s = [], 0.0
    try:
        for chunk in transcribe_file(path, transcriber):
            texts += [s.text for s in chunk.segments]
            end_s = chunk.end_s
    finally:
        whisper.transcribe = original  # type: ignore[method-assign]
    return {"text": " ".join(texts), "wall_s": time.perf_counter() - started, "audio_s": end_s,
            "peak_mib": _peak_mib(), "sampled_segments": fallbacks["at_temperature"]}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--calls", type=int, default=3)
    parser.add_argument("--workdir", default="/tmp/debrief-decode-options")
    parser.add_argument("--extra", nargs="*", default=[], help="more files (no reference): time and peak only")
    parser.add_argument("--only", nargs="*", help="option names to run")
    args = parser.parse_args()
    workdir = Path(args.workdir)
    workdir.mkdir(exist_ok=True)
    spoken = _speak_calls(args.calls, workdir)
    transcriber = WhisperTranscriber(cpu_threads=2)
    transcriber.load()
    for name, overrides in OPTIONS.items():
        if args.only and name not in args.only:
            continue
        per_voice: dict[str, dict[str, Any]] = {}
        for voice_set, path, reference in spoken:
            result = _run(transcriber, overrides, path)
            kept, total, lost = numbers_kept(reference, result["text"])
            row = per_voice.setdefault(voice_set, {"refs": [], "hyps": [], "kept": 0, "total": 0, "lost": [],
                                                   "wall": 0.0, "audio": 0.0, "peak": 0.0, "sampled": 0})  # fmt: skip
            row["refs"].append(reference)
            row["hyps"].append(result["text"])
            row["kept"] += kept
            row["total"] += total
            row["lost"] += [f"{path.stem}:{n}" for n in lost]
            row["wall"] += result["wall_s"]
            row["audio"] += result["audio_s"]
            row["peak"] = max(row["peak"], result["peak_mib"])
            row["sampled"] += result["sampled_segments"]
        for voice_set, row in per_voice.items():
            print(json.dumps({
                "option": name, "voice": voice_set,
                "WER": round(word_error_rate(" ".join(row["refs"]), " ".join(row["hyps"])), 3),
                "numbers": f"{row['kept']}/{row['total']}", "RTF": round(row["wall"] / row["audio"], 3),
                "peak_mib": round(row["peak"]), "sampled_segments": row["sampled"], "lost": row["lost"],
            }), flush=True)  # fmt: skip
        for extra in args.extra:
            result = _run(transcriber, overrides, Path(extra))
            print(json.dumps({"option": name, "file": Path(extra).name,
                              "RTF": round(result["wall_s"] / result["audio_s"], 3),
                              "peak_mib": round(result["peak_mib"]),
                              "sampled_segments": result["sampled_segments"]}), flush=True)  # fmt: skip


if __name__ == "__main__":
    main()
