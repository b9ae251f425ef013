"""indicator evidence: follower letters, backed co-financing, deliverable links, representation,
prior project references; the call's follower distance and folded indicators (issue 12)

Revision ID: 0010_indicator_evidence
Revises: 0009_sessions_tokens
Create Date: 2026-11-29 09:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0010_indicator_evidence'
down_revision = '0009_sessions_tokens'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('call', schema=None) as batch_op:
        batch_op.add_column(sa.Column('follower_distance_km', sa.Float(), server_default='30',
                                      nullable=False))
        batch_op.add_column(sa.Column('indicators_folded', sa.Boolean(), server_default=sa.true(),
                                      nullable=False))
        batch_op.create_check_constraint(
            op.f('ck_call_follower_distance_km'), 'follower_distance_km > 0 AND follower_distance_km <= 300')

    with op.batch_alter_table('application', schema=None) as batch_op:
        batch_op.add_column(sa.Column('cofinancing_backed_cents', sa.BigInteger(), server_default='0',
                                      nullable=False))
        # JSON columns stay nullable without a server default (PostgreSQL cannot compare JSON
        # defaults); the app reads NULL as none.
        batch_op.add_column(sa.Column('deliverable_links', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('prior_project_references', sa.JSON(), nullable=True))
        batch_op.create_check_constraint(
            op.f('ck_application_cofinancing_backed'),
            'cofinancing_backed_cents >= 0 AND cofinancing_backed_cents <= cofinancing_cents')

    with op.batch_alter_table('application_follower', schema=None) as batch_op:
        batch_op.add_column(sa.Column('letter', sa.Boolean(), server_default=sa.false(),
                                      nullable=False))

    with op.batch_alter_table('application_partner', schema=None) as batch_op:
        batch_op.add_column(sa.Column('represents', sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table('application_partner', schema=None) as batch_op:
        batch_op.drop_column('represents')

    with op.batch_alter_table('application_follower', schema=None) as batch_op:
        batch_op.drop_column('letter')

    with op.batch_alter_table('application', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_application_cofinancing_backed'), type_='check')
        batch_op.drop_column('prior_project_references')
        batch_op.drop_column('deliverable_links')
        batch_op.drop_column('cofinancing_backed_cents')

    with op.batch_alter_table('call', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_call_follower_distance_km'), type_='check')
        batch_op.drop_column('indicators_folded')
        batch_op.drop_column('follower_distance_km')
