"""evidence: project sources, domain basis, participation evidence levels and reviews, domain interest

Revision ID: 0006_evidence
Revises: 0005_population_date
Create Date: 2026-11-29 08:40:00

* ``project``: ``domain_basis`` (stated / classified), ``domain_reason``, ``programme_note``;
  four more programmes (interreg, urban-renewal-2020, municipal-initiative, not-stated); every
  project gets a stable ``key`` (``project-<id>`` where it had none) for import and export.
* ``project_source``: the sources of a project (url, citation, date, note).
* ``participation``: ``evidence_level`` (verified, source-stated, source-classified, declared),
  the source that states it, who declared it, and the secretariat's review (status, who, when,
  motivation). Existing rows: seeded (curated) projects are ``source-classified`` (the seed
  texts give no domain) or ``source-stated`` when the project has no domain; rows the
  secretariat entered are ``verified``.
* ``domain_interest``: a municipality's interest per domain (lead / follow / not_now).
"""
from alembic import op
import sqlalchemy as sa


revision = '0006_evidence'
down_revision = '0005_population_date'
branch_labels = None
depends_on = None

OLD_PROGRAMMES = (
    "city-of-things-2017", "city-of-things-2019", "city-of-things-2020", "city-of-things-2021",
    "city-of-things-2022", "city-of-things-2023", "slim-in-de-stad", "smart-flanders", "efro",
    "horizon-2020", "other",
)
NEW_PROGRAMMES = OLD_PROGRAMMES + (
    "interreg", "urban-renewal-2020", "municipal-initiative", "not-stated",
)


