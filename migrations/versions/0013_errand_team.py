"""errand team: errands.team_id becomes a foreign key to teams (a deleted team leaves its errands team-less)

Revision ID: 0013_errand_team
Revises: 0012_care_roster
Create Date: 2026-12-02 05:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0013_errand_team'
down_revision = '0012_care_roster'
branch_labels = None
depends_on = None


def upgrade():
    # 0010 stored team_id without a constraint: an id whose team is gone (or never was) would make the
    # foreign key fail on PostgreSQL, so it goes back to "no team" first.
    op.execute(sa.text("UPDATE errands SET team_id = NULL WHERE team_id IS NOT NULL "
                       "AND team_id NOT IN (SELECT id FROM teams)"))
    with op.batch_alter_table('errands', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_errands_team_id'), ['team_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_errands_team_id_teams'), 'teams', ['team_id'], ['id'],
                                    ondelete='SET NULL')


def downgrade():
    with op.batch_alter_table('errands', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_errands_team_id_teams'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_errands_team_id'))
