"""Decide which Whisper segments to drop: silence that Whisper "heard" words in, and loops.

Pure functions over plain values, so the rules are tested without a model. A dropped segment
leaves a visible gap in the transcript; a kept hallucination would be quoted back to a review
group as something they said, which is the worse failure.
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence
from dataclasses import dataclass

from transcription.text import normalise_word


@dataclass(frozen=True, slots=True)
class SegmentFilter:
    """Thresholds for dropping segments; the defaults follow Whisper's own decoding rules."""

    no_speech_threshold: float = 0.6
    """Above this, a segment is silence if its tokens were also unlikely (Whisper's rule)."""
    logprob_threshold: float = -1.0
    no_speech_certain: float = 0.8
    """Above this, a segment is silence whatever its log-probability (catches "you" on silence)."""
    min_repeats: int = 4
    min_loop_words: int = 8
    max_phrase_words: int = 8
    compression_threshold: float = 2.4
    min_compression_chars: int = 80

    def drop_reason(self, *, text: str, no_speech_prob: float, avg_logprob: float) -> str | None:
        """Return why a segment should be dropped ("no_speech", "repetition_loop") or None."""
        if is_no_speech(
            no_speech_prob=no_speech_prob,
            avg_logprob=avg_logprob,
            threshold=self.no_speech_threshold,
            logprob_threshold=self.logprob_threshold,
            certain=self.no_speech_certain,
        ):
            return "no_speech"
        if not text.strip():
            return "empty"
        words = text.split()
        if has_repeated_phrase(
            words,
            min_repeats=self.min_repeats,
            min_loop_words=self.min_loop_words,
            max_phrase_words=self.max_phrase_words,
        ):
            return "repetition_loop"
        if len(text) >= self.min_compression_chars and compression_ratio(text) > self.compression_threshold:
            return "repetition_loop"
        return None


def is_no_speech(
    *,
    no_speech_prob: float,
    avg_logprob: float,
    threshold: float = 0.6,
    logprob_threshold: float = -1.0,
    certain: float = 0.8,
) -> bool:
    """Say whether Whisper's own scores mark this segment as silence."""
    if no_speech_prob >= certain:
        return True
    return no_speech_prob > threshold and avg_logprob < logprob_threshold


def has_repeated_phrase(
    words: Sequence[str],
    *,
    min_repeats: int = 4,
    min_loop_words: int = 8,
    max_phrase_words: int = 8,
) -> bool:
    """Find a phrase repeated back to back `min_repeats` times, covering `min_loop_words` words.

    Both limits matter: people do say "no, no, no" or "we did it, we did it", but a decoder loop
    repeats a phrase many times; requiring a long repeated span keeps real emphasis.
    """
    tokens = [normalise_word(word) for word in words]
    tokens = [token for token in tokens if token]
    for size in range(1, max_phrase_words + 1):
        for start in range(len(tokens) - size * min_repeats + 1):
            phrase = tokens[start : start + size]
            repeats = 1
            position = start + size
            while tokens[position : position + size] == phrase:
                repeats += 1
                position += size
            if repeats >= min_repeats and repeats * size >= min_loop_words:
                return True
    return False


def compression_ratio(text: str) -> float:
    """Compute Whisper's loop signal: how much zlib shrinks the text (>2.4 means repetitive)."""
    data = text.encode("utf-8")
    if not data:
        return 0.0
    return len(data) / len(zlib.compress(data))
