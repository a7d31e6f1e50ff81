"""Engines and the unit of work.

Services never commit: the caller (a request, a job, a CLI command) owns the transaction through
``unit_of_work``, so a flow that touches several tables lands whole or not at all.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.orm import Session, sessionmaker

# Registers the after-commit hooks on every Session (side effects run only once a transaction commits).
import service.db.after_commit  # noqa: F401
from service.settings import Settings


def make_engine(settings: Settings) -> Engine:
    """Create the engine for the configured database (nothing connects until first use)."""
    url = settings.database_url
    if url.startswith("sqlite"):
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            url,
            echo=settings.database.echo,
            connect_args={"check_same_thread": False, "timeout": settings.database.sqlite_busy_timeout_ms / 1000},
        )
        _configure_sqlite(engine, busy_timeout_ms=settings.database.sqlite_busy_timeout_ms)
        return engine
    return create_engine(
        url,
        echo=settings.database.echo,
        pool_size=settings.database.pool_size,
        max_overflow=settings.database.max_overflow,
        pool_pre_ping=True,
    )


def make_room_read_engine(settings: Settings, *, connections: int) -> AsyncEngine | None:
    """PostgreSQL only: the asyncio engine the review room's read runs on (service/api/room_read.py).

    ``connections``: as many as reads can be in flight in one process (the admission gate's busy
    requests), so the pool never makes a read wait. Each read is one statement, so the connections
    stay in autocommit: no BEGIN and COMMIT round trips.
    """
    if not settings.database_url.startswith("postgresql"):
        return None
    return create_async_engine(
        settings.database_url,
        echo=settings.database.echo,
        pool_size=connections,
        max_overflow=0,
        pool_pre_ping=True,
        isolation_level="AUTOCOMMIT",
    )


def _configure_sqlite(engine: Engine, *, busy_timeout_ms: int) -> None:
    # pysqlite's own transaction handling defers BEGIN and cannot say IMMEDIATE; take it over (the
    # recipe from SQLAlchemy's SQLite dialect docs) so writers take the lock up front and wait
    # busy_timeout for it, instead of failing on a read-to-write upgrade in the middle of a request.
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        write = conn.get_execution_options().get("debrief_write", False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(bind=engine, expire_on_commit=False, autoflush=True)


@contextmanager
def unit_of_work(factory: sessionmaker[Session], *, write: bool = True) -> Iterator[Session]:
    """Yield a session whose work is committed on success and rolled back on any error."""
    session = factory()
    if write:
        session.connection(execution_options={"debrief_write": True})
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
