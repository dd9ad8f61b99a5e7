"""Households (一户一档) and their people: one record per home, with or without a phone, and members' roles."""
from __future__ import annotations

from flask import g
from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError

from board import policy
from board.errors import Forbidden, NotFound
from board.events import record
from board.extensions import db
from board.inputs import MAX_ID
from board.models import Building, Household, Membership, MembershipRole, Person, Role, User



def normalise_unit(unit: str) -> str:
    """"502", " 502 " and "502室" are one door; so are "3-502" and "3 - 502"."""
    unit = " ".join((unit or "").split()).upper().removesuffix("室").strip()
    return unit.replace(" - ", "-")


def household_at(community_id: int, building_id: int, unit: str, *, create: bool = True) -> Household | None:
    """The household behind this door, created (flushed, not committed) the first time someone lives there."""
    unit = normalise_unit(unit)
    stmt = select(Household).where(
        Household.community_id == community_id, Household.building_id == building_id, Household.unit == unit
    )
    household = db.session.scalar(stmt)
    if household is None and create:
        household = Household(community_id=community_id, building_id=building_id, unit=unit)
        try:
            with db.session.begin_nested():  # another registration at the same door may be first
                db.session.add(household)
        except IntegrityError:
            household = db.session.scalar(stmt)
    return household


def join_household(user: User, membership: Membership, household: Household) -> Person:
    """Make the account one of the household's people (once), and its membership's home."""
    membership.household = household
    person = db.session.scalar(select(Person).where(Person.household_id == household.id, Person.user_id == user.id))
    if person is None:
        person = Person(community_id=household.community_id, household=household, user=user, name=user.display_name)
        db.session.add(person)
    _forget_links()
    return person


def move_home(user: User, building: Building, unit: str) -> Household:
    """A resident moves (or corrects their door): their person moves with them; past cards keep the old home."""
    membership = user.membership
    before = membership.household
    household = household_at(membership.community_id, building.id, unit)
    if household.id == before.id:
        return before
    person = db.session.scalar(select(Person).where(Person.household_id == before.id, Person.user_id == user.id))
    if person is not None:
        person.household = household
    else:
        join_household(user, membership, household)
    membership.household = household
    record("household.moved", community_id=membership.community_id, actor=user, person_id=person.id if person else None,
           from_household=before.id, to_household=household.id)
    _forget_links()
    return household


def _forget_links() -> None:
    g.pop("linked_households", None)


def households(community_id: int, text: str = "", limit: int = 100) -> list[Household]:
    """A community's households by building and door; `text` finds a door or a person's name."""
    stmt = select(Household).join(Building, Building.id == Household.building_id).where(
        Household.community_id == community_id
    )
    text = (text or "").strip()
    if text:
        people = select(Person.household_id).where(
            Person.community_id == community_id, Person.erased_at.is_(None), Person.name.icontains(text, autoescape=True)
        )
        stmt = stmt.where(or_(Household.unit.icontains(text, autoescape=True), Household.id.in_(people),
                              Building.name.icontains(text, autoescape=True)))
    return list(db.session.scalars(stmt.order_by(Building.name, Household.unit).limit(limit)))


def household_for(viewer: User, household_id: int) -> Household:
    """The household if the viewer may see it; another community's (or a private one) does not exist for them."""
    if not 0 < household_id <= MAX_ID:
        raise NotFound()
    household = db.session.get(Household, household_id)
    if household is None or household.community_id != viewer.community_id:
        raise NotFound()
    if not policy.may_see_household(viewer, household):
        raise Forbidden()
    return household


def person_for(viewer: User, person_id: int) -> Person:
    if not 0 < person_id <= MAX_ID:
        raise NotFound()
    person = db.session.get(Person, person_id)
    if person is None or person.community_id != viewer.community_id or person.erased_at is not None:
        raise NotFound()
    return person


def current_people(household: Household) -> list[Person]:
    return [p for p in household.people if p.erased_at is None]


def add_person(actor: User, household: Household, *, name: str, contact: str = "", age_group: str = "",
               language: str = "", commit: bool = True) -> Person:
    """A coordinator records someone without a login (an elder without a phone, a child)."""
    if not policy.may_manage_households(actor, household.community_id):
        raise Forbidden()
    person = Person(community_id=household.community_id, household=household, name=name.strip(),
                    contact=(contact or "").strip(), age_group=age_group or "", language=(language or "").strip())
    db.session.add(person)
    db.session.flush()
    record("household.person_added", community_id=household.community_id, actor=actor, household_id=household.id,
           person_id=person.id)
    if commit:
        db.session.commit()
    return person


