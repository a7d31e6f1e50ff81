"""Where live delay comes from: the server's pass scheduling replayed in one process, instrumented.

The WebSocket benchmark (live.py) gives the figures; this replay explains them. It runs the real
`OnlineSession` on the real model over synthesised calls, scheduled as `service/live/stream.py`
schedules them — audio arrives in 100 ms messages at real speed, a stream asks for a pass once it
holds `step_s` of new audio, one pass at a time in the order streams asked, and a pass covers
everything that arrived while the stream waited — but on a virtual clock: each pass advances it
by its measured wall time (or, with `--pass-s`, a fixed cost: the same run twice then gives the
same figures, which wall times on a shared machine did not), and idle time is skipped. Per
committed word it records the time waited for a pass slot, how many passes had heard the word
before it was committed, and how it was committed (two passes agreed, the speaker paused, forced
by a buffer cut, or flushed at the end of the stream).

    python -m evals.transcription.live_replay [--calls 3,4,5] [--speakers 1] [--seconds 120]
        [--beam 5] [--step 0.5] [--edge 0.5] [--pause 0.6] [--pass-s S] [--threads 2]
        [--window auto|full|short] [--min-window S] [--padding S] [--earlier 1] [--trace]

`--calls` indexes the dev calls sorted by length; the live benchmark streams calls 0-2, so tune
on others. Prints JSON: the delay percentiles, their parts, live WER over the first playing, and
the words committed twice in a row where the script says them once.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from evals.suite import review_calls
from evals.transcription.live import doubled_words
from evals.transcription.voices import Speaker, loop_to, pcm16
from service.settings import WhisperSettings
from transcription.live import LiveUpdate, OnlineSession
from transcription.text import word_error_rate
from transcription.types import SAMPLE_RATE, AudioArray
from transcription.whisper import CROWDED_WINDOW_S, FULL_WINDOW_S, WhisperTranscriber

MESSAGE_SAMPLES = SAMPLE_RATE // 10  # the benchmark's 100 ms messages


@dataclass
class Pass:
    stream: int
    asked: float  # virtual time the stream had enough audio for a pass
    started: float
    seconds: float  # wall time of the pass
    audio_end_s: float  # stream time of the last sample it heard
    buffer_s: float
    committed: str = ""
    provisional: str = ""


@dataclass
class CommittedWord:
    stream: int
    end: float
    text: str
    arrived: float
    how: str  # "agreed", "paused" (speaker fell silent), "forced" (buffer cut) or "flushed" (end of stream)
    heard_by: int  # passes whose audio covered the word's end, the committing one included
    waited: float  # slot wait of the committing pass

    @property
    def delay(self) -> float:
        return self.arrived - self.end


@dataclass
class Replay:
    passes: list[Pass] = field(default_factory=list)
    words: list[CommittedWord] = field(default_factory=list)


class _Tagged:
    """Note which words the session's policy committed outside agreement (cut or flush)."""

    def __init__(self, session: OnlineSession) -> None:
        self.forced: set[tuple[float, float, str]] = set()
        self.flushed: set[tuple[float, float, str]] = set()
        self.paused: set[tuple[float, float, str]] = set()
        policy = session._policy
        commit_before, flush, before_pause = policy.commit_before, policy.flush, policy.commit_spoken_before

        def tagged_commit_before(t: float) -> list[tuple[float, float, str]]:
            words = commit_before(t)
            self.forced.update(words)
            return words

        def tagged_flush() -> list[tuple[float, float, str]]:
            words = flush()
            self.flushed.update(words)
            return words

        def tagged_before_pause(t: float) -> list[tuple[float, float, str]]:
            words = before_pause(t)
            self.paused.update(words)
            return words

        policy.commit_spoken_before = tagged_before_pause  # type: ignore[method-assign,assignment]
        policy.commit_before = tagged_commit_before  # type: ignore[method-assign,assignment]
        policy.flush = tagged_flush  # type: ignore[method-assign,assignment]


