"""Batch figures: WER and numbers kept per voice, real-time factor, peak RSS, 60-min vs 10-min memory."""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

from evals.suite import Figure
from evals.transcription.voices import Speaker, loop_to, write_wav
from transcription.text import normalise_text, word_error_rate

REPO = Path(__file__).resolve().parents[2]


def measure(path: Path, *extra: str) -> dict[str, Any]:
    """Transcribe `path` in a fresh process (see measure.py; `extra` are its options) and return its costs and text."""
    done = subprocess.run(
        [sys.executable, "-m", "evals.transcription.measure", str(path), *extra],
        cwd=REPO, check=True, capture_output=True, text=True,
    )  # fmt: skip
    return json.loads(done.stdout.strip().splitlines()[-1])


def numbers_kept(reference: str, hypothesis: str) -> tuple[int, int, list[str]]:
    """Count the reference's number tokens also in the hypothesis (as a multiset); list the lost ones."""
    ref = Counter(t for t in normalise_text(reference) if any(c.isdigit() for c in t))
    hyp = Counter(t for t in normalise_text(hypothesis) if any(c.isdigit() for c in t))
    return sum((ref & hyp).values()), sum(ref.values()), sorted((ref - hyp).elements())


def accuracy(cases: list[dict[str, Any]], voice_set: str, workdir: Path) -> tuple[list[Figure], list[dict[str, Any]]]:
    """Speak each call with `voice_set`, transcribe it as an upload would be, score it."""
    speaker = Speaker(voice_set, workdir)
    rows, refs, hyps = [], [], []
    totals: Counter[str] = Counter()
    peak = 0.0
    for case in cases:
        audio, reference, _ = speaker.call(case)
        path = write_wav(audio, workdir / f"{case['id']}-{voice_set}.wav")
        result = measure(path)
        path.unlink()
        kept, spoken, lost = numbers_kept(reference, result["text"])
        rows.append({
            "voice": voice_set, "call": case["id"], "audio_s": round(result["duration_s"], 1),
            "RTF": round(result["wall_s"] / result["duration_s"], 3),
            "CPU RTF": round(result["cpu_s"] / result["duration_s"], 3),
            "WER": round(word_error_rate(reference, result["text"]), 3),
            "numbers kept": f"{kept}/{spoken}", "numbers lost": " ".join(lost),
        })  # fmt: skip
        totals.update(audio=result["duration_s"], wall=result["wall_s"], cpu=result["cpu_s"], kept=kept, spoken=spoken)
        peak = max(peak, result["peak_rss_mib"])
        refs.append(reference)
        hyps.append(result["text"])
    wer = word_error_rate(" ".join(refs), " ".join(hyps))
    rtf = totals["wall"] / totals["audio"]
    figures = [
        Figure(f"WER, {voice_set} ({len(cases)} calls, {totals['audio'] / 60:.1f} min)", round(wer, 3)),
        Figure(
            f"numbers kept, {voice_set}",
            f"{totals['kept']}/{totals['spoken']}",
            "every one",
            totals["kept"] == totals["spoken"],
        ),
        Figure(f"real-time factor (wall), {voice_set}", round(rtf, 3), "<= 0.06", rtf <= 0.06),
        Figure(f"real-time factor (CPU time / audio), {voice_set}", round(totals["cpu"] / totals["audio"], 3)),
        Figure(f"peak RSS MiB, {voice_set}", round(peak), "<= 600", peak <= 600),
    ]
    return figures, rows


def memory_flatness(cases: list[dict[str, Any]], workdir: Path, *, short_min: float, long_min: float) -> list[Figure]:
    """Peak RSS transcribing a long file vs a short one made of the same speech (memory must stay flat)."""
    speaker = Speaker("espeak-ng", workdir)
    speech, _, _ = speaker.call(cases[0])
    results = {}
    for minutes in (short_min, long_min):
        path = write_wav(loop_to(speech, minutes * 60), workdir / f"loop-{minutes:g}min.wav")
        results[minutes] = measure(path)
        path.unlink()
    short, long = results[short_min], results[long_min]
    ratio = long["peak_rss_mib"] / short["peak_rss_mib"]
    return [
        Figure(f"peak RSS MiB, {short_min:g}-min file", round(short["peak_rss_mib"])),
        Figure(f"peak RSS MiB, {long_min:g}-min file", round(long["peak_rss_mib"])),
        Figure(f"peak RSS ratio {long_min:g} min / {short_min:g} min", round(ratio, 3), "<= 1.3", ratio <= 1.3),
        Figure(f"real-time factor (wall), {long_min:g}-min file", round(long["wall_s"] / long["duration_s"], 3)),
    ]
