"""who corrected a transcript segment's text, and when

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-05 16:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('segments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('corrected_by', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('corrected_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f('fk_segments_corrected_by_people'), 'people', ['corrected_by'], ['id'], ondelete='SET NULL'
        )


def downgrade() -> None:
    with op.batch_alter_table('segments', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_segments_corrected_by_people'), type_='foreignkey')
        batch_op.drop_column('corrected_at')
        batch_op.drop_column('corrected_by')
