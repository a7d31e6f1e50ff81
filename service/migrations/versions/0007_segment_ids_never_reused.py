"""segment ids are never reused on SQLite (AUTOINCREMENT), now that segments can be removed

Drafts cite segments by id. SQLite's default rowid hands the id of a removed last row to the next
insert, so a citation in an old draft could come to point at words it never saw. PostgreSQL's
sequences never reuse an id; only the SQLite table is rebuilt.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-05 16:30:00
"""

from __future__ import annotations

from alembic import op

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def _rebuild(autoincrement: bool) -> None:
    if op.get_context().dialect.name != 'sqlite':
        return
    with op.batch_alter_table('segments', recreate='always', table_kwargs={'sqlite_autoincrement': autoincrement}):
        pass


def upgrade() -> None:
    _rebuild(True)


def downgrade() -> None:
    _rebuild(False)
