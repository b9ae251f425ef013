"""municipality.population_date replaces population_year

Population now comes from Statbel with a reference date (1 January 2020) instead of a year that
was the load date of GeoNames' figures. The old years say nothing about the figures' reference
date, so they are not carried over: ``flask seed`` (run by ``make run``) fills population and
population_date from seed_data/municipalities.csv. The downgrade keeps the year of the date.

Revision ID: 0005_population_date
Revises: 0004_cluster_plans
Create Date: 2026-11-29 08:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0005_population_date'
down_revision = '0004_cluster_plans'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('municipality', schema=None) as batch_op:
        batch_op.add_column(sa.Column('population_date', sa.Date(), nullable=True))
        batch_op.drop_column('population_year')


def downgrade():
    with op.batch_alter_table('municipality', schema=None) as batch_op:
        batch_op.add_column(sa.Column('population_year', sa.Integer(), nullable=True))
    bind = op.get_bind()
    year = (
        "CAST(strftime('%Y', population_date) AS INTEGER)"
        if bind.dialect.name == "sqlite"
        else "CAST(EXTRACT(YEAR FROM population_date) AS INTEGER)"
    )
    op.execute(f"UPDATE municipality SET population_year = {year} WHERE population_date IS NOT NULL")
    with op.batch_alter_table('municipality', schema=None) as batch_op:
        batch_op.drop_column('population_date')
