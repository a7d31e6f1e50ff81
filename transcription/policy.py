"""The live streaming policy: which words are stable enough to commit, and where to cut audio.

LocalAgreement-2, as in whisper_streaming (Macháček et al., 2023): the live buffer is
re-transcribed every second or so, and a word is committed once two consecutive hypotheses agree
on it, in order, after the words already committed. The rest of the newest hypothesis is shown
as provisional. Pure code over `(start, end, word)` tuples with absolute times, testable
without a model.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from transcription.text import ends_sentence, normalise_text, normalise_word

WordTuple = tuple[float, float, str]


class StreamingPolicy:
    """Commit the words two consecutive hypotheses agree on; keep the rest provisional."""

    def __init__(self, *, overlap_s: float = 0.1, max_dedupe_words: int = 5, edge_s: float = 0.0) -> None:
        """Configure how re-transcribed committed words are recognised and skipped.

        Args:
            overlap_s: words starting this close before the last committed end are still new
                (Whisper's word times jitter by tens of milliseconds between passes).
            max_dedupe_words: when a hypothesis starts inside the last committed word, up to
                this many of its leading words that repeat the committed tail are dropped.
            edge_s: a word ending this close to the end of the audio a pass heard is not
                committed by that pass, even when it agrees: passes a fraction of a second apart
                hear nearly the same cut-off word and can agree on the same mistake.
        """
        self._overlap_s = overlap_s
        self._edge_s = edge_s
        self._max_dedupe_words = max_dedupe_words
        self._committed_in_buffer: list[WordTuple] = []  # committed words whose audio is kept
        self._previous: list[WordTuple] = []  # uncommitted tail of the previous hypothesis
        self._last_committed_end = 0.0

    @property
    def last_committed_end(self) -> float:
        return self._last_committed_end

    @property
    def provisional(self) -> list[WordTuple]:
        return list(self._previous)

    def update(
        self, hypothesis: Sequence[WordTuple], *, heard_until: float = math.inf
    ) -> tuple[list[WordTuple], list[WordTuple]]:
        """Take the newest hypothesis for the whole buffer; return (newly committed, provisional).

        `heard_until` is the end of the audio this hypothesis heard (see `edge_s`).
        """
        fresh = [w for w in hypothesis if w[0] > self._last_committed_end - self._overlap_s]
        fresh = self._without_recommitted(fresh)
        committed: list[WordTuple] = []
        settled = heard_until - self._edge_s
        # Commit the longest common prefix of the previous and the new uncommitted tails; the
        # newer hypothesis's version is kept (its timings saw more audio).
        while fresh and self._previous and fresh[0][1] <= settled and _same_word(fresh[0], self._previous[0]):
            committed.append(fresh.pop(0))
            self._previous.pop(0)
        self._previous = fresh
        self._record(committed)
        return committed, list(fresh)

    def flush(self) -> list[WordTuple]:
        """Commit whatever is provisional (the stream ended: no further hypothesis will come)."""
        committed, self._previous = self._previous, []
        self._record(committed)
        return committed

    def commit_before(self, time: float) -> list[WordTuple]:
        """Commit provisional words that end by `time`, because their audio is about to be cut."""
        committed: list[WordTuple] = []
        while self._previous and self._previous[0][1] <= time:
            committed.append(self._previous.pop(0))
        self._record(committed)
        return committed

    def commit_spoken_before(self, time: float) -> list[WordTuple]:
        """Commit provisional words that start before `time`, where the speaker then paused.

        The newest hypothesis heard each of these words whole, and the silence after them: no
        later pass will hear more of them, so waiting for a second pass to agree only delays
        them (the slowest words were the ones passes kept disagreeing on before a pause). A
        word starting after `time` (Whisper inventing text in the silence) stays provisional.
        """
        committed: list[WordTuple] = []
        while self._previous and self._previous[0][0] < time:
            committed.append(self._previous.pop(0))
        self._record(committed)
        return committed

    def trim_point(self) -> float | None:
        """Return where the audio buffer may be cut: the end of the last committed sentence."""
        for _start, end, word in reversed(self._committed_in_buffer):
            if ends_sentence(word):
                return end
        return None

    def forget_before(self, time: float) -> None:
        """Forget committed words whose audio the caller has cut away at `time`."""
        self._committed_in_buffer = [w for w in self._committed_in_buffer if w[1] > time]
        self._previous = [w for w in self._previous if w[0] >= time - self._overlap_s]

    def _record(self, committed: list[WordTuple]) -> None:
        if committed:
            self._committed_in_buffer.extend(committed)
            self._last_committed_end = max(self._last_committed_end, committed[-1][1])

    def _without_recommitted(self, fresh: list[WordTuple]) -> list[WordTuple]:
        """Drop leading words that repeat the end of what is already committed.

        Word times shift between passes, so the time filter alone lets a committed word back in
        ("members" committed ending at 2.10 s, re-heard starting at 2.05 s). The longest
        matching n-gram wins: more words matching is stronger evidence of a repeat. Unlike
        whisper_streaming, a hypothesis that starts after the committed end is never trimmed:
        that is new speech, even if it repeats the last words ("we kept calling, we kept...").
        """
        if not fresh or not self._committed_in_buffer:
            return fresh
        if fresh[0][0] >= self._last_committed_end:
            return fresh
        longest = min(len(self._committed_in_buffer), len(fresh), self._max_dedupe_words)
        for size in range(longest, 0, -1):
            tail = self._committed_in_buffer[-size:]
            if all(_same_word(a, b) for a, b in zip(tail, fresh[:size], strict=True)):
                return fresh[size:]
        return fresh


def _same_word(a: WordTuple, b: WordTuple) -> bool:
    # Compare without case and punctuation: "members," and "members." are the same spoken word.
    # A number is the same spoken word however Whisper spells it ("seven" = "7", "fifteenth" =
    # "15th"): passes that alternate between the spellings otherwise held agreement back for
    # several passes, and numbers are what the review's answers are made of.
    if normalise_word(a[2]) == normalise_word(b[2]):
        return True
    number = _as_number(a[2])
    return number is not None and number == _as_number(b[2])


def _as_number(word: str) -> str | None:
    tokens = normalise_text(word)
    return tokens[0] if len(tokens) == 1 and tokens[0][0].isdigit() else None


def words_to_text(words: Sequence[WordTuple]) -> str:
    """Join words into display text."""
    return " ".join(word.strip() for _, _, word in words if word.strip())
