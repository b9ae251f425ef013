"""follow-up of funded projects: the link to the application, milestones, reports, adoptions;
a participation can be a follower's promise (issue 17)

Revision ID: 0012_followup
Revises: 0011_evaluation_snapshot
Create Date: 2026-11-29 11:45:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0012_followup'
down_revision = '0011_evaluation_snapshot'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('milestone',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('due_date', sa.Date(), nullable=True),
    sa.Column('delivered_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['project_id'], ['project.id'], name=op.f('fk_milestone_project_id_project'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_milestone')),
    sa.UniqueConstraint('project_id', 'code', name='uq_milestone_project_code')
    )
    with op.batch_alter_table('milestone', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_milestone_project_id'), ['project_id'], unique=False)

    op.create_table('adoption',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('municipality_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('evidence_url', sa.Text(), nullable=True),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('implemented_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("status != 'dropped' OR (reason IS NOT NULL AND length(reason) > 0)", name=op.f('ck_adoption_dropped_has_reason')),
    sa.CheckConstraint("status IN ('planned', 'in_progress', 'implemented', 'dropped')", name=op.f('ck_adoption_status')),
    sa.ForeignKeyConstraint(['municipality_id'], ['municipality.id'], name=op.f('fk_adoption_municipality_id_municipality')),
    sa.ForeignKeyConstraint(['project_id'], ['project.id'], name=op.f('fk_adoption_project_id_project'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['user_account.id'], name=op.f('fk_adoption_recorded_by_id_user_account'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_adoption')),
    sa.UniqueConstraint('project_id', 'municipality_id', name='uq_adoption_project_municipality')
    )
    with op.batch_alter_table('adoption', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_adoption_municipality_id'), ['municipality_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_adoption_project_id'), ['project_id'], unique=False)

    op.create_table('project_report',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('results', sa.JSON(), nullable=True),
    sa.Column('sha256', sa.String(length=64), nullable=True),
    sa.Column('size', sa.BigInteger(), nullable=True),
    sa.Column('pages', sa.Integer(), nullable=True),
    sa.Column('filename', sa.String(length=255), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('submitted_by_id', sa.Integer(), nullable=True),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('reviewed_by_id', sa.Integer(), nullable=True),
    sa.Column('reviewed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('review_motivation', sa.Text(), nullable=True),
    sa.CheckConstraint("kind IN ('progress', 'final')", name=op.f('ck_project_report_kind')),
    sa.CheckConstraint("status IN ('submitted', 'approved', 'changes')", name=op.f('ck_project_report_status')),
    sa.ForeignKeyConstraint(['project_id'], ['project.id'], name=op.f('fk_project_report_project_id_project'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['reviewed_by_id'], ['user_account.id'], name=op.f('fk_project_report_reviewed_by_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['submitted_by_id'], ['user_account.id'], name=op.f('fk_project_report_submitted_by_id_user_account'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_project_report'))
    )
    with op.batch_alter_table('project_report', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_project_report_project_id'), ['project_id'], unique=False)

    op.create_table('funded_project',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('call_id', sa.Integer(), nullable=False),
    sa.Column('indicators_at_decision', sa.JSON(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('balance_due_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['application_id'], ['application.id'], name=op.f('fk_funded_project_application_id_application')),
    sa.ForeignKeyConstraint(['call_id'], ['call.id'], name=op.f('fk_funded_project_call_id_call')),
    sa.ForeignKeyConstraint(['project_id'], ['project.id'], name=op.f('fk_funded_project_project_id_project'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_funded_project')),
    sa.UniqueConstraint('application_id', name=op.f('uq_funded_project_application_id')),
    sa.UniqueConstraint('project_id', name=op.f('uq_funded_project_project_id'))
    )
    with op.batch_alter_table('funded_project', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_funded_project_call_id'), ['call_id'], unique=False)

    with op.batch_alter_table('participation', schema=None) as batch_op:
        batch_op.add_column(sa.Column('promised', sa.Boolean(), server_default=sa.false(), nullable=False))



def downgrade():
    with op.batch_alter_table('participation', schema=None) as batch_op:
        batch_op.drop_column('promised')

    with op.batch_alter_table('funded_project', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_funded_project_call_id'))

    op.drop_table('funded_project')
    with op.batch_alter_table('project_report', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_project_report_project_id'))

    op.drop_table('project_report')
    with op.batch_alter_table('adoption', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_adoption_project_id'))
        batch_op.drop_index(batch_op.f('ix_adoption_municipality_id'))

    op.drop_table('adoption')
    with op.batch_alter_table('milestone', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_milestone_project_id'))

    op.drop_table('milestone')
