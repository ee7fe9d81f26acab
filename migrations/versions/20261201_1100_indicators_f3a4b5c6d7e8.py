"""indicators: targets and actuals as the plans state them — indicators, their targets per period and
scope, their reporting periods (the responsible body's obligations), actuals with review and
evidence, links to activities, and lines a coordinator added for the reader

Revision ID: f3a4b5c6d7e8
Revises: e2b3c4d5f6a7
Create Date: 2026-12-01 11:00:00

"""
import sqlalchemy as sa
from alembic import op

revision = 'f3a4b5c6d7e8'
down_revision = 'e2b3c4d5f6a7'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'indicator',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('plan_id', sa.Integer(), nullable=False),
        sa.Column('source_key', sa.String(length=60), nullable=False),
        sa.Column('state', sa.String(length=12), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('text', sa.Text(), nullable=False),
        sa.Column('name', sa.Text(), nullable=False),
        sa.Column('unit', sa.String(length=16), nullable=False),
        sa.Column('direction', sa.String(length=8), nullable=False),
        sa.Column('scope', sa.String(length=12), nullable=False),
        sa.Column('frequency', sa.String(length=12), nullable=False),
        sa.Column('baseline_year', sa.Integer(), nullable=True),
        sa.Column('baseline_value', sa.Float(), nullable=True),
        sa.Column('relative', sa.JSON(), nullable=True),
        sa.Column('tolerance', sa.Float(), nullable=False),
        sa.Column('due_kind', sa.String(length=16), nullable=False),
        sa.Column('due_n', sa.Integer(), nullable=False),
        sa.Column('body_id', sa.Integer(), nullable=True),
        sa.Column('suggested_body', sa.String(length=500), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['plan_id'], ['plan.id'], name=op.f('fk_indicator_plan_id_plan'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['body_id'], ['body.id'], name=op.f('fk_indicator_body_id_body')),
        sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'],
                                name=op.f('fk_indicator_created_by_id_user_account')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_indicator')),
        sa.UniqueConstraint('plan_id', 'source_key', name=op.f('uq_indicator_plan_id')),
    )
    op.create_index('ix_indicator_plan_id', 'indicator', ['plan_id'])
    op.create_index('ix_indicator_body_id', 'indicator', ['body_id'])

    op.create_table(
        'indicator_activity',
        sa.Column('indicator_id', sa.Integer(), nullable=False),
        sa.Column('activity_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['indicator_id'], ['indicator.id'],
                                name=op.f('fk_indicator_activity_indicator_id_indicator'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['activity_id'], ['activity.id'],
                                name=op.f('fk_indicator_activity_activity_id_activity'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('indicator_id', 'activity_id', name=op.f('pk_indicator_activity')),
    )
    op.create_index('ix_indicator_activity_activity_id', 'indicator_activity', ['activity_id'])

    op.create_table(
        'indicator_target',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('indicator_id', sa.Integer(), nullable=False),
        sa.Column('period', sa.String(length=10), nullable=False),
        sa.Column('scope', sa.String(length=12), nullable=False),
        sa.Column('value', sa.Float(), nullable=False),
        sa.Column('source', sa.String(length=12), nullable=False),
        sa.ForeignKeyConstraint(['indicator_id'], ['indicator.id'],
                                name=op.f('fk_indicator_target_indicator_id_indicator'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_indicator_target')),
        sa.UniqueConstraint('indicator_id', 'period', 'scope', name=op.f('uq_indicator_target_indicator_id')),
    )
    op.create_index('ix_indicator_target_indicator_id', 'indicator_target', ['indicator_id'])

    op.create_table(
        'indicator_period',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('indicator_id', sa.Integer(), nullable=False),
        sa.Column('period', sa.String(length=10), nullable=False),
        sa.Column('starts', sa.Date(), nullable=False),
        sa.Column('ends', sa.Date(), nullable=False),
        sa.Column('due_date', sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(['indicator_id'], ['indicator.id'],
                                name=op.f('fk_indicator_period_indicator_id_indicator'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_indicator_period')),
        sa.UniqueConstraint('indicator_id', 'period', name=op.f('uq_indicator_period_indicator_id')),
    )
    op.create_index('ix_indicator_period_indicator_id', 'indicator_period', ['indicator_id'])
    op.create_index('ix_indicator_period_due_date', 'indicator_period', ['due_date'])

    op.create_table(
        'indicator_actual',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('indicator_id', sa.Integer(), nullable=False),
        sa.Column('period_id', sa.Integer(), nullable=False),
        sa.Column('scope', sa.String(length=12), nullable=False),
        sa.Column('value', sa.Float(), nullable=False),
        sa.Column('comment', sa.Text(), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('previous_id', sa.Integer(), nullable=True),
        sa.Column('body_id', sa.Integer(), nullable=False),
        sa.Column('state', sa.String(length=12), nullable=False),
        sa.Column('source', sa.String(length=12), nullable=False),
        sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('submitted_on', sa.Date(), nullable=False),
        sa.Column('submitted_by_id', sa.Integer(), nullable=False),
        sa.Column('reviewed_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('reviewed_on', sa.Date(), nullable=True),
        sa.Column('reviewed_by_id', sa.Integer(), nullable=True),
        sa.Column('review_comment', sa.Text(), nullable=True),
        sa.Column('no_personal_data', sa.Boolean(), nullable=False),
        sa.Column('row_version', sa.Integer(), nullable=False, server_default='1'),
        sa.ForeignKeyConstraint(['indicator_id'], ['indicator.id'],
                                name=op.f('fk_indicator_actual_indicator_id_indicator'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['period_id'], ['indicator_period.id'],
                                name=op.f('fk_indicator_actual_period_id_indicator_period'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['previous_id'], ['indicator_actual.id'],
                                name=op.f('fk_indicator_actual_previous_id_indicator_actual')),
        sa.ForeignKeyConstraint(['body_id'], ['body.id'], name=op.f('fk_indicator_actual_body_id_body')),
        sa.ForeignKeyConstraint(['submitted_by_id'], ['user_account.id'],
                                name=op.f('fk_indicator_actual_submitted_by_id_user_account')),
        sa.ForeignKeyConstraint(['reviewed_by_id'], ['user_account.id'],
                                name=op.f('fk_indicator_actual_reviewed_by_id_user_account')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_indicator_actual')),
    )
    op.create_index('ix_indicator_actual_period_id', 'indicator_actual', ['period_id'])
    op.create_index('ix_indicator_actual_body_id', 'indicator_actual', ['body_id'])
    op.create_index('uq_indicator_actual_version', 'indicator_actual', ['period_id', 'scope', 'version'], unique=True)
    op.create_index('ix_indicator_actual_lookup', 'indicator_actual',
                    ['indicator_id', 'period_id', 'scope', 'version', 'submitted_on'])

    op.create_table(
        'indicator_evidence',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('actual_id', sa.Integer(), nullable=False),
        sa.Column('original_name', sa.String(length=255), nullable=False),
        sa.Column('stored_name', sa.String(length=80), nullable=False),
        sa.Column('kind', sa.String(length=8), nullable=False),
        sa.Column('content_type', sa.String(length=120), nullable=False),
        sa.Column('size', sa.BigInteger(), nullable=False),
        sa.Column('sha256', sa.String(length=64), nullable=False),
        sa.Column('uploaded_by_id', sa.Integer(), nullable=False),
        sa.Column('uploaded_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['actual_id'], ['indicator_actual.id'],
                                name=op.f('fk_indicator_evidence_actual_id_indicator_actual'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['uploaded_by_id'], ['user_account.id'],
                                name=op.f('fk_indicator_evidence_uploaded_by_id_user_account')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_indicator_evidence')),
    )
    op.create_index('ix_indicator_evidence_actual_id', 'indicator_evidence', ['actual_id'])

    op.create_table(
        'indicator_text',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('plan_id', sa.Integer(), nullable=False),
        sa.Column('text', sa.Text(), nullable=False),
        sa.Column('frequency', sa.String(length=12), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['plan_id'], ['plan.id'], name=op.f('fk_indicator_text_plan_id_plan'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'],
                                name=op.f('fk_indicator_text_created_by_id_user_account')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_indicator_text')),
    )
    op.create_index('ix_indicator_text_plan_id', 'indicator_text', ['plan_id'])


def downgrade():
    op.drop_table('indicator_text')
    op.drop_table('indicator_evidence')
    op.drop_table('indicator_actual')
    op.drop_table('indicator_period')
    op.drop_table('indicator_target')
    op.drop_table('indicator_activity')
    op.drop_table('indicator')
