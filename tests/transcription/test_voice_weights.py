import os
import pickle
from pathlib import Path

import pytest

from transcription.voice_weights import (
    VOICE_SHA256,
    ForbiddenGlobal,
    VoiceModelError,
    bundled_voice_weights,
    load_voice_weights,
    read_legacy_checkpoint,
)


def test_the_bundled_weights_are_the_reviewed_file_and_hold_the_encoder():
    weights = load_voice_weights()
    assert weights["lstm.weight_ih_l0"].shape == (1024, 40)
    assert weights["lstm.weight_hh_l2"].shape == (1024, 256)
    assert weights["linear.weight"].shape == (256, 256)
    assert all(w.dtype == "float32" for w in weights.values())


def test_models_md_names_the_hash_and_licence():
    models = (Path(__file__).resolve().parents[2] / "MODELS.md").read_text()
    assert VOICE_SHA256 in models and "Resemblyzer" in models and "Apache-2.0" in models


def test_a_changed_weights_file_is_refused(tmp_path):
    changed = tmp_path / "pretrained.pt"
    raw = bytearray(bundled_voice_weights().read_bytes())
    raw[-1] ^= 1
    changed.write_bytes(bytes(raw))
    with pytest.raises(VoiceModelError, match="sha256"):
        load_voice_weights(changed)


class _Payload:
    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self):
        return (os.system, (f"touch {self.marker}",))


def _legacy_file(body: bytes) -> bytes:
    head = [0x1950A86A20F9469CFC6C, 1001, {"little_endian": True}]
    return b"".join(pickle.dumps(part, protocol=2) for part in head) + body


def test_the_unpickler_refuses_any_other_global_and_runs_nothing(tmp_path):
    marker = tmp_path / "ran"
    hostile = tmp_path / "hostile.pt"
    hostile.write_bytes(_legacy_file(pickle.dumps({"model_state": _Payload(marker)}, protocol=2)))
    with pytest.raises(VoiceModelError, match=r"refused to load posix\.system"):
        load_voice_weights(hostile, expected_sha256=None)
    assert not marker.exists()
    with hostile.open("rb") as handle, pytest.raises(ForbiddenGlobal):
        read_legacy_checkpoint(handle)


def test_a_truncated_storage_is_a_clear_error(tmp_path):
    whole = bundled_voice_weights().read_bytes()
    cut = tmp_path / "cut.pt"
    cut.write_bytes(whole[: len(whole) - 1000])
    with pytest.raises(VoiceModelError, match="truncated"):
        load_voice_weights(cut, expected_sha256=None)
