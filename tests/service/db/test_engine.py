import sqlite3

import pytest
from sqlalchemy import text

from service.db.engine import make_engine
from service.settings import Settings
from tests.helpers import ok


def test_sqlite_runs_in_wal_mode_with_foreign_keys(tmp_path):
    engine = make_engine(Settings(data_dir=tmp_path))
    with engine.connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
    engine.dispose()


def test_postgres_urls_use_psycopg_3():
    settings = Settings(database={"url": "postgresql://postgres@127.0.0.1:5432/test"})
    assert settings.database_url == "postgresql+psycopg://postgres@127.0.0.1:5432/test"


@pytest.mark.parametrize("backend", ["sqlite"])
def test_a_locked_sqlite_database_answers_503_and_saves_nothing(backend, settings, client, admin):
    settings.database.sqlite_busy_timeout_ms = 200
    # Another process holds the write lock (e.g. a long import); our request must not hang or half-write.
    blocker = sqlite3.connect(settings.data_dir / "debrief.db", isolation_level=None)
    blocker.execute("BEGIN IMMEDIATE")
    try:
        from litestar.testing import TestClient

        from service.app import create_app

        with TestClient(app=create_app(settings)) as impatient:
            response = impatient.post("/api/teams", json={"name": "Ops"}, headers=admin)
        assert response.status_code == 503, response.text
        assert response.headers["retry-after"]
        assert "nothing was saved" in response.json()["detail"]
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
    assert ok(client.get("/api/teams", headers=admin)) == []
    ok(
        client.post("/api/teams", headers=admin, json={"name": "Ops"}), 201
    )  # the same request succeeds once the lock is gone
