"""Migrations: upgrade → downgrade → upgrade on a fresh database, the result matches the models,
and upgrading keeps what is already stored. Runs on SQLite and, with BOARD_DATABASE_URL, PostgreSQL."""
import logging
import os

import flask_migrate
import pytest
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text

from board import create_app
from board.extensions import db
from tests.conftest import ON_POSTGRES, make_test_config, postgres_schema


@pytest.fixture
def keep_logging():
    """migrations/env.py runs logging.fileConfig, which would silence the app's loggers for later tests."""
    manager = logging.root.manager
    disabled = {name: getattr(lg, "disabled", False) for name, lg in manager.loggerDict.items()}
    handlers, level = list(logging.root.handlers), logging.root.level
    yield
    for name, lg in manager.loggerDict.items():
        if hasattr(lg, "disabled"):
            lg.disabled = disabled.get(name, False)
    logging.root.handlers[:] = handlers
    logging.root.setLevel(level)


@pytest.fixture
def fresh_url(tmp_path):
    """A database no other test touches: its own SQLite file or its own PostgreSQL schema."""
    if not ON_POSTGRES:
        yield f"sqlite:///{tmp_path / 'migrations.sqlite3'}"
        return
    with postgres_schema("mig") as url:
        yield url


@pytest.fixture
def migrating_app(fresh_url, tmp_path, keep_logging):
    app = create_app(make_test_config(fresh_url), instance_path=str(tmp_path / "instance"))
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


def tables() -> set[str]:
    return set(inspect(db.engine).get_table_names()) - {"alembic_version"}


def schema_differences() -> list:
    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        return compare_metadata(context, db.metadata)


def script_directory() -> ScriptDirectory:
    config = Config()
    config.set_main_option("script_location", os.path.join(os.path.dirname(os.path.dirname(__file__)), "migrations"))
    return ScriptDirectory.from_config(config)


def revisions() -> list[str]:
    """Every revision, oldest first."""
    return [rev.revision for rev in reversed(list(script_directory().walk_revisions()))]


def test_upgrade_downgrade_upgrade_and_the_schema_matches_the_models(migrating_app):
    flask_migrate.upgrade()
    assert {"communities", "buildings", "users", "memberships", "cards", "events"} <= tables()
    flask_migrate.downgrade(revision="base")
    assert tables() == set()
    flask_migrate.upgrade()
    differences = [summary(diff) for diff in schema_differences()]
    assert differences == [], "models and migrations differ (generate a migration):\n" + "\n".join(differences)


def summary(diff) -> str:
    """One short line per difference: the operation and what it touches."""
    if isinstance(diff, list):  # column changes come as a list of modifications
        return "; ".join(summary(d) for d in diff)
    op, *args = diff
    names = [getattr(a, "name", None) or (a if isinstance(a, str) else None) for a in args]
    return f"{op} " + " ".join(str(n) for n in names if n)


def test_there_is_one_head():
    heads = script_directory().get_heads()
    assert len(heads) == 1, heads


def test_upgrading_keeps_existing_rows(migrating_app):
    first, *_later = revisions()
    flask_migrate.upgrade(revision=first)
    with db.engine.begin() as conn:
        conn.execute(text(
            "INSERT INTO communities (name, slug, invite_code, created_at) "
            "VALUES ('Kept Garden', 'kept', 'KEEP0001', CURRENT_TIMESTAMP)"
        ))
        community_id = conn.execute(text("SELECT id FROM communities WHERE slug = 'kept'")).scalar_one()
        conn.execute(text("INSERT INTO buildings (community_id, name) VALUES (:c, 'Building 1')"), {"c": community_id})
    flask_migrate.upgrade()  # every later revision, then again: a no-op at head
    flask_migrate.upgrade()
    with db.engine.connect() as conn:
        assert conn.execute(text("SELECT name, invite_code FROM communities")).all() == [("Kept Garden", "KEEP0001")]
        assert conn.execute(text("SELECT name FROM buildings")).scalars().all() == ["Building 1"]


@pytest.mark.skipif(ON_POSTGRES, reason="SQLite batch mode")
def test_sqlite_migrations_run_in_batch_mode(migrating_app):
    assert migrating_app.extensions["migrate"].configure_args.get("render_as_batch") is True


