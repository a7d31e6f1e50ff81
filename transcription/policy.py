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

    def __init__(
        self, *, overlap_s: float = 0.1, max_dedupe_words: int = 5, edge_s: float = 0.0, earlier: int = 1
    ) -> None:
        """Configure how re-transcribed committed words are recognised and skipped.

        Args:
            overlap_s: words starting this close before the last committed end are still new
                (Whisper's word times jitter by tens of milliseconds between passes).
            max_dedupe_words: when a hypothesis starts inside the last committed word, up to
                this many of its leading words that repeat the committed tail are dropped.
            edge_s: a word ending this close to the end of the audio a pass heard is not
                committed by that pass, even when it agrees: passes a fraction of a second apart
                hear nearly the same cut-off word and can agree on the same mistake.
            earlier: how many earlier hypotheses a new one may agree with (1: the previous one
                only, LocalAgreement-2). With 2, passes that alternate between two versions of a
                word (A, B, A) commit at the third instead of waiting for two in a row. It also
                drops a committed word the new hypothesis hears again late (`_without_reheard`):
                without that check, 2 doubled words in the replay of dev call d07.
        """
        self._overlap_s = overlap_s
        self._edge_s = edge_s
        self._max_dedupe_words = max_dedupe_words
        self._committed_in_buffer: list[WordTuple] = []  # committed words whose audio is kept
        self._previous: list[WordTuple] = []  # uncommitted tail of the previous hypothesis
        self._older: list[list[WordTuple]] = []  # uncommitted tails of the ones before, newest first
        self._earlier = earlier
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
        if self._earlier > 1:  # more earlier tails are more chances to agree on a re-heard word
            fresh = self._without_reheard(hypothesis, fresh)
        settled = heard_until - self._edge_s
        # Commit the longest common prefix of the new uncommitted tail and an earlier one; the
        # newer hypothesis's version is kept (its timings saw more audio).
        tails = [self._previous, *self._older]
        agreed = max(_agreeing(fresh, tail, settled) for tail in tails)
        committed, fresh = fresh[:agreed], fresh[agreed:]
        # Every earlier tail moves past the committed words; one that said otherwise there is
        # out of step with the words that follow and can no longer agree with anything.
        tails = [tail[agreed:] if _agreeing(committed, tail, math.inf) == agreed else [] for tail in tails]
        self._older = tails[: self._earlier - 1]
        self._previous = fresh
        self._record(committed)
        return committed, list(fresh)

    def flush(self) -> list[WordTuple]:
        """Commit whatever is provisional (the stream ended: no further hypothesis will come)."""
        committed, self._previous, self._older = self._previous, [], []
        self._record(committed)
        return committed

    def commit_before(self, time: float) -> list[WordTuple]:
        """Commit provisional words that end by `time`, because their audio is about to be cut."""
        committed: list[WordTuple] = []
        while self._previous and self._previous[0][1] <= time:
            committed.append(self._previous.pop(0))
        if committed:
            self._older = []  # out of step with what was committed without them
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
        if committed:
            self._older = []  # out of step with what was committed without them
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
        self._older = [[w for w in tail if w[0] >= time - self._overlap_s] for tail in self._older]

    def _record(self, committed: list[WordTuple]) -> None:
        if committed:
            self._committed_in_buffer.extend(committed)
            self._last_committed_end = max(self._last_committed_end, committed[-1][1])

    def _without_reheard(self, hypothesis: Sequence[WordTuple], fresh: list[WordTuple]) -> list[WordTuple]:
        """Drop leading words that are this hypothesis's own hearing of the committed tail.

        A pass can time a committed word late enough to pass every time check ("hiring" re-heard
        after the committed "hiring"); if the hypothesis does not say it twice, the fresh copy
        is the committed one heard again. With nothing before it in the hypothesis (the buffer
        was cut there) the words are new speech, as `_without_recommitted` says.
        """
        if not fresh or not self._committed_in_buffer or fresh[0] not in hypothesis:
            return fresh
        before = hypothesis[: hypothesis.index(fresh[0])]
        longest = min(len(self._committed_in_buffer), len(fresh), len(before), self._max_dedupe_words)
        for size in range(longest, 0, -1):
            repeated = fresh[:size]
            if _all_same(self._committed_in_buffer[-size:], repeated) and not _all_same(before[-size:], repeated):
                return fresh[size:]
        return fresh

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


def _agreeing(new: Sequence[WordTuple], earlier: Sequence[WordTuple], settled: float) -> int:
    """Count the leading words of `new` that `earlier` also has, in order, ending by `settled`."""
    count = 0
    for word, other in zip(new, earlier, strict=False):
        if word[1] > settled or not _same_word(word, other):
            break
        count += 1
    return count


def _all_same(a: Sequence[WordTuple], b: Sequence[WordTuple]) -> bool:
    return len(a) == len(b) and all(_same_word(x, y) for x, y in zip(a, b, strict=True))


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
