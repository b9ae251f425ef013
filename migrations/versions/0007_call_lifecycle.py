"""call lifecycle: phases, submission receipts, withdrawal, amendments and reconfirmations

Revision ID: 0007_call_lifecycle
Revises: 0006_evidence
Create Date: 2026-11-29 08:20:00

The phase column has no CHECK constraint on purpose: the phases are listed once, in
evaluation/phases.py, so adding one (idea matchmaking's pre-registration) needs no migration.
Existing calls become 'published' when their results were published, else 'open'.
"""
from alembic import op
import sqlalchemy as sa


revision = '0007_call_lifecycle'
down_revision = '0006_evidence'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('call', schema=None) as batch_op:
        batch_op.add_column(sa.Column('phase', sa.String(length=30), nullable=False,
                                      server_default='draft'))
        batch_op.add_column(sa.Column('phase_changed_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('selection_rule', sa.String(length=20), nullable=False,
                                      server_default='rank-order'))
        batch_op.create_check_constraint(
            op.f('ck_call_selection_rule'), "selection_rule IN ('rank-order', 'optimal')")
    op.execute("""UPDATE "call" SET phase = 'open'""")
    op.execute("""UPDATE "call" SET phase = 'published' WHERE id IN """
               "(SELECT call_id FROM call_jury_settings WHERE published)")

    with op.batch_alter_table('application', schema=None) as batch_op:
        batch_op.add_column(sa.Column('receipt_sha256', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('receipt_content', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('withdrawn_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.drop_constraint(op.f('ck_application_status'), type_='check')
        batch_op.create_check_constraint(
            op.f('ck_application_status'), "status IN ('draft', 'submitted', 'withdrawn')")

    op.create_table(
        'application_amendment',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('application_id', sa.Integer(), nullable=False),
        sa.Column('changes', sa.JSON(), nullable=False),
        sa.Column('motivation', sa.Text(), nullable=False),
        sa.Column('by_id', sa.Integer(), nullable=True),
        sa.Column('at', sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint('length(motivation) >= 10',
                           name=op.f('ck_application_amendment_motivated')),
        sa.ForeignKeyConstraint(['application_id'], ['application.id'],
                                name=op.f('fk_application_amendment_application_id_application'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['by_id'], ['user_account.id'],
                                name=op.f('fk_application_amendment_by_id_user_account'),
                                ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_application_amendment')),
    )
    with op.batch_alter_table('application_amendment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_application_amendment_application_id'),
                              ['application_id'], unique=False)

    op.create_table(
        'score_reconfirmation',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('amendment_id', sa.Integer(), nullable=False),
        sa.Column('application_id', sa.Integer(), nullable=False),
        sa.Column('juror_id', sa.Integer(), nullable=False),
        sa.Column('reconfirmed_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['amendment_id'], ['application_amendment.id'],
                                name=op.f('fk_score_reconfirmation_amendment_id_application_amendment'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['application_id'], ['application.id'],
                                name=op.f('fk_score_reconfirmation_application_id_application'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['juror_id'], ['call_juror.id'],
                                name=op.f('fk_score_reconfirmation_juror_id_call_juror'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_score_reconfirmation')),
        sa.UniqueConstraint('amendment_id', 'juror_id', name='uq_score_reconfirmation_amendment_juror'),
    )
    with op.batch_alter_table('score_reconfirmation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_score_reconfirmation_application_id'),
                              ['application_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_score_reconfirmation_juror_id'),
                              ['juror_id'], unique=False)


def downgrade():
    with op.batch_alter_table('score_reconfirmation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_score_reconfirmation_juror_id'))
        batch_op.drop_index(batch_op.f('ix_score_reconfirmation_application_id'))
    op.drop_table('score_reconfirmation')
    with op.batch_alter_table('application_amendment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_application_amendment_application_id'))
    op.drop_table('application_amendment')

    op.execute("UPDATE application SET status = 'draft' WHERE status = 'withdrawn'")
    with op.batch_alter_table('application', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_application_status'), type_='check')
        batch_op.create_check_constraint(op.f('ck_application_status'),
                                         "status IN ('draft', 'submitted')")
        batch_op.drop_column('withdrawn_at')
        batch_op.drop_column('receipt_content')
        batch_op.drop_column('receipt_sha256')

    with op.batch_alter_table('call', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_call_selection_rule'), type_='check')
        batch_op.drop_column('selection_rule')
        batch_op.drop_column('closed_at')
        batch_op.drop_column('phase_changed_at')
        batch_op.drop_column('phase')
