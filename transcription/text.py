"""Text normalisation shared by the streaming policy, the filters, tests and evals.

Whisper writes "50" where a speaker (or a reference transcript) says "fifty", and punctuation
moves between hypotheses; comparisons must see through both.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

_UNIT_WORDS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
               "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen",
               "nineteen"]  # fmt: skip
_TENS_WORDS = ["twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]
_UNITS = {word: value for value, word in enumerate(_UNIT_WORDS)}
_TENS = {word: 10 * value for value, word in enumerate(_TENS_WORDS, start=2)}
_SCALES = {"hundred": 100, "thousand": 1_000, "million": 1_000_000}
_ORDINALS = {
    "first": "one", "second": "two", "third": "three", "fifth": "five", "eighth": "eight",
    "ninth": "nine", "twelfth": "twelve",
}  # fmt: skip
_SENTENCE_END = re.compile(r"[.!?…][\"')\]]*$")
_KEEP = re.compile(r"[^a-z0-9' ]+")
_TOKEN = re.compile(r"[a-z0-9']*[a-z][a-z0-9']*|\d+(?:\.\d+)?")  # words, or numbers like 3.5


def normalise_word(word: str) -> str:
    """Lower-case a word and strip its punctuation, for comparing hypotheses ("Members." = "members")."""
    return _KEEP.sub("", word.lower().replace("’", "'")).strip("' ")


def ends_sentence(word: str) -> bool:
    """Say whether a word closes a sentence ("members." yes, "Mr" no, "12," no)."""
    return bool(_SENTENCE_END.search(word.strip()))


def normalise_text(text: str) -> list[str]:
    """Split text into comparable tokens: lower case, no punctuation, numbers as digits."""
    text = text.lower().replace("’", "'").replace("%", " percent")
    text = re.sub(r"(?<=\d),(?=\d{3})", "", text)  # 2,855 -> 2855
    text = re.sub(r"(?<=[a-z])-(?=[a-z])", " ", text)  # forty-five -> forty five
    tokens = [token.strip("'") for token in _TOKEN.findall(text)]
    return _numbers_to_digits([token for token in tokens if token])


def word_error_rate(reference: str, hypothesis: str) -> float:
    """Compute WER over normalised tokens: (substitutions + deletions + insertions) / reference words."""
    ref, hyp = normalise_text(reference), normalise_text(hypothesis)
    if not ref:
        return 0.0 if not hyp else 1.0
    return edit_distance(ref, hyp) / len(ref)


def edit_distance(reference: Sequence[str], hypothesis: Sequence[str]) -> int:
    """Count word-level Levenshtein edits."""
    previous = list(range(len(hypothesis) + 1))
    for i, ref_token in enumerate(reference, start=1):
        current = [i]
        for j, hyp_token in enumerate(hypothesis, start=1):
            cost = 0 if ref_token == hyp_token else 1
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost))
        previous = current
    return previous[-1]


def _numbers_to_digits(tokens: list[str]) -> list[str]:
    out: list[str] = []
    i = 0
    while i < len(tokens):
        value, used, ordinal = _parse_number(tokens, i)
        if used:
            out.append(_ordinal(value) if ordinal else str(value))
            i += used
        else:
            out.append(tokens[i])
            i += 1
    return out


def _ordinal(value: int) -> str:
    suffix = "th" if 10 <= value % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(value % 10, "th")
    return f"{value}{suffix}"


def _number_word(token: str) -> tuple[str, bool]:
    """Map an ordinal word to its cardinal ("twelfth" -> "twelve", True)."""
    if token in _ORDINALS:
        return _ORDINALS[token], True
    if token.endswith("ieth") and token[:-4] + "y" in _TENS:
        return token[:-4] + "y", True
    if token.endswith("th") and (token[:-2] in _UNITS or token[:-2] in _SCALES):
        return token[:-2], True
    return token, False


def _parse_number(tokens: list[str], start: int) -> tuple[int, int, bool]:
    """Parse "one hundred and twenty three" from `start`; return (value, tokens used, ordinal)."""
    total = current = used = 0
    ordinal = False
    i = start
    while i < len(tokens) and not ordinal:
        word, ordinal = _number_word(tokens[i])
        if word == "zero":
            if not used:
                i += 1  # "zero" stands alone: "zero zero seven" is three numbers
                used = 1
            break
        tens_open = current % 100 >= 20 and current % 10 == 0  # "twenty" may take "one".."nine"
        if word in _UNITS and (current % 100 == 0 or (tens_open and _UNITS[word] < 10)):
            current += _UNITS[word]
        elif word in _TENS and current % 100 == 0:
            current += _TENS[word]
        elif word in _SCALES and (current or total):
            scale = _SCALES[word]
            if scale == 100:
                current = max(current, 1) * 100
            else:
                total += max(current, 1) * scale
                current = 0
        elif word == "and" and used and i + 1 < len(tokens) and (current >= 100 or total):
            nxt, _ = _number_word(tokens[i + 1])
            if nxt not in _UNITS and nxt not in _TENS:
                break
        else:
            ordinal = False
            break
        i += 1
        used = i - start
    if used == 0 or tokens[start] == "and":
        return 0, 0, False
    return total + current, used, ordinal
