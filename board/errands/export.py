"""A resident's errands for "My data" (board/accounts): what they placed or was placed for their household, and
what they ran as a volunteer. Each row holds only what the resident may see now (board.policy): a household's
unit and who it was for only while policy shows them, amounts only to who may see the receipt."""
from __future__ import annotations

from sqlalchemy import or_, select

from board import policy
from board.errands.models import Errand
from board.extensions import db
from board.models import Card, Event, Person, User

# A volunteer ran an errand when they took it or accepted it (it may have gone back to the queue since).
RAN = ("errand.claimed", "errand.accepted")


def _when(value) -> str:
    return value.isoformat(timespec="seconds") if value is not None else ""


def _yuan(fen: int | None) -> str:
    return f"{fen / 100:.2f}" if fen is not None else ""


def errands_of(user: User) -> list[Errand]:
    """Errands the resident placed, or placed for one of their households, or ran (or was assigned)."""
    homes = set(db.session.scalars(select(Person.household_id).where(Person.user_id == user.id)))
    if user.membership is not None:
        homes.add(user.membership.household_id)
    ran_cards = select(Event.card_id).where(Event.actor_id == user.id, Event.kind.in_(RAN))
    stmt = select(Errand).join(Card, Card.id == Errand.card_id).where(or_(
        Card.author_id == user.id, Errand.household_id.in_(homes), Errand.volunteer_id == user.id,
        Errand.spent_by_id == user.id, Errand.card_id.in_(ran_cards),
    )).order_by(Errand.id)
    return list(db.session.scalars(stmt).unique())


def export_rows(user: User) -> list[dict]:
    """One row per errand: my part, what, from where, by when, its state and times, the money."""
    rows = []
    for errand in errands_of(user):
        household = policy.in_household(user, errand.household_id)
        parts = [name for name, mine in (
            ("placed", errand.card.author_id == user.id), ("for_my_household", household),
            ("ran", errand.volunteer_id == user.id or errand.spent_by_id == user.id
             or not household and errand.card.author_id != user.id),
        ) if mine]
        door = policy.may_see_errand_door(user, errand)
        money = policy.may_see_receipt(user, errand)
        rows.append({
            "id": errand.id, "card_id": errand.card_id, "my_part": " ".join(parts), "what": errand.card.title,
            "from_where": errand.from_where, "building": errand.household.building.name,
            "unit": errand.household.unit if door else "",
            "for": errand.person.name if door and errand.person is not None and policy.may_see_errand_person(
                user, errand) else "",
            "team": errand.team.key if errand.team is not None else "", "payment": errand.payment,
            "budget_yuan": _yuan(errand.budget), "source": errand.source, "state": errand.state,
            "outcome": errand.outcome or "",
            "placed_at": _when(errand.created_at), "due_by": _when(errand.due_by),
            "accepted_at": _when(errand.accepted_at), "on_the_way_at": _when(errand.on_the_way_at),
            "delivered_at": _when(errand.delivered_at),
            "volunteer": errand.volunteer.display_name if errand.volunteer is not None and (
                door or errand.volunteer_id == user.id) else "",
            "spent_yuan": _yuan(errand.spent) if money else "",
            "paid_back_at": _when(errand.paid_back_at) if money else "",
            "receipt": f"receipts/{errand.receipt_photo}" if errand.receipt_photo and errand.spent_by_id == user.id
            else "",
        })
    return rows


def receipt_names(user: User) -> list[str]:
    """The receipt photos the resident took as a volunteer (theirs to download)."""
    stmt = select(Errand.receipt_photo).where(Errand.spent_by_id == user.id, Errand.receipt_photo.is_not(None))
    return list(db.session.scalars(stmt.order_by(Errand.id)))
