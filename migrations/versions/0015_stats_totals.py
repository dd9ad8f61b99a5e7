"""the community's numbers summed over buildings and categories (a metric's total, a building's, a category's),
kept beside each fact's row from now on; and no erased account's id among who was counted

No schema change: rows with the sentinel building -1 and/or category "*" in the existing key
(board.stats.models.ANY_BUILDING / ANY_CATEGORY). The upgrade adds them up from the rows already kept, so the
numbers page reads the same figures at once (a `rebuild` gives the same rows).

Revision ID: 0015_stats_totals
Revises: 0014_shared_logins
Create Date: 2026-12-02 05:30:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0015_stats_totals'
down_revision = '0014_shared_logins'
branch_labels = None
depends_on = None

COLUMNS = "community_id, grain, start, metric, building_id, category, bucket, n"
OWN = "building_id <> -1 AND category <> '*'"  # a fact's own rows


def upgrade():
    op.execute("DELETE FROM stats_counts WHERE building_id = -1 OR category = '*'")  # run twice: the same rows
    op.execute(f"INSERT INTO stats_counts ({COLUMNS}) SELECT community_id, grain, start, metric, -1, '*', bucket, "
               f"SUM(n) FROM stats_counts WHERE {OWN} GROUP BY community_id, grain, start, metric, bucket")
    op.execute(f"INSERT INTO stats_counts ({COLUMNS}) SELECT community_id, grain, start, metric, building_id, '*', "
               f"bucket, SUM(n) FROM stats_counts WHERE {OWN} AND building_id <> 0 "
               f"GROUP BY community_id, grain, start, metric, building_id, bucket")
    op.execute(f"INSERT INTO stats_counts ({COLUMNS}) SELECT community_id, grain, start, metric, -1, category, "
               f"bucket, SUM(n) FROM stats_counts WHERE {OWN} AND category <> '' "
               f"GROUP BY community_id, grain, start, metric, category, bucket")
    # Volunteers counted once a period were kept by account id, also after the account was erased.
    op.execute("DELETE FROM stats_seen WHERE metric = 'volunteers_active' AND subject_id IN "
               "(SELECT id FROM users WHERE erased_at IS NOT NULL)")


def downgrade():
    op.execute("DELETE FROM stats_counts WHERE building_id = -1 OR category = '*'")
