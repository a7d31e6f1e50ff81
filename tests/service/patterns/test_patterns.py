"""Patterns proposed from confirmed links, decided by people, never re-proposed once rejected."""

from __future__ import annotations

import pytest

from service.domain.access import Access
from service.domain.patterns.service import PatternService
from service.errors import Conflict, Forbidden
from service.models import LinkStatus, Pattern, SimilarityLink
from tests.helpers import make_cast


def _link(services, a: int, b: int, status: LinkStatus) -> None:
    services.session.add(SimilarityLink(failure_id=a, similar_failure_id=b, score=0.5, status=status.value))


def test_confirmed_links_across_teams_become_a_proposed_pattern(unit, imported):
    with unit() as services:
        _link(services, imported["H-1"], imported["H-2"], LinkStatus.CONFIRMED)
        _link(services, imported["H-4"], imported["H-5"], LinkStatus.CONFIRMED)  # only two: noise
        assert str(services.patterns.refresh()) == "0 new patterns proposed, 0 kept, 0 withdrawn"
        _link(services, imported["H-2"], imported["H-3"], LinkStatus.CONFIRMED)
        assert services.patterns.refresh().proposed == 1
    with unit() as services:
        [pattern] = services.patterns.list_all()
        assert pattern.status == "proposed" and pattern.llm_call_id is None
        assert {m.failure_id for m in pattern.members} == {imported[k] for k in ("H-1", "H-2", "H-3")}
        assert "confirmed by a person" in pattern.members[0].evidence
        assert "staged" in pattern.theme or "rollout" in pattern.theme  # words the three share
        assert services.patterns.refresh().kept == 1  # asking again does not duplicate it


def _propose_config_pattern(services, imported) -> Pattern:
    for a, b in (("H-1", "H-2"), ("H-2", "H-3")):
        _link(services, imported[a], imported[b], LinkStatus.CONFIRMED)
    services.patterns.refresh()
    [pattern] = services.patterns.list_all()
    return pattern


def test_a_person_with_the_right_role_decides_and_is_recorded(unit, imported):
    with unit() as services:
        pattern = _propose_config_pattern(services, imported)
        cast = make_cast(services)  # Alice is in none of the pattern's teams
        as_alice = PatternService(services.session, access=Access(services.session, cast.alice),
                                  settings=services.settings.retrieval)  # fmt: skip
        with pytest.raises(Forbidden, match="admin or facilitator of a team in this pattern"):
            as_alice.accept(pattern, actor=cast.alice)
        services.patterns.edit(pattern, theme="Config skips the staged rollout", description=None, actor=cast.bob)
        assert (pattern.status, pattern.decided_by, pattern.theme) == (
            "edited",
            cast.bob.id,
            "Config skips the staged rollout",
        )
        with pytest.raises(Conflict, match="already edited"):
            services.patterns.accept(pattern, actor=cast.bob)


def test_a_rejected_pattern_is_not_proposed_again(unit, imported):
    with unit() as services:
        pattern = _propose_config_pattern(services, imported)
        services.patterns.reject(pattern, actor=make_cast(services).bob)
    with unit() as services:
        assert services.patterns.list_all() == []
        result = services.patterns.refresh()
        assert (result.proposed, result.kept) == (0, 1)
        assert services.patterns.list_all() == []
        assert [p.status for p in services.patterns.list_all(include_rejected=True)] == ["rejected"]


def test_no_failures_no_patterns(unit):
    with unit() as services:
        assert str(services.patterns.refresh()) == "0 new patterns proposed, 0 kept, 0 withdrawn"
