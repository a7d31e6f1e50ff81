"""The pattern rule on its own: at least three failures, from at least two teams, never fewer."""

from __future__ import annotations

import numpy as np
import pytest
from pydantic import ValidationError

from service.domain.patterns.cluster import cluster
from service.settings import Settings

RULE = {"threshold": 0.9, "min_instances": 3, "min_teams": 2}


def vectors(n: int, dim: int = 8) -> np.ndarray:
    """n orthogonal unit vectors: nothing is alike by meaning, so only confirmed links group."""
    return np.eye(n, dim, dtype=np.float32)


def test_two_instances_are_not_a_pattern():
    assert cluster([1, 2], [10, 20], vectors(2), confirmed=[(1, 2)], **RULE) == []


def test_three_instances_from_one_team_are_not_a_pattern():
    assert cluster([1, 2, 3], [10, 10, 10], vectors(3), confirmed=[(1, 2), (2, 3)], **RULE) == []


def test_three_instances_from_two_teams_are_a_candidate():
    [group] = cluster([1, 2, 3, 4], [10, 10, 20, 30], vectors(4), confirmed=[(1, 2), (2, 3)], **RULE)
    assert set(group.members) == {1, 2, 3} and group.teams == {10, 20}


def test_near_identical_failures_group_without_links_but_a_dismissal_splits_them():
    alike = np.array([[1.0, 0, 0, 0], [1.0, 0.1, 0, 0], [1.0, 0, 0.1, 0]], dtype=np.float32)
    alike /= np.linalg.norm(alike, axis=1, keepdims=True)
    assert len(cluster([1, 2, 3], [10, 20, 30], alike, **RULE)) == 1
    assert cluster([1, 2, 3], [10, 20, 30], alike, dismissed=[(1, 2)], **RULE) == []


def test_fewer_than_three_is_refused_in_code_and_in_settings():
    with pytest.raises(ValueError, match="at least 3"):
        cluster([1, 2], [1, 2], vectors(2), threshold=0.5, min_instances=2, min_teams=2)
    with pytest.raises(ValidationError):
        Settings(retrieval={"pattern_min_instances": 2})
    assert Settings(retrieval={"pattern_min_instances": 4}).retrieval.pattern_min_instances == 4
