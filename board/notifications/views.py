"""My notifications: the list (marked read when seen) and the bell."""
from flask import Blueprint, render_template
from flask_login import current_user, login_required

from board import frame, registry
from board.notifications import service

bp = Blueprint("notifications", __name__, url_prefix="/notifications")


@bp.app_context_processor
def bell_helpers() -> dict:
    """`unread_count()` for the bell in the header, asked only when a page draws it."""
    def unread_count() -> int:
        return frame.numbers().unread if current_user.is_authenticated else 0

    return {"unread_count": unread_count, "notification_headlines": registry.current().headlines}


@bp.get("/")
@login_required
def index():
    """My notifications, newest first; the ones shown here count as read."""
    notifications = service.recent(current_user.id)
    unread = {n.id for n in notifications if n.read_at is None}
    service.mark_read(current_user.id, sorted(unread))
    return render_template("notifications/index.html", notifications=notifications, unread=unread)


@bp.post("/<int:notification_id>/read")
@login_required
def read(notification_id: int):
    """Mark one notification read (the list page does this for ones arriving live); answers with the bell."""
    service.mark_read(current_user.id, [notification_id])
    return render_template("notifications/_bell.html")


@bp.get("/bell")
@login_required
def bell():
    """The bell alone, with my unread count."""
    return render_template("notifications/_bell.html")
