"""items on control: the date in force and the plan's own, reporting periods, events, extension
requests, periods off control, the coordinator's working-calendar days, the plan's non-working rule;
notifications and the review inbox's last visits

Revision ID: e2b3c4d5f6a7
Revises: d1a2b3c4e5f6
Create Date: 2026-12-01 10:30:00

"""
import sqlalchemy as sa
from alembic import op

revision = 'e2b3c4d5f6a7'
down_revision = 'd1a2b3c4e5f6'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('plan') as batch_op:
        batch_op.add_column(sa.Column('non_working_rule', sa.String(length=8), nullable=False, server_default='keep'))

    with op.batch_alter_table('obligation') as batch_op:
        batch_op.add_column(sa.Column('original_due_date', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('covers_start', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('covers_end', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('moved_from', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('due_notes', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('waits_for', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('event_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('event_recorded_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('due_changed_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('extensions', sa.Integer(), nullable=False, server_default='0'))
    # Every obligation so far is the plan's own date: that is what identifies it on a re-import now,
    # since an extension may move its date in force.
    op.execute("UPDATE obligation SET original_due_date = due_date")
    with op.batch_alter_table('obligation') as batch_op:
        batch_op.alter_column('due_date', existing_type=sa.Date(), nullable=True)
        batch_op.drop_constraint('uq_obligation_activity_id', type_='unique')
        batch_op.create_unique_constraint('uq_obligation_activity_original_due_date',
                                          ['activity_id', 'original_due_date'])

    op.create_table(
        'extension_request',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('obligation_id', sa.Integer(), nullable=False),
        sa.Column('body_id', sa.Integer(), nullable=False),
        sa.Column('requested_by_id', sa.Integer(), nullable=False),
        sa.Column('requested_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('requested_on', sa.Date(), nullable=False),
        sa.Column('due_date_then', sa.Date(), nullable=False),
        sa.Column('new_due_date', sa.Date(), nullable=False),
        sa.Column('reason', sa.Text(), nullable=False),
        sa.Column('state', sa.String(length=12), nullable=False),
        sa.Column('decided_by_id', sa.Integer(), nullable=True),
        sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('decided_on', sa.Date(), nullable=True),
        sa.Column('decision_comment', sa.Text(), nullable=True),
        sa.Column('file_name', sa.String(length=255), nullable=True),
        sa.Column('file_stored_name', sa.String(length=80), nullable=True),
        sa.Column('file_kind', sa.String(length=8), nullable=True),
        sa.Column('file_content_type', sa.String(length=120), nullable=True),
        sa.Column('file_size', sa.BigInteger(), nullable=True),
        sa.Column('file_sha256', sa.String(length=64), nullable=True),
        sa.Column('row_version', sa.Integer(), nullable=False, server_default='1'),
        sa.ForeignKeyConstraint(['obligation_id'], ['obligation.id'],
                                name=op.f('fk_extension_request_obligation_id_obligation'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['body_id'], ['body.id'], name=op.f('fk_extension_request_body_id_body')),
        sa.ForeignKeyConstraint(['requested_by_id'], ['user_account.id'],
                                name=op.f('fk_extension_request_requested_by_id_user_account')),
        sa.ForeignKeyConstraint(['decided_by_id'], ['user_account.id'],
                                name=op.f('fk_extension_request_decided_by_id_user_account')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_extension_request')),
    )
    op.create_index('ix_extension_request_obligation_id', 'extension_request', ['obligation_id'])
    op.create_index('ix_extension_request_state', 'extension_request', ['state'])
    op.create_index('ix_extension_request_replay', 'extension_request', ['obligation_id', 'state', 'decided_on'])

    op.create_table(
        'off_control',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('plan_id', sa.Integer(), nullable=False),
        sa.Column('activity_id', sa.Integer(), nullable=True),
        sa.Column('since', sa.Date(), nullable=False),
        sa.Column('until', sa.Date(), nullable=True),
        sa.Column('grounds', sa.String(length=20), nullable=False),
        sa.Column('decision_number', sa.String(length=60), nullable=True),
        sa.Column('decision_date', sa.Date(), nullable=True),
        sa.Column('comment', sa.Text(), nullable=False),
        sa.Column('taken_by_id', sa.Integer(), nullable=False),
        sa.Column('taken_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('returned_by_id', sa.Integer(), nullable=True),
        sa.Column('returned_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['plan_id'], ['plan.id'], name=op.f('fk_off_control_plan_id_plan'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['activity_id'], ['activity.id'], name=op.f('fk_off_control_activity_id_activity'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['taken_by_id'], ['user_account.id'],
                                name=op.f('fk_off_control_taken_by_id_user_account')),
        sa.ForeignKeyConstraint(['returned_by_id'], ['user_account.id'],
                                name=op.f('fk_off_control_returned_by_id_user_account')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_off_control')),
    )
    op.create_index('ix_off_control_plan_id', 'off_control', ['plan_id'])
    op.create_index('ix_off_control_activity_id', 'off_control', ['activity_id'])

    op.create_table(
        'calendar_day',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('working', sa.Boolean(), nullable=False),
        sa.Column('reason', sa.Text(), nullable=False),
        sa.Column('source', sa.String(length=255), nullable=True),
        sa.Column('set_by_id', sa.Integer(), nullable=True),
        sa.Column('set_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['set_by_id'], ['user_account.id'], name=op.f('fk_calendar_day_set_by_id_user_account')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_calendar_day')),
        sa.UniqueConstraint('day', name=op.f('uq_calendar_day_day')),
    )

    op.create_table(
        'notification',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('account_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=30), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('read_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('path', sa.String(length=300), nullable=False),
        sa.Column('obligation_id', sa.Integer(), nullable=True),
        sa.Column('message', sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(['account_id'], ['user_account.id'],
                                name=op.f('fk_notification_account_id_user_account'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_notification')),
    )
    op.create_index('ix_notification_unread', 'notification', ['account_id', 'read_at'])
    op.create_index('ix_notification_obligation_id', 'notification', ['obligation_id'])
    op.create_table(
        'inbox_visit',
        sa.Column('account_id', sa.Integer(), nullable=False),
        sa.Column('seen_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['account_id'], ['user_account.id'],
                                name=op.f('fk_inbox_visit_account_id_user_account'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('account_id', name=op.f('pk_inbox_visit')),
    )


def downgrade():
    op.drop_table('inbox_visit')
    op.drop_index('ix_notification_obligation_id', table_name='notification')
    op.drop_index('ix_notification_unread', table_name='notification')
    op.drop_table('notification')
    op.drop_table('calendar_day')
    op.drop_index('ix_off_control_activity_id', table_name='off_control')
    op.drop_index('ix_off_control_plan_id', table_name='off_control')
    op.drop_table('off_control')
    op.drop_index('ix_extension_request_replay', table_name='extension_request')
    op.drop_index('ix_extension_request_state', table_name='extension_request')
    op.drop_index('ix_extension_request_obligation_id', table_name='extension_request')
    op.drop_table('extension_request')
    with op.batch_alter_table('obligation') as batch_op:
        batch_op.drop_constraint('uq_obligation_activity_original_due_date', type_='unique')
        batch_op.create_unique_constraint('uq_obligation_activity_id', ['activity_id', 'due_date'])
        batch_op.alter_column('due_date', existing_type=sa.Date(), nullable=False)
        for column in ('extensions', 'due_changed_on', 'event_recorded_on', 'event_on', 'waits_for', 'due_notes',
                       'moved_from', 'covers_end', 'covers_start', 'original_due_date'):
            batch_op.drop_column(column)
    with op.batch_alter_table('plan') as batch_op:
        batch_op.drop_column('non_working_rule')
