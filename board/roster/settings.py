"""The roster's settings per community, its local time, and whether the dispatch desk is there to send errands to."""
from __future__ import annotations

from datetime import date, datetime

from flask import current_app

from board.extensions import db
from board.models import utcnow
from board.roster import schedule
from board.roster.models import RosterSettings


def settings_for(community_id: int) -> RosterSettings:
    """The community's roster settings (a row of defaults, not saved, when it has none)."""
    found = db.session.get(RosterSettings, community_id)
    if found is not None:
        return found
    return RosterSettings(community_id=community_id, timezone=current_app.config.get("BABEL_DEFAULT_TIMEZONE"),
                          lock_minutes=current_app.config.get("ROSTER_LOCK_MINUTES", 30),
                          retry_minutes=current_app.config.get("ROSTER_RETRY_MINUTES", 120),
                          step_minutes=current_app.config.get("ROSTER_STEP_MINUTES", 60))


def zone_of(community_id: int):
    return schedule.zone(settings_for(community_id).timezone)


def local_today(community_id: int, now: datetime | None = None) -> date:
    return schedule.to_local(now or utcnow(), zone_of(community_id)).date()


def errands_service():
    """board.errands.service when the dispatch desk is installed (read lazily: the roster does not need it)."""
    try:
        from board.errands import service
    except ImportError:
        return None
    return service if hasattr(service, "place_errand") else None
