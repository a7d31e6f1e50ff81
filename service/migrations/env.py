"""Alembic environment: migrate the database Debrief's settings point at."""

from __future__ import annotations

from alembic import context

import service.models  # noqa: F401  (registers every table for autogenerate)
from service.db.base import Base
from service.db.engine import make_engine
from service.settings import Settings

config = context.config


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is None:
        settings = config.attributes.get("settings") or Settings()
        with make_engine(settings).connect() as connection:
            _run(connection)
    else:
        _run(connection)


def _run(connection) -> None:  # type: ignore[no-untyped-def]
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",  # SQLite can't ALTER most things
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    raise SystemExit("Offline (SQL script) migrations are not supported; run `debrief migrate`.")
run_migrations_online()
