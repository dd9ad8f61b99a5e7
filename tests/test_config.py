"""The factory: settings from defaults, instance/config.py and BOARD_* variables; a secret made once."""
import os
import stat

import pytest
from sqlalchemy import text

from board import create_app
from board.config import Config
from board.extensions import db
from tests.conftest import ON_POSTGRES


@pytest.fixture
def clean_env(monkeypatch):
    """No BOARD_* variable from the shell (make test-postgres sets one) leaks into these apps."""
    for name in list(os.environ):
        if name.startswith("BOARD_"):
            monkeypatch.delenv(name)
    return monkeypatch


def test_defaults_have_no_secret_and_use_sqlite_in_the_instance_folder(clean_env, tmp_path):
    assert Config.SECRET_KEY is None
    app = create_app(instance_path=str(tmp_path))
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "sqlite:///" + str(tmp_path / "doorstep.sqlite3")
    assert app.config["BOARD_PAGE_SIZE"] == 20
    assert app.config["NEED_DAYS_UP"] == 3 and app.config["OFFER_DAYS_UP"] == 7


def test_secret_is_generated_once_into_the_instance_folder_and_reused(clean_env, tmp_path):
    first = create_app(instance_path=str(tmp_path / "a"))
    key_file = tmp_path / "a" / "secret_key"
    assert key_file.read_text().strip() == first.config["SECRET_KEY"]
    assert len(first.config["SECRET_KEY"]) >= 40
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600

    again = create_app(instance_path=str(tmp_path / "a"))
    assert again.config["SECRET_KEY"] == first.config["SECRET_KEY"]

    elsewhere = create_app(instance_path=str(tmp_path / "b"))
    assert elsewhere.config["SECRET_KEY"] != first.config["SECRET_KEY"], "a hard-coded default key"


def test_a_given_secret_is_used_and_nothing_is_written(clean_env, tmp_path):
    clean_env.setenv("BOARD_SECRET_KEY", "from-the-environment-0123456789")
    app = create_app(instance_path=str(tmp_path))
    assert app.config["SECRET_KEY"] == "from-the-environment-0123456789"
    assert not (tmp_path / "secret_key").exists()


def test_environment_variables_override_defaults(clean_env, tmp_path):
    clean_env.setenv("BOARD_DATABASE_URL", "sqlite:///" + str(tmp_path / "elsewhere.db"))
    clean_env.setenv("BOARD_BOARD_PAGE_SIZE", "25")
    clean_env.setenv("BOARD_SESSION_COOKIE_SECURE", "true")
    clean_env.setenv("BOARD_LOGIN_RATE_LIMIT", "3 per minute")
    app = create_app(instance_path=str(tmp_path))
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "sqlite:///" + str(tmp_path / "elsewhere.db")
    assert app.config["BOARD_PAGE_SIZE"] == 25
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["LOGIN_RATE_LIMIT"] == "3 per minute"


def test_instance_config_overrides_defaults_and_the_environment_overrides_it(clean_env, tmp_path):
    (tmp_path / "config.py").write_text(
        "BOARD_PAGE_SIZE = 7\nNEED_DAYS_UP = 2\nSECRET_KEY = 'from-instance-config'\n"
    )
    clean_env.setenv("BOARD_NEED_DAYS_UP", "4")
    app = create_app(instance_path=str(tmp_path))
    assert app.config["BOARD_PAGE_SIZE"] == 7
    assert app.config["NEED_DAYS_UP"] == 4
    assert app.config["SECRET_KEY"] == "from-instance-config"
    assert not (tmp_path / "secret_key").exists()


def test_the_config_argument_wins_over_everything(clean_env, tmp_path):
    clean_env.setenv("BOARD_BOARD_PAGE_SIZE", "25")
    app = create_app({"BOARD_PAGE_SIZE": 5, "SECRET_KEY": "x" * 40}, instance_path=str(tmp_path))
    assert app.config["BOARD_PAGE_SIZE"] == 5


def test_extensions_and_blueprints_are_bound(app):
    for name in ("sqlalchemy", "migrate", "csrf", "limiter", "babel"):
        assert name in app.extensions, name
    assert {"auth", "cards"} <= set(app.blueprints)
    assert hasattr(app, "login_manager")


