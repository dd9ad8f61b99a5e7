"""shared logins: users.login is no longer unique, only indexed

Registering must not say "that login is taken" (it would tell whoever has the lobby's invite code which
phone numbers live here), so a login may belong to a few accounts, told apart by their passwords.

Revision ID: 0014_shared_logins
Revises: 0013_errand_team
Create Date: 2026-12-02 05:40:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0014_shared_logins'
down_revision = '0013_errand_team'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_constraint('uq_users_login', type_='unique')
        batch_op.create_index(batch_op.f('ix_users_login'), ['login'], unique=False)


def downgrade():
    # Fails while two accounts share a login: which one to keep is a coordinator's call, not a migration's.
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_users_login'))
        batch_op.create_unique_constraint('uq_users_login', ['login'])
