"""errands and the dispatch desk: an errand is a need card with its run, money and a community's dispatch settings

Revision ID: 0010_errands
Revises: 0009_volunteers
Create Date: 2026-12-02 01:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0010_errands'
down_revision = '0009_volunteers'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('errand_settings',
    sa.Column('community_id', sa.Integer(), nullable=False),
    sa.Column('mode', sa.String(length=30), nullable=False),
    sa.Column('open_limit', sa.Integer(), nullable=False),
    sa.CheckConstraint('open_limit > 0', name=op.f('ck_errand_settings_open_limit_positive')),
    sa.ForeignKeyConstraint(['community_id'], ['communities.id'], name=op.f('fk_errand_settings_community_id_communities'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('community_id', name=op.f('pk_errand_settings'))
    )
    op.create_table('errands',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('card_id', sa.Integer(), nullable=False),
    sa.Column('community_id', sa.Integer(), nullable=False),
    sa.Column('household_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=True),
    sa.Column('team_id', sa.Integer(), nullable=True),
    sa.Column('from_where', sa.String(length=120), nullable=False),
    sa.Column('due_by', sa.DateTime(), nullable=True),
    sa.Column('payment', sa.String(length=20), nullable=False),
    sa.Column('budget', sa.Integer(), nullable=True),
    sa.Column('source', sa.String(length=20), nullable=False),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('volunteer_id', sa.Integer(), nullable=True),
    sa.Column('assigned_by_id', sa.Integer(), nullable=True),
    sa.Column('assigned_at', sa.DateTime(), nullable=True),
    sa.Column('accepted_at', sa.DateTime(), nullable=True),
    sa.Column('on_the_way_at', sa.DateTime(), nullable=True),
    sa.Column('delivered_at', sa.DateTime(), nullable=True),
    sa.Column('respond_by', sa.DateTime(), nullable=True),
    sa.Column('outcome', sa.String(length=20), nullable=True),
    sa.Column('problem_note', sa.String(length=200), nullable=False),
    sa.Column('closed_reason', sa.String(length=200), nullable=False),
    sa.Column('spent', sa.Integer(), nullable=True),
    sa.Column('spent_by_id', sa.Integer(), nullable=True),
    sa.Column('receipt_photo', sa.String(length=80), nullable=True),
    sa.Column('paid_back_at', sa.DateTime(), nullable=True),
    sa.Column('paid_back_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.CheckConstraint('budget IS NULL OR budget >= 0', name=op.f('ck_errands_budget_not_negative')),
    sa.CheckConstraint('spent IS NULL OR spent > 0', name=op.f('ck_errands_spent_positive')),
    sa.ForeignKeyConstraint(['assigned_by_id'], ['users.id'], name=op.f('fk_errands_assigned_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['card_id'], ['cards.id'], name=op.f('fk_errands_card_id_cards'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['community_id'], ['communities.id'], name=op.f('fk_errands_community_id_communities'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['household_id'], ['households.id'], name=op.f('fk_errands_household_id_households')),
    sa.ForeignKeyConstraint(['paid_back_by_id'], ['users.id'], name=op.f('fk_errands_paid_back_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_errands_person_id_people'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['spent_by_id'], ['users.id'], name=op.f('fk_errands_spent_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['volunteer_id'], ['users.id'], name=op.f('fk_errands_volunteer_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_errands')),
    sa.UniqueConstraint('card_id', name=op.f('uq_errands_card_id'))
    )
    with op.batch_alter_table('errands', schema=None) as batch_op:
        batch_op.create_index('ix_errands_community_state', ['community_id', 'state'], unique=False)
        batch_op.create_index(batch_op.f('ix_errands_household_id'), ['household_id'], unique=False)
        batch_op.create_index('ix_errands_volunteer_state', ['volunteer_id', 'state'], unique=False)



def downgrade():
    with op.batch_alter_table('errands', schema=None) as batch_op:
        batch_op.drop_index('ix_errands_volunteer_state')
        batch_op.drop_index(batch_op.f('ix_errands_household_id'))
        batch_op.drop_index('ix_errands_community_state')

    op.drop_table('errands')
    op.drop_table('errand_settings')
