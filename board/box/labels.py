"""What residents read for the shelves' stored codes, in their language."""
from flask_babel import lazy_gettext as _l

from board.box.models import LineKind, RejectReason
from board.cards.labels import CATEGORY_LABELS
from board.models import Category

ITEM_CATEGORY_LABELS = {
    code: CATEGORY_LABELS[code]
    for code in (Category.MEDICINE.value, Category.FOOD.value, Category.SUPPLIES.value, Category.OTHER.value)
}
REJECT_LABELS = {
    RejectReason.OPENED.value: _l("Opened"),
    RejectReason.EXPIRED.value: _l("Expired"),
    RejectReason.UNSUITABLE.value: _l("Unsuitable"),
}
LINE_LABELS = {
    LineKind.TAKE.value: _l("Took"),
    LineKind.GIFT.value: _l("Offered"),
    LineKind.GIFT_CHECKIN.value: _l("Gift checked in"),
    LineKind.REJECT.value: _l("Gift rejected"),
    LineKind.ADD_STOCK.value: _l("Stock added"),
    LineKind.CORRECTION.value: _l("Correction"),
    LineKind.RESERVE.value: _l("Reserved for delivery"),
    LineKind.DELIVERED.value: _l("Delivered to the door"),
    LineKind.RESERVATION_LAPSED.value: _l("Reservation lapsed"),
}
