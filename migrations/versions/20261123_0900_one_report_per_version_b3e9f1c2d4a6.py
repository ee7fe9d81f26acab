"""one lead report per version of an obligation; the duplicate-submission token

Revision ID: b3e9f1c2d4a6
Revises: c4d2e8a1f7b3
Create Date: 2026-11-23 09:00:00

"""
import sqlalchemy as sa
from alembic import op

revision = 'b3e9f1c2d4a6'
down_revision = 'c4d2e8a1f7b3'
branch_labels = None
depends_on = None


def upgrade():
    # Two lead submissions racing before this index existed could both store the same version.
    # Which of them stands is a decision for a person (reports are never rewritten), so say which
    # obligations they are and stop, rather than pick one silently.
    duplicates = op.get_bind().execute(sa.text(
        "SELECT obligation_id, version, COUNT(*) FROM completion_report WHERE kind = 'lead' "
        "GROUP BY obligation_id, version HAVING COUNT(*) > 1 ORDER BY obligation_id, version")).all()
    if duplicates:
        listed = ", ".join(f"obligation {o} version {v} ({n} reports)" for o, v, n in duplicates[:20])
        raise RuntimeError(f"{len(duplicates)} lead report versions are stored more than once: {listed}. "
                           "Decide which report of each stands before upgrading.")
    with op.batch_alter_table('completion_report') as batch_op:
        batch_op.add_column(sa.Column('submission_token', sa.String(length=64), nullable=True))
    op.create_index('ix_completion_report_submission_token', 'completion_report', ['submission_token'],
                    unique=True)
    op.create_index('uq_completion_report_lead_version', 'completion_report', ['obligation_id', 'version'],
                    unique=True, sqlite_where=sa.text("kind = 'lead'"), postgresql_where=sa.text("kind = 'lead'"))


def downgrade():
    op.drop_index('uq_completion_report_lead_version', table_name='completion_report')
    op.drop_index('ix_completion_report_submission_token', table_name='completion_report')
    with op.batch_alter_table('completion_report') as batch_op:
        batch_op.drop_column('submission_token')
