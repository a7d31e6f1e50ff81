from __future__ import annotations

import numpy as np
import pytest

from retrieval.exact import ExactIndex, recall_at_k, top_k


def test_top_k_agrees_with_a_full_sort(unit_vectors) -> None:
    vectors, queries = unit_vectors(2000, seed=1), unit_vectors(20, seed=2)
    rows, scores = top_k(vectors, queries, 10)
    full = np.argsort(-(queries @ vectors.T), axis=1)[:, :10]
    assert (rows == full).all()
    assert (np.diff(scores, axis=1) <= 0).all()  # best first


def test_k_larger_than_the_collection_returns_everything(unit_vectors) -> None:
    rows, _ = top_k(unit_vectors(3), unit_vectors(1, seed=5), 10)
    assert sorted(rows[0].tolist()) == [0, 1, 2]


def test_exact_index_finds_a_stored_vector_first(unit_vectors) -> None:
    vectors = unit_vectors(500)
    index = ExactIndex([f"id{i}" for i in range(500)], vectors)
    best_id, score = index.query_vector(vectors[42], 3)[0]
    assert best_id == "id42"
    assert score == pytest.approx(1.0, abs=1e-5)


def test_recall_counts_shared_ids_over_the_truth() -> None:
    truth = [["a", "b", "c"], ["d", "e", "f"]]
    found = [["a", "x", "c"], ["f", "e", "d"]]
    assert recall_at_k(found, truth, 3) == pytest.approx(5 / 6)
    assert recall_at_k(found, truth, 1) == pytest.approx(1 / 2)  # "a" found, "d" not first


def test_recall_rejects_mismatched_lists() -> None:
    with pytest.raises(ValueError):
        recall_at_k([["a"]], [], 1)
