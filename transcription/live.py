"""Live transcription of one call: PCM in, committed sentences and provisional text out.

Wire format (what a browser sends over the review's WebSocket):

- a **binary** message is audio: 16-bit little-endian signed PCM, 16 kHz, mono, any length as
  long as it holds whole samples (an even number of bytes); 100 ms = 3,200 bytes;
- a **text** message `{"type": "stop"}` ends the stream: the remaining audio is transcribed and
  everything still provisional is committed.

`OnlineSession` keeps a rolling buffer, re-transcribes it every `step_s` seconds of new audio,
commits words with `StreamingPolicy` (LocalAgreement-2; the service lets a pass agree with either
of the two before it, `earlier_passes=2`), and cuts the buffer after the last
committed sentence so each pass stays short. With `pause_s` set (off by default: it cost
accuracy, see `__init__`), words said before a pause (Silero VAD) are committed by the first pass
that has heard the pause, without waiting for a second pass to agree.
Committed words are handed out at once, as part of the sentence they belong to: a `LiveSegment` is
numbered within the stream and grows, update by update, until its sentence ends (waiting for the
full stop would hold a sentence's first words back by the length of the sentence). A segment's
words only ever grow at the end: once handed out, a word is final. It is not thread-safe and
transcribes inside `feed()`: call it from one worker thread per stream, never on the event loop.
"""

from __future__ import annotations

import json
from collections import deque
from dataclasses import dataclass

import numpy as np

from transcription.errors import StreamFormatError
from transcription.pauses import PauseDetector, SileroPauses
from transcription.policy import StreamingPolicy, WordTuple, words_to_text
from transcription.text import ends_sentence
from transcription.types import SAMPLE_RATE, AudioArray, Segment, Transcriber, Word

BYTES_PER_SAMPLE = 2


@dataclass(frozen=True, slots=True)
class LiveSegment:
    number: int
    """0, 1, 2, ... within the stream; a later update may repeat a number with more words."""
    segment: Segment
    """Every committed word of the sentence so far, with absolute times."""
    complete: bool
    """The sentence has ended (or was cut for length): this number gets no more words."""


@dataclass(frozen=True, slots=True)
class LiveUpdate:
    segments: tuple[LiveSegment, ...]
    """Sentences that gained committed words in this message (or were completed), in order."""
    provisional: str
    """The words heard but not yet agreed on; replaced by each update."""
    finished: bool = False


