from pathlib import Path

import pytest

from service.llm.model import DEFAULT_MODEL, ModelFile, ModelFileError, default_model, verify


def test_the_packaged_model_is_found_and_is_the_file_we_recorded():
    model = verify(default_model())
    assert model.path.name == "SmolLM2-135M-Instruct.Q4_1.gguf" and "Apache-2.0" in model.licence


def test_a_changed_file_fails_loudly(tmp_path: Path):
    fake = tmp_path / "m.gguf"
    fake.write_bytes(b"not a model")
    with pytest.raises(ModelFileError, match="expected b179c952"):
        verify(ModelFile("m", fake, "x", DEFAULT_MODEL.sha256))
