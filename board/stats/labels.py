"""The numbers' names in the reader's language."""
from flask_babel import lazy_gettext as _l


METRICS = {
    "needs_met": _l("Needs met"),
    "offers_given": _l("Offers given"),
    "box_takes": _l("Taken from the box"),
    "box_gifts": _l("Gifts to the box"),
    "errands_completed": _l("Errands completed"),
    "elders_served": _l("Elders' homes served"),
    "checkins": _l("Check-ins made"),
    "volunteers_active": _l("Volunteers active"),
    "match_secs": _l("Time to a match (median)"),
    "receipt_secs": _l("Time to receipt (median)"),
}

# What each number counts, in one line under it.
EXPLAIN = {
    "needs_met": _l("Needs received, or left at the door and closed after the waiting time."),
    "offers_given": _l("Shares of offers that reached a neighbour."),
    "box_takes": _l("Takes from the medicine box and love corner, and their deliveries to the door."),
    "box_gifts": _l("Gifts to the medicine box and love corner that a keeper checked and accepted."),
    "errands_completed": _l("Errands handed over at the door or in person."),
    "elders_served": _l("Homes with someone over 60 that got an errand done or a check-in."),
    "checkins": _l("Calls and visits that reached the resident."),
    "volunteers_active": _l("Volunteers who completed an errand or a check-in."),
    "match_secs": _l("From posting a need to a neighbour's \"I can help\": half of the needs took less."),
    "receipt_secs": _l("From posting a need to its receipt: half of the needs took less."),
}
SHORT = {"needs_met": _l("Needs met"), "errands_completed": _l("Errands"), "checkins": _l("Check-ins"),
         "elders_served": _l("Elders' homes")}

PERIODS = {"week": _l("This week"), "month": _l("This month"), "all": _l("Since the start")}
BEFORE = {"week": _l("Last week: %(n)s"), "month": _l("Last month: %(n)s")}
FEW = _l("fewer than 3")
HIDDEN = _l("not shown, so that a smaller count stays private")
NOTHING_TIMED = _l("Nothing yet.")