def replay(
    transcriber: WhisperTranscriber,
    audios: list[AudioArray],
    *,
    step_s: float,
    edge_s: float,
    pause_s: float | None,
    pass_s: float | None = None,
    earlier: int = 1,
) -> Replay:
    """Stream each audio as one speaker, all at once, on a virtual clock; see the module docstring.

    `pass_s` charges each pass a fixed cost instead of its wall time, in proportion to its
    encoder window for a short-window transcriber (an approximation): on a machine shared with
    other work, wall times made two runs of the same configuration differ by 50 % in p95.
    """
    sessions = [
        OnlineSession(transcriber, step_s=step_s, edge_s=edge_s, pause_s=pause_s, earlier_passes=earlier)
        for _ in audios
    ]
    tags = [_Tagged(s) for s in sessions]
    pcm = [pcm16(a) for a in audios]
    fed = [0] * len(audios)  # samples handed to each session
    done = [False] * len(audios)
    result = Replay()
    clock = 0.0

    def arrived(i: int, at: float) -> int:
        return min(len(audios[i]), int(at * 10 + 1e-9) * MESSAGE_SAMPLES)

    def ready_at(i: int) -> float:
        """When stream i holds enough new audio for a pass (or its stop message)."""
        need = fed[i] + sessions[i].samples_before_pass
        if need >= len(audios[i]):
            return len(audios[i]) / SAMPLE_RATE
        return -(-need // MESSAGE_SAMPLES) / 10

    while not all(done):
        asked = {i: ready_at(i) for i in range(len(audios)) if not done[i]}
        i = min(asked, key=lambda k: (asked[k], k))  # FIFO by when the stream asked
        clock = max(clock, asked[i])
        start = clock
        until = arrived(i, clock)
        share = _window_share(transcriber, (sessions[i]._buffer.size + until - fed[i]) / SAMPLE_RATE)
        t0 = time.perf_counter()
        update = sessions[i].feed(pcm[i][2 * fed[i] : 2 * until])
        if until >= len(audios[i]):
            final = sessions[i].finish()
            update = LiveUpdate(update.segments + final.segments, "", finished=True)
            done[i] = True
        seconds = time.perf_counter() - t0 if pass_s is None else pass_s * share
        fed[i] = until
        clock += seconds
        audio_end = until / SAMPLE_RATE
        committed = " ".join(w.text for live in update.segments for w in live.segment.words)
        result.passes.append(Pass(i, asked[i], start, seconds, audio_end, sessions[i]._buffer.size / SAMPLE_RATE,
                                  committed, update.provisional))  # fmt: skip
        _record(result, i, update, clock, start - asked[i], tags[i])
    return result


def _window_share(transcriber: WhisperTranscriber, buffer_s: float) -> float:
    """The share of Whisper's 30 s window a pass over `buffer_s` of audio encodes."""
    if transcriber._window is None:
        return 1.0
    padding_s, min_s = transcriber._window
    return min(30.0, max(min_s, buffer_s + padding_s)) / 30.0


def _record(result: Replay, stream: int, update: LiveUpdate, clock: float, waited: float, tags: _Tagged) -> None:
    seen = {(w.stream, w.end, w.text) for w in result.words if w.stream == stream}
    covering = [p.audio_end_s for p in result.passes if p.stream == stream]
    for live in update.segments:
        for word in live.segment.words:
            if (stream, word.end, word.text) in seen:
                continue
            seen.add((stream, word.end, word.text))
            tagged = tags.forced | tags.flushed | tags.paused
            key = next((k for k in tagged if k[1] == word.end and k[2].strip() == word.text), None)
            how = "agreed" if key is None else next(
                name for name, keys in (("forced", tags.forced), ("paused", tags.paused), ("flushed", tags.flushed))
                if key in keys
            )  # fmt: skip
            heard_by = sum(end >= word.end for end in covering)
            result.words.append(CommittedWord(stream, word.end, word.text, clock, how, heard_by, waited))


def summarise(result: Replay, references: list[str], first_loop_s: list[float]) -> dict[str, Any]:
    words = [w for w in result.words if w.how != "flushed"]
    delays = sorted(w.delay for w in words)
    slow = [w for w in words if w.delay >= _pct(delays, 0.9)]
    hyps = [
        " ".join(
            w.text for w in sorted(result.words, key=lambda w: w.end) if w.stream == i and w.end <= first_loop_s[i]
        )
        for i in range(len(references))
    ]
    doubled = [pair for ref, hyp in zip(references, hyps, strict=True) for pair in doubled_words(ref, hyp)]
    return {
        "words": len(delays),
        "doubled": doubled,
        "delay_p50": round(_pct(delays, 0.5), 2),
        "delay_p95": round(_pct(delays, 0.95), 2),
        "live_wer": round(word_error_rate(" ".join(references), " ".join(hyps)), 3),
        "pass_s_p50": round(statistics.median(p.seconds for p in result.passes), 2),
        "pass_s_p95": round(_pct(sorted(p.seconds for p in result.passes), 0.95), 2),
        "buffer_s_p50": round(statistics.median(p.buffer_s for p in result.passes), 1),
        "slot_wait_p50": round(statistics.median(p.started - p.asked for p in result.passes), 2),
        "how": {h: sum(w.how == h for w in result.words) for h in ("agreed", "paused", "forced", "flushed")},
        "delay_p95_by_how": {
            h: round(_pct(sorted(w.delay for w in words if w.how == h), 0.95), 2) for h in ("agreed", "paused")
        },
        "heard_by_p50": statistics.median(w.heard_by for w in words),
        "slowest_tenth": {
            "forced": sum(w.how == "forced" for w in slow),
            "paused": sum(w.how == "paused" for w in slow),
            "heard_by_p50": statistics.median(w.heard_by for w in slow),
            "slot_wait_p50": round(statistics.median(w.waited for w in slow), 2),
            "examples": [f"{w.text}@{w.end:.1f}:{w.delay:.1f}s/{w.heard_by}p/{w.how}" for w in slow[:12]],
        },
    }


def _pct(values: list[float], q: float) -> float:
    return values[min(len(values) - 1, int(q * (len(values) - 1) + 0.5))] if values else float("nan")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--calls", default="3,4,5", help="dev calls by length rank, one per speaker")
    parser.add_argument("--speakers", type=int, default=1)
    parser.add_argument("--seconds", type=float, default=120.0)
    parser.add_argument("--beam", type=int, default=5)
    parser.add_argument("--step", type=float, default=0.5)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--edge", type=float, default=0.5)
    parser.add_argument("--pause", type=float, default=0.6, help="pause_s of OnlineSession; negative: off")
    parser.add_argument("--window", choices=("auto", "full", "short"), default="auto",
                        help="encoder window; auto does as the service (at least 10 s with several speakers, "
                        "DEBRIEF_WHISPER_LIVE_ALONE_WINDOW_S alone)")  # fmt: skip
    parser.add_argument("--pass-s", type=float, default=None,
                        help="charge a full-window pass this many seconds instead of its wall time")  # fmt: skip
    parser.add_argument("--min-window", type=float, default=None,
                        help="short window: at least this many seconds (default: as auto chooses)")  # fmt: skip
    parser.add_argument("--padding", type=float, default=2.0, help="short window: seconds heard after the audio")
    parser.add_argument("--earlier", type=int, default=WhisperSettings().live_earlier_passes,
                        help="earlier passes a pass may agree with (default: the service's)")  # fmt: skip
    parser.add_argument("--trace", action="store_true", help="print every pass's committed | provisional text")
    args = parser.parse_args()
    cases = review_calls()
    chosen = [cases[int(n)] for n in args.calls.split(",")][: args.speakers]
    with tempfile.TemporaryDirectory() as tmp:
        turns = [Speaker("espeak-ng", Path(tmp)).turns(case) for case in chosen]
    transcriber = WhisperTranscriber(cpu_threads=args.threads).for_live(beam_size=args.beam)
    # As service/live/controller.py chooses: several speakers take the crowded window, one its own.
    alone_s = WhisperSettings().live_alone_window_s
    min_s = args.min_window or (CROWDED_WINDOW_S if len(chosen) > 1 else alone_s)
    if args.window == "short" or (args.window == "auto" and (len(chosen) > 1 or alone_s < FULL_WINDOW_S)):
        transcriber = transcriber.with_short_window(padding_s=args.padding, min_s=min_s)
    transcriber.load()
    audios = [loop_to(np.concatenate(t), args.seconds) for t in turns]
    pause_s = args.pause if args.pause >= 0 else None
    result = replay(transcriber, audios, step_s=args.step, edge_s=args.edge, pause_s=pause_s,
                    pass_s=args.pass_s, earlier=args.earlier)  # fmt: skip
    # Score WER on the turns wholly heard in the first playing (a short run covers part of a call).
    references, heard_s = [], []
    for case, spoken in zip(chosen, turns, strict=True):
        ends = np.cumsum([len(t) / SAMPLE_RATE for t in spoken])
        whole = int(np.searchsorted(ends, args.seconds, side="right"))
        references.append(" ".join(turn["text"] for turn in case["turns"][:whole]))
        heard_s.append(float(ends[whole - 1]) if whole else 0.0)
    summary = summarise(result, references, heard_s)
    summary["calls"] = [case["id"] for case in chosen]
    if args.trace:
        for p in result.passes:
            print(f"{p.started:7.2f} s{p.stream} end={p.audio_end_s:6.1f} buf={p.buffer_s:4.1f} {p.seconds:.2f}s"
                  f" | {p.committed} | {p.provisional}")  # fmt: skip
    print(json.dumps(summary, indent=1))


if __name__ == "__main__":
    main()
