"""What residents read for the volunteers' stored codes, in their language."""
from flask_babel import lazy_gettext as _l

from board.volunteers.models import ProfileStatus, Team

TEAM_LABELS = {
    "medicine": _l("Medicine runs"),
    "groceries": _l("Groceries"),
    "parcels_garbage": _l("Parcels and garbage"),
    "calls_company": _l("Phone calls and company"),
    "doctor": _l("A doctor's questions"),
    "gate": _l("Gate shifts"),
}

STATUS_LABELS = {
    ProfileStatus.APPLIED.value: _l("Waiting for a coordinator"),
    ProfileStatus.APPROVED.value: _l("Approved"),
    ProfileStatus.PAUSED.value: _l("Paused"),
    ProfileStatus.DECLINED.value: _l("Not taken up"),
}


def team_label(team: Team | None) -> str:
    """A team's name as typed by a coordinator, or a default team's label in the reader's language."""
    if team is None:
        return str(_l("Any team"))
    if team.name:
        return team.name
    return str(TEAM_LABELS.get(team.key, team.key))

MOVE_LABELS = {
    "approve": _l("Approve"),
    "decline": _l("Decline the offer"),
    "pause": _l("Pause"),
    "resume": _l("Resume"),
    "reapply": _l("Sign up again"),
}
