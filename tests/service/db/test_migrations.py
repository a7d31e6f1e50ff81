from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import text

import service.models  # noqa: F401
from service.db.base import Base
from service.db.engine import make_engine


def test_migrations_create_exactly_the_models(settings):
    """A model change without a migration fails here, on both engines."""
    engine = make_engine(settings)
    with engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    engine.dispose()
    assert diff == []


def test_the_audit_log_is_append_only_in_the_database(settings, services):
    from tests.helpers import make_cast

    make_cast(services)
    services.session.flush()
    for statement in ("UPDATE audit_events SET action = 'forged'", "DELETE FROM audit_events"):
        savepoint = services.session.begin_nested()
        try:
            services.session.execute(text(statement))
        except Exception as exc:  # sqlite3.IntegrityError or psycopg RaiseException, wrapped by SQLAlchemy
            assert "append-only" in str(exc)
            savepoint.rollback()
        else:
            raise AssertionError(f"{statement!r} was allowed")
    assert services.session.execute(text("SELECT count(*) FROM audit_events")).scalar() > 0
