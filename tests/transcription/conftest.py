"""Fixtures for transcription tests: real espeak-ng speech, real encoders, the real tiny model."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import av
import numpy as np
import pytest

from transcription.audio import decode_audio
from transcription.types import SAMPLE_RATE, AudioArray
from transcription.whisper import WhisperTranscriber

# (container, codec, codec rate) per file extension; Opus only runs at 48 kHz.
FORMATS = {
    "wav": ("wav", "pcm_s16le", 16_000),
    "mp3": ("mp3", "libmp3lame", 16_000),
    "m4a": ("ipod", "aac", 16_000),
    "ogg": ("ogg", "libopus", 48_000),
    "webm": ("webm", "libopus", 48_000),
    "flac": ("flac", "flac", 16_000),
}


@pytest.fixture(scope="session")
def espeak() -> str:
    path = shutil.which("espeak-ng")
    if path is None:
        pytest.fail(
            "espeak-ng is not installed; the transcription tests synthesise real speech with it. "
            "Install it with `apt-get install -y espeak-ng` (the Makefile's setup does this)."
        )
    return path


Speak = Callable[..., Path]


@pytest.fixture(scope="session")
def speak(espeak: str, tmp_path_factory: pytest.TempPathFactory) -> Speak:
    """Return speak(text, voice="en-us", speed=160) -> a WAV path, cached per session."""
    directory = tmp_path_factory.mktemp("speech")
    made: dict[tuple[str, str, int], Path] = {}

    def _speak(text: str, *, voice: str = "en-us", speed: int = 160) -> Path:
        key = (text, voice, speed)
        if key not in made:
            path = directory / f"speech-{len(made)}.wav"
            subprocess.run(
                [espeak, "-v", voice, "-s", str(speed), "-w", str(path), text],
                check=True, capture_output=True,
            )  # fmt: skip
            made[key] = path
        return made[key]

    return _speak


@pytest.fixture(scope="session")
def speech_samples(speak: Speak) -> Callable[..., AudioArray]:
    """Return samples(text, **voice) -> 16 kHz float32 speech."""

    def _samples(text: str, **kwargs: object) -> AudioArray:
        return decode_audio(speak(text, **kwargs))

    return _samples


@pytest.fixture(scope="session")
def encode_audio() -> Callable[[AudioArray, Path], Path]:
    """Return encode(samples, path): write 16 kHz float32 samples in the format of path's suffix."""
    return _encode


def _encode(samples: AudioArray, path: Path) -> Path:
    """Encode 16 kHz mono float32 samples into the format named by `path`'s extension."""
    container_format, codec, rate = FORMATS[path.suffix.lstrip(".")]
    pcm = (np.clip(samples, -1.0, 1.0) * 32767).astype(np.int16)[None, :]
    frame = av.AudioFrame.from_ndarray(pcm, format="s16", layout="mono")
    frame.sample_rate = SAMPLE_RATE
    with av.open(str(path), "w", format=container_format) as container:
        stream = container.add_stream(codec, rate=rate, layout="mono")
        resampler = av.AudioResampler(
            format=stream.codec_context.format, layout="mono", rate=rate,
            frame_size=stream.codec_context.frame_size or None,
        )  # fmt: skip
        for piece in [*resampler.resample(frame), *resampler.resample(None)]:
            for packet in stream.encode(piece):
                container.mux(packet)
        for packet in stream.encode(None):
            container.mux(packet)
    return path


@pytest.fixture(scope="session")
def transcriber() -> WhisperTranscriber:
    """The real bundled tiny.en model, loaded once per test session."""
    whisper = WhisperTranscriber(cpu_threads=2)
    whisper.load()
    return whisper
