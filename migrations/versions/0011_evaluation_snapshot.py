"""the frozen evaluation of a call (issue 11 item 4)

Revision ID: 0011_evaluation_snapshot
Revises: 0010_indicator_evidence
Create Date: 2026-11-29 11:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0011_evaluation_snapshot'
down_revision = '0010_indicator_evidence'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'evaluation_snapshot',
        sa.Column('call_id', sa.Integer(), nullable=False),
        sa.Column('data', sa.JSON(), nullable=False),
        sa.Column('reason', sa.String(length=20), nullable=False),
        sa.Column('frozen_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('by_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['by_id'], ['user_account.id'],
                                name=op.f('fk_evaluation_snapshot_by_id_user_account'),
                                ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['call_id'], ['call.id'],
                                name=op.f('fk_evaluation_snapshot_call_id_call'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('call_id', name=op.f('pk_evaluation_snapshot')),
    )


def downgrade():
    op.drop_table('evaluation_snapshot')
