"""application documents: PDFs stored content-addressed, and each user's first download

Revision ID: 0008_documents
Revises: 0007_call_lifecycle
Create Date: 2026-11-29 09:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0008_documents'
down_revision = '0007_call_lifecycle'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'application_document',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('application_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=30), nullable=False),
        sa.Column('refnis', sa.String(length=5), nullable=True),
        sa.Column('sha256', sa.String(length=64), nullable=False),
        sa.Column('size', sa.BigInteger(), nullable=False),
        sa.Column('pages', sa.Integer(), nullable=False),
        sa.Column('filename', sa.String(length=255), nullable=False),
        sa.Column('uploaded_by_id', sa.Integer(), nullable=True),
        sa.Column('uploaded_at', sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("kind IN ('proposal', 'letter_of_intent', 'budget')",
                           name=op.f('ck_application_document_kind')),
        sa.CheckConstraint('size > 0', name=op.f('ck_application_document_size')),
        sa.CheckConstraint("(kind = 'letter_of_intent') = (refnis IS NOT NULL)",
                           name=op.f('ck_application_document_letter_names_follower')),
        sa.ForeignKeyConstraint(['application_id'], ['application.id'],
                                name=op.f('fk_application_document_application_id_application'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['uploaded_by_id'], ['user_account.id'],
                                name=op.f('fk_application_document_uploaded_by_id_user_account'),
                                ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_application_document')),
    )
    with op.batch_alter_table('application_document', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_application_document_application_id'),
                              ['application_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_application_document_sha256'), ['sha256'],
                              unique=False)
    op.create_table(
        'document_read',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('document_id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('first_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['document_id'], ['application_document.id'],
                                name=op.f('fk_document_read_document_id_application_document'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['user_id'], ['user_account.id'],
                                name=op.f('fk_document_read_user_id_user_account'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_document_read')),
        sa.UniqueConstraint('document_id', 'user_id', name='uq_document_read_document_user'),
    )
    with op.batch_alter_table('document_read', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_document_read_user_id'), ['user_id'], unique=False)


def downgrade():
    with op.batch_alter_table('document_read', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_document_read_user_id'))
    op.drop_table('document_read')
    with op.batch_alter_table('application_document', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_application_document_sha256'))
        batch_op.drop_index(batch_op.f('ix_application_document_application_id'))
    op.drop_table('application_document')