def _in(column, values):
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def upgrade():
    op.create_table(
        'project_source',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('project_id', sa.Integer(), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('url', sa.Text(), nullable=True),
        sa.Column('citation', sa.Text(), nullable=True),
        sa.Column('source_date', sa.String(length=10), nullable=True),
        sa.Column('note', sa.Text(), nullable=True),
        sa.CheckConstraint('url IS NOT NULL OR citation IS NOT NULL',
                           name=op.f('ck_project_source_cited')),
        sa.ForeignKeyConstraint(['project_id'], ['project.id'],
                                name=op.f('fk_project_source_project_id_project'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_project_source')),
    )
    with op.batch_alter_table('project_source', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_project_source_project_id'), ['project_id'],
                              unique=False)

    op.create_table(
        'domain_interest',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('municipality_id', sa.Integer(), nullable=False),
        sa.Column('domain_id', sa.Integer(), nullable=False),
        sa.Column('interest', sa.String(length=20), nullable=False),
        sa.Column('declared_by_id', sa.Integer(), nullable=True),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("interest IN ('lead', 'follow', 'not_now')",
                           name=op.f('ck_domain_interest_interest')),
        sa.ForeignKeyConstraint(['municipality_id'], ['municipality.id'],
                                name=op.f('fk_domain_interest_municipality_id_municipality')),
        sa.ForeignKeyConstraint(['domain_id'], ['domain.id'],
                                name=op.f('fk_domain_interest_domain_id_domain')),
        sa.ForeignKeyConstraint(['declared_by_id'], ['user_account.id'],
                                name=op.f('fk_domain_interest_declared_by_id_user_account'),
                                ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_domain_interest')),
        sa.UniqueConstraint('municipality_id', 'domain_id',
                            name='uq_domain_interest_municipality_domain'),
    )

    with op.batch_alter_table('project', schema=None) as batch_op:
        batch_op.add_column(sa.Column('domain_basis', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('domain_reason', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('programme_note', sa.Text(), nullable=True))
        batch_op.drop_constraint(op.f('ck_project_programme'), type_='check')
        batch_op.create_check_constraint('programme', _in('programme', NEW_PROGRAMMES))
        batch_op.create_check_constraint(
            'domain_basis', "domain_basis IS NULL OR domain_basis IN ('stated', 'classified')")

    with op.batch_alter_table('participation', schema=None) as batch_op:
        batch_op.add_column(sa.Column('evidence_level', sa.String(length=20),
                                      server_default='verified', nullable=False))
        batch_op.add_column(sa.Column('source_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('declared_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('review_status', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('reviewed_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('reviewed_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('review_note', sa.Text(), nullable=True))
        batch_op.create_check_constraint(
            'evidence_level',
            "evidence_level IN ('verified', 'source-stated', 'source-classified', 'declared')")
        batch_op.create_check_constraint(
            'review_status',
            "review_status IS NULL OR review_status IN ('pending', 'verified', 'rejected')")
        batch_op.create_foreign_key(batch_op.f('fk_participation_source_id_project_source'),
                                    'project_source', ['source_id'], ['id'], ondelete='SET NULL')
        batch_op.create_foreign_key(batch_op.f('fk_participation_declared_by_id_user_account'),
                                    'user_account', ['declared_by_id'], ['id'],
                                    ondelete='SET NULL')
        batch_op.create_foreign_key(batch_op.f('fk_participation_reviewed_by_id_user_account'),
                                    'user_account', ['reviewed_by_id'], ['id'],
                                    ondelete='SET NULL')
        batch_op.create_index(batch_op.f('ix_participation_review_status'), ['review_status'],
                              unique=False)

    # Existing rows: seeded projects are classified by the curators (no domain in the seeds).
    op.execute(
        "UPDATE participation SET evidence_level = 'source-classified' WHERE project_id IN "
        "(SELECT p.id FROM project p WHERE p.curated = TRUE AND EXISTS "
        "(SELECT 1 FROM project_domain pd WHERE pd.project_id = p.id))"
    )
    op.execute(
        "UPDATE participation SET evidence_level = 'source-stated' WHERE project_id IN "
        "(SELECT p.id FROM project p WHERE p.curated = TRUE AND NOT EXISTS "
        "(SELECT 1 FROM project_domain pd WHERE pd.project_id = p.id))"
    )
    op.execute("UPDATE project SET domain_basis = 'classified' WHERE curated = TRUE AND EXISTS "
               "(SELECT 1 FROM project_domain pd WHERE pd.project_id = project.id)")
    op.execute("UPDATE project SET key = 'project-' || CAST(id AS VARCHAR(20)) WHERE key IS NULL")


def downgrade():
    with op.batch_alter_table('participation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_participation_review_status'))
        batch_op.drop_constraint(batch_op.f('fk_participation_reviewed_by_id_user_account'),
                                 type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_participation_declared_by_id_user_account'),
                                 type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_participation_source_id_project_source'),
                                 type_='foreignkey')
        batch_op.drop_constraint(op.f('ck_participation_review_status'), type_='check')
        batch_op.drop_constraint(op.f('ck_participation_evidence_level'), type_='check')
        batch_op.drop_column('review_note')
        batch_op.drop_column('reviewed_at')
        batch_op.drop_column('reviewed_by_id')
        batch_op.drop_column('review_status')
        batch_op.drop_column('declared_by_id')
        batch_op.drop_column('source_id')
        batch_op.drop_column('evidence_level')

    # Projects of the new programmes cannot stay under the old check: they become 'other'.
    op.execute(f"UPDATE project SET programme = 'other' WHERE NOT ({_in('programme', OLD_PROGRAMMES)})")
    with op.batch_alter_table('project', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_project_domain_basis'), type_='check')
        batch_op.drop_constraint(op.f('ck_project_programme'), type_='check')
        batch_op.create_check_constraint('programme', _in('programme', OLD_PROGRAMMES))
        batch_op.drop_column('programme_note')
        batch_op.drop_column('domain_reason')
        batch_op.drop_column('domain_basis')

    op.drop_table('domain_interest')
    with op.batch_alter_table('project_source', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_project_source_project_id'))
    op.drop_table('project_source')
