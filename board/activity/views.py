"""The "My activity" page. Views parse, call the service, render."""
from flask import Blueprint, render_template
from flask_login import current_user, login_required

from board import frame
from board.cards import handoffs
from board.cards.views import read_handoffs_of

bp = Blueprint("activity", __name__)


@bp.get("/me/activity")
@login_required
def page():
    """My needs, my offers, what I am helping with and what I asked for."""
    frame.numbers(lapse=True)
    activity = handoffs.activity(current_user)
    read_handoffs_of(activity.cards)
    return render_template("activity/page.html", activity=activity)
