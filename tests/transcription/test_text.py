import pytest

from transcription.text import ends_sentence, normalise_text, normalise_word, word_error_rate


@pytest.mark.parametrize(
    ("text", "tokens"),
    [
        ("We signed twelve.", ["we", "signed", "12"]),
        ("We signed 12.", ["we", "signed", "12"]),
        ("fifty members", ["50", "members"]),
        ("one hundred and twenty three people", ["123", "people"]),
        ("two thousand and five", ["2005"]),
        ("forty-five minutes", ["45", "minutes"]),
        ("twenty twelve", ["20", "12"]),  # two numbers, not 32
        ("the fifteenth", ["the", "15th"]),
        ("the 15th", ["the", "15th"]),
        ("2,855 words in 3.5 hours", ["2855", "words", "in", "3.5", "hours"]),
        ("50% done", ["50", "percent", "done"]),
        ("zero zero seven", ["0", "0", "7"]),
        ("Kofi’s break, and then", ["kofi's", "break", "and", "then"]),
    ],
)
def test_normalise_text_makes_spoken_and_written_forms_equal(text: str, tokens: list[str]) -> None:
    assert normalise_text(text) == tokens


def test_word_error_rate_counts_substitutions_insertions_and_deletions() -> None:
    assert word_error_rate("we signed twelve", "We signed 12.") == 0.0
    assert word_error_rate("we signed twelve", "we signed well") == pytest.approx(1 / 3)
    assert word_error_rate("we signed twelve", "signed twelve") == pytest.approx(1 / 3)
    assert word_error_rate("we signed twelve", "oh we signed twelve today") == pytest.approx(2 / 3)
    assert word_error_rate("", "") == 0.0
    assert word_error_rate("", "noise") == 1.0


@pytest.mark.parametrize(
    ("word", "expected"),
    [("members.", True), ("Friday?", True), ("no!", True), ('said."', True), ("12,", False),
     ("Mr", False), ("3.5", False), ("", False)],
)  # fmt: skip
def test_ends_sentence(word: str, expected: bool) -> None:
    assert ends_sentence(word) is expected


def test_normalise_word_ignores_case_and_punctuation() -> None:
    assert normalise_word(" Members.") == normalise_word("members,") == "members"
