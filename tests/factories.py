"""Small builders for test data; each commits, so the app sees it through its own session."""
from board.auth.service import register
from board.cards.service import post_card
from board.extensions import db
from board.models import Building, Card, Community, Role, User

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


def card(author: User, *, kind: str = "need", category: str = "medicine", title: str = "Fever medicine",
         **fields) -> Card:
    fields.setdefault("details", "")
    fields.setdefault("urgency", "normal")
    return post_card(author, kind=kind, category=category, title=title, **fields)
