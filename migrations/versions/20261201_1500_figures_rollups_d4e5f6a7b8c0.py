"""the dashboard's figures kept counted: each obligation's status as counted, and rollups per plan,
per plan and executor, per executor, per plan and activity progress, the oldest overdue per executor

Revision ID: d4e5f6a7b8c0
Revises: c3d4e5f6a7b9
Create Date: 2026-12-01 15:00:00

"""
import sqlalchemy as sa
from alembic import op

revision = 'd4e5f6a7b8c0'
down_revision = 'c3d4e5f6a7b9'
branch_labels = None
depends_on = None



def _counts():
    return [sa.Column('n', sa.Integer(), nullable=False, server_default='0'),
            sa.Column('extensions', sa.Integer(), nullable=False, server_default='0')]


def upgrade():
    with op.batch_alter_table('obligation') as batch_op:
        batch_op.add_column(sa.Column('counted_status', sa.String(length=12), nullable=True))
        batch_op.add_column(sa.Column('counted_due', sa.Boolean(), nullable=True))
        batch_op.add_column(sa.Column('counted_extensions', sa.Integer(), nullable=True))
    op.create_index('ix_obligation_counted_status', 'obligation', ['counted_status', 'activity_id'])
    with op.batch_alter_table('activity') as batch_op:
        batch_op.add_column(sa.Column('counted_progress', sa.String(length=12), nullable=True))
    with op.batch_alter_table('plan') as batch_op:
        # every plan is counted afresh the first time figures are read after the upgrade
        batch_op.add_column(sa.Column('figures_stale', sa.Boolean(), nullable=False, server_default=sa.true()))

    op.create_table('rollup_state',
                    sa.Column('id', sa.Integer(), nullable=False),
                    sa.Column('day', sa.Date(), nullable=True),
                    sa.Column('due_soon_days', sa.Integer(), nullable=True),
                    sa.PrimaryKeyConstraint('id', name=op.f('pk_rollup_state')))
    op.create_table('rollup_plan',
                    sa.Column('plan_id', sa.Integer(), nullable=False),
                    sa.Column('status', sa.String(length=12), nullable=False),
                    sa.Column('due', sa.Boolean(), nullable=False),
                    *_counts(),
                    sa.PrimaryKeyConstraint('plan_id', 'status', 'due', name=op.f('pk_rollup_plan')))
    op.create_table('rollup_plan_executor',
                    sa.Column('plan_id', sa.Integer(), nullable=False),
                    sa.Column('executor_key', sa.String(length=520), nullable=False),
                    sa.Column('role', sa.String(length=12), nullable=False),
                    sa.Column('status', sa.String(length=12), nullable=False),
                    sa.Column('due', sa.Boolean(), nullable=False),
                    *_counts(),
                    sa.PrimaryKeyConstraint('plan_id', 'executor_key', 'role', 'status', 'due',
                                            name=op.f('pk_rollup_plan_executor')))
    op.create_table('rollup_executor',
                    sa.Column('executor_key', sa.String(length=520), nullable=False),
                    sa.Column('role', sa.String(length=12), nullable=False),
                    sa.Column('status', sa.String(length=12), nullable=False),
                    sa.Column('due', sa.Boolean(), nullable=False),
                    *_counts(),
                    sa.PrimaryKeyConstraint('executor_key', 'role', 'status', 'due', name=op.f('pk_rollup_executor')))
    op.create_table('rollup_plan_progress',
                    sa.Column('plan_id', sa.Integer(), nullable=False),
                    sa.Column('progress', sa.String(length=12), nullable=False),
                    sa.Column('n', sa.Integer(), nullable=False, server_default='0'),
                    sa.PrimaryKeyConstraint('plan_id', 'progress', name=op.f('pk_rollup_plan_progress')))
    op.create_table('rollup_oldest',
                    sa.Column('executor_key', sa.String(length=520), nullable=False),
                    sa.Column('oldest', sa.Date(), nullable=True),
                    sa.PrimaryKeyConstraint('executor_key', name=op.f('pk_rollup_oldest')))


def downgrade():
    for table in ('rollup_oldest', 'rollup_plan_progress', 'rollup_executor', 'rollup_plan_executor', 'rollup_plan',
                  'rollup_state'):
        op.drop_table(table)
    with op.batch_alter_table('plan') as batch_op:
        batch_op.drop_column('figures_stale')
    with op.batch_alter_table('activity') as batch_op:
        batch_op.drop_column('counted_progress')
    op.drop_index('ix_obligation_counted_status', table_name='obligation')
    with op.batch_alter_table('obligation') as batch_op:
        for column in ('counted_extensions', 'counted_due', 'counted_status'):
            batch_op.drop_column(column)
