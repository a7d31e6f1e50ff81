"""Read the speaker encoder's weights from Resemblyzer's `pretrained.pt` without PyTorch.

The file ships in the PyPI wheel `Resemblyzer` 0.1.4 (Apache-2.0), installed as a data package
(`--no-deps`, never imported; MODELS.md). It is in PyTorch's *legacy* serialization format (before
torch 1.6, not a zip): five pickles one after another — a magic number, the format version, a
dict about the writer's machine, the checkpoint itself, the list of storage keys — and then, for
each key in that order, an int64 element count followed by the raw little-endian float32 data.

Pickle can run any callable the file names, so `plain pickle.load` on a downloaded file is code
execution. `_WeightsUnpickler` allows exactly the three globals a state dict needs and refuses
every other one; tensors come back as numpy arrays.
"""

from __future__ import annotations

import collections
import hashlib
import importlib.util
import io
import pickle
import struct
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import numpy as np
import numpy.typing as npt

from transcription.errors import ModelNotFoundError

VOICE_DISTRIBUTION = "Resemblyzer"
VOICE_VERSION = "0.1.4"
VOICE_PACKAGE = "resemblyzer"
VOICE_FILE = "pretrained.pt"
# sha256 of resemblyzer/pretrained.pt in Resemblyzer-0.1.4-py3-none-any.whl (the wheel's RECORD
# says the same in base64: OTc7hlmPo9qfzd7mFCOC7-CXd-jTfcnAVh9B8AcPE04).
VOICE_SHA256 = "39373b86598fa3da9fcddee6142382efe09777e8d37dc9c0561f41f0070f134e"
VOICE_MODEL_NAME = "resemblyzer-ge2e@" + VOICE_SHA256[:12]
_LEGACY_MAGIC = 0x1950A86A20F9469CFC6C
_LEGACY_VERSION = 1001
INSTALL_HINT = f"Run `pip install --no-deps {VOICE_DISTRIBUTION}=={VOICE_VERSION}` (see MODELS.md)."

Weights = dict[str, npt.NDArray[np.float32]]


class VoiceModelError(ModelNotFoundError):
    """The speaker encoder's weights are missing, changed or not in the expected format."""


class ForbiddenGlobal(pickle.UnpicklingError):
    """The weights file names a Python object a state dict never needs (a sign of a hostile file)."""


