from sqlalchemy import text

from service.db.after_commit import on_commit
from service.db.engine import make_engine, make_session_factory


def test_actions_run_after_commit_and_never_after_rollback(settings):
    engine = make_engine(settings)
    factory = make_session_factory(engine)
    ran: list[str] = []
    with factory() as session:
        session.execute(text("SELECT 1"))  # inside a transaction, as every request and job is
        on_commit(session, lambda: ran.append("rolled back"))
        session.rollback()
        on_commit(session, lambda: ran.append("first"))
        on_commit(session, lambda: 1 / 0)  # a failing clean-up is logged, not raised, and does not stop others
        on_commit(session, lambda: ran.append("second"))
        assert ran == []
        session.commit()
    engine.dispose()
    assert ran == ["first", "second"]


def test_a_rolled_back_savepoint_drops_only_its_own_actions(settings):
    engine = make_engine(settings)
    factory = make_session_factory(engine)
    ran: list[str] = []
    with factory() as session:
        session.execute(text("SELECT 1"))
        on_commit(session, lambda: ran.append("before the savepoint"))
        savepoint = session.begin_nested()
        on_commit(session, lambda: ran.append("inside the rolled-back savepoint"))
        savepoint.rollback()
        with session.begin_nested():  # a savepoint that is released keeps its work for the outer commit
            on_commit(session, lambda: ran.append("inside a released savepoint"))
        on_commit(session, lambda: ran.append("after"))
        session.commit()
    engine.dispose()
    assert ran == ["before the savepoint", "inside a released savepoint", "after"]
