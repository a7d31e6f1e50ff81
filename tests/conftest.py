"""Shared fixtures: every persistence and service test runs on SQLite and, when configured, PostgreSQL.

PostgreSQL runs when DEBRIEF_TEST_POSTGRES_URL is set (``.ci/run`` always sets it). If it is set but
the server cannot be reached the run fails: a skipped PostgreSQL run must never look like a pass.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from litestar.testing import TestClient
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from service.app import create_app
from service.db.base import Base
from service.db.engine import make_engine, make_session_factory
from service.db.migrate import upgrade
from service.domain.services import Services, build_services
from service.settings import Settings

POSTGRES_URL = os.environ.get("DEBRIEF_TEST_POSTGRES_URL", "")
BACKENDS = ["sqlite", "postgresql"]


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One migrated SQLite file, copied for each test (migrating once keeps the suite quick)."""
    data_dir = tmp_path_factory.mktemp("sqlite-template")
    upgrade(Settings(data_dir=data_dir))
    return data_dir / "debrief.db"


@pytest.fixture(scope="session")
def postgres_schema_url() -> Iterator[str]:
    """A private schema in the test database, migrated once, dropped at the end of the run."""
    if not POSTGRES_URL:
        pytest.skip("DEBRIEF_TEST_POSTGRES_URL is not set; PostgreSQL variants skipped (CI always sets it)")
    schema = f"debrief_test_{uuid.uuid4().hex[:10]}"
    admin_url = Settings(database={"url": POSTGRES_URL}).database_url
    try:
        admin = create_engine(admin_url)
        with admin.begin() as connection:
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    except Exception as exc:  # the whole point: fail, never skip, when it is configured but down
        pytest.fail(f"DEBRIEF_TEST_POSTGRES_URL={POSTGRES_URL} is set but unreachable: {exc}")
    url = make_url(admin_url).update_query_dict({"options": f"-csearch_path={schema}"})
    url_text = url.render_as_string(hide_password=False)
    upgrade(Settings(database={"url": url_text}))
    yield url_text
    with admin.begin() as connection:
        connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture
def settings(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Settings]:
    """Settings for a fresh, migrated, empty database on the test's backend."""
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    if backend == "sqlite":
        shutil.copy(request.getfixturevalue("sqlite_template"), data_dir / "debrief.db")
        yield Settings(data_dir=data_dir)
        return
    url = request.getfixturevalue("postgres_schema_url")
    settings = Settings(data_dir=data_dir, database={"url": url})
    yield settings
    _empty_postgres(settings)


def _empty_postgres(settings: Settings) -> None:
    engine = make_engine(settings)
    tables = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
    with engine.begin() as connection:
        # TRUNCATE does not fire the audit log's row triggers, so the append-only rule stays in force.
        connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    engine.dispose()


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    with TestClient(app=create_app(settings)) as test_client:
        yield test_client


@pytest.fixture
def services(settings: Settings) -> Iterator[Services]:
    """Services on one session; the test's work is rolled back at the end, like a failed request."""
    engine = make_engine(settings)
    session = make_session_factory(engine)()
    try:
        yield build_services(session, settings, system=True)
    finally:
        session.rollback()
        session.close()
        engine.dispose()


@pytest.fixture
def auth(settings: Settings):
    """``auth(person_id)`` → headers signing requests as that person (a real API token, cached per person)."""
    from tests.helpers import token_headers

    cache: dict[int, dict[str, str]] = {}

    def headers(person_id: int) -> dict[str, str]:
        if person_id not in cache:
            cache[person_id] = token_headers(settings, person_id)
        return cache[person_id]

    return headers


@pytest.fixture
def admin(settings: Settings, auth) -> dict[str, str]:
    """Headers of a site admin, who can create teams and people."""
    from tests.helpers import create_person

    return auth(create_person(settings, "Ada Admin", is_admin=True, email="ada@example.org"))
