"""Care mode (关怀版): larger text, larger targets, one column and plainer words, for older eyes and hands.

A resident's choice is kept on their profile (users.care_level); a visitor's in a cookie, so the
welcome page and the log-in form are already large. Levels: 0 off; 1, 2, 3 = body text of 24, 32
and 40 CSS px (the 2021 elderly-friendly rules ask for at least 18 pt and up to 30 pt).
"""
from flask import Blueprint, Flask, abort, redirect, request, url_for
from flask_login import current_user

from board.auth.views import safe_next
from board.extensions import db

COOKIE = "care"
LEVELS = {0: None, 1: 24, 2: 32, 3: 40}
YEAR = 365 * 24 * 3600

bp = Blueprint("care", __name__)


def care_level() -> int:
    """This reader's level: the profile's when logged in, else the cookie's, else off."""
    if current_user and current_user.is_authenticated:
        return current_user.care_level or 0
    try:
        level = int(request.cookies.get(COOKIE, "0"))
    except ValueError:
        return 0
    return level if level in LEVELS else 0


@bp.post("/care")
def switch():
    """Turn care mode on or off, or choose its text size; remembered on the profile and in a cookie."""
    try:
        level = int(request.form.get("level", ""))
    except ValueError:
        abort(400)
    if level not in LEVELS:
        abort(400)
    if current_user.is_authenticated:
        current_user.care_level = level
        db.session.commit()
    response = redirect(safe_next(request.form.get("back")) or url_for("cards.board"))
    response.set_cookie(COOKIE, str(level), max_age=YEAR, samesite="Lax", httponly=True)
    return response


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    app.jinja_env.globals.update(care_level=care_level, CARE_LEVELS=LEVELS)
