"""The ranking's use of what people confirmed: a confirmed partner of a strong candidate moves up."""

from __future__ import annotations

import numpy as np

from service.domain.similarity.ranking import rank


def _unit(*values: float) -> np.ndarray:
    vector = np.asarray(values, dtype=np.float32)
    return vector / np.linalg.norm(vector)


QUERY = _unit(1, 0, 0)
VECTORS = np.stack([_unit(1, 0.1, 0), _unit(0.7, 0.7, 0), _unit(0.5, 0, 0.9), _unit(0, 1, 0)])
DOCUMENTS = ["config pushed everywhere", "a rule edit", "a flag flipped", "rain on the day"]


def _order(**kwargs) -> list[str]:
    return [r.failure_id for r in rank("config", QUERY, ["a", "b", "c", "d"], VECTORS, DOCUMENTS, **kwargs)]


def test_a_confirmed_partner_of_the_best_candidate_moves_up():
    assert _order(confirmed=[]) == ["a", "b", "c", "d"]
    linked = _order(confirmed=[(0, 2)], link_weight=2.0)
    assert set(linked[:2]) == {"a", "c"} and linked[2:] == ["b", "d"]
    # Scores stay closeness in meaning; only the order weighs the link.
    scores = {r.failure_id: r.score for r in rank("config", QUERY, ["a", "b", "c", "d"], VECTORS, DOCUMENTS,
                                                   confirmed=[(0, 2)], link_weight=2.0)}  # fmt: skip
    assert scores["c"] == round(float(VECTORS[2] @ QUERY), 4)
    lifted = {r.failure_id: r.confirmed_with for r in rank("config", QUERY, ["a", "b", "c", "d"], VECTORS, DOCUMENTS,
                                                         confirmed=[(0, 2)], link_weight=2.0)}  # fmt: skip
    assert lifted["c"] == "a" and lifted["b"] is None  # the reason a person sees says why it moved


def test_no_link_weight_or_a_poor_partner_changes_nothing():
    assert _order(confirmed=[(0, 2)], link_weight=0.0) == ["a", "b", "c", "d"]
    assert _order(confirmed=[(2, 3)], link_weight=2.0)[:2] == ["a", "b"]  # partners below average lend nothing
