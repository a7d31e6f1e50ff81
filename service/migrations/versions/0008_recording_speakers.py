"""speakers separated in uploaded recordings, and the segments each one said

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-05 19:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('recording_speakers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('recording_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('voice', sa.LargeBinary(), nullable=False),
    sa.Column('seconds', sa.Double(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=True),
    sa.Column('person_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_recording_speakers_person_id_people'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['recording_id'], ['recordings.id'], name=op.f('fk_recording_speakers_recording_id_recordings'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_recording_speakers')),
    sa.UniqueConstraint('recording_id', 'number', name='uq_recording_speakers_number')
    )
    with op.batch_alter_table('recording_speakers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_recording_speakers_recording_id'), ['recording_id'], unique=False)
    # sqlite_autoincrement kept: SQLite's batch mode rebuilds the table (see 0007).
    with op.batch_alter_table('segments', schema=None, table_kwargs={'sqlite_autoincrement': True}) as batch_op:
        batch_op.add_column(sa.Column('speaker_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_segments_speaker_id'), ['speaker_id'], unique=False)
        batch_op.create_foreign_key(
            batch_op.f('fk_segments_speaker_id_recording_speakers'), 'recording_speakers', ['speaker_id'], ['id'],
            ondelete='SET NULL',
        )


def downgrade() -> None:
    with op.batch_alter_table('segments', schema=None, table_kwargs={'sqlite_autoincrement': True}) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_segments_speaker_id_recording_speakers'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_segments_speaker_id'))
        batch_op.drop_column('speaker_id')
    with op.batch_alter_table('recording_speakers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_recording_speakers_recording_id'))
    op.drop_table('recording_speakers')
