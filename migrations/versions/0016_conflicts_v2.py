"""conflicts v2: a juror's several affiliations (juror_affiliation, moved out of call_juror) and
the signed declaration of absence of conflicts per call (issue 11 item 6)

Revision ID: 0016_conflicts_v2
Revises: 0015_ideas
Create Date: 2026-11-29 12:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0016_conflicts_v2'
down_revision = '0015_ideas'
branch_labels = None
depends_on = None

EXACTLY_ONE = ("(CASE WHEN municipality_id IS NULL THEN 0 ELSE 1 END) + "
               "(CASE WHEN organisation_id IS NULL THEN 0 ELSE 1 END) + "
               "(CASE WHEN is_vgc THEN 1 ELSE 0 END) = 1")
ONE_AFFILIATION = ("(municipality_id IS NULL OR organisation_id IS NULL) AND (NOT is_vgc OR "
                   "(municipality_id IS NULL AND organisation_id IS NULL))")


def upgrade():
    op.create_table(
        'juror_affiliation',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('juror_id', sa.Integer(), nullable=False),
        sa.Column('municipality_id', sa.Integer(), nullable=True),
        sa.Column('organisation_id', sa.Integer(), nullable=True),
        sa.Column('is_vgc', sa.Boolean(), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.CheckConstraint(EXACTLY_ONE, name=op.f('ck_juror_affiliation_exactly_one')),
        sa.ForeignKeyConstraint(['juror_id'], ['call_juror.id'],
                                name=op.f('fk_juror_affiliation_juror_id_call_juror'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['municipality_id'], ['municipality.id'],
                                name=op.f('fk_juror_affiliation_municipality_id_municipality')),
        sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'],
                                name=op.f('fk_juror_affiliation_organisation_id_organisation')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_juror_affiliation')),
    )
    op.create_index(op.f('ix_juror_affiliation_juror_id'), 'juror_affiliation', ['juror_id'],
                    unique=False)
    # every existing affiliation moves over as the juror's first
    op.execute(
        "INSERT INTO juror_affiliation (juror_id, municipality_id, organisation_id, is_vgc, position) "
        "SELECT id, municipality_id, organisation_id, is_vgc, 0 FROM call_juror "
        "WHERE municipality_id IS NOT NULL OR organisation_id IS NOT NULL OR is_vgc")
    with op.batch_alter_table('call_juror', schema=None) as batch_op:
        batch_op.add_column(sa.Column('declaration_signed_at', sa.DateTime(timezone=True),
                                      nullable=True))
        batch_op.add_column(sa.Column('declaration_text', sa.Text(), nullable=True))
        batch_op.drop_constraint(op.f('ck_call_juror_one_affiliation'), type_='check')
        batch_op.drop_constraint(op.f('fk_call_juror_municipality_id_municipality'),
                                 type_='foreignkey')
        batch_op.drop_constraint(op.f('fk_call_juror_organisation_id_organisation'),
                                 type_='foreignkey')
        batch_op.drop_column('municipality_id')
        batch_op.drop_column('organisation_id')
        batch_op.drop_column('is_vgc')


def downgrade():
    with op.batch_alter_table('call_juror', schema=None) as batch_op:
        batch_op.add_column(sa.Column('is_vgc', sa.Boolean(), server_default=sa.false(),
                                      nullable=False))
        batch_op.add_column(sa.Column('organisation_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('municipality_id', sa.Integer(), nullable=True))
    # the first affiliation goes back (a juror had one at most before)
    for column in ('municipality_id', 'organisation_id', 'is_vgc'):
        op.execute(
            f"UPDATE call_juror SET {column} = (SELECT a.{column} FROM juror_affiliation a "
            "WHERE a.juror_id = call_juror.id ORDER BY a.position, a.id LIMIT 1) "
            "WHERE EXISTS (SELECT 1 FROM juror_affiliation a WHERE a.juror_id = call_juror.id)")
    with op.batch_alter_table('call_juror', schema=None) as batch_op:
        batch_op.alter_column('is_vgc', server_default=None)
        batch_op.create_foreign_key(op.f('fk_call_juror_municipality_id_municipality'),
                                    'municipality', ['municipality_id'], ['id'])
        batch_op.create_foreign_key(op.f('fk_call_juror_organisation_id_organisation'),
                                    'organisation', ['organisation_id'], ['id'])
        batch_op.create_check_constraint(op.f('ck_call_juror_one_affiliation'), ONE_AFFILIATION)
        batch_op.drop_column('declaration_text')
        batch_op.drop_column('declaration_signed_at')
    op.drop_index(op.f('ix_juror_affiliation_juror_id'), table_name='juror_affiliation')
    op.drop_table('juror_affiliation')
