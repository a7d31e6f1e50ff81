"""The numpy port against what the real Resemblyzer (PyTorch, librosa) computed on the same audio.

The fixture is written by evals/transcription/voice_reference.py from the real package; see there.
"""

from pathlib import Path

import numpy as np
import pytest

from transcription.voice_encoder import VoiceEncoder, mel_spectrogram, partial_starts
from transcription.voice_weights import load_voice_weights

FIXTURE = Path(__file__).parent / "fixtures" / "voice_reference.npz"


@pytest.fixture(scope="module")
def encoder() -> VoiceEncoder:
    return VoiceEncoder(load_voice_weights())


def test_the_port_agrees_with_the_recorded_real_model(encoder):
    reference = np.load(FIXTURE)
    assert "torch" in str(reference["recorded_with"])
    count = sum(1 for name in reference.files if name.startswith("audio_"))
    assert count == 3
    wavs = [(reference[f"audio_{n}"] / 32768).astype(np.float32) for n in range(count)]
    for n, wav in enumerate(wavs):
        real = reference[f"embedding_{n}"]
        assert float(encoder.embed_utterance(wav) @ real) >= 0.999, n
    together = encoder.embed_many(wavs)  # batched partials give the same vectors
    assert all(float(together[n] @ reference[f"embedding_{n}"]) >= 0.999 for n in range(count))
    # and different voices are told apart: the test would pass on any constant vector otherwise
    assert float(together[0] @ together[2]) < 0.99


def test_partials_follow_resemblyzers_rule():
    assert partial_starts(8000) == [0]  # shorter than one partial: one, padded
    assert partial_starts(16000 * 3) == [0, 77, 154]  # 1.3 per second, the last kept if 75 % full
    assert partial_starts(40000) == [0, 77]  # a third would be only 60 % full


def test_the_spectrogram_has_one_frame_per_10_ms_and_silence_is_zero():
    mel = mel_spectrogram(np.zeros(16000, np.float32))
    assert mel.shape == (101, 40)
    assert not mel.any()
