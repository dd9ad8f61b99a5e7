"""My data, mine: everything the board holds about a resident as a zip, and erasing an account or a person.

Erasing never deletes a `users` or `people` row and never cascades: the row stays so that every
card, handoff, register line, notification and event that points to it keeps pointing somewhere,
and its name reads "a former resident" (board.models.FORMER_RESIDENT). What is removed is what
only concerned the resident: their name, login, password, language, phone or contact, their
photos, their sessions, their notifications, their roles and shelf keys. The door number belongs
to the household, which the other people of the home share; it is erased only when nobody else is
left in that household.
"""
from __future__ import annotations

import csv
import io
import json
import os
import zipfile
from datetime import date, datetime

from flask_babel import gettext as _
from sqlalchemy import delete, func, or_, select

from board import photos, policy, registry
from board.box.models import Delivery, Gift, RegisterLine, shelf_keepers
from board.errands import export as errand_export
from board.volunteers.service import export_rows as volunteer_rows
from board.cards import transitions
from board.errors import Forbidden
from board.events import record
from board.extensions import db
from board.models import (
    Card, CardStatus, Event, Handoff, HandoffStatus, Household, LoginSession, Membership, Person,
    User, utcnow,
)
from board.notifications.models import Notification

H = HandoffStatus


# Export.

def _value(value):
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    return value


