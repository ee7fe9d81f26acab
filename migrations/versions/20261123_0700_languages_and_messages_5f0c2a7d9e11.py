"""languages and translatable import messages

Each account remembers the interface language its person chose; import warnings and the
source references of activities keep their message data (template + parameters) beside the
English text, so the pages can show them in Kazakh or Russian.

Revision ID: 5f0c2a7d9e11
Revises: 034564c04780
Create Date: 2026-11-23 07:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = '5f0c2a7d9e11'
down_revision = '034564c04780'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('user_account') as batch_op:
        batch_op.add_column(sa.Column('language', sa.String(length=5), nullable=True))
    with op.batch_alter_table('plan_warning') as batch_op:
        batch_op.add_column(sa.Column('message_data', sa.JSON(), nullable=True))
    with op.batch_alter_table('activity') as batch_op:
        batch_op.add_column(sa.Column('source_ref_data', sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table('activity') as batch_op:
        batch_op.drop_column('source_ref_data')
    with op.batch_alter_table('plan_warning') as batch_op:
        batch_op.drop_column('message_data')
    with op.batch_alter_table('user_account') as batch_op:
        batch_op.drop_column('language')