class OnlineSession:
    """Turn a stream of PCM16 messages into committed sentences for one speaker channel."""

    def __init__(
        self,
        transcriber: Transcriber,
        *,
        step_s: float = 0.5,
        max_buffer_s: float = 12.0,
        keep_after_forced_cut_s: float = 5.0,
        max_sentence_s: float = 15.0,
        prompt_chars: int = 200,
        edge_s: float = 0.5,
        pause_s: float | None = None,
        pauses: PauseDetector | None = None,
        earlier_passes: int = 1,
    ) -> None:
        """Configure the session.

        Args:
            step_s: seconds of new audio between passes (latency vs CPU).
            max_buffer_s: cut the buffer even without a finished sentence beyond this length,
                keeping `keep_after_forced_cut_s`, so a pass stays inside Whisper's 30 s window.
            max_sentence_s: complete a segment after this long without a full stop, so a
                speaker who never ends a sentence does not grow one segment for ever.
            prompt_chars: how much already-cut committed text is passed as the prompt.
            edge_s: commit no word ending this close to the newest audio (see `StreamingPolicy`).
                Chosen with the live replay (evals/transcription/live_replay.py) on dev calls
                d09, d07, d06, not the benchmark's: at a 0.5 s step, 0 gave p50 1.3 s but live
                WER 0.26 (passes half a second apart agree on the same cut-off word), 0.5 gave
                p50 2.0 s and WER 0.22, as at a 1 s step without it.
            pause_s: commit the words said before a silence at least this long without waiting
                for a second pass to agree, once a pass has heard the silence (None: agreement
                only). Chosen with the live replay (fixed pass cost 0.8 s, 90 s, 1 speaker) on
                dev calls d09 and d07, not the benchmark's: off -> 0.3 s gave word delay p95
                5.62 -> 5.36 s and 3.28 -> 3.14 s, live WER 0.302 -> 0.276 and 0.187 -> 0.199.
                espeak-ng pauses 0.3-0.4 s between sentences and 0.6-0.8 s between turns.
                Off by default (the service's `whisper.live_pause_commit_s`): on the 10-minute
                benchmark (d12, 1 speaker) 0.3 s took p95 4.93 -> 4.09 s but live WER 0.339 -> 0.377,
                beyond run-to-run noise, and a word one pass heard is not checked by a second.
            pauses: finds the speaker's pauses in the buffer (default: Silero VAD).
            earlier_passes: how many earlier passes a pass may agree with to commit a word
                (`StreamingPolicy`'s `earlier`; 1: the previous pass only).
        """
        if not 0 < keep_after_forced_cut_s < max_buffer_s:
            raise ValueError("need 0 < keep_after_forced_cut_s < max_buffer_s")
        self._transcriber = transcriber
        self._step = int(step_s * SAMPLE_RATE)
        self._max_buffer_s = max_buffer_s
        self._keep_s = keep_after_forced_cut_s
        self._max_sentence_s = max_sentence_s
        self._prompt_chars = prompt_chars
        self._policy = StreamingPolicy(edge_s=edge_s, earlier=earlier_passes)
        self._earlier_passes = earlier_passes
        self._pause_s = pause_s or None
        self._pauses = pauses or SileroPauses()
        self._buffer: AudioArray = np.zeros(0, dtype=np.float32)
        self._buffer_start_s = 0.0
        self._unprocessed = 0
        self._pending: list[Word] = []  # committed words of the sentence in progress
        self._number = 0  # of the sentence in progress
        self._history: deque[WordTuple] = deque(maxlen=100)  # recent committed words, for the prompt
        self._latest_probability: dict[WordTuple, float] = {}  # words of the newest hypothesis
        self._finished = False

    @property
    def pause_s(self) -> float | None:
        """The pause that commits the words before it, or None: only two agreeing passes commit."""
        return self._pause_s

    @property
    def earlier_passes(self) -> int:
        """How many earlier passes a pass may agree with to commit a word."""
        return self._earlier_passes

    @property
    def received_s(self) -> float:
        """Seconds of audio received so far."""
        return self._buffer_start_s + len(self._buffer) / SAMPLE_RATE

    @property
    def samples_before_pass(self) -> int:
        """How many more samples `feed` needs before it transcribes."""
        return max(0, self._step - self._unprocessed)

    def receive(self, message: bytes | str) -> LiveUpdate:
        """Handle one WebSocket message: binary is audio, the text `{"type":"stop"}` finishes."""
        if isinstance(message, bytes | bytearray | memoryview):
            return self.feed(bytes(message))
        if isinstance(message, str):
            try:
                command = json.loads(message)
            except json.JSONDecodeError as exc:
                raise StreamFormatError(
                    f"Text message is not JSON ({exc.msg}); the only text message is "
                    '{"type": "stop"}. Send audio as binary messages.'
                ) from exc
            if isinstance(command, dict) and command.get("type") == "stop":
                return self.finish()
            raise StreamFormatError(f'Unknown text message {message[:80]!r}; the only one is {{"type": "stop"}}.')
        raise StreamFormatError(f"Messages must be bytes or text, not {type(message).__name__}.")

    def feed(self, pcm: bytes) -> LiveUpdate:
        """Append PCM16 little-endian mono 16 kHz audio; transcribe once `step_s` has arrived."""
        if self._finished:
            raise StreamFormatError("This stream has been stopped; open a new one to continue.")
        if len(pcm) % BYTES_PER_SAMPLE:
            raise StreamFormatError(
                f"Audio message has {len(pcm)} bytes, an odd number: audio must be whole 16-bit "
                "samples (signed little-endian PCM, 16 kHz, mono). Send an even number of bytes."
            )
        samples = np.frombuffer(pcm, dtype="<i2").astype(np.float32) / 32768.0
        self._buffer = np.concatenate([self._buffer, samples])
        self._unprocessed += len(samples)
        if self._unprocessed < self._step:
            return LiveUpdate((), self._provisional_text())
        return self._process()

    def finish(self) -> LiveUpdate:
        """Transcribe what is left, commit everything, and close the stream."""
        if self._finished:
            return LiveUpdate((), "", finished=True)
        segments: list[LiveSegment] = []
        if self._unprocessed:
            segments.extend(self._process().segments)
        segments.extend(self._commit(self._policy.flush()))
        if self._pending:
            segments.append(LiveSegment(self._number, self._segment(self._pending), complete=True))
            self._pending = []
        self._finished = True
        return LiveUpdate(_latest(segments), "", finished=True)

    def _process(self) -> LiveUpdate:
        self._unprocessed = 0
        result = self._transcriber.transcribe(self._buffer, offset_s=self._buffer_start_s, prompt=self._prompt())
        words = [word for segment in result for word in segment.words]
        hypothesis: list[WordTuple] = [(w.start, w.end, w.text) for w in words]
        self._latest_probability = {(w.start, w.end, w.text): w.probability for w in words}
        committed, provisional = self._policy.update(hypothesis, heard_until=self.received_s)
        if provisional and self._pause_s is not None:
            committed += self._commit_before_pause(provisional)
        segments = self._commit(committed)
        segments.extend(self._trim())
        return LiveUpdate(_latest(segments), self._provisional_text())

    def _commit_before_pause(self, provisional: list[WordTuple]) -> list[WordTuple]:
        """Commit the words said before the speaker's last pause of at least `pause_s`."""
        assert self._pause_s is not None
        # Only a pause after the first provisional word can commit anything: listen from there.
        skip = min(len(self._buffer), max(0, int((provisional[0][0] - self._buffer_start_s) * SAMPLE_RATE)))
        pause = self._pauses.last_pause(self._buffer[skip:], min_silence_s=self._pause_s)
        if pause is None:  # no pause after speech: the words wait for agreement
            return []
        return self._policy.commit_spoken_before(self._buffer_start_s + skip / SAMPLE_RATE + pause)

    def _commit(self, words: list[WordTuple]) -> list[LiveSegment]:
        """Add committed words to the sentence in progress; return every sentence they touched."""
        segments: list[LiveSegment] = []
        for start, end, text in words:
            self._history.append((start, end, text))
            probability = self._latest_probability.get((start, end, text), 0.0)
            self._pending.append(Word(start, end, text.strip(), probability))
            too_long = end - self._pending[0].start >= self._max_sentence_s
            if ends_sentence(text) or too_long:
                segments.append(LiveSegment(self._number, self._segment(self._pending), complete=True))
                self._pending = []
                self._number += 1
        if words and self._pending:
            segments.append(LiveSegment(self._number, self._segment(self._pending), complete=False))
        return segments

    def _trim(self) -> list[LiveSegment]:
        """Cut the buffer after the last committed sentence, or forcibly when it grows too long."""
        segments: list[LiveSegment] = []
        cut = self._policy.trim_point()
        if cut is not None and cut <= self._buffer_start_s:
            cut = None
        end_s = self._buffer_start_s + len(self._buffer) / SAMPLE_RATE
        if end_s - (cut if cut is not None else self._buffer_start_s) > self._max_buffer_s:
            # No sentence ended for a long stretch (a run-on sentence, or noise), or the last one
            # ended too early to shorten the buffer enough: commit the older provisional words
            # rather than lose them, then cut before the next word. The cut must always leave at
            # most `max_buffer_s`: a live pass hears only its first 30 s, and a buffer that kept
            # growing (a sentence end near its start, or a word Whisper stretched back to it)
            # went deaf for minutes (measured: lag growth 148 s over a 10-minute stream).
            target = end_s - self._keep_s
            segments.extend(self._commit(self._policy.commit_before(target)))
            following = self._policy.provisional
            starts = following[0][0] if following else target
            cut = min(target, starts)
            if cut <= self._buffer_start_s or end_s - cut > self._max_buffer_s:
                cut = target
        if cut is not None and cut > self._buffer_start_s:
            drop = round((cut - self._buffer_start_s) * SAMPLE_RATE)
            self._buffer = self._buffer[drop:]
            self._buffer_start_s += drop / SAMPLE_RATE
            self._policy.forget_before(self._buffer_start_s)
        return segments

    def _prompt(self) -> str | None:
        # Only text whose audio is already cut: words still in the buffer will be heard again.
        before = [w for w in self._history if w[1] <= self._buffer_start_s]
        text = words_to_text(before)[-self._prompt_chars :]
        return text or None

    def _provisional_text(self) -> str:
        # Committed words are already out, in their segment: provisional is only what follows.
        return words_to_text(self._policy.provisional)

    @staticmethod
    def _segment(words: list[Word]) -> Segment:
        # Live sentences have no Whisper no_speech_prob of their own: they span several passes.
        return Segment(
            start=words[0].start,
            end=words[-1].end,
            text=" ".join(word.text for word in words if word.text),
            words=tuple(words),
            confidence=sum(word.probability for word in words) / len(words),
        )


def _latest(segments: list[LiveSegment]) -> tuple[LiveSegment, ...]:
    """Keep each sentence number once, in its newest state (a pass and a cut may both touch it)."""
    latest = {segment.number: segment for segment in segments}
    return tuple(latest[number] for number in sorted(latest))
