"""What residents read for the ledger's stored codes, in their language."""
from flask_babel import lazy_gettext as _l

from board.points.models import CodeStatus, EntryKind, Reason

REASON_LABELS = {
    Reason.NEED_MET.value: _l("A need met"),
    Reason.OFFER_GIVEN.value: _l("An offer given"),
    Reason.ERRAND_COMPLETED.value: _l("An errand completed"),
    Reason.CHECK_IN.value: _l("A check-in call"),
}
ENTRY_LABELS = {
    EntryKind.FUND.value: _l("Added to the pool"),
    EntryKind.EARN.value: _l("Earned"),
    EntryKind.REDEEM.value: _l("Gift code"),
    EntryKind.REFUND.value: _l("Code expired: points back"),
    EntryKind.REVERSAL.value: _l("Corrected by a coordinator"),
}
CODE_LABELS = {
    CodeStatus.ISSUED.value: _l("Ready to use"),
    CodeStatus.USED.value: _l("Used"),
    CodeStatus.EXPIRED.value: _l("Expired"),
}
RULE_LABELS = {
    "need_met": _l("Points for a need met"),
    "offer_given": _l("Points for an offer given"),
    "errand_completed": _l("Points for an errand completed"),
    "check_in": _l("Points for a successful check-in call"),
    "daily_cap": _l("Most points one volunteer earns in a day"),
    "burst_count": _l("Flag a volunteer who earns this many times within an hour"),
    "code_days": _l("Days a gift code stays valid"),
}