def _csv(rows: list[dict]) -> str:
    """Rows as CSV (UTF-8 with BOM, so Excel and WPS show Chinese right); never a formula in a cell."""
    out = io.StringIO()
    out.write("\ufeff")
    if rows:
        writer = csv.DictWriter(out, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows({k: _cell(v) for k, v in row.items()} for row in rows)
    return out.getvalue()


def _cell(value) -> str:
    text = "" if value is None else str(_value(value))
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _profile(user: User) -> dict:
    membership = user.membership
    return {
        "id": user.id, "login": user.login, "name": user.display_name, "language": user.locale,
        "joined": _value(user.created_at),
        "community": membership.community.name if membership else None,
        "roles": sorted(membership.roles) if membership else [],
        "home": {"building": membership.building.name, "unit": membership.unit} if membership else None,
    }


def _households(user: User) -> list[dict]:
    """Every home the resident is one of the people of, with its people as far as they may see them."""
    ids = set(db.session.scalars(select(Person.household_id).where(Person.user_id == user.id)))
    if user.membership is not None:
        ids.add(user.membership.household_id)
    result = []
    for household in db.session.scalars(select(Household).where(Household.id.in_(ids)).order_by(Household.id)):
        entry = {"id": household.id, "building": household.building.name, "unit": household.unit, "people": []}
        if policy.may_see_household(user, household):
            entry["people"] = [
                {"id": p.id, "name": p.name, "contact": p.contact, "age_group": p.age_group, "language": p.language,
                 "has_login": p.has_login, "is_me": p.user_id == user.id}
                for p in household.people if p.erased_at is None
            ]
        result.append(entry)
    return result


def _cards(user: User) -> list[dict]:
    stmt = select(Card).where(Card.author_id == user.id).order_by(Card.id)
    return [
        {"id": c.id, "kind": c.kind, "category": c.category, "title": c.title, "details": c.details,
         "quantity": c.quantity, "unit": c.unit, "urgency": c.urgency, "tags": " ".join(c.tags), "status": c.status,
         "building": c.building.name, "posted_for": c.for_person.name if c.for_person is not None else None,
         "intake": c.intake, "door_note": c.door_note, "created_at": _value(c.created_at), "expires_at": _value(c.expires_at)}
        for c in db.session.scalars(stmt)
    ]


def _my_handoffs(user: User) -> list[Handoff]:
    stmt = select(Handoff).where(or_(Handoff.giver_id == user.id, Handoff.receiver_id == user.id))
    return list(db.session.scalars(stmt.order_by(Handoff.id)))


def _handoffs(user: User, handoffs: list[Handoff], photo_files: dict[int, str]) -> list[dict]:
    """Each handoff the resident gave or received; the neighbour's name, never the neighbour's door."""
    rows = []
    for h in handoffs:
        giving = h.giver_id == user.id
        other = h.receiver if giving else h.giver
        doorstep = policy.may_see_doorstep(user, h) or giving  # a note the resident wrote is theirs
        rows.append({
            "id": h.id, "card_id": h.card_id, "card_title": h.card.title, "card_kind": h.card.kind,
            "my_part": "giver" if giving else "receiver", "neighbour": other.display_name if other else None,
            "quantity": h.quantity, "status": h.status, "created_at": _value(h.created_at),
            "matched_at": _value(h.matched_at), "left_at": _value(h.left_at), "received_at": _value(h.received_at),
            "doorstep_note": h.note if doorstep else "",
            "thanks": h.thanks,
            "photo": photo_files.get(h.id, ""),
        })
    return rows


def _register(user: User) -> list[dict]:
    """Register lines the resident took, gave, carried or wrote."""
    stmt = select(RegisterLine).where(or_(
        RegisterLine.user_id == user.id, RegisterLine.actor_id == user.id, RegisterLine.carried_by_id == user.id
    )).order_by(RegisterLine.id)
    rows = []
    for line in db.session.scalars(stmt):
        parts = [name for name, uid in (("who", line.user_id), ("written_by", line.actor_id),
                                        ("carried_by", line.carried_by_id)) if uid == user.id]
        rows.append({"id": line.id, "shelf_id": line.shelf_id, "kind": line.kind, "item": line.item_name,
                     "units": line.units, "unit": line.unit, "stock_change": line.delta,
                     "my_part": " ".join(parts), "note": line.note if line.actor_id == user.id else "",
                     "created_at": _value(line.created_at)})
    return rows


def _gifts_and_deliveries(user: User) -> dict:
    gifts = db.session.scalars(select(Gift).where(Gift.giver_id == user.id).order_by(Gift.id))
    deliveries = db.session.scalars(select(Delivery).where(Delivery.requester_id == user.id).order_by(Delivery.id))
    return {
        "gifts": [{"id": g.id, "shelf_id": g.shelf_id, "name": g.name, "category": g.category, "quantity": g.quantity,
                   "unit": g.unit, "status": g.status, "note": g.note, "created_at": _value(g.created_at)}
                  for g in gifts],
        "deliveries": [{"id": d.id, "item": d.item.name, "card_id": d.card_id, "quantity": d.quantity,
                        "status": d.status, "created_at": _value(d.created_at)} for d in deliveries],
    }


def _notifications(user: User) -> list[dict]:
    stmt = select(Notification).where(Notification.user_id == user.id).order_by(Notification.id)
    headlines = registry.current().headlines
    return [{"id": n.id, "kind": n.kind, "text": str(headlines.get(n.kind, n.kind)), "card_id": n.card_id,
             "created_at": _value(n.created_at), "read_at": _value(n.read_at)} for n in db.session.scalars(stmt)]


def _events(user: User) -> list[dict]:
    """What the resident did, as the event log recorded it (ids and short facts only)."""
    stmt = select(Event).where(Event.actor_id == user.id).order_by(Event.id)
    return [{"id": e.id, "kind": e.kind, "card_id": e.card_id, "from": e.from_status, "to": e.to_status,
             "created_at": _value(e.created_at)} for e in db.session.scalars(stmt)]


def export_zip(user: User) -> bytes:
    """Everything the board holds about `user`, as a zip of JSON and CSV files and their photos."""
    handoffs = _my_handoffs(user)
    uploaded = {h.id: h.photo_name for h in handoffs if h.giver_id == user.id and h.photo_name}
    photo_files = {hid: f"photos/{name}" for hid, name in uploaded.items()}
    parts = {
        "profile": _profile(user), "households": _households(user), "cards": _cards(user),
        "handoffs": _handoffs(user, handoffs, photo_files), "register": _register(user),
        "notifications": _notifications(user), "activity_log": _events(user), **_gifts_and_deliveries(user),
        "volunteering": volunteer_rows(user), "errands": errand_export.export_rows(user),
    }
    # The receipt photos the resident took as a volunteer (errands.csv names each under receipts/).
    receipts = {name: f"receipts/{name}" for name in errand_export.receipt_names(user)}
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("README.txt", _readme())
        for name, content in parts.items():
            archive.writestr(f"{name}.json", json.dumps(content, ensure_ascii=False, indent=2))
            if isinstance(content, list):
                archive.writestr(f"{name}.csv", _csv(content))
        for hid, name in uploaded.items():
            try:
                archive.write(photos.path_of(name), photo_files[hid])
            except (FileNotFoundError, ValueError):
                continue  # a photo already gone from disk: the handoff says so by its empty file
        for name, inside in receipts.items():
            try:
                archive.write(photos.path_of(name), inside)
            except (FileNotFoundError, ValueError):
                continue
    return buffer.getvalue()


def _readme() -> str:
    return _(
        "Everything Doorstep holds about you. profile: your account; households: your home and its people; "
        "cards: what you posted; handoffs: what you gave and received (photos/: the doorstep photos you took); "
        "register: the medicine box lines about you; gifts, deliveries; notifications; activity_log: what you did; "
        "errands: what you ordered or was ordered for your home, and what you ran as a volunteer (receipts/: the "
        "receipt photos you took). "
        "Each list is in a .json and a .csv file."
    ) + "\n"


def export_filename(user: User) -> str:
    return f"doorstep-my-data-{utcnow().date().isoformat()}.zip"


# Erasing.

def _close_open_business(user: User) -> None:
    """End what would otherwise wait for a resident who is gone, each through the transition table.

    Their own open cards are withdrawn; a helper they matched is told the match is off; what they
    were helping with goes back on the board. A card they posted for someone else stays: it is
    that person's, and coordinators look after it. What is already at a door stays, so the
    neighbour can still say they have it.
    """
    own = select(Card).where(Card.author_id == user.id, Card.for_person_id.is_(None))
    for handoff in _my_handoffs(user):
        if handoff.for_person_id is not None or handoff.card.for_person_id is not None:
            continue
        if handoff.giver_id == user.id and handoff.status == H.MATCHED.value:
            transitions.apply_handoff(handoff, "helper_withdraw", user, commit=False)
        elif handoff.receiver_id == user.id and handoff.status in (H.ASKED.value, H.MATCHED.value):
            transitions.apply_handoff(handoff, "cancel", user, commit=False)
    for card in db.session.scalars(own.where(Card.status == CardStatus.OPEN.value)).all():
        transitions.apply(card, "withdraw", user, commit=False)
    for card in db.session.scalars(own.where(Card.door_note.is_not(None))).all():
        card.door_note = None  # it may name their door


def _photo_names(user: User) -> list[str]:
    """The photos the resident took (doorstep photos, errand receipts), unlinked; the files go after the commit."""
    from board.errands.models import Errand  # the errands domain plugs into accounts, not the other way round

    stmt = select(Handoff).where(Handoff.giver_id == user.id, Handoff.photo_name.is_not(None))
    names = []
    for handoff in db.session.scalars(stmt).all():
        names.append(handoff.photo_name)
        handoff.photo_name = None
    # A receipt may show the volunteer's card or phone; the amount stays, so the money still adds up.
    receipts = select(Errand).where(Errand.spent_by_id == user.id, Errand.receipt_photo.is_not(None))
    for errand in db.session.scalars(receipts).all():
        names.append(errand.receipt_photo)
        errand.receipt_photo = None
    return names


def _erase_person_row(person: Person, now: datetime) -> None:
    person.name = ""
    person.contact = ""
    person.age_group = ""
    person.language = ""
    person.erased_at = now


def _household_left_empty(household: Household, leaving_user_id: int | None = None) -> bool:
    """Nobody else lives there any more: no person left (the leaver's rows are erased by now), no other account."""
    others = select(func.count(Person.id)).where(Person.household_id == household.id, Person.erased_at.is_(None))
    homes = select(func.count(Membership.id)).join(User, User.id == Membership.user_id).where(
        Membership.household_id == household.id, User.erased_at.is_(None),
        *((Membership.user_id != leaving_user_id,) if leaving_user_id else ()),
    )
    return not db.session.scalar(others) and not db.session.scalar(homes)


def _forget_door(household: Household) -> None:
    """The door number of a home nobody is left in: lower case, so no typed unit (upper-cased) meets it."""
    household.unit = f"erased-{household.id}"


def erase(user: User, *, password: str) -> list[str]:
    """Delete `user`'s account: personal data erased in place, history kept as "a former resident".

    One transaction: the open business is closed, the data erased and the event written together,
    or nothing is. The photo files go once it has committed; returns their names.
    """
    from board.auth.service import check_password

    if not policy.may_erase_account(user, user) or not check_password(user, password):
        raise Forbidden()
    now = utcnow()
    _close_open_business(user)
    names = _photo_names(user)
    homes = {p.household for p in db.session.scalars(select(Person).where(Person.user_id == user.id)).all()}
    if user.membership is not None:
        homes.add(user.membership.household)
    for person in db.session.scalars(select(Person).where(Person.user_id == user.id)).all():
        _erase_person_row(person, now)
    for household in homes:
        if _household_left_empty(household, user.id):
            _forget_door(household)
    for membership in user.memberships:
        membership.set_roles(())  # a gone account holds no role (nor counts as a coordinator to notify)
    db.session.execute(delete(shelf_keepers).where(shelf_keepers.c.user_id == user.id))
    db.session.execute(delete(Notification).where(Notification.user_id == user.id))
    db.session.execute(delete(LoginSession).where(LoginSession.user_id == user.id))
    community_id = user.community_id
    user.display_name = ""
    user.login = f"erased:{user.id}"  # frees the login name; ":" is not allowed in one, so nobody can take this
    user.password_hash = "!"  # no password ever matches it
    user.locale = None
    user.session_version = user.session_version + 1
    user.erased_at = now
    if community_id is not None:
        record("account.erased", community_id=community_id, actor=None, user_id=user.id, photos=len(names))
    transitions.commit()
    for name in names:
        photos.delete(name)
    return names


def erase_person(actor: User, person: Person, *, password: str) -> None:
    """A coordinator erases a person without a login (name, contact): their cards stay, as "a former resident"."""
    from board.auth.service import check_password

    if not policy.may_erase_person(actor, person) or not check_password(actor, password):
        raise Forbidden()
    now = utcnow()
    cards = select(Card).where(Card.for_person_id == person.id, Card.status == CardStatus.OPEN.value)
    for card in db.session.scalars(cards).all():
        transitions.apply(card, "withdraw", actor, commit=False)
    waiting = select(Handoff).where(
        or_(Handoff.for_person_id == person.id, Handoff.card.has(Card.for_person_id == person.id)),
        Handoff.status.in_((H.ASKED.value, H.MATCHED.value)),
    )
    for handoff in db.session.scalars(waiting).all():
        transitions.apply_handoff(handoff, "cancel", actor, commit=False)
    _erase_person_row(person, now)
    if _household_left_empty(person.household):
        _forget_door(person.household)
    record("household.person_erased", community_id=person.community_id, actor=actor, person_id=person.id,
           household_id=person.household_id)
    transitions.commit()
