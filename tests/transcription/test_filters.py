import pytest

from transcription.filters import (
    SegmentFilter,
    compression_ratio,
    has_repeated_phrase,
    is_no_speech,
)


@pytest.mark.parametrize(
    ("no_speech_prob", "avg_logprob", "silent"),
    [
        (0.05, -0.3, False),  # ordinary speech
        (0.7, -0.4, False),  # Whisper unsure about silence but the words were likely: keep
        (0.7, -1.3, True),  # unsure about silence and unlikely words: Whisper's own rule
        (0.94, -0.8, True),  # the "You" Whisper hears in 10 s of digital silence
        (0.6, -2.0, False),  # the threshold is strict
    ],
)
def test_is_no_speech(no_speech_prob: float, avg_logprob: float, silent: bool) -> None:
    assert is_no_speech(no_speech_prob=no_speech_prob, avg_logprob=avg_logprob) is silent


@pytest.mark.parametrize(
    "text",
    [
        "Thank you. Thank you. Thank you. Thank you. Thank you.",
        "we need to check the config we need to check the config we need to check the config "
        "we need to check the config",
        "no no no no no no no no no",
        "So the spares arrived late, late, late, late, late, late, late, late, late.",
    ],
)
def test_loops_are_detected(text: str) -> None:
    assert has_repeated_phrase(text.split())
    assert SegmentFilter().drop_reason(text=text, no_speech_prob=0.1, avg_logprob=-0.3) == ("repetition_loop")


@pytest.mark.parametrize(
    "text",
    [
        "No, no, no, that's not what happened.",
        "We did it, we did it, we did it!",
        "It was very, very late.",
        "Bye. Bye. Bye.",
        "We intended to sign 50 members. We signed 12 members by Friday.",
        "The the handover sheet was missing.",
    ],
)
def test_real_emphasis_is_kept(text: str) -> None:
    assert not has_repeated_phrase(text.split())
    assert SegmentFilter().drop_reason(text=text, no_speech_prob=0.1, avg_logprob=-0.3) is None


def test_a_loop_after_real_words_is_still_a_loop() -> None:
    text = "The pump failed because " + "the spares were late " * 5
    assert has_repeated_phrase(text.split())


def test_compression_ratio_is_high_only_for_repetitive_text() -> None:
    varied = "We intended to sign fifty members by March, but the phone bank reached voicemail."
    assert compression_ratio(varied) < 1.5
    assert compression_ratio("the spares were late, " * 20) > 2.4
    assert compression_ratio("") == 0.0


def test_long_repetitive_text_is_dropped_by_compression_even_without_back_to_back_repeats() -> None:
    # Each repeat differs in one word, so no phrase repeats back to back, but zlib sees the loop.
    text = " ".join(f"and then the spares were late again on day {n}" for n in "abcdefgh")
    assert not has_repeated_phrase(text.split())
    assert SegmentFilter().drop_reason(text=text, no_speech_prob=0.0, avg_logprob=-0.2) == ("repetition_loop")


def test_drop_reasons_for_silence_and_empty_text() -> None:
    rules = SegmentFilter()
    assert rules.drop_reason(text=" You", no_speech_prob=0.93, avg_logprob=-0.8) == "no_speech"
    assert rules.drop_reason(text="  ", no_speech_prob=0.0, avg_logprob=-0.1) == "empty"


def test_thresholds_are_configurable() -> None:
    lenient = SegmentFilter(no_speech_certain=0.99)
    assert lenient.drop_reason(text=" You", no_speech_prob=0.93, avg_logprob=-0.8) is None
