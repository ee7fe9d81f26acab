"""national scale: plan.synthetic, and the indexes the per-body, per-plan and per-activity pages use

Revision ID: c4d2e8a1f7b3
Revises: 7a1d3c5e2b90
Create Date: 2026-11-23 08:50:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'c4d2e8a1f7b3'
down_revision = '7a1d3c5e2b90'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('plan') as batch_op:
        batch_op.add_column(sa.Column('synthetic', sa.Boolean(), nullable=False, server_default=sa.false()))
    # Every status asks "the latest lead report of this obligation submitted by day D": this index
    # answers it (and the "no later version" check) without reading the report rows themselves.
    op.create_index('ix_completion_report_status_lookup', 'completion_report',
                    ['obligation_id', 'kind', 'version', 'submitted_on', 'state', 'reviewed_on'])


def downgrade():
    op.drop_index('ix_completion_report_status_lookup', table_name='completion_report')
    with op.batch_alter_table('plan') as batch_op:
        batch_op.drop_column('synthetic')
