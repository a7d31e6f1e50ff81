"""Record the real Resemblyzer's voice embeddings of a few synthesised utterances, and compare the port.

`transcription/voice_encoder.py` reimplements Resemblyzer 0.1.4 in numpy. This script runs the
real package (PyTorch + librosa) once on the same audio and writes what it computed to
`tests/transcription/fixtures/voice_reference.npz`; `tests/transcription/test_voice_encoder.py`
checks the port against that file on every test run. Never edit the fixture by hand: re-run this.

It needs what the service never installs, so it runs in a scratch virtualenv:

    python3 -m venv /tmp/torchvenv
    /tmp/torchvenv/bin/pip install torch==2.13.0 Resemblyzer==0.1.4 librosa webrtcvad "setuptools<81"
    /tmp/torchvenv/bin/python evals/transcription/voice_reference.py      # from the project root

and Debian's `espeak-ng` for the utterances. It prints the cosine of each pair (port vs real) and
the largest relative difference of the mel features.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import wave
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
FIXTURE = ROOT / "tests/transcription/fixtures/voice_reference.npz"
# Three voices, three lengths: under one partial (padded), a few partials, many partials.
UTTERANCES = [
    ("en-us", "We signed twelve."),
    ("en-gb+f2", "The supplier sent the wrong candle jars."),
    ("en-us-nyc", "The push went out to half the fleet, and checkout failed for forty minutes."),
]


def synthesise(voice: str, text: str, workdir: Path) -> np.ndarray:
    """espeak-ng at 22.05 kHz, resampled to 16 kHz by sox, as 16-bit samples."""
    raw, out = workdir / "raw.wav", workdir / "out.wav"
    subprocess.run(["espeak-ng", "-v", voice, "-w", str(raw), text], check=True, capture_output=True)
    subprocess.run(["sox", str(raw), "-r", "16000", "-c", "1", "-b", "16", str(out)], check=True)
    with wave.open(str(out)) as handle:
        return np.frombuffer(handle.readframes(handle.getnframes()), dtype="<i2").copy()


def main() -> None:
    import librosa
    from resemblyzer import VoiceEncoder
    from resemblyzer.audio import normalize_volume, wav_to_mel_spectrogram

    sys.path.insert(0, str(ROOT))
    from transcription.voice_encoder import VoiceEncoder as NumpyEncoder
    from transcription.voice_encoder import mel_spectrogram, normalise_volume
    from transcription.voice_weights import load_voice_weights

    encoder = VoiceEncoder("cpu", verbose=False)
    weights_path = Path(sys.modules["resemblyzer"].__file__).parent / "pretrained.pt"  # type: ignore[arg-type]
    port = NumpyEncoder(load_voice_weights(weights_path))
    with tempfile.TemporaryDirectory() as tmp:
        clips = [synthesise(voice, text, Path(tmp)) for voice, text in UTTERANCES]
    arrays: dict[str, Any] = {}
    for n, clip in enumerate(clips):
        wav = (clip / 32768).astype(np.float32)
        real = encoder.embed_utterance(normalize_volume(wav, -30, increase_only=True))
        mine = port.embed_utterance(wav)
        real_mel = wav_to_mel_spectrogram(normalize_volume(wav, -30, increase_only=True))
        my_mel = mel_spectrogram(normalise_volume(wav))
        mel_diff = float(np.max(np.abs(real_mel - my_mel)) / np.max(np.abs(real_mel)))
        cosine = float(real @ mine / np.linalg.norm(real) / np.linalg.norm(mine))
        print(f"{UTTERANCES[n][0]:10s} {len(wav) / 16000:5.2f} s  cosine {cosine:.7f}  mel max rel diff {mel_diff:.2e}")
        arrays[f"audio_{n}"] = clip
        arrays[f"embedding_{n}"] = real.astype(np.float32)
    FIXTURE.parent.mkdir(parents=True, exist_ok=True)
    versions = f"torch {sys.modules['torch'].__version__}, librosa {librosa.__version__}, Resemblyzer 0.1.4"
    arrays["recorded_with"] = np.array(versions)
    np.savez_compressed(FIXTURE, **arrays)
    print(f"wrote {FIXTURE.relative_to(ROOT)} ({FIXTURE.stat().st_size} bytes) with {versions}")


if __name__ == "__main__":
    main()
