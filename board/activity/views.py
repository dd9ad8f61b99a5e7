"""The "My activity" page. Views parse, call the service, render."""
from flask import Blueprint, render_template
from flask_login import current_user, login_required

from board import frame
from board.cards import handoffs

bp = Blueprint("activity", __name__)


@bp.get("/me/activity")
@login_required
def page():
    """My needs, my offers, what I am helping with and what I asked for."""
    frame.numbers(lapse=True)
    return render_template("activity/page.html", activity=handoffs.activity(current_user))
