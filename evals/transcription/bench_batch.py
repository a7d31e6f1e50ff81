"""Benchmark batch transcription on synthesised review calls: real-time factor, peak RSS, WER.

Each call in /work/shared/evals-data/cases (or --cases) is spoken turn by turn with espeak-ng,
one voice per speaker, and transcribed through `transcribe_file` exactly as an upload would be.
Prints figures; asserts nothing (timings depend on the machine).

    .venv/bin/python evals/transcription/bench_batch.py --calls 3 --threads 2
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import wave
from collections import Counter
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # run from anywhere in the repo

from transcription.audio import decode_audio
from transcription.batch import transcribe_file
from transcription.text import normalise_text, word_error_rate
from transcription.types import SAMPLE_RATE
from transcription.whisper import WhisperTranscriber

DEFAULT_CASES = Path("/work/shared/evals-data/cases")
VOICES = {"male": ["en-us", "en-gb", "en-gb-x-rp", "en-us-nyc"],
          "female": ["en-us+f3", "en-gb+f2", "en-us+f4", "en-gb-x-rp+f1"]}  # fmt: skip
TURN_GAP_S = 0.4


def synthesise_call(case: dict, directory: Path, espeak: str) -> tuple[Path, str]:
    """Speak every turn with its speaker's voice; return the WAV and the reference text."""
    hints = {p["name"]: p.get("voice_hint", "male") for p in case["participants"]}
    assigned: dict[str, str] = {}
    used = Counter[str]()
    pieces = []
    for number, turn in enumerate(case["turns"]):
        speaker = turn["speaker"]
        if speaker not in assigned:
            kind = hints.get(speaker, "male")
            assigned[speaker] = VOICES[kind][used[kind] % len(VOICES[kind])]
            used[kind] += 1
        path = directory / f"turn-{number}.wav"
        subprocess.run([espeak, "-v", assigned[speaker], "-w", str(path), turn["text"]],
                       check=True, capture_output=True)  # fmt: skip
        pieces += [decode_audio(path), np.zeros(int(TURN_GAP_S * SAMPLE_RATE), np.float32)]
    audio = np.concatenate(pieces)
    out = directory / f"{case['id']}.wav"
    with wave.open(str(out), "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(SAMPLE_RATE)
        wav.writeframes((np.clip(audio, -1, 1) * 32767).astype("<i2").tobytes())
    return out, " ".join(turn["text"] for turn in case["turns"])


def numbers_kept(reference: str, hypothesis: str) -> tuple[int, int, list[str]]:
    """Count reference number tokens also in the hypothesis (as a multiset); list the missing."""
    ref = Counter(t for t in normalise_text(reference) if any(c.isdigit() for c in t))
    hyp = Counter(t for t in normalise_text(hypothesis) if any(c.isdigit() for c in t))
    return sum((ref & hyp).values()), sum(ref.values()), sorted((ref - hyp).elements())


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=Path, default=DEFAULT_CASES)
    parser.add_argument("--calls", type=int, default=3, help="how many calls, shortest first")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--beam", type=int, default=5)
    parser.add_argument("--chunk-s", type=float, default=60.0)
    parser.add_argument("--model", default=None, help="model directory or name (default bundled)")
    args = parser.parse_args()

    espeak = shutil.which("espeak-ng")
    if espeak is None:
        sys.exit("espeak-ng is not installed: apt-get install -y espeak-ng")
    cases = [json.loads(p.read_text()) for p in sorted(args.cases.glob("*.json"))]
    cases.sort(key=lambda c: sum(len(t["text"].split()) for t in c["turns"]))
    cases = cases[: args.calls]

    with tempfile.TemporaryDirectory() as tmp:
        calls = [synthesise_call(case, Path(tmp), espeak) for case in cases]
        rss_before = peak_rss_mib()
        transcriber = WhisperTranscriber(model=args.model, cpu_threads=args.threads,
                                         beam_size=args.beam)  # fmt: skip
        started = time.perf_counter()
        transcriber.load()
        load_s = time.perf_counter() - started
        print(f"model {transcriber.model_name}  threads={args.threads} beam={args.beam} "
              f"chunk={args.chunk_s:.0f}s  load {load_s:.2f} s")  # fmt: skip
        # "CPU RTF" divides process CPU time by audio time: unlike wall time, it does not grow
        # when other work shares the machine (it counts every thread, so it is >= wall RTF).
        print(f"{'call':32} {'audio s':>8} {'wall s':>7} {'RTF':>6} {'CPU RTF':>8} {'WER':>6} "
              f"{'numbers':>8}")  # fmt: skip
        totals: dict[str, float] = dict.fromkeys(["audio", "proc", "cpu", "kept", "spoken"], 0.0)
        all_ref, all_hyp = [], []
        for case, (path, reference) in zip(cases, calls, strict=True):
            started, cpu_started = time.perf_counter(), time.process_time()
            segments = [s for r in transcribe_file(path, transcriber, chunk_s=args.chunk_s)
                        for s in r.segments]  # fmt: skip
            elapsed = time.perf_counter() - started
            cpu = time.process_time() - cpu_started
            hypothesis = " ".join(s.text for s in segments)
            duration = len(decode_audio(path)) / SAMPLE_RATE
            kept, spoken, missing = numbers_kept(reference, hypothesis)
            wer = word_error_rate(reference, hypothesis)
            print(f"{case['id']:32} {duration:8.1f} {elapsed:7.1f} {elapsed / duration:6.3f} "
                  f"{cpu / duration:8.3f} {wer:6.3f} {kept:>3}/{spoken:<4}")  # fmt: skip
            if missing:
                print(f"{'':32} numbers not heard: {' '.join(missing[:12])}")
            for key, value in {"audio": duration, "proc": elapsed, "cpu": cpu, "kept": kept, "spoken": spoken}.items():
                totals[key] += value
            all_ref.append(reference)
            all_hyp.append(hypothesis)
        overall_wer = word_error_rate(" ".join(all_ref), " ".join(all_hyp))
        print(f"{'TOTAL':32} {totals['audio']:8.1f} {totals['proc']:7.1f} "
              f"{totals['proc'] / totals['audio']:6.3f} {totals['cpu'] / totals['audio']:8.3f} "
              f"{overall_wer:6.3f} "
              f"{totals['kept']:>3.0f}/{totals['spoken']:<4.0f}")  # fmt: skip
        print(f"peak RSS {peak_rss_mib():.0f} MiB (before loading the model: {rss_before:.0f} MiB)")


if __name__ == "__main__":
    main()
