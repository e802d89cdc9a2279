"""one media file per upload session

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25 09:30:00.000000

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


revision: str = '0002'
down_revision: Union[str, Sequence[str], None] = '0001'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """The session a media file was made from; unique, so a raced ``complete`` cannot make two."""
    with op.batch_alter_table('media_files', schema=None) as batch_op:
        batch_op.add_column(sa.Column('upload_session_id', sa.String(length=36), nullable=True))
        batch_op.create_unique_constraint('uq_media_upload_session', ['upload_session_id'])


def downgrade() -> None:
    with op.batch_alter_table('media_files', schema=None) as batch_op:
        batch_op.drop_constraint('uq_media_upload_session', type_='unique')
        batch_op.drop_column('upload_session_id')
