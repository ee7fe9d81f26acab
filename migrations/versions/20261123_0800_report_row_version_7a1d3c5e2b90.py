"""report row version (optimistic locking)

Revision ID: 7a1d3c5e2b90
Revises: 5f0c2a7d9e11
Create Date: 2026-11-23 08:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = '7a1d3c5e2b90'
down_revision = '5f0c2a7d9e11'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('completion_report') as batch_op:
        batch_op.add_column(sa.Column('row_version', sa.Integer(), nullable=False, server_default='1'))


def downgrade():
    with op.batch_alter_table('completion_report') as batch_op:
        batch_op.drop_column('row_version')
