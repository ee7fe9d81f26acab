"""mail, reminders, background jobs and calendar feeds: the head of a body (user_account.is_head),
the plan's escalation limit (plan.escalation_working_days), every outgoing message with the
obligations it named and its delivery (unique per account, day and kind), the day's composed
batch, each account's digest choice, calendar feed tokens, background exports

Revision ID: a1b2c3d4e5f7
Revises: f3a4b5c6d7e8
Create Date: 2026-12-01 12:00:00

"""
import sqlalchemy as sa
from alembic import op

revision = 'a1b2c3d4e5f7'
down_revision = 'f3a4b5c6d7e8'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('user_account') as batch:
        batch.add_column(sa.Column('is_head', sa.Boolean(), nullable=False, server_default=sa.false()))
    with op.batch_alter_table('plan') as batch:
        batch.add_column(sa.Column('escalation_working_days', sa.Integer(), nullable=False, server_default='10'))

    op.create_table(
        'mail_preference',
        sa.Column('account_id', sa.Integer(), nullable=False),
        sa.Column('digest', sa.String(length=16), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['account_id'], ['user_account.id'],
                                name=op.f('fk_mail_preference_account_id_user_account'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('account_id', name=op.f('pk_mail_preference')),
    )

    op.create_table(
        'outgoing_message',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('account_id', sa.Integer(), nullable=False),
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('kind', sa.String(length=20), nullable=False),
        sa.Column('to_address', sa.String(length=254), nullable=False),
        sa.Column('language', sa.String(length=5), nullable=False),
        sa.Column('subject', sa.Text(), nullable=False),
        sa.Column('text_body', sa.Text(), nullable=False),
        sa.Column('html_body', sa.Text(), nullable=False),
        sa.Column('message_id', sa.String(length=200), nullable=False),
        sa.Column('state', sa.String(length=10), nullable=False),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('last_error', sa.Text(), nullable=True),
        sa.Column('transport', sa.String(length=10), nullable=True),
        sa.Column('outbox_file', sa.String(length=300), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('claimed_by', sa.String(length=120), nullable=True),
        sa.Column('claimed_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['account_id'], ['user_account.id'],
                                name=op.f('fk_outgoing_message_account_id_user_account'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_outgoing_message')),
        sa.UniqueConstraint('account_id', 'day', 'kind', name='uq_outgoing_message_account_day_kind'),
        sa.UniqueConstraint('message_id', name=op.f('uq_outgoing_message_message_id')),
    )
    op.create_index('ix_outgoing_message_account_id', 'outgoing_message', ['account_id'])
    op.create_index('ix_outgoing_message_day_state', 'outgoing_message', ['day', 'state'])

    op.create_table(
        'outgoing_message_item',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('message_id', sa.Integer(), nullable=False),
        sa.Column('obligation_id', sa.Integer(), nullable=True),
        sa.Column('reason', sa.String(length=12), nullable=False),
        sa.Column('days', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['message_id'], ['outgoing_message.id'],
                                name=op.f('fk_outgoing_message_item_message_id_outgoing_message'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['obligation_id'], ['obligation.id'],
                                name=op.f('fk_outgoing_message_item_obligation_id_obligation'), ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_outgoing_message_item')),
    )
    op.create_index('ix_outgoing_message_item_message_id', 'outgoing_message_item', ['message_id'])
    op.create_index('ix_outgoing_message_item_obligation_id', 'outgoing_message_item', ['obligation_id'])

    op.create_table(
        'digest_run',
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('composed_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('messages', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('day', name=op.f('pk_digest_run')),
    )

    op.create_table(
        'feed_token',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('token', sa.String(length=64), nullable=False),
        sa.Column('account_id', sa.Integer(), nullable=False),
        sa.Column('scope', sa.String(length=10), nullable=False),
        sa.Column('body_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['account_id'], ['user_account.id'],
                                name=op.f('fk_feed_token_account_id_user_account'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['body_id'], ['body.id'], name=op.f('fk_feed_token_body_id_body'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_feed_token')),
        sa.UniqueConstraint('token', name=op.f('uq_feed_token_token')),
    )
    op.create_index('ix_feed_token_account_id', 'feed_token', ['account_id'])

    op.create_table(
        'export_job',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('account_id', sa.Integer(), nullable=False),
        sa.Column('query', sa.Text(), nullable=False),
        sa.Column('as_of', sa.Date(), nullable=False),
        sa.Column('language', sa.String(length=5), nullable=False),
        sa.Column('state', sa.String(length=10), nullable=False),
        sa.Column('rows_total', sa.Integer(), nullable=True),
        sa.Column('rows_done', sa.Integer(), nullable=False),
        sa.Column('file_name', sa.String(length=200), nullable=True),
        sa.Column('download_name', sa.Text(), nullable=True),
        sa.Column('size', sa.Integer(), nullable=True),
        sa.Column('error', sa.Text(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('started_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('expires_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['account_id'], ['user_account.id'],
                                name=op.f('fk_export_job_account_id_user_account'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_export_job')),
    )
    op.create_index('ix_export_job_account_id', 'export_job', ['account_id'])


def downgrade():
    op.drop_index('ix_export_job_account_id', table_name='export_job')
    op.drop_table('export_job')
    op.drop_index('ix_feed_token_account_id', table_name='feed_token')
    op.drop_table('feed_token')
    op.drop_table('digest_run')
    op.drop_index('ix_outgoing_message_item_obligation_id', table_name='outgoing_message_item')
    op.drop_index('ix_outgoing_message_item_message_id', table_name='outgoing_message_item')
    op.drop_table('outgoing_message_item')
    op.drop_index('ix_outgoing_message_day_state', table_name='outgoing_message')
    op.drop_index('ix_outgoing_message_account_id', table_name='outgoing_message')
    op.drop_table('outgoing_message')
    op.drop_table('mail_preference')
    with op.batch_alter_table('plan') as batch:
        batch.drop_column('escalation_working_days')
    with op.batch_alter_table('user_account') as batch:
        batch.drop_column('is_head')
