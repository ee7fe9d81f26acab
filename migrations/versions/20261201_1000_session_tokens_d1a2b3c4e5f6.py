"""a session token per account: sessions end with a password change or a sign-out

Every session and remember-me cookie names the account's token beside its id; a new token (on a
password change, a reset, a sign-out, a disabling) ends them all. Existing accounts get a random
token each, so the sessions open at the upgrade (which name no token) end: everybody signs in
once more.

Revision ID: d1a2b3c4e5f6
Revises: b3e9f1c2d4a6
Create Date: 2026-12-01 10:00:00

"""
import secrets

import sqlalchemy as sa
from alembic import op

revision = 'd1a2b3c4e5f6'
down_revision = 'b3e9f1c2d4a6'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('user_account') as batch_op:
        batch_op.add_column(sa.Column('session_token', sa.String(length=64), nullable=True))
    account = sa.table('user_account', sa.column('id', sa.Integer), sa.column('session_token', sa.String))
    bind = op.get_bind()
    ids = bind.execute(sa.select(account.c.id)).scalars().all()
    if ids:
        bind.execute(account.update().where(account.c.id == sa.bindparam('account_id'))
                     .values(session_token=sa.bindparam('token')),
                     [{'account_id': i, 'token': secrets.token_hex(32)} for i in ids])
    with op.batch_alter_table('user_account') as batch_op:
        batch_op.alter_column('session_token', existing_type=sa.String(length=64), nullable=False)


def downgrade():
    with op.batch_alter_table('user_account') as batch_op:
        batch_op.drop_column('session_token')
