"""Small builders for test data; each commits, so the app sees it through its own session."""
from board.auth.service import register
from board.cards.service import post_card
from board.extensions import db
from board.models import Building, Card, Community, Role, User, utcnow

PASSWORD = "correct-horse-battery"


def community(name="Jinting Garden", slug="jinting", invite_code="JOIN1234", buildings=3) -> Community:
    c = Community(name=name, slug=slug, invite_code=invite_code)
    c.buildings = [Building(name=f"Building {n}") for n in range(1, buildings + 1)]
    db.session.add(c)
    db.session.commit()
    return c


def user(community: Community, *, login: str, display_name: str | None = None, building: int = 0,
         unit: str = "101", role: str = "resident", password: str = PASSWORD, locale: str | None = None) -> User:
    return register(
        display_name=display_name or login.title(),
        login=login,
        password=password,
        community=community,
        building=community.buildings[building],
        unit=unit,
        role=Role(role),
        locale=locale,
    )


def on_duty(user: User) -> User:
    """An approved volunteer with their switch on: the desk's queue and its claims are for volunteers on duty."""
    from board.volunteers.models import VolunteerProfile

    db.session.add(VolunteerProfile(community_id=user.community_id, user_id=user.id, status="approved",
                                    on_duty=True, on_duty_since=utcnow()))
    db.session.commit()
    return user


def card(author: User, *, kind: str = "need", category: str = "medicine", title: str = "Fever medicine",
         **fields) -> Card:
    fields.setdefault("details", "")
    fields.setdefault("urgency", "normal")
    return post_card(author, kind=kind, category=category, title=title, **fields)


def shelf(community: Community, *, name: str = "Medicine box", location: str = "Property office",
          keepers: tuple[User, ...] = ()):
    """A shelf with its keepers, written directly (no coordinator needed)."""
    from board.box.models import Shelf

    s = Shelf(community_id=community.id, name=name, location=location)
    s.keepers.extend(keepers)
    db.session.add(s)
    db.session.commit()
    return s


def box_item(shelf, *, name: str = "Ibuprofen", category: str = "medicine", quantity: int = 10, unit: str = "box",
             **fields):
    """An item on a shelf with its stock (and the add_stock register line), as a keeper would add it."""
    from datetime import date, timedelta

    from board.box.models import Item, LineKind, RegisterLine

    if category == "medicine":
        fields.setdefault("expires_on", date.today() + timedelta(days=365))
    item = Item(shelf_id=shelf.id, community_id=shelf.community_id, name=name, category=category,
                quantity=quantity, reserved=0, unit=unit, **fields)
    db.session.add(item)
    db.session.flush()
    if quantity:
        db.session.add(RegisterLine(community_id=shelf.community_id, shelf_id=shelf.id, item_id=item.id,
                                    kind=LineKind.ADD_STOCK.value, item_name=name, unit=unit, units=quantity,
                                    delta=quantity, balance=quantity))
    db.session.commit()
    return item
