import pytest

from service.errors import Conflict
from service.models import Failure
from tests.helpers import make_cast


def test_a_dismissed_hypothesis_never_comes_back(services):
    cast = make_cast(services)
    failure = services.failures.create(cast.review, title="Config push", actor=cast.alice)
    past = Failure(team_id=cast.team.id, title="Feature flag flipped for all tenants", summary="...")
    services.session.add(past)
    services.session.flush()
    link = services.similarity.propose(failure, similar=past, score=0.81, reason="both: a change applied everywhere")
    assert link.status == "hypothesis"
    services.similarity.decide(link, confirm=False, note="different cause", actor=cast.bob)
    assert services.similarity.propose(failure, similar=past, score=0.93, reason="again") is None
    assert link.status == "dismissed" and link.score == 0.81
    with pytest.raises(Conflict, match="already dismissed"):
        services.similarity.decide(link, confirm=True, note="", actor=cast.bob)
