"""Real audio for the upload and live tests: espeak-ng speech and sox-made files, made once per run."""

from __future__ import annotations

import shutil
import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from service.settings import Settings
from tests.helpers import committed_cast

# Numbers on purpose: they are what the method's answers are made of.
SENTENCES = (
    "We intended to sign fifty members by the end of March. We signed twelve.",
    "The renewal page went live on Monday and the queue stopped at four hundred people.",
    "Next time we test the payment form with real cards before the launch.",
)


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        pytest.fail(f"{name} is not installed; install it with `apt-get install -y {name}` (make system-deps).")
    return path


@pytest.fixture(scope="session")
def audio_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("audio")


@pytest.fixture(scope="session")
def speech_wav(audio_dir: Path) -> Path:
    """About 14 s of three spoken sentences, 16 kHz mono WAV."""
    path = audio_dir / "speech.wav"
    subprocess.run([_tool("espeak-ng"), "-v", "en-us", "-s", "165", "-w", str(path), " ".join(SENTENCES)], check=True)
    return path


@pytest.fixture(scope="session")
def speech_ogg(speech_wav: Path, audio_dir: Path) -> Path:
    """The same speech as Ogg Vorbis at 16 kHz: a compressed upload, checked by decoding."""
    path = audio_dir / "speech.ogg"
    subprocess.run([_tool("sox"), str(speech_wav), "-r", "16000", str(path)], check=True)
    return path


@pytest.fixture(scope="session")
def silent_2h_flac(audio_dir: Path) -> Path:
    """Two hours of digital silence as FLAC (about 20 MB, made in a few seconds)."""
    path = audio_dir / "silence-2h.flac"
    subprocess.run(
        [_tool("sox"), "-n", "-r", "16000", "-c", "1", "-b", "16", str(path), "trim", "0", "7200"], check=True
    )
    return path


@pytest.fixture
def cast_ids(settings: Settings) -> dict[str, int]:
    """A committed review with its people: ids only (the API tests act through tokens)."""
    return committed_cast(settings)


def wait_for(check: Callable[[], Any], *, timeout_s: float, what: str) -> Any:
    """Poll `check` until it returns something truthy."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out after {timeout_s} s waiting for {what}")
