"""households, people and roles as a set

Every home becomes a household (一户一档) and every resident one of its people; a membership points
at its household and holds a set of roles; cards and handoffs know the household they are for; a
card may be posted on behalf of a person without a phone; doorsteps nobody confirmed can be reminded.
Existing residents are brought into households with nothing lost: the door numbers move from the
memberships to their households (the same door in the same building is one household), and the
single role becomes a set (a coordinator is also a resident). The downgrade puts the door numbers
and the single role back (a coordinator stays a coordinator); people without a login have no place
in the older schema and are dropped with their households.

Revision ID: 0005_households
Revises: 0004_care_mode
Create Date: 2026-12-01 21:02:23.731771

"""
from datetime import datetime, timezone

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0005_households'
down_revision = '0004_care_mode'
branch_labels = None
depends_on = None


def normalise_unit(unit):
    """As board.households.service.normalise_unit: one door, however it was typed."""
    unit = " ".join((unit or "").split()).upper().removesuffix("室").strip()
    return unit.replace(" - ", "-")


def upgrade():
    op.create_table('households',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('community_id', sa.Integer(), nullable=False),
    sa.Column('building_id', sa.Integer(), nullable=False),
    sa.Column('unit', sa.String(length=20), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['building_id'], ['buildings.id'], name=op.f('fk_households_building_id_buildings')),
    sa.ForeignKeyConstraint(['community_id'], ['communities.id'], name=op.f('fk_households_community_id_communities'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_households')),
    sa.UniqueConstraint('community_id', 'building_id', 'unit', name=op.f('uq_households_community_id'))
    )
    with op.batch_alter_table('households', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_households_community_id'), ['community_id'], unique=False)

    op.create_table('people',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('community_id', sa.Integer(), nullable=False),
    sa.Column('household_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('name', sa.String(length=60), nullable=False),
    sa.Column('contact', sa.String(length=120), nullable=False),
    sa.Column('age_group', sa.String(length=20), nullable=False),
    sa.Column('language', sa.String(length=40), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('erased_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['community_id'], ['communities.id'], name=op.f('fk_people_community_id_communities'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['household_id'], ['households.id'], name=op.f('fk_people_household_id_households')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_people_user_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_people')),
    sa.UniqueConstraint('household_id', 'user_id', name=op.f('uq_people_household_id'))
    )
    with op.batch_alter_table('people', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_people_community_id'), ['community_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_people_household_id'), ['household_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_people_user_id'), ['user_id'], unique=False)

    op.create_table('membership_roles',
    sa.Column('membership_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.String(length=20), nullable=False),
    sa.ForeignKeyConstraint(['membership_id'], ['memberships.id'], name=op.f('fk_membership_roles_membership_id_memberships'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('membership_id', 'role', name=op.f('pk_membership_roles'))
    )
    bind = op.get_bind()
    now = datetime.now(timezone.utc).replace(tzinfo=None)
    with op.batch_alter_table('memberships', schema=None) as batch_op:
        batch_op.add_column(sa.Column('household_id', sa.Integer(), nullable=True))
    households = {}
    rows = bind.execute(sa.text(
        "SELECT m.id, m.user_id, m.community_id, m.building_id, m.unit, m.role, m.created_at, u.display_name "
        "FROM memberships m JOIN users u ON u.id = m.user_id ORDER BY m.id"
    )).all()
    for mid, user_id, community_id, building_id, unit, role, created_at, name in rows:
        key = (community_id, building_id, normalise_unit(unit))
        if key not in households:
            bind.execute(sa.text(
                "INSERT INTO households (community_id, building_id, unit, created_at) VALUES (:c, :b, :u, :t)"
            ), {"c": key[0], "b": key[1], "u": key[2], "t": created_at or now})
            households[key] = bind.execute(sa.text(
                "SELECT id FROM households WHERE community_id = :c AND building_id = :b AND unit = :u"
            ), {"c": key[0], "b": key[1], "u": key[2]}).scalar_one()
        household_id = households[key]
        bind.execute(sa.text("UPDATE memberships SET household_id = :h WHERE id = :m"), {"h": household_id, "m": mid})
        bind.execute(sa.text(
            "INSERT INTO people (community_id, household_id, user_id, name, contact, age_group, language, created_at)"
            " VALUES (:c, :h, :u, :n, '', '', '', :t)"
        ), {"c": community_id, "h": household_id, "u": user_id, "n": (name or "")[:60], "t": created_at or now})
        for r in sorted({"resident", role or "resident"}):
            bind.execute(sa.text("INSERT INTO membership_roles (membership_id, role) VALUES (:m, :r)"), {"m": mid, "r": r})

    with op.batch_alter_table('cards', schema=None) as batch_op:
        batch_op.add_column(sa.Column('household_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('for_person_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('intake', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('intake_note', sa.String(length=120), nullable=True))
        batch_op.create_index(batch_op.f('ix_cards_for_person_id'), ['for_person_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_cards_household_id'), ['household_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_cards_household_id_households'), 'households', ['household_id'], ['id'])
        batch_op.create_foreign_key(batch_op.f('fk_cards_for_person_id_people'), 'people', ['for_person_id'], ['id'])

    with op.batch_alter_table('handoffs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('receiver_household_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('for_person_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('reminded_at', sa.DateTime(), nullable=True))
        batch_op.create_index(batch_op.f('ix_handoffs_receiver_household_id'), ['receiver_household_id'], unique=False)
        batch_op.create_index('ix_handoffs_status_left_at', ['status', 'left_at'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_handoffs_receiver_household_id_households'), 'households', ['receiver_household_id'], ['id'])
        batch_op.create_foreign_key(batch_op.f('fk_handoffs_for_person_id_people'), 'people', ['for_person_id'], ['id'])

    # A card is for its author's household; a handoff goes to its receiver's door.
    bind.execute(sa.text(
        "UPDATE cards SET household_id = (SELECT m.household_id FROM memberships m "
        "WHERE m.user_id = cards.author_id AND m.community_id = cards.community_id)"
    ))
    bind.execute(sa.text(
        "UPDATE handoffs SET receiver_household_id = (SELECT m.household_id FROM memberships m "
        "WHERE m.user_id = handoffs.receiver_id AND m.community_id = handoffs.community_id)"
    ))

    with op.batch_alter_table('memberships', schema=None) as batch_op:
        batch_op.alter_column('household_id', existing_type=sa.Integer(), nullable=False)
        batch_op.create_index(batch_op.f('ix_memberships_household_id'), ['household_id'], unique=False)
        batch_op.drop_constraint(batch_op.f('fk_memberships_building_id_buildings'), type_='foreignkey')
        batch_op.create_foreign_key(batch_op.f('fk_memberships_household_id_households'), 'households', ['household_id'], ['id'])
        batch_op.drop_column('role')
        batch_op.drop_column('unit')
        batch_op.drop_column('building_id')

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('erased_at', sa.DateTime(), nullable=True))


def downgrade():
    bind = op.get_bind()
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('erased_at')

    with op.batch_alter_table('memberships', schema=None) as batch_op:
        batch_op.add_column(sa.Column('building_id', sa.INTEGER(), nullable=True))
        batch_op.add_column(sa.Column('unit', sa.VARCHAR(length=20), nullable=True))
        batch_op.add_column(sa.Column('role', sa.VARCHAR(length=20), nullable=True))
    bind.execute(sa.text(
        "UPDATE memberships SET building_id = (SELECT h.building_id FROM households h WHERE h.id = memberships.household_id),"
        " unit = (SELECT h.unit FROM households h WHERE h.id = memberships.household_id),"
        " role = CASE WHEN EXISTS (SELECT 1 FROM membership_roles r WHERE r.membership_id = memberships.id"
        " AND r.role = 'coordinator') THEN 'coordinator' ELSE 'resident' END"
    ))
    with op.batch_alter_table('memberships', schema=None) as batch_op:
        batch_op.alter_column('building_id', existing_type=sa.INTEGER(), nullable=False)
        batch_op.alter_column('unit', existing_type=sa.VARCHAR(length=20), nullable=False)
        batch_op.alter_column('role', existing_type=sa.VARCHAR(length=20), nullable=False)
        batch_op.drop_constraint(batch_op.f('fk_memberships_household_id_households'), type_='foreignkey')
        batch_op.create_foreign_key(batch_op.f('fk_memberships_building_id_buildings'), 'buildings', ['building_id'], ['id'])
        batch_op.drop_index(batch_op.f('ix_memberships_household_id'))
        batch_op.drop_column('household_id')

    with op.batch_alter_table('handoffs', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_handoffs_for_person_id_people'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_handoffs_receiver_household_id_households'), type_='foreignkey')
        batch_op.drop_index('ix_handoffs_status_left_at')
        batch_op.drop_index(batch_op.f('ix_handoffs_receiver_household_id'))
        batch_op.drop_column('reminded_at')
        batch_op.drop_column('for_person_id')
        batch_op.drop_column('receiver_household_id')

    with op.batch_alter_table('cards', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_cards_for_person_id_people'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_cards_household_id_households'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_cards_household_id'))
        batch_op.drop_index(batch_op.f('ix_cards_for_person_id'))
        batch_op.drop_column('intake_note')
        batch_op.drop_column('intake')
        batch_op.drop_column('for_person_id')
        batch_op.drop_column('household_id')

    op.drop_table('membership_roles')
    with op.batch_alter_table('people', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_people_user_id'))
        batch_op.drop_index(batch_op.f('ix_people_household_id'))
        batch_op.drop_index(batch_op.f('ix_people_community_id'))

    op.drop_table('people')
    with op.batch_alter_table('households', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_households_community_id'))

    op.drop_table('households')
