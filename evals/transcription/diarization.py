"""Speaker separation figures: speakers found, words given to the right speaker, and what it costs.

Each dev call is spoken with one voice set (evals/transcription/voices.py: espeak-ng gives every
participant a voice of their own; Piper has one voice, so all its speakers sound alike and the
right answer there is one speaker) and transcribed twice in a fresh process, as an upload job
does: with speaker separation (the service's default) and without, for the cost.

Scoring: every word Whisper timed belongs to the turn its middle falls in (a turn runs to the start
of the next). Segments' speakers are mapped one to one onto the script's participants, the mapping
that credits the most speech time; *attribution* is the share of word time (and of words) whose
segment's speaker maps to the word's participant. 1 - attribution is the speaker-confusion part of
the diarization error rate; its missed-speech and false-alarm parts are Whisper's (the words it
drops or invents), which the transcription WER already reports. *Turn-spanning* is the share of
words sitting in a segment that also holds another participant's words, in the minority there:
what splitting segments at a word could win back at most.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import numpy as np

from evals.suite import Figure
from evals.transcription.batch import measure
from evals.transcription.voices import Speaker, write_wav
from transcription.types import SAMPLE_RATE


def speaker_separation(
    cases: list[dict[str, Any]], voice_set: str, workdir: Path
) -> tuple[list[Figure], list[dict[str, Any]]]:
    """Speak each call with `voice_set`, transcribe it with and without separation, score and cost it."""
    speaker = Speaker(voice_set, workdir)
    rows = []
    totals: defaultdict[str, float] = defaultdict(float)
    peaks = {"with": 0.0, "without": 0.0}
    for case in cases:
        turns = speaker.turns(case)
        spans = _turn_spans(case, turns)
        path = write_wav(np.concatenate(turns), workdir / f"{case['id']}-{voice_set}-speakers.wav")
        separated, plain = measure(path, "--speakers"), measure(path)
        path.unlink()
        score = attribution(separated["segments"], spans)
        voices = speaker.voice_of(case)
        rows.append({
            "voice": voice_set, "call": case["id"], "audio_s": round(separated["duration_s"], 1),
            "participants": len(case["participants"]), "voices": len(set(voices.values())),
            "speakers found": separated["speakers"], "attribution (time)": round(score["time"], 3),
            "attribution (words)": round(score["words"], 3), "turn-spanning": round(score["spanning"], 3),
            "RTF with/without": f"{separated['wall_s'] / separated['duration_s']:.3f}/"
                                f"{plain['wall_s'] / plain['duration_s']:.3f}",
            "CPU s per audio min with/without": f"{60 * separated['cpu_s'] / separated['duration_s']:.2f}/"
                                                f"{60 * plain['cpu_s'] / plain['duration_s']:.2f}",
        })  # fmt: skip
        measured = {
            "audio": separated["duration_s"], "wall": separated["wall_s"], "cpu": separated["cpu_s"],
            "plain_wall": plain["wall_s"], "plain_cpu": plain["cpu_s"], "word_s": score["word_s"],
            "right_s": score["right_s"], "words": score["n_words"], "right_words": score["right_words"],
        }  # fmt: skip
        for key, value in measured.items():
            totals[key] += value
        peaks["with"] = max(peaks["with"], separated["peak_rss_mib"])
        peaks["without"] = max(peaks["without"], plain["peak_rss_mib"])
    return _figures(voice_set, len(cases), totals, peaks, rows), rows


def _figures(
    voice_set: str, calls: int, totals: dict[str, float], peaks: dict[str, float], rows: list[dict[str, Any]]
) -> list[Figure]:
    rtf = totals["wall"] / totals["audio"]
    found = " ".join(f"{r['speakers found']}/{r['participants']}" for r in rows)
    extra_cpu = 60 * (totals["cpu"] - totals["plain_cpu"]) / totals["audio"]
    return [
        Figure(f"speakers found / in the script, {voice_set} ({calls} calls)", found),
        Figure(f"speaker attribution, share of word time, {voice_set}", round(totals["right_s"] / totals["word_s"], 3)),
        Figure(f"speaker attribution, share of words, {voice_set}", round(totals["right_words"] / totals["words"], 3)),
        Figure(f"real-time factor with speaker separation (wall), {voice_set}", round(rtf, 3), "<= 0.06", rtf <= 0.06),
        Figure(f"real-time factor without it, {voice_set}", round(totals["plain_wall"] / totals["audio"], 3)),
        Figure(f"CPU seconds per audio minute added by separation, {voice_set}", round(extra_cpu, 2)),
        Figure(
            f"peak RSS MiB with separation (without: {peaks['without']:.0f}), {voice_set}",
            round(peaks["with"]),
            "<= 600",
            peaks["with"] <= 600,
        ),
    ]


def _turn_spans(case: dict[str, Any], turns: list[np.ndarray]) -> list[tuple[float, float, str]]:
    """(start, end, participant) of each turn in the spoken call; a turn runs to the next one's start."""
    spans, start = [], 0.0
    for turn, audio in zip(case["turns"], turns, strict=True):
        end = start + len(audio) / SAMPLE_RATE
        spans.append((start, end, turn["speaker"]))
        start = end
    return spans


def attribution(segments: list[dict[str, Any]], spans: list[tuple[float, float, str]]) -> dict[str, float]:
    """Score segments' speakers against the script's turns after the best one-to-one mapping."""
    starts = np.array([s for s, _, _ in spans])
    time_in: defaultdict[tuple[int | None, str], float] = defaultdict(float)
    count_in: Counter[tuple[int | None, str]] = Counter()
    spanning = 0
    for segment in segments:
        owners = []
        for begin, end in segment["words"]:
            owner = spans[max(int(np.searchsorted(starts, (begin + end) / 2, side="right")) - 1, 0)][2]
            owners.append(owner)
            time_in[(segment["speaker"], owner)] += max(end - begin, 0.0)
            count_in[(segment["speaker"], owner)] += 1
        if owners:
            spanning += len(owners) - Counter(owners).most_common(1)[0][1]
    people = sorted({p for _, _, p in spans})
    found = sorted({s for s, _ in time_in if s is not None})
    mapping = best_mapping(found, people, lambda s, p: time_in[(s, p)])
    right_s = sum(time_in[(s, p)] for s, p in mapping.items())
    right_words = sum(count_in[(s, p)] for s, p in mapping.items())
    word_s, n_words = sum(time_in.values()), sum(count_in.values())
    return {
        "time": right_s / word_s if word_s else 0.0,
        "words": right_words / n_words if n_words else 0.0,
        "spanning": spanning / n_words if n_words else 0.0,
        "word_s": word_s,
        "right_s": right_s,
        "n_words": n_words,
        "right_words": right_words,
    }


def best_mapping(found: list[int], people: list[str], credit: Any) -> dict[int, str]:
    """The one-to-one speaker -> participant mapping with the most credit (exact, by dynamic programming).

    Over subsets of participants (at most 7 in the dev calls: 128 subsets), so no assignment solver
    (scipy) is needed; found speakers beyond the participants map to nobody.
    """
    best: dict[int, tuple[float, dict[int, str]]] = {0: (0.0, {})}
    for speaker in found:
        step = dict(best)
        for used, (value, chosen) in best.items():
            for i, person in enumerate(people):
                if used & (1 << i):
                    continue
                key, gained = used | (1 << i), value + credit(speaker, person)
                if key not in step or step[key][0] < gained:
                    step[key] = (gained, {**chosen, speaker: person})
        best = step
    return max(best.values(), key=lambda entry: entry[0])[1]

