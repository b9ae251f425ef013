"""clusters in operation: adopted from a plan, members (lighthouse, follower, observer),
knowledge-sharing sessions (issue 17)

Revision ID: 0014_operating_clusters
Revises: 0013_audit_person
Create Date: 2026-11-29 12:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0014_operating_clusters'
down_revision = '0013_audit_person'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('operating_cluster',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=True),
    sa.Column('domain', sa.String(length=20), nullable=False),
    sa.Column('lighthouse_refnis', sa.String(length=5), nullable=False),
    sa.Column('adopted_by_id', sa.Integer(), nullable=True),
    sa.Column('adopted_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['adopted_by_id'], ['user_account.id'], name=op.f('fk_operating_cluster_adopted_by_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['plan_id'], ['cluster_plan.id'], name=op.f('fk_operating_cluster_plan_id_cluster_plan'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_operating_cluster')),
    sa.UniqueConstraint('plan_id', 'domain', 'lighthouse_refnis', name='uq_operating_cluster_plan')
    )
    with op.batch_alter_table('operating_cluster', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_operating_cluster_domain'), ['domain'], unique=False)
        batch_op.create_index(batch_op.f('ix_operating_cluster_plan_id'), ['plan_id'], unique=False)

    op.create_table('cluster_member',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cluster_id', sa.Integer(), nullable=False),
    sa.Column('municipality_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.String(length=20), nullable=False),
    sa.CheckConstraint("role IN ('lighthouse', 'follower', 'observer')", name=op.f('ck_cluster_member_role')),
    sa.ForeignKeyConstraint(['cluster_id'], ['operating_cluster.id'], name=op.f('fk_cluster_member_cluster_id_operating_cluster'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['municipality_id'], ['municipality.id'], name=op.f('fk_cluster_member_municipality_id_municipality')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cluster_member')),
    sa.UniqueConstraint('cluster_id', 'municipality_id', name='uq_cluster_member')
    )
    with op.batch_alter_table('cluster_member', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cluster_member_cluster_id'), ['cluster_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_cluster_member_municipality_id'), ['municipality_id'], unique=False)

    op.create_table('knowledge_session',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cluster_id', sa.Integer(), nullable=False),
    sa.Column('held_on', sa.Date(), nullable=False),
    sa.Column('topic', sa.String(length=300), nullable=False),
    sa.Column('attendance', sa.JSON(), nullable=True),
    sa.Column('material_url', sa.Text(), nullable=True),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['cluster_id'], ['operating_cluster.id'], name=op.f('fk_knowledge_session_cluster_id_operating_cluster'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['user_account.id'], name=op.f('fk_knowledge_session_recorded_by_id_user_account'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_knowledge_session'))
    )
    with op.batch_alter_table('knowledge_session', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_knowledge_session_cluster_id'), ['cluster_id'], unique=False)



def downgrade():
    with op.batch_alter_table('knowledge_session', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_knowledge_session_cluster_id'))

    op.drop_table('knowledge_session')
    with op.batch_alter_table('cluster_member', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_cluster_member_municipality_id'))
        batch_op.drop_index(batch_op.f('ix_cluster_member_cluster_id'))

    op.drop_table('cluster_member')
    with op.batch_alter_table('operating_cluster', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_operating_cluster_plan_id'))
        batch_op.drop_index(batch_op.f('ix_operating_cluster_domain'))

    op.drop_table('operating_cluster')
