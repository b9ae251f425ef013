"""pseudonymous audit actors: who a pseudonym is, kept apart from the chain (issue 11 item 7)

Revision ID: 0013_audit_person
Revises: 0012_followup
Create Date: 2026-11-29 11:45:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0013_audit_person'
down_revision = '0012_followup'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'audit_person',
        sa.Column('pseudonym', sa.String(length=40), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=True),
        sa.Column('email', sa.String(length=255), nullable=True),
        sa.Column('name', sa.String(length=200), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('erased_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('erased_reason', sa.String(length=20), nullable=True),
        sa.ForeignKeyConstraint(['user_id'], ['user_account.id'],
                                name=op.f('fk_audit_person_user_id_user_account'), ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('pseudonym', name=op.f('pk_audit_person')),
        sa.UniqueConstraint('user_id', name=op.f('uq_audit_person_user_id')),
    )


def downgrade():
    op.drop_table('audit_person')
