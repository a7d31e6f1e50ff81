from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from retrieval.errors import EmbeddingModelError
from retrieval.model_files import (
    MODEL_SHA256,
    TOKENIZER_SHA256,
    bundled_model_files,
    custom_model_files,
    file_sha256,
)


def test_bundled_files_are_the_reviewed_bytes() -> None:
    files = bundled_model_files()  # verifies both digests; raises on any other bytes
    assert files.model.name == "model.onnx"
    assert files.tokenizer.name == "tokenizer.json"
    assert file_sha256(files.model) == MODEL_SHA256
    assert file_sha256(files.tokenizer) == TOKENIZER_SHA256
    assert MODEL_SHA256[:12] in files.model_id


def test_file_sha256_matches_hashlib(tmp_path: Path) -> None:
    path = tmp_path / "blob"
    path.write_bytes(b"x" * (3 << 20) + b"tail")  # spans several 1 MiB blocks
    assert file_sha256(path) == hashlib.sha256(path.read_bytes()).hexdigest()


def test_custom_files_must_exist(tmp_path: Path) -> None:
    with pytest.raises(EmbeddingModelError, match="does not exist"):
        custom_model_files(tmp_path / "missing.onnx", tmp_path / "tokenizer.json")


def test_custom_model_id_follows_the_file_content(tmp_path: Path) -> None:
    model, tokenizer = tmp_path / "m.onnx", tmp_path / "t.json"
    tokenizer.write_text("{}")
    model.write_bytes(b"one")
    first = custom_model_files(model, tokenizer).model_id
    model.write_bytes(b"two")
    # A swapped model file must get a new id, so an index built with the old one is rebuilt.
    assert custom_model_files(model, tokenizer).model_id != first
    assert custom_model_files(model, tokenizer, model_id="mine").model_id == "mine"
