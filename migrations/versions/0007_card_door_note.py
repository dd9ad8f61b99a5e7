"""card door note: the note for whoever brings it, kept out of the public details (shown with the door only)

Revision ID: 0007_card_door_note
Revises: 0006_household_priority
Create Date: 2026-12-02 01:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0007_card_door_note'
down_revision = '0006_household_priority'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('cards', schema=None) as batch_op:
        batch_op.add_column(sa.Column('door_note', sa.String(length=500), nullable=True))


def downgrade():
    with op.batch_alter_table('cards', schema=None) as batch_op:
        batch_op.drop_column('door_note')
