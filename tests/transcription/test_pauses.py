import numpy as np
import pytest

from transcription.pauses import SileroPauses
from transcription.types import SAMPLE_RATE, AudioArray


def silence(seconds: float) -> AudioArray:
    return np.zeros(round(seconds * SAMPLE_RATE), np.float32)


def trimmed(audio: AudioArray) -> AudioArray:
    """Speech without espeak-ng's own leading and trailing silence."""
    sounding = np.flatnonzero(np.abs(audio) > 1e-3)
    return audio[sounding[0] : sounding[-1] + 1]


@pytest.fixture(scope="module")
def sentence(speech_samples) -> AudioArray:
    return trimmed(speech_samples("We signed twelve members by Friday."))


def test_the_pause_after_speech_starts_where_the_speech_ends(sentence) -> None:
    speech_s = len(sentence) / SAMPLE_RATE
    pause = SileroPauses().last_pause(np.concatenate([sentence, silence(1.0)]), min_silence_s=0.6)
    assert pause is not None
    assert speech_s - 0.15 <= pause <= speech_s + 0.15


def test_a_pause_followed_by_more_speech_is_still_found(sentence) -> None:
    audio = np.concatenate([sentence, silence(0.8), sentence])
    pause = SileroPauses().last_pause(audio, min_silence_s=0.6)
    assert pause is not None
    assert abs(pause - len(sentence) / SAMPLE_RATE) <= 0.15


def test_a_silence_shorter_than_asked_is_no_pause(sentence) -> None:
    assert SileroPauses().last_pause(np.concatenate([sentence, silence(0.3)]), min_silence_s=0.6) is None


def test_silence_alone_has_no_pause_after_speech() -> None:
    assert SileroPauses().last_pause(silence(3.0), min_silence_s=0.6) is None
    assert SileroPauses().last_pause(silence(0.0), min_silence_s=0.6) is None
