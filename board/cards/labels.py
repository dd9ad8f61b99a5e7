"""What residents read for each stored code, in their language."""
from flask_babel import lazy_gettext as _l

from board.models import CardKind, CardStatus, Category, HandoffStatus, Urgency

KIND_LABELS = {CardKind.NEED.value: _l("I need"), CardKind.OFFER.value: _l("I can offer")}
CATEGORY_LABELS = {
    Category.MEDICINE.value: _l("Medicine"),
    Category.FOOD.value: _l("Food"),
    Category.SUPPLIES.value: _l("Daily supplies"),
    Category.ERRAND.value: _l("Errand"),
    Category.CARE.value: _l("Company / care"),
    Category.OTHER.value: _l("Other"),
}
URGENCY_LABELS = {Urgency.NORMAL.value: _l("Normal"), Urgency.URGENT.value: _l("Urgent")}
TAG_LABELS = {
    "for_pregnant": _l("For a pregnant woman"),
    "for_child": _l("For a child"),
    "for_elderly": _l("For an elderly person"),
    "sealed": _l("Sealed / unopened"),
}
STATUS_LABELS = {
    CardStatus.OPEN.value: _l("Open"),
    CardStatus.MATCHED.value: _l("Matched"),
    CardStatus.LEFT_AT_DOOR.value: _l("Left at the door"),
    CardStatus.RECEIVED.value: _l("Received"),
    CardStatus.UNCONFIRMED.value: _l("Left at the door, not confirmed"),
    CardStatus.WITHDRAWN.value: _l("Withdrawn"),
    CardStatus.CANCELLED.value: _l("Cancelled"),
    CardStatus.EXPIRED.value: _l("Expired"),
    CardStatus.DONE.value: _l("All given"),
}
HANDOFF_LABELS = {
    HandoffStatus.ASKED.value: _l("Asked"),
    HandoffStatus.MATCHED.value: _l("Matched"),
    HandoffStatus.LEFT_AT_DOOR.value: _l("Left at the door"),
    HandoffStatus.RECEIVED.value: _l("Received"),
    HandoffStatus.UNCONFIRMED.value: _l("Left at the door, not confirmed"),
    HandoffStatus.DECLINED.value: _l("Declined"),
    HandoffStatus.WITHDRAWN.value: _l("Helper stepped back"),
    HandoffStatus.CANCELLED.value: _l("Cancelled"),
    HandoffStatus.LAPSED.value: _l("Not handed over in time"),
    HandoffStatus.RELEASED.value: _l("Helper could not come"),
}
EVENT_LABELS = {
    "card.posted": _l("%(name)s posted it"),
    "card.edited": _l("%(name)s edited it"),
    "card.withdraw": _l("%(name)s withdrew it"),
    "card.expire": _l("Its time on the board ended"),
    "handoff.match": _l("%(name)s offered to help"),
    "handoff.ask": _l("%(name)s asked for %(quantity)s"),
    "handoff.accept": _l("The ask for %(quantity)s was accepted"),
    "handoff.decline": _l("%(name)s declined an ask"),
    "handoff.leave_at_door": _l("%(name)s left it at the door"),
    "handoff.confirm_received": _l("%(name)s confirmed it was received"),
    "handoff.receive_in_person": _l("%(name)s received it in person"),
    "handoff.report_not_there": _l("%(name)s reported it was not there"),
    "handoff.helper_withdraw": _l("%(name)s stepped back"),
    "handoff.cancel": _l("%(name)s cancelled"),
    "handoff.release": _l("%(name)s said this helper could not come; back on the board"),
    "handoff.lapse": _l("Not handed over in time; back on the board"),
    "handoff.thank": _l("%(name)s said thank you"),
    "handoff.remind": _l("Nobody had confirmed it yet: a reminder was sent"),
    "handoff.close_unconfirmed": _l("Closed: left at the door, not confirmed"),
}


def event_label(event) -> str:
    """One line of a card's timeline (a row of handoffs.timeline_rows), in the viewer's language; never more
    than names and numbers."""
    label = EVENT_LABELS.get(event.kind)
    if label is None:
        return event.kind
    name = event.actor_name or ""  # handoffs.timeline_rows' rows
    return str(label) % {"name": name, "quantity": (event.data or {}).get("quantity", "")}
