"""What residents read for each stored code, in their language."""
from flask_babel import lazy_gettext as _l

from board.models import CardKind, CardStatus, Category, Urgency

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
    CardStatus.WITHDRAWN.value: _l("Withdrawn"),
    CardStatus.CANCELLED.value: _l("Cancelled"),
    CardStatus.EXPIRED.value: _l("Expired"),
    CardStatus.DONE.value: _l("All given"),
}
