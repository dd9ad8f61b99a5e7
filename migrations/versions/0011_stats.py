"""the community's numbers: counts per period kept as events arrive, and who was counted in a period

Revision ID: 0011_stats
Revises: 0010_errands
Create Date: 2026-12-02 01:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0011_stats'
down_revision = '0010_errands'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'stats_counts',
        sa.Column('community_id', sa.Integer(), nullable=False),
        sa.Column('grain', sa.String(length=5), nullable=False),
        sa.Column('start', sa.Date(), nullable=False),
        sa.Column('metric', sa.String(length=30), nullable=False),
        sa.Column('building_id', sa.Integer(), nullable=False),
        sa.Column('category', sa.String(length=20), nullable=False),
        sa.Column('bucket', sa.Integer(), nullable=False),
        sa.Column('n', sa.Integer(), nullable=False),
        sa.CheckConstraint('n >= 0', name=op.f('ck_stats_counts_n_not_negative')),
        sa.ForeignKeyConstraint(['community_id'], ['communities.id'], name=op.f('fk_stats_counts_community_id_communities'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('community_id', 'grain', 'start', 'metric', 'building_id', 'category', 'bucket',
                                name=op.f('pk_stats_counts')),
    )
    op.create_table(
        'stats_seen',
        sa.Column('community_id', sa.Integer(), nullable=False),
        sa.Column('grain', sa.String(length=5), nullable=False),
        sa.Column('start', sa.Date(), nullable=False),
        sa.Column('metric', sa.String(length=30), nullable=False),
        sa.Column('subject_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['community_id'], ['communities.id'], name=op.f('fk_stats_seen_community_id_communities'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('community_id', 'grain', 'start', 'metric', 'subject_id', name=op.f('pk_stats_seen')),
    )


def downgrade():
    op.drop_table('stats_seen')
    op.drop_table('stats_counts')
