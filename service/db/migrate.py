"""Apply Alembic migrations from code (the CLI, tests and `make run` all go through here)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config

from service.db.engine import make_engine
from service.settings import Settings

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


def alembic_config(settings: Settings) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["settings"] = settings
    return config


def upgrade(settings: Settings, revision: str = "head") -> None:
    """Bring the configured database up to ``revision``."""
    engine = make_engine(settings)
    try:
        with engine.begin() as connection:
            config = alembic_config(settings)
            config.attributes["connection"] = connection
            command.upgrade(config, revision)
    finally:
        engine.dispose()