def bundled_voice_weights() -> Path:
    """Locate `pretrained.pt` inside the installed Resemblyzer package, without importing it."""
    # find_spec locates a top-level package without executing it: we only read a data file, and
    # the package's own code needs torch, which is not installed.
    spec = importlib.util.find_spec(VOICE_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise VoiceModelError(f"Speaker separation needs the package {VOICE_DISTRIBUTION!r}. {INSTALL_HINT}")
    path = Path(next(iter(spec.submodule_search_locations))) / VOICE_FILE
    if not path.is_file():
        raise VoiceModelError(f"{path} is missing from its package. {INSTALL_HINT}")
    return path


def load_voice_weights(path: Path | None = None, *, expected_sha256: str | None = VOICE_SHA256) -> Weights:
    """Read and check the checkpoint; return its `model_state` as float32 arrays by parameter name."""
    path = path or bundled_voice_weights()
    raw = path.read_bytes()
    if expected_sha256 is not None and (actual := hashlib.sha256(raw).hexdigest()) != expected_sha256:
        raise VoiceModelError(
            f"{path} has sha256 {actual}, expected {expected_sha256}: not the reviewed weights. {INSTALL_HINT}"
        )
    try:
        checkpoint, storages = _read_legacy(io.BytesIO(raw))
        state = checkpoint.get("model_state") if isinstance(checkpoint, dict) else None
        if not isinstance(state, dict):
            raise VoiceModelError(f"{path} holds no model_state.")
        # Only the model's tensors become arrays: the optimiser's state (two thirds of the file) stays bytes.
        arrays = _materialise(state, storages)
    except (pickle.UnpicklingError, EOFError, struct.error, ValueError, KeyError, TypeError) as exc:
        raise VoiceModelError(f"{path} is not a readable speaker encoder checkpoint: {exc}") from exc
    return {name: value for name, value in arrays.items() if isinstance(value, np.ndarray)}


def read_legacy_checkpoint(handle: IO[bytes]) -> Any:
    """Unpickle a legacy-format torch checkpoint, turning every tensor into a numpy array."""
    return _materialise(*_read_legacy(handle))


def _read_legacy(handle: IO[bytes]) -> tuple[Any, dict[str, npt.NDArray[np.float32]]]:
    if _WeightsUnpickler(handle).load() != _LEGACY_MAGIC:
        raise ValueError("not a legacy torch checkpoint (magic number differs)")
    if _WeightsUnpickler(handle).load() != _LEGACY_VERSION:
        raise ValueError("unknown legacy torch format version")
    machine = _WeightsUnpickler(handle).load()
    if not machine.get("little_endian", False):
        raise ValueError("written on a big-endian machine")
    unpickler = _WeightsUnpickler(handle)
    checkpoint = unpickler.load()
    keys = _WeightsUnpickler(handle).load()
    storages: dict[str, npt.NDArray[np.float32]] = {}
    for key in keys:
        (count,) = struct.unpack("<q", handle.read(8))
        data = handle.read(4 * count)
        if len(data) != 4 * count:
            raise ValueError(f"storage {key} is truncated")
        storages[key] = np.frombuffer(data, dtype="<f4")
    return checkpoint, storages


class _FloatStorage:
    """Stands for `torch.FloatStorage`: only its name is ever used."""


@dataclass(frozen=True)
class _StorageRef:
    key: str
    size: int


@dataclass(frozen=True)
class _TensorRef:
    storage: _StorageRef
    offset: int
    shape: tuple[int, ...]
    stride: tuple[int, ...]


def _rebuild_tensor_v2(
    storage: _StorageRef, offset: int, shape: tuple[int, ...], stride: tuple[int, ...], *_: object
) -> _TensorRef:
    # The storages' bytes come after this pickle, so a tensor is a reference until they are read.
    return _TensorRef(storage, int(offset), tuple(shape), tuple(stride))


class _WeightsUnpickler(pickle.Unpickler):
    _ALLOWED = {
        ("collections", "OrderedDict"): collections.OrderedDict,
        ("torch._utils", "_rebuild_tensor_v2"): _rebuild_tensor_v2,
        ("torch", "FloatStorage"): _FloatStorage,
    }

    def find_class(self, module: str, name: str) -> Any:
        try:
            return self._ALLOWED[(module, name)]
        except KeyError:
            raise ForbiddenGlobal(f"refused to load {module}.{name}: a weights file needs no such object") from None

    def persistent_load(self, pid: Any) -> _StorageRef:
        # Legacy format: ("storage", storage type, key, device, element count, view metadata).
        if not (isinstance(pid, tuple) and len(pid) == 6 and pid[0] == "storage" and pid[1] is _FloatStorage):
            raise ForbiddenGlobal(f"refused persistent id {str(pid)[:80]}: only float32 storages are expected")
        if pid[5] is not None:
            raise ValueError("storage views are not supported")
        return _StorageRef(str(pid[2]), int(pid[4]))


def _materialise(value: Any, storages: dict[str, npt.NDArray[np.float32]]) -> Any:
    if isinstance(value, _TensorRef):
        data = storages[value.storage.key]
        if value.storage.size != data.size:
            raise ValueError(f"storage {value.storage.key} holds {data.size} values, expected {value.storage.size}")
        last = value.offset + sum((n - 1) * s for n, s in zip(value.shape, value.stride, strict=True))
        if 0 not in value.shape and last >= data.size:
            raise ValueError(f"a tensor reaches past the end of storage {value.storage.key}")
        view = np.lib.stride_tricks.as_strided(
            data[value.offset :], shape=value.shape, strides=tuple(4 * s for s in value.stride), writeable=False
        )
        return np.array(view, dtype=np.float32)  # a copy, contiguous, in native byte order
    if isinstance(value, dict):
        return {k: _materialise(v, storages) for k, v in value.items()}
    if isinstance(value, list):
        return [_materialise(v, storages) for v in value]
    if isinstance(value, tuple):
        return tuple(_materialise(v, storages) for v in value)
    return value
