"""What residents read for the errands' stored codes, in their language."""
from flask_babel import lazy_gettext as _l

from board.errands.models import ErrandState, Mode, Outcome, Payment, Source

STATE_LABELS = {
    ErrandState.WAITING.value: _l("Waiting for a volunteer"),
    ErrandState.ASSIGNED.value: _l("Assigned, not yet accepted"),
    ErrandState.ACCEPTED.value: _l("Accepted"),
    ErrandState.ON_THE_WAY.value: _l("On the way"),
    ErrandState.DELIVERED.value: _l("Left at the door"),
    ErrandState.COMPLETED.value: _l("Received"),
    ErrandState.PROBLEM.value: _l("A problem to look at"),
    ErrandState.CLOSED.value: _l("Closed"),
}
PAYMENT_LABELS = {
    Payment.ON_DELIVERY.value: _l("Paid on delivery"),
    Payment.REIMBURSED.value: _l("Reimbursed afterwards"),
    Payment.DONATED.value: _l("Donated"),
}
SOURCE_LABELS = {
    Source.RESIDENT.value: _l("Placed by the resident"),
    Source.ON_BEHALF.value: _l("Taken by phone"),
    Source.CHECK_IN.value: _l("From a check-in call"),
    Source.DOOR_KNOCK.value: _l("From a door knock"),
}
OUTCOME_LABELS = {
    Outcome.NOT_HOME.value: _l("Nobody at home"),
    Outcome.COULD_NOT_BUY.value: _l("Could not buy it"),
    Outcome.WRONG_ADDRESS.value: _l("Wrong address"),
    Outcome.REFUSED.value: _l("Refused"),
}
MODE_LABELS = {
    Mode.CLAIM.value: _l("Volunteers claim freely"),
    Mode.CLAIM_EXCEPT_VULNERABLE.value: _l("Volunteers claim; a coordinator assigns vulnerable households"),
    Mode.ASSIGN.value: _l("Coordinators assign every errand"),
}
COUNT_LABELS = {
    "waiting": _l("Waiting"),
    "assigned": _l("Assigned"),
    "on_the_way": _l("On the way"),
    "delivered_today": _l("Delivered today"),
    "problems": _l("Problems"),
}

# A team that is not one of the errand's community's (a junk id, another community's team).
TEAM_MESSAGE = _l("Please choose one of this community's teams, or any team.")