def test_offers_posted_before_handoffs_keep_their_whole_quantity(migrating_app):
    """0001 → head: an existing offer gets quantity_left = quantity, and may never go below zero."""
    from sqlalchemy.exc import IntegrityError

    flask_migrate.upgrade(revision="0001")
    with db.engine.begin() as conn:
        conn.execute(text(
            "INSERT INTO communities (id, name, slug, invite_code, created_at) "
            "VALUES (1, 'Old Garden', 'old', 'OLD00001', CURRENT_TIMESTAMP)"
        ))
        conn.execute(text("INSERT INTO buildings (id, community_id, name) VALUES (1, 1, 'Building 1')"))
        conn.execute(text(
            "INSERT INTO users (id, login, display_name, password_hash, created_at) "
            "VALUES (1, 'old', 'Old', 'x', CURRENT_TIMESTAMP)"
        ))
        for card_id, kind, quantity in [(1, "offer", 3), (2, "need", None)]:
            conn.execute(text(
                "INSERT INTO cards (id, community_id, building_id, author_id, kind, category, title, details,"
                " quantity, unit, urgency, for_pregnant, for_child, for_elderly, sealed, expires_at, status,"
                " priority, created_at, updated_at, version) VALUES (:id, 1, 1, 1, :kind, 'food', 'Rice', '',"
                " :quantity, 'bag', 'normal', false, false, false, false, CURRENT_TIMESTAMP, 'open', 0,"
                " CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, 1)"
            ), {"id": card_id, "kind": kind, "quantity": quantity})
    flask_migrate.upgrade()
    with db.engine.connect() as conn:
        rows = conn.execute(text("SELECT id, quantity_left, first_come FROM cards ORDER BY id")).all()
    assert [(r[0], r[1], bool(r[2])) for r in rows] == [(1, 3, True), (2, None, True)]
    with pytest.raises(IntegrityError), db.engine.begin() as conn:
        conn.execute(text("UPDATE cards SET quantity_left = -1 WHERE id = 1"))


def test_existing_residents_are_brought_into_households_with_nothing_lost(migrating_app):
    """0004 → head with data in the tables: every membership gets a household, the same door is one
    household, roles become a set, cards and handoffs know their household; and back down and up again."""
    flask_migrate.upgrade(revision="0004_care_mode")
    with db.engine.begin() as conn:
        conn.execute(text("INSERT INTO communities (id, name, slug, invite_code, created_at) "
                          "VALUES (1, 'Old Garden', 'old', 'OLD00001', CURRENT_TIMESTAMP)"))
        conn.execute(text("INSERT INTO buildings (id, community_id, name) VALUES (1, 1, 'Building 1'), (2, 1, 'Building 2')"))
        residents = [(1, "lina", 1, "502", "resident"), (2, "wang", 1, "101", "coordinator"),
                     (3, "lina-mum", 1, "502 ", "resident"), (4, "chen", 2, "1201", "resident")]
        for uid, login, building, unit, role in residents:
            conn.execute(text("INSERT INTO users (id, login, display_name, password_hash, created_at, session_version) "
                              "VALUES (:id, :login, :name, 'x', CURRENT_TIMESTAMP, 0)"),
                         {"id": uid, "login": login, "name": login.title()})
            conn.execute(text("INSERT INTO memberships (id, user_id, community_id, building_id, unit, role, created_at) "
                              "VALUES (:id, :id, 1, :b, :u, :r, CURRENT_TIMESTAMP)"),
                         {"id": uid, "b": building, "u": unit, "r": role})
        conn.execute(text(
            "INSERT INTO cards (id, community_id, building_id, author_id, kind, category, title, details, quantity,"
            " unit, urgency, for_pregnant, for_child, for_elderly, sealed, expires_at, status, priority, created_at,"
            " updated_at, version, quantity_left, first_come) VALUES (1, 1, 1, 1, 'need', 'medicine', 'Fever', '',"
            " NULL, '', 'normal', false, false, false, false, CURRENT_TIMESTAMP, 'matched', 0, CURRENT_TIMESTAMP,"
            " CURRENT_TIMESTAMP, 1, NULL, true)"))
        conn.execute(text(
            "INSERT INTO handoffs (id, card_id, community_id, giver_id, receiver_id, quantity, status, note, thanks,"
            " created_at, updated_at, version) VALUES (1, 1, 1, 4, 1, 1, 'matched', '', '', CURRENT_TIMESTAMP,"
            " CURRENT_TIMESTAMP, 1)"))
    flask_migrate.upgrade()

    def snapshot():
        with db.engine.connect() as conn:
            homes = conn.execute(text(
                "SELECT m.user_id, h.building_id, h.unit FROM memberships m JOIN households h ON h.id = m.household_id "
                "ORDER BY m.user_id")).all()
            roles = conn.execute(text("SELECT membership_id, role FROM membership_roles ORDER BY 1, 2")).all()
            people = conn.execute(text("SELECT user_id, name FROM people ORDER BY user_id")).all()
            households = conn.execute(text("SELECT COUNT(*) FROM households")).scalar_one()
            card = conn.execute(text("SELECT h.unit FROM cards c JOIN households h ON h.id = c.household_id")).scalar_one()
            door = conn.execute(text(
                "SELECT h.unit FROM handoffs x JOIN households h ON h.id = x.receiver_household_id")).scalar_one()
        return homes, roles, people, households, card, door

    homes, roles, people, households, card, door = snapshot()
    assert [tuple(r) for r in homes] == [(1, 1, "502"), (2, 1, "101"), (3, 1, "502"), (4, 2, "1201")]
    assert households == 3  # Li Na and her mother share one home: "502" and "502 " are one door
    assert [tuple(r) for r in roles] == [(1, "resident"), (2, "coordinator"), (2, "resident"), (3, "resident"),
                                         (4, "resident")]
    assert [tuple(r) for r in people] == [(1, "Lina"), (2, "Wang"), (3, "Lina-Mum"), (4, "Chen")]
    assert (card, door) == ("502", "502")
    assert [diff for diff in schema_differences()] == []

    flask_migrate.downgrade(revision="0004_care_mode")
    with db.engine.connect() as conn:
        rows = conn.execute(text("SELECT user_id, building_id, unit, role FROM memberships ORDER BY user_id")).all()
    assert [tuple(r) for r in rows] == [(1, 1, "502", "resident"), (2, 1, "101", "coordinator"),
                                        (3, 1, "502", "resident"), (4, 2, "1201", "resident")]
    flask_migrate.upgrade()
    assert snapshot()[:4] == (homes, roles, people, households)


