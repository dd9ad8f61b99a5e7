"""Words for the roster's stored codes, in the reader's language."""
from flask_babel import lazy_gettext as _l

from board.roster.models import LineKind, Outcome, Reason, Step, Wellbeing

REASON_LABELS = {
    Reason.OVER_60_ALONE.value: _l("Over 60 and living alone"),
    Reason.CHILDREN_ELSEWHERE.value: _l("Children live elsewhere"),
    Reason.DISABLED.value: _l("Disabled"),
    Reason.PREGNANT.value: _l("Pregnant"),
    Reason.SMALL_CHILDREN.value: _l("Small children"),
    Reason.ISOLATING.value: _l("Isolating"),
    Reason.CHRONIC_MEDICINE.value: _l("Takes chronic medicine"),
}
OUTCOME_LABELS = {
    Outcome.REACHED.value: _l("Reached"),
    Outcome.NO_ANSWER.value: _l("No answer"),
    Outcome.MESSAGE.value: _l("Left a message"),
    Outcome.VISITED.value: _l("Visited"),
}
WELLBEING_LABELS = {
    Wellbeing.BETTER.value: _l("Better"),
    Wellbeing.SAME.value: _l("Same"),
    Wellbeing.WORSE.value: _l("Worse"),
}
STEP_LABELS = {
    Step.NONE.value: _l("On schedule"),
    Step.RETRY.value: _l("No answer: try again later"),
    Step.SECOND_CALLER.value: _l("Passed to the second caller"),
    Step.COORDINATOR.value: _l("Coordinator alerted"),
    Step.DOOR_KNOCK.value: _l("A volunteer is sent to knock"),
    Step.CONTACTS: _l("Call the ranked contacts"),
}
LINE_LABELS = {
    LineKind.CALL.value: _l("Call"),
    LineKind.NOTE.value: _l("Note"),
    LineKind.CORRECTION.value: _l("Correction"),
    LineKind.STEP.value: _l("Escalation"),
}
