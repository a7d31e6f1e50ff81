"""Shared fixtures for the retrieval tests: one real embedder per session, real Chroma on disk."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest

from retrieval.embedding import Embedder


@pytest.fixture(scope="session")
def embedder() -> Embedder:
    # Loading takes ~0.3 s; one instance keeps the suite fast. Two threads = the target machine.
    model = Embedder(threads=2)
    model.load()
    return model


@pytest.fixture(scope="session")
def unit_vectors() -> Callable[..., np.ndarray]:
    """Random unit vectors: filler that makes Chroma write its HNSW files (after 1,000 items)."""

    def make(n: int, dim: int = 384, seed: int = 0) -> np.ndarray:
        rng = np.random.default_rng(seed)
        vectors = rng.standard_normal((n, dim)).astype(np.float32)
        return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)

    return make
