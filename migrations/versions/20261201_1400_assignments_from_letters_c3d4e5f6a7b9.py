"""assignments read from letters: a plan's kind and its letter's fields; the letters of a chain,
the plans an assignment became (one per receiving region), and which region carries which task

Revision ID: c3d4e5f6a7b9
Revises: b2c3d4e5f6a8
Create Date: 2026-12-01 14:00:00

"""
import sqlalchemy as sa
from alembic import op

revision = 'c3d4e5f6a7b9'
down_revision = 'b2c3d4e5f6a8'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('plan') as batch_op:
        batch_op.add_column(sa.Column('kind', sa.String(length=12), nullable=False, server_default='plan'))
        batch_op.add_column(sa.Column('letter_issuer', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('letter_number', sa.String(length=60), nullable=True))
        batch_op.add_column(sa.Column('letter_date', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('basis_issuer', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('basis_number', sa.String(length=60), nullable=True))
        batch_op.add_column(sa.Column('basis_date', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('reply_due', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('chain_position', sa.Integer(), nullable=True))

    op.create_table(
        'letter_chain',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=12), nullable=False),
        sa.Column('source_filename', sa.String(length=255), nullable=True),
        sa.Column('source_format', sa.String(length=10), nullable=True),
        sa.Column('source_sha256', sa.String(length=64), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'],
                                name=op.f('fk_letter_chain_created_by_id_user_account')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_letter_chain')),
        sa.UniqueConstraint('source_sha256', name=op.f('uq_letter_chain_source_sha256')),
    )

    op.create_table(
        'letter',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('chain_id', sa.Integer(), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('parent_id', sa.Integer(), nullable=True),
        sa.Column('role', sa.String(length=12), nullable=False),
        sa.Column('state', sa.String(length=12), nullable=True),
        sa.Column('issuer', sa.Text(), nullable=True),
        sa.Column('issuer_ru', sa.Text(), nullable=True),
        sa.Column('region', sa.String(length=120), nullable=True),
        sa.Column('number', sa.String(length=60), nullable=True),
        sa.Column('date', sa.Date(), nullable=True),
        sa.Column('inferred', sa.JSON(), nullable=False),
        sa.Column('received_by', sa.Text(), nullable=True),
        sa.Column('received_number', sa.String(length=60), nullable=True),
        sa.Column('received_on', sa.Date(), nullable=True),
        sa.Column('addressees', sa.JSON(), nullable=False),
        sa.Column('copies', sa.JSON(), nullable=False),
        sa.Column('recipients', sa.JSON(), nullable=False),
        sa.Column('bases', sa.JSON(), nullable=False),
        sa.Column('tasks', sa.JSON(), nullable=False),
        sa.Column('reply', sa.JSON(), nullable=True),
        sa.Column('enclosures', sa.String(length=120), nullable=True),
        sa.Column('signatory', sa.Text(), nullable=True),
        sa.Column('clerk', sa.String(length=120), nullable=True),
        sa.Column('warnings', sa.JSON(), nullable=False),
        sa.Column('delegation_ids', sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(['chain_id'], ['letter_chain.id'], name=op.f('fk_letter_chain_id_letter_chain'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['parent_id'], ['letter.id'], name=op.f('fk_letter_parent_id_letter'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_letter')),
        sa.UniqueConstraint('chain_id', 'position', name='uq_letter_chain_id_position'),
    )
    op.create_index('ix_letter_chain_id', 'letter', ['chain_id'])
    op.create_index('ix_letter_parent_id', 'letter', ['parent_id'])
    op.create_index('ix_letter_number', 'letter', ['number'])

    op.create_table(
        'letter_plan',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('letter_id', sa.Integer(), nullable=False),
        sa.Column('plan_id', sa.Integer(), nullable=False),
        sa.Column('region', sa.String(length=120), nullable=True),
        sa.ForeignKeyConstraint(['letter_id'], ['letter.id'], name=op.f('fk_letter_plan_letter_id_letter'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['plan_id'], ['plan.id'], name=op.f('fk_letter_plan_plan_id_plan'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_letter_plan')),
        sa.UniqueConstraint('plan_id', name=op.f('uq_letter_plan_plan_id')),
    )
    op.create_index('ix_letter_plan_letter_id', 'letter_plan', ['letter_id'])

    op.create_table(
        'letter_region_task',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('letter_id', sa.Integer(), nullable=False),
        sa.Column('region', sa.String(length=120), nullable=False),
        sa.Column('task_number', sa.String(length=40), nullable=False),
        sa.Column('text', sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(['letter_id'], ['letter.id'], name=op.f('fk_letter_region_task_letter_id_letter'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_letter_region_task')),
        sa.UniqueConstraint('letter_id', 'region', 'task_number', name='uq_letter_region_task_letter_id'),
    )
    op.create_index('ix_letter_region_task_letter_id', 'letter_region_task', ['letter_id'])
    op.create_index('ix_letter_region_task_region', 'letter_region_task', ['region'])


def downgrade():
    op.drop_table('letter_region_task')
    op.drop_table('letter_plan')
    op.drop_table('letter')
    op.drop_table('letter_chain')
    with op.batch_alter_table('plan') as batch_op:
        for column in ('chain_position', 'reply_due', 'basis_date', 'basis_number', 'basis_issuer', 'letter_date',
                       'letter_number', 'letter_issuer', 'kind'):
            batch_op.drop_column(column)
