"""Group failures that look like one root cause, and keep only groups that meet the pattern rule.

Average-linkage agglomerative clustering over cosine similarity: two groups merge only while the
*average* similarity between all their members stays above the threshold, so one borderline pair
cannot chain unrelated failures together (single linkage did, on the dev history's near-duplicate
traps). A person's decisions come first: failures joined by confirmed links start as one group
(people said each pair shares a cause), and a dismissed link forbids two failures from being
grouped by the vectors. The vectors alone group only failures that are alike beyond the threshold.

Measured on the dev history (evals/retrieval/suite.py): MiniLM vectors of title + summary do not
separate root causes — no threshold gave a correct pattern without confirmed links — so the default
threshold is high and patterns come, in practice, from what people confirmed.

Cost grows with the square of the failures that have any neighbour above the threshold; that is
fine for thousands (a report job), not for a million.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

CONFIRMED = 1.0
FORBIDDEN = -np.inf


@dataclass(frozen=True, slots=True)
class Group:
    members: tuple[int, ...]  # failure ids, the most central first
    teams: frozenset[int]
    cohesion: float  # average pairwise cosine of the members' vectors


def cluster(
    ids: Sequence[int],
    teams: Sequence[int],
    vectors: np.ndarray,
    *,
    threshold: float,
    min_instances: int,
    min_teams: int,
    confirmed: Iterable[tuple[int, int]] = (),
    dismissed: Iterable[tuple[int, int]] = (),
) -> list[Group]:
    """Groups of at least min_instances failures from at least min_teams teams, most cohesive first."""
    if min_instances < 3:
        raise ValueError("a pattern needs at least 3 instances; fewer is noise (the method's rule)")
    position = {fid: i for i, fid in enumerate(ids)}
    raw = vectors.astype(np.float64) @ vectors.T.astype(np.float64)
    sim = raw.copy()
    seeds = _components(len(ids), [(position[a], position[b]) for a, b in confirmed if a in position and b in position])
    for group in seeds:
        for i in group:
            for j in group:
                sim[i, j] = CONFIRMED
    seed_of = {i: n for n, group in enumerate(seeds) for i in group}
    for a, b in dismissed:
        if a in position and b in position and seed_of[position[a]] != seed_of[position[b]]:
            sim[position[a], position[b]] = sim[position[b], position[a]] = FORBIDDEN
    np.fill_diagonal(sim, -np.inf)
    # Only confirmed groups and failures with at least one close neighbour can end up in a group.
    joined = {i for group in seeds if len(group) > 1 for i in group}
    loose = [i for i in range(len(ids)) if i not in joined and len(ids) > 1 and sim[i].max() >= threshold]
    groups = _average_linkage(sim, [g for g in seeds if len(g) > 1] + [[i] for i in loose], threshold)
    found = []
    for members in groups:
        member_teams = frozenset(teams[i] for i in members)
        if len(members) < min_instances or len(member_teams) < min_teams:
            continue
        block = raw[np.ix_(members, members)]  # centrality by meaning, not by who confirmed what
        centrality = [float(np.mean([block[r, c] for c in range(len(members)) if c != r])) for r in range(len(members))]
        order = sorted(range(len(members)), key=lambda r: -centrality[r])
        cohesion = float(np.mean(centrality))
        found.append(Group(tuple(ids[members[r]] for r in order), member_teams, round(cohesion, 4)))
    return sorted(found, key=lambda g: (-len(g.members), -g.cohesion))


def _components(n: int, pairs: list[tuple[int, int]]) -> list[list[int]]:
    parent = list(range(n))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for a, b in pairs:
        parent[root(a)] = root(b)
    groups: dict[int, list[int]] = {}
    for i in range(n):
        groups.setdefault(root(i), []).append(i)
    return list(groups.values())


def _average_linkage(sim: np.ndarray, start: list[list[int]], threshold: float) -> list[list[int]]:
    clusters = [list(c) for c in start]
    # link[a, b] = sum of similarities between clusters a and b (average = sum / (|a| * |b|)).
    link = np.array([[sim[np.ix_(a, b)].sum() if a is not b else -np.inf for b in clusters] for a in clusters])
    alive = list(range(len(clusters)))
    while len(alive) > 1:
        sizes = np.array([len(clusters[c]) for c in alive], dtype=np.float64)
        sub = link[np.ix_(alive, alive)] / np.outer(sizes, sizes)
        np.fill_diagonal(sub, -np.inf)
        a, b = divmod(int(np.argmax(sub)), len(alive))
        if not np.isfinite(sub[a, b]) or sub[a, b] < threshold:
            break
        ca, cb = alive[a], alive[b]
        clusters[ca] = clusters[ca] + clusters[cb]
        link[ca, :] += link[cb, :]
        link[:, ca] += link[:, cb]
        link[ca, ca] = -np.inf
        alive.remove(cb)
    return [clusters[c] for c in alive]
