"""The index follows the database: commits reach it, rollbacks do not, and a lost index is rebuilt whole."""

from __future__ import annotations

import shutil

from service.db.engine import make_engine, make_session_factory
from service.domain.similarity.search import index_of
from service.domain.similarity.startup import open_similarity_index
from service.domain.similarity.text import text_query
from service.models import Failure, Question
from tests.helpers import make_cast


def test_search_finds_the_same_cause_told_in_other_words(unit, imported):
    with unit(write=False) as services:
        hits = services.similar.search(
            text_query("We changed a setting and it went live for every customer at once; no staged rollout."),
            k=3,
            team_ids=None,
        )
    assert {h.failure.external_id for h in hits} == {"H-1", "H-2", "H-3"}
    assert all(h.reason.startswith("both: ") for h in hits)


def test_commits_reach_the_index_and_rollbacks_do_not(unit, imported):
    with unit() as services:
        cast = make_cast(services)
        failure = services.failures.create(cast.review, title="Feature flag on for everyone", actor=cast.alice)
        cast.review.current_question = 3
        services.failures.record_answer(
            failure, Question.GAP, text="The handover had no slot for pending work.", origin="typed",
            draft=None, actor=cast.alice,
        )  # fmt: skip
        failure_id = failure.id
    with unit(write=False) as services:
        index = index_of(services.session).index
        assert str(failure_id) in index.metadata_by_id()
        # The gap answer is part of what was embedded: a handover query now finds it.
        found = services.similar.search(text_query("pending work lost at handover"), k=3, team_ids=None)
        assert failure_id in {h.failure.id for h in found}
    try:
        with unit() as services:
            services.session.add(Failure(team_id=cast.team.id, title="Never committed"))
            services.session.flush()
            raise RuntimeError("the request failed")
    except RuntimeError:
        pass
    with unit() as services:
        assert index_of(services.session).index.count() == 7  # six imported + the review's failure
        services.failures.remove(services.failures.get(failure_id), actor=cast.facilitator)
    with unit(write=False) as services:
        assert str(failure_id) not in index_of(services.session).index.metadata_by_id()


def test_a_deleted_index_directory_is_rebuilt_from_the_database(settings, indexed, imported):
    _, index = indexed
    index.close()
    shutil.rmtree(settings.index_dir)
    engine = make_engine(settings)
    try:
        reopened = open_similarity_index(settings, make_session_factory(engine))
        try:
            assert reopened.index.health.status.value == "ready"
            assert reopened.index.count() == 6
            assert str(imported["H-4"]) in reopened.index.metadata_by_id()
        finally:
            reopened.close()
    finally:
        engine.dispose()


def test_a_stale_index_is_reconciled_at_start_up(settings, indexed, imported, unit):
    _, index = indexed
    # Changes made while the index was closed (another process, a restore): the next start catches up.
    index.index.delete(str(imported["H-1"]))
    index.index.upsert(str(999_999), "a failure the database never had", {"team_id": 1})
    with unit(write=False) as services:
        result = index.reconcile(services.session)
    assert (result.written, result.deleted, result.rebuilt) == (1, 1, False)