@pytest.mark.skipif(ON_POSTGRES, reason="SQLite pragmas (the PostgreSQL run has none)")
def test_sqlite_connections_use_wal_a_busy_timeout_and_foreign_keys(app):
    with db.engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA busy_timeout")).scalar() >= 1000
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1


@pytest.mark.skipif(ON_POSTGRES, reason="SQLite pragmas (the PostgreSQL run has none)")
def test_sqlite_refuses_a_row_that_points_nowhere(app, community):
    from sqlalchemy.exc import IntegrityError

    from board.models import Building

    db.session.add(Building(community_id=community.id + 999, name="Nowhere"))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_workers_starting_together_share_one_secret(clean_env, tmp_path):
    """gunicorn starts several workers at once; each must get the same key, and none may fail."""
    import threading

    from board.config import secret_key_from_instance

    keys, errors = [], []
    barrier = threading.Barrier(16)

    def worker():
        barrier.wait()
        try:
            keys.append(secret_key_from_instance(str(tmp_path)))
        except OSError as error:
            errors.append(error)

    threads = [threading.Thread(target=worker) for _ in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len(keys) == 16 and len(set(keys)) == 1 and len(keys[0]) >= 40
    assert (tmp_path / "secret_key").read_text().strip() == keys[0]
    assert [p.name for p in tmp_path.iterdir()] == ["secret_key"], "no temporary files left behind"


def test_a_secret_file_that_exists_is_never_overwritten(clean_env, tmp_path):
    (tmp_path / "secret_key").write_text("kept-from-last-year-0123456789-0123456789\n")
    from board.config import secret_key_from_instance

    assert secret_key_from_instance(str(tmp_path)) == "kept-from-last-year-0123456789-0123456789"


def test_a_worker_that_loses_the_race_uses_the_winners_secret(clean_env, tmp_path):
    """Another worker writes the key between our look and our write: we must take its key, not crash."""
    import builtins

    import board.config
    from board.config import secret_key_from_instance

    real_open = builtins.open
    raced = []

    def racing_open(file, *args, **kwargs):
        if not raced and str(file).endswith("secret_key"):
            raced.append(file)
            with real_open(file, "w", encoding="ascii") as f:
                f.write("the-other-workers-key-0123456789-0123456789")
            raise FileNotFoundError(file)
        return real_open(file, *args, **kwargs)

    clean_env.setattr(board.config, "open", racing_open, raising=False)
    assert secret_key_from_instance(str(tmp_path)) == "the-other-workers-key-0123456789-0123456789"


def test_forwarded_addresses_are_ignored_unless_a_proxy_is_configured(tmp_path):
    from flask import request

    from board import create_app

    seen = {}
    for count in (0, 1):
        app = create_app({"TESTING": True, "SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": "sqlite://",
                          "PROXY_COUNT": count}, instance_path=str(tmp_path / f"i{count}"))
        app.add_url_rule("/addr", "addr", lambda: request.remote_addr)
        seen[count] = app.test_client().get("/addr", headers={"X-Forwarded-For": "203.0.113.9"}).get_data(as_text=True)
    assert seen == {0: "127.0.0.1", 1: "203.0.113.9"}


def test_visitors_get_the_log_in_form_on_the_welcome_page(client):
    page = client.get("/").get_data(as_text=True)
    assert 'name="login"' in page and 'name="password"' in page and 'action="/login"' in page


def test_a_gunicorn_worker_freezes_what_it_built_at_start_and_collects_fully_less_often():
    """Full collections stopped a worker for 120-250 ms every few seconds under bench/load.py."""
    import gc

    from board import gunicorn_conf

    before = gc.get_threshold()
    try:
        gunicorn_conf.post_worker_init(None)
        assert gc.get_freeze_count() > 10_000
        assert gc.get_threshold() == (before[0], before[1], gunicorn_conf.GC_FULL_COLLECTION_EVERY)
        assert gunicorn_conf.GC_FULL_COLLECTION_EVERY > 10
    finally:
        gc.unfreeze()
        gc.set_threshold(*before)
