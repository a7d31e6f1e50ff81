"""Batch figures: WER and numbers kept per voice, real-time factor, peak RSS, 60-min vs 10-min memory."""

from __future__ import annotations

import json
import re
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
    """Count the reference's numbers also in the hypothesis (as a multiset); list the lost ones.

    A clock time counts as one number, kept however Whisper writes it: "04:10" as "4:10", "4.10",
    "410", "4-10" or "four ten". Split into tokens, its leading zero ("04") could never match and
    one time was scored as two numbers lost.
    """
    times = [m.group(0) for m in _CLOCK.finditer(reference)]
    ref = Counter(t for t in normalise_text(_CLOCK.sub(" ", reference)) if _is_number(t))
    wanted = Counter(_clock_digits(time) for time in times)
    rest: list[str] = []
    tokens = normalise_text(hypothesis)
    i = 0
    while i < len(tokens):
        pair = tokens[i] + tokens[i + 1] if i + 1 < len(tokens) and _is_minutes(tokens[i + 1]) else None
        if pair is not None and tokens[i].isdigit() and _take(wanted, pair.lstrip("0")):
            i += 2
            continue
        if not (re.fullmatch(r"\d{1,2}\.?\d{2}", tokens[i]) and _take(wanted, tokens[i].replace(".", "").lstrip("0"))):
            rest.append(tokens[i])
        i += 1
    lost_times = [time for time in times if _take(wanted, _clock_digits(time))]
    hyp = Counter(t for t in rest if _is_number(t))
    kept = sum((ref & hyp).values()) + len(times) - len(lost_times)
    return kept, sum(ref.values()) + len(times), sorted([*(ref - hyp).elements(), *lost_times])


_CLOCK = re.compile(r"(?<![\d:.])\d{1,2}:\d{2}(?![\d:])")


def _clock_digits(time: str) -> str:
    return time.replace(":", "").lstrip("0")


def _is_number(token: str) -> bool:
    return any(c.isdigit() for c in token)


def _is_minutes(token: str) -> bool:
    return len(token) == 2 and token.isdigit()


def _take(remaining: Counter[str], key: str) -> bool:
    """Say whether one more `key` is left in `remaining`, using it up."""
    if remaining[key] <= 0:
        return False
    remaining[key] -= 1
    return True


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