def update_person(actor: User, person: Person, **fields) -> Person:
    if not policy.may_manage_households(actor, person.community_id):
        raise Forbidden()
    changed = sorted(k for k in ("name", "contact", "age_group", "language") if k in fields
                     and getattr(person, k) != (fields[k] or "").strip())
    for name in changed:
        setattr(person, name, (fields[name] or "").strip())
    if person.user is not None and "name" in changed:
        person.user.display_name = person.name
    record("household.person_edited", community_id=person.community_id, actor=actor, person_id=person.id,
           fields=changed)
    db.session.commit()
    return person


def new_household(actor: User, building: Building, unit: str) -> Household:
    """A coordinator opens the record of a home nobody has registered from (nobody there has a phone)."""
    if not policy.may_manage_households(actor, building.community_id):
        raise Forbidden()
    household = household_at(building.community_id, building.id, unit)
    record("household.created", community_id=building.community_id, actor=actor, household_id=household.id)
    db.session.commit()
    return household


def link_person(actor: User, household: Household, user: User) -> Person:
    """Link an account to a second household (a daughter who looks after her mother's home)."""
    if not policy.may_manage_households(actor, household.community_id) or user.community_id != household.community_id:
        raise Forbidden()
    person = db.session.scalar(select(Person).where(Person.household_id == household.id, Person.user_id == user.id))
    if person is None:
        person = Person(community_id=household.community_id, household=household, user=user, name=user.display_name)
        db.session.add(person)
        db.session.flush()
        record("household.person_linked", community_id=household.community_id, actor=actor,
               household_id=household.id, person_id=person.id)
    _forget_links()
    db.session.commit()
    return person


def people_without_login(community_id: int) -> list[Person]:
    """Whom a volunteer or coordinator may post for: people of the community without an account."""
    stmt = select(Person).where(Person.community_id == community_id, Person.user_id.is_(None),
                                Person.erased_at.is_(None)).order_by(Person.name, Person.id)
    return list(db.session.scalars(stmt))


def account_holders(household: Household) -> list[int]:
    """The user ids of the household's people who have a login (they hear about cards posted for it)."""
    stmt = select(Person.user_id).where(Person.household_id == household.id, Person.user_id.is_not(None),
                                        Person.erased_at.is_(None))
    homes = select(Membership.user_id).where(Membership.household_id == household.id)
    return sorted(set(db.session.scalars(stmt)) | set(db.session.scalars(homes)))


# Members and their roles.

def members(community_id: int, text: str = "", limit: int = 200) -> list[Membership]:
    """The community's members by name; `text` matches a name, a login, a building or a door."""
    stmt = (select(Membership).join(User, User.id == Membership.user_id)
            .join(Household, Household.id == Membership.household_id)
            .join(Building, Building.id == Household.building_id)
            .where(Membership.community_id == community_id, User.erased_at.is_(None)))
    text = (text or "").strip()
    if text:
        stmt = stmt.where(or_(User.display_name.icontains(text, autoescape=True),
                              User.login.icontains(text, autoescape=True),
                              Building.name.icontains(text, autoescape=True),
                              Household.unit.icontains(text, autoescape=True)))
    return list(db.session.scalars(stmt.order_by(func.lower(User.display_name), User.id).limit(limit)).unique())


def member_for(viewer: User, user_id: int) -> User:
    if not 0 < user_id <= MAX_ID:
        raise NotFound()
    user = db.session.get(User, user_id)
    if user is None or user.community_id != viewer.community_id or user.erased_at is not None:
        raise NotFound()
    return user


def set_role(actor: User, target: User, role: Role, on: bool) -> bool:
    """Grant or remove one role; an event for each change; False when nothing changed."""
    if not policy.may_change_role(actor, target, role):
        raise Forbidden()
    membership = target.membership
    roles = set(membership.roles)
    if (role.value in roles) == on:
        return False
    roles = roles | {role.value} if on else roles - {role.value}
    membership.set_roles(roles)
    record("member.role_granted" if on else "member.role_removed", community_id=membership.community_id,
           actor=actor, user_id=target.id, role=role.value)
    db.session.commit()
    return True


def coordinators(community_id: int) -> set[int]:
    stmt = select(Membership.user_id).join(MembershipRole).where(
        Membership.community_id == community_id, MembershipRole.role == Role.COORDINATOR.value
    )
    return set(db.session.scalars(stmt))


