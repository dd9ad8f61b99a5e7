"""Which errand events notify whom: the errands' part of the registry."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from board.errands.models import Errand
from board.extensions import db
from board.households import service as households
from board.models import Event, Household

NOTIFICATIONS: dict[str, str] = {
    "errand.assigned": "errand_assigned",
    "errand.claimed": "errand_taken",
    "errand.accepted": "errand_taken",
    "errand.on_the_way": "errand_on_the_way",
    "errand.delivered": "errand_delivered",
    "errand.timed_out": "errand_timed_out",
    "errand.given_back": "errand_given_back",
    "errand.problem": "errand_problem",
    "errand.spent": "errand_spent",
}

HEADLINES = {
    "errand_assigned": _l("An errand was assigned to you: please accept it"),
    "errand_taken": _l("A volunteer is taking care of your errand"),
    "errand_on_the_way": _l("Your errand is on the way"),
    "errand_delivered": _l("Your errand was left at your door"),
    "errand_timed_out": _l("An errand went back to the queue: nobody took it up in time"),
    "errand_given_back": _l("A volunteer gave an errand back"),
    "errand_problem": _l("An errand has a problem to look at"),
    "errand_spent": _l("A volunteer recorded what your errand cost"),
}

TO_VOLUNTEER = {"errand.assigned"}
TO_HOUSEHOLD = {"errand.claimed", "errand.accepted", "errand.on_the_way", "errand.delivered", "errand.spent"}
TO_COORDINATORS = {"errand.timed_out", "errand.given_back", "errand.problem"}


def recipients(event: Event) -> set[int]:
    """The volunteer hears of an assignment; the household of the run; coordinators of what needs them."""
    data = event.data or {}
    if event.kind in TO_VOLUNTEER:
        return {data.get("volunteer_id")}
    if event.kind in TO_COORDINATORS:
        return households.coordinators(event.community_id)
    if event.kind in TO_HOUSEHOLD:
        errand = db.session.get(Errand, data.get("errand_id"))
        if errand is None:
            return set()
        household = db.session.get(Household, errand.household_id)
        return set(households.account_holders(household)) | {errand.card.author_id}
    return set()
