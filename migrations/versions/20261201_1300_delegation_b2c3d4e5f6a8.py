"""bodies in a hierarchy, groups, delegation of obligations

Revision ID: b2c3d4e5f6a8
Revises: a1b2c3d4e5f7
Create Date: 2026-12-01 13:00:00

"""
import sqlalchemy as sa
from alembic import op

revision = 'b2c3d4e5f6a8'
down_revision = 'a1b2c3d4e5f7'
branch_labels = None
depends_on = None

#: tracker.executors.models.NATIONAL, written out: a migration must not change when the code does
NATIONAL = "Қазақстан Республикасы"


def upgrade():
    with op.batch_alter_table('body') as batch_op:
        batch_op.add_column(sa.Column('level', sa.String(length=12), nullable=False, server_default='region'))
        batch_op.add_column(sa.Column('parent_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('district', sa.String(length=120), nullable=True))
        batch_op.create_foreign_key('fk_body_parent_id_body', 'body', ['parent_id'], ['id'], ondelete='SET NULL')
        batch_op.create_index('ix_body_level', ['level'])
        batch_op.create_index('ix_body_parent_id', ['parent_id'])
    op.execute(sa.text("UPDATE body SET level = 'national' WHERE region = :national").bindparams(national=NATIONAL))

    with op.batch_alter_table('plan') as batch_op:
        # "internal due date N working days before the parent's" when a body hands a due date down
        batch_op.add_column(sa.Column('delegation_working_days', sa.Integer(), nullable=False, server_default='5'))

    op.create_table(
        'delegation',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('obligation_id', sa.Integer(), nullable=False),
        sa.Column('parent_id', sa.Integer(), nullable=True),
        sa.Column('depth', sa.Integer(), nullable=False),
        sa.Column('from_body_id', sa.Integer(), nullable=False),
        sa.Column('body_id', sa.Integer(), nullable=False),
        sa.Column('group_body_id', sa.Integer(), nullable=True),
        sa.Column('due_date', sa.Date(), nullable=True),
        sa.Column('instruction', sa.Text(), nullable=False),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['obligation_id'], ['obligation.id'], name='fk_delegation_obligation_id_obligation',
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['parent_id'], ['delegation.id'], name='fk_delegation_parent_id_delegation',
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['from_body_id'], ['body.id'], name='fk_delegation_from_body_id_body'),
        sa.ForeignKeyConstraint(['body_id'], ['body.id'], name='fk_delegation_body_id_body'),
        sa.ForeignKeyConstraint(['group_body_id'], ['body.id'], name='fk_delegation_group_body_id_body'),
        sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], name='fk_delegation_created_by_id_user_account'),
        sa.PrimaryKeyConstraint('id', name='pk_delegation'),
        sa.UniqueConstraint('obligation_id', 'from_body_id', 'body_id', name='uq_delegation_once'),
    )
    for column in ('obligation_id', 'parent_id', 'from_body_id', 'body_id', 'group_body_id', 'due_date'):
        op.create_index(f'ix_delegation_{column}', 'delegation', [column])

    op.create_table(
        'delegation_above',
        sa.Column('delegation_id', sa.Integer(), nullable=False),
        sa.Column('body_id', sa.Integer(), nullable=False),
        sa.Column('distance', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['delegation_id'], ['delegation.id'], name='fk_delegation_above_delegation_id_delegation',
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['body_id'], ['body.id'], name='fk_delegation_above_body_id_body'),
        sa.PrimaryKeyConstraint('delegation_id', 'body_id', name='pk_delegation_above'),
    )
    op.create_index('ix_delegation_above_body_id', 'delegation_above', ['body_id'])

    op.create_table(
        'sub_report',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('delegation_id', sa.Integer(), nullable=False),
        sa.Column('body_id', sa.Integer(), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('previous_id', sa.Integer(), nullable=True),
        sa.Column('text', sa.Text(), nullable=False),
        sa.Column('links', sa.JSON(), nullable=False),
        sa.Column('state', sa.String(length=12), nullable=False),
        sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('submitted_on', sa.Date(), nullable=False),
        sa.Column('submitted_by_id', sa.Integer(), nullable=False),
        sa.Column('reviewed_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('reviewed_on', sa.Date(), nullable=True),
        sa.Column('reviewed_by_id', sa.Integer(), nullable=True),
        sa.Column('review_comment', sa.Text(), nullable=True),
        sa.Column('no_personal_data', sa.Boolean(), nullable=False),
        sa.Column('row_version', sa.Integer(), nullable=False, server_default='1'),
        sa.ForeignKeyConstraint(['delegation_id'], ['delegation.id'], name='fk_sub_report_delegation_id_delegation',
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['body_id'], ['body.id'], name='fk_sub_report_body_id_body'),
        sa.ForeignKeyConstraint(['previous_id'], ['sub_report.id'], name='fk_sub_report_previous_id_sub_report'),
        sa.ForeignKeyConstraint(['submitted_by_id'], ['user_account.id'],
                                name='fk_sub_report_submitted_by_id_user_account'),
        sa.ForeignKeyConstraint(['reviewed_by_id'], ['user_account.id'], name='fk_sub_report_reviewed_by_id_user_account'),
        sa.PrimaryKeyConstraint('id', name='pk_sub_report'),
        sa.UniqueConstraint('delegation_id', 'version', name='uq_sub_report_version'),
    )
    op.create_index('ix_sub_report_delegation_id', 'sub_report', ['delegation_id'])
    op.create_index('ix_sub_report_body_id', 'sub_report', ['body_id'])
    op.create_index('ix_sub_report_status_lookup', 'sub_report',
                    ['delegation_id', 'version', 'submitted_on', 'state', 'reviewed_on'])

    op.create_table(
        'delegation_file',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('delegation_id', sa.Integer(), nullable=False),
        sa.Column('report_id', sa.Integer(), nullable=True),
        sa.Column('original_name', sa.String(length=255), nullable=False),
        sa.Column('stored_name', sa.String(length=80), nullable=False),
        sa.Column('kind', sa.String(length=8), nullable=False),
        sa.Column('content_type', sa.String(length=120), nullable=False),
        sa.Column('size', sa.BigInteger(), nullable=False),
        sa.Column('sha256', sa.String(length=64), nullable=False),
        sa.Column('uploaded_by_id', sa.Integer(), nullable=False),
        sa.Column('uploaded_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['delegation_id'], ['delegation.id'], name='fk_delegation_file_delegation_id_delegation',
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['report_id'], ['sub_report.id'], name='fk_delegation_file_report_id_sub_report',
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['uploaded_by_id'], ['user_account.id'],
                                name='fk_delegation_file_uploaded_by_id_user_account'),
        sa.PrimaryKeyConstraint('id', name='pk_delegation_file'),
    )
    op.create_index('ix_delegation_file_delegation_id', 'delegation_file', ['delegation_id'])
    op.create_index('ix_delegation_file_report_id', 'delegation_file', ['report_id'])

    op.create_table(
        'district_correction',
        sa.Column('region_key', sa.String(length=120), nullable=False),
        sa.Column('region', sa.String(length=120), nullable=False),
        sa.Column('units', sa.JSON(), nullable=False),
        sa.Column('edited_by_id', sa.Integer(), nullable=True),
        sa.Column('edited_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['edited_by_id'], ['user_account.id'],
                                name='fk_district_correction_edited_by_id_user_account'),
        sa.PrimaryKeyConstraint('region_key', name='pk_district_correction'),
    )


def downgrade():
    op.drop_table('district_correction')
    op.drop_table('delegation_file')
    op.drop_table('sub_report')
    op.drop_table('delegation_above')
    op.drop_table('delegation')
    with op.batch_alter_table('plan') as batch_op:
        batch_op.drop_column('delegation_working_days')
    with op.batch_alter_table('body') as batch_op:
        batch_op.drop_index('ix_body_parent_id')
        batch_op.drop_index('ix_body_level')
        batch_op.drop_constraint('fk_body_parent_id_body', type_='foreignkey')
        batch_op.drop_column('district')
        batch_op.drop_column('parent_id')
        batch_op.drop_column('level')
