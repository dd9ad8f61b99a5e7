"""Doorstep: a neighbourhood mutual-aid board."""
import os

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from board.config import Config, secret_key_from_instance


def create_app(config: dict | None = None, *, instance_path: str | None = None) -> Flask:
    """Build the app: defaults, then instance/config.py, then BOARD_* environment, then `config`."""
    app = Flask(
        __name__,
        instance_path=instance_path,
        instance_relative_config=True,
        template_folder="../templates",
        static_folder="../static",
    )
    app.config.from_object(Config)
    app.config.from_pyfile("config.py", silent=True)
    app.config.from_prefixed_env("BOARD")
    if config:
        app.config.update(config)
    # The 30-day remember cookie is as good as a password: secure whenever the session cookie is.
    app.config.setdefault("REMEMBER_COOKIE_SECURE", app.config["SESSION_COOKIE_SECURE"])
    os.makedirs(app.instance_path, exist_ok=True)
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        default_sqlite = "sqlite:///" + os.path.join(app.instance_path, "doorstep.sqlite3")
        app.config["SQLALCHEMY_DATABASE_URI"] = app.config["DATABASE_URL"] or default_sqlite
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = engine_options(app.config)
    if not app.config["SECRET_KEY"]:
        app.config["SECRET_KEY"] = secret_key_from_instance(app.instance_path)

    from board import accounts, activity, admission, assets, auth, box, cards, cli, connections, errors, htmx, i18n, live, notifications, policy, security
    from board import care, poster, pwa
    from board import errands
    from board import inputs
    from board import points
    from board import stats
    from board import roster
    from board.extensions import csrf, db, limiter, login_manager, migrate
    from board.households import views as households_views
    from board import volunteers

    inputs.init_app(app)  # first: every route's <int:…> is read by its converter
    db.init_app(app)
    migrate.init_app(app, db, directory=os.path.join(os.path.dirname(app.root_path), "migrations"))
    csrf.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    i18n.init_app(app)
    security.init_app(app)
    assets.init_app(app)
    admission.init_app(app)
    connections.init_app(app)
    policy.init_app(app)
    htmx.init_app(app)
    errors.init_app(app)
    cli.init_app(app)
    live.init_app(app)
    notifications.init_app(app)
    care.init_app(app)
    pwa.init_app(app)
    poster.init_app(app)
    cards.init_app(app)
    box.init_app(app)
    points.init_app(app)
    volunteers.init_app(app)
    errands.init_app(app)
    stats.init_app(app)
    roster.init_app(app)

    app.register_blueprint(auth.bp)
    app.register_blueprint(cards.bp)
    app.register_blueprint(activity.bp)
    app.register_blueprint(accounts.bp)
    app.register_blueprint(box.bp)
    app.register_blueprint(points.bp)
    app.register_blueprint(errands.bp)
    app.register_blueprint(stats.bp)
    app.register_blueprint(households_views.bp)
    app.register_blueprint(volunteers.bp)
    app.register_blueprint(live.bp)
    app.register_blueprint(notifications.bp)

    if app.config["PROXY_COUNT"]:
        # Behind nginx: the resident's address (for rate limits) and https come from its headers.
        count = app.config["PROXY_COUNT"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count, x_host=count)
    return app


def engine_options(config) -> dict:
    """SQLALCHEMY_ENGINE_OPTIONS with the DB_POOL_* settings filled in (explicit options win)."""
    options = dict(config["SQLALCHEMY_ENGINE_OPTIONS"])
    uri = config["SQLALCHEMY_DATABASE_URI"]
    if uri.startswith("sqlite") and (uri in ("sqlite://", "sqlite:///:memory:") or "mode=memory" in uri):
        return options  # an in-memory SQLite database has a single connection, no pool to size
    options.setdefault("pool_size", config["DB_POOL_SIZE"])
    options.setdefault("max_overflow", config["DB_MAX_OVERFLOW"])
    options.setdefault("pool_timeout", config["DB_POOL_TIMEOUT"])
    return options
