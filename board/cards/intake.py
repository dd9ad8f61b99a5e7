"""Taking a call: a volunteer or coordinator posts for a neighbour without a phone (cards stand on households)."""
from __future__ import annotations

from board import policy
from board.cards.service import post_card
from board.errors import Forbidden, NotFound
from board.events import record
from board.extensions import db
from board.households import service as households
from board.models import Building, Card, Person, User


def take_call(actor: User, *, person: Person | None, new_person: dict | None, building: Building | None,
              unit: str, card_fields: dict, intake: str, caller: str = "") -> Card:
    """A volunteer or coordinator posts a need for someone without a phone, recording them if they are new.

    One transaction: the household, the person and the card land together or not at all.
    """
    if not policy.may_post_on_behalf(actor, actor.community_id):
        raise Forbidden()
    if person is None:
        if building is None or building.community_id != actor.community_id:
            raise NotFound()
        household = households.household_at(actor.community_id, building.id, unit)
        person = Person(community_id=actor.community_id, household=household, name=new_person["name"],
                        contact=new_person.get("contact") or "", age_group=new_person.get("age_group") or "",
                        language=new_person.get("language") or "")
        db.session.add(person)
        db.session.flush()
        record("household.person_added", community_id=actor.community_id, actor=actor, household_id=household.id,
               person_id=person.id)
    elif new_person and new_person.get("contact") and new_person["contact"] != person.contact:
        person.contact = new_person["contact"]  # the number they called from is the freshest way to reach them
    return post_card(actor, kind="need", for_person=person, intake=intake, intake_note=caller or None, **card_fields)
