"""service/domain/reviews/room_access.py: one statement answers who asks, whether they may see the
review, and the review's revision and summary, as the middleware, AccountService and Access do."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import update

from service.db.engine import make_engine, make_session_factory
from service.db.types import utcnow
from service.domain.accounts.service import AccountService
from service.domain.reviews.detail import REVIEW_LOADS
from service.domain.reviews.room_access import room_key
from service.domain.reviews.schemas import ReviewSummary
from service.domain.services import provide_services
from service.models import ApiToken, Person, Review
from tests.helpers import make_cast


@pytest.fixture
def room(settings):  # type: ignore[no-untyped-def]
    """A cast, a token for Alice (taking part) and one for the outsider; the engine to read on."""
    engine = make_engine(settings)
    with provide_services(make_session_factory(engine), settings) as services:
        cast = make_cast(services)
        accounts = AccountService(services.session)
        alice_token = accounts.create_token(cast.alice, name="alice")[1]
        outsider_token = accounts.create_token(cast.outsider, name="outsider")[1]
        ids = {"review": cast.review.id, "alice": cast.alice.id, "outsider": cast.outsider.id}
    yield engine, ids, alice_token, outsider_token
    engine.dispose()


def _key(engine, review_id, *, token=None, person_id=None):  # type: ignore[no-untyped-def]
    with engine.connect() as connection:
        return room_key(connection, review_id=review_id, token=token, person_id=person_id)


def test_a_visible_review_gives_its_revision_and_the_summary_the_orm_path_builds(room):
    engine, ids, alice_token, _ = room
    key = _key(engine, ids["review"], token=alice_token)
    with make_session_factory(engine)() as session:
        review = session.get(Review, ids["review"], options=REVIEW_LOADS)
        assert key is not None and key.person_id == ids["alice"]
        assert key.revision == review.revision and key.summary == ReviewSummary.of(review)
    cookie = _key(engine, ids["review"], person_id=ids["alice"])  # a browser session: the same answer
    assert cookie is not None and (cookie.person_id, cookie.revision, cookie.summary) == (
        key.person_id,
        key.revision,
        key.summary,
    )


def test_an_outsider_or_a_missing_review_gets_no_summary_but_is_still_signed_in(room):
    engine, ids, alice_token, outsider_token = room
    hidden = _key(engine, ids["review"], token=outsider_token)
    assert hidden is not None and hidden.person_id == ids["outsider"] and hidden.summary is None
    missing = _key(engine, ids["review"] + 1000, token=alice_token)
    assert missing is not None and missing.summary is None


def test_unknown_or_revoked_tokens_and_disabled_people_are_refused(room):
    engine, ids, alice_token, _ = room
    assert _key(engine, ids["review"], token="not-a-token") is None
    assert _key(engine, ids["review"], person_id=ids["alice"] + 1000) is None
    with engine.begin() as connection:
        connection.execute(update(Person).where(Person.id == ids["alice"]).values(disabled_at=utcnow()))
    assert _key(engine, ids["review"], token=alice_token) is None
    assert _key(engine, ids["review"], person_id=ids["alice"]) is None
    with engine.begin() as connection:
        connection.execute(update(Person).where(Person.id == ids["alice"]).values(disabled_at=None))
        connection.execute(update(ApiToken).where(ApiToken.person_id == ids["alice"]).values(revoked_at=utcnow()))
    assert _key(engine, ids["review"], token=alice_token) is None


def test_a_token_is_named_for_bookkeeping_only_when_its_last_use_is_over_a_minute_old(room):
    engine, ids, alice_token, _ = room
    never_used = _key(engine, ids["review"], token=alice_token)
    assert never_used is not None and never_used.stale_token_id is not None
    for ago, stale in ((timedelta(seconds=5), False), (timedelta(minutes=2), True)):
        with engine.begin() as connection:
            connection.execute(update(ApiToken).values(last_used_at=utcnow() - ago))
        key = _key(engine, ids["review"], token=alice_token)
        assert key is not None and (key.stale_token_id is not None) is stale
    cookie = _key(engine, ids["review"], person_id=ids["alice"])
    assert cookie is not None and cookie.stale_token_id is None