def test_an_errands_team_becomes_a_foreign_key_that_a_deleted_team_sets_to_none(migrating_app):
    """0012 → 0013: an errand's team_id is kept when its team exists and cleared when it does not (a foreign key
    would refuse it); after, the key is in the database (ON DELETE SET NULL), and 0013 goes down and up again."""
    from board.errands.models import Errand
    from board.volunteers.models import Team
    from tests import factories

    flask_migrate.upgrade(revision="0012_care_roster")
    community = factories.community()
    resident = factories.user(community, login="lina")
    team = Team(community_id=community.id, key="medicine", name="")
    db.session.add(team)
    db.session.flush()
    team_id = team.id
    for card, errand_team in [(factories.card(resident), team_id), (factories.card(resident, title="Rice"), 99999)]:
        db.session.add(Errand(card_id=card.id, community_id=community.id, household_id=card.household_id,
                              team_id=errand_team))
    db.session.commit()
    db.session.remove()

    def teams_of_errands():
        with db.engine.connect() as conn:
            return conn.execute(text("SELECT team_id FROM errands ORDER BY id")).scalars().all()

    def team_keys():
        return [(fk["referred_table"], fk["constrained_columns"], (fk.get("options") or {}).get("ondelete"))
                for fk in inspect(db.engine).get_foreign_keys("errands") if fk["referred_table"] == "teams"]

    assert team_keys() == []
    flask_migrate.upgrade()
    assert teams_of_errands() == [team_id, None]
    assert team_keys() == [("teams", ["team_id"], "SET NULL")]
    assert schema_differences() == []

    with db.engine.begin() as conn:
        conn.execute(text("DELETE FROM teams WHERE id = :t"), {"t": team_id})
    assert teams_of_errands() == [None, None]

    flask_migrate.downgrade(revision="0012_care_roster")
    assert team_keys() == []
    assert len(teams_of_errands()) == 2  # the rebuilt table (SQLite batch mode) kept its rows
    flask_migrate.upgrade()
    assert team_keys() == [("teams", ["team_id"], "SET NULL")]


def test_the_numbers_already_kept_get_their_sums_over_buildings_and_categories(migrating_app):
    """0014 → head with counts kept the old way: the totals, a building's and a category's rows are added up from
    them (what keeping them as events arrive gives), and the downgrade takes those rows away again."""
    flask_migrate.upgrade(revision="0014_shared_logins")
    own = [("day", 1, "medicine", 2), ("day", 1, "food", 1), ("day", 2, "food", 4), ("all", 2, "food", 4)]
    with db.engine.begin() as conn:
        conn.execute(text("INSERT INTO communities (id, name, slug, invite_code, created_at) "
                          "VALUES (1, 'Old Garden', 'old', 'OLD00001', CURRENT_TIMESTAMP)"))
        for grain, building, category, n in own:
            conn.execute(text("INSERT INTO stats_counts (community_id, grain, start, metric, building_id, category, "
                              "bucket, n) VALUES (1, :g, '2026-12-01', 'needs_met', :b, :c, -1, :n)"),
                         {"g": grain, "b": building, "c": category, "n": n})
        conn.execute(text("INSERT INTO stats_counts (community_id, grain, start, metric, building_id, category, "
                          "bucket, n) VALUES (1, 'day', '2026-12-01', 'match_secs', 0, '', 120, 3)"))
    flask_migrate.upgrade()

    def summed():
        with db.engine.connect() as conn:
            return {tuple(r[:-1]): r[-1] for r in conn.execute(text(
                "SELECT grain, metric, building_id, category, bucket, n FROM stats_counts "
                "WHERE building_id = -1 OR category = '*'"))}

    assert summed() == {
        ("day", "needs_met", -1, "*", -1): 7, ("day", "needs_met", 1, "*", -1): 3, ("day", "needs_met", 2, "*", -1): 4,
        ("day", "needs_met", -1, "medicine", -1): 2, ("day", "needs_met", -1, "food", -1): 5,
        ("all", "needs_met", -1, "*", -1): 4, ("all", "needs_met", 2, "*", -1): 4, ("all", "needs_met", -1, "food", -1): 4,
        ("day", "match_secs", -1, "*", 120): 3,
    }
    flask_migrate.downgrade(revision="0014_shared_logins")
    assert summed() == {}
    with db.engine.connect() as conn:
        assert conn.execute(text("SELECT COUNT(*) FROM stats_counts")).scalar_one() == 5
