"""Account rules: password hashing, registration, authentication."""
from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from sqlalchemy import func, select

from board.auth import sessions
from board.extensions import db
from board.households import service as households
from board.models import Building, Community, Membership, Person, Role, User


def _hasher() -> PasswordHasher:
    cfg = current_app.config
    return PasswordHasher(time_cost=cfg["ARGON2_TIME_COST"], memory_cost=cfg["ARGON2_MEMORY_COST"])


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def check_password(user: User, password: str) -> bool:
    try:
        return _hasher().verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def normalise_login(login: str) -> str:
    """Logins compare without case or surrounding spaces; phone numbers lose spaces and dashes."""
    login = login.strip().lower()
    if login.replace("+", "").replace(" ", "").replace("-", "").isdigit():
        login = login.replace(" ", "").replace("-", "")
    return login


def login_taken(login: str) -> bool:
    return db.session.scalar(select(func.count(User.id)).where(User.login == normalise_login(login))) > 0


def community_by_invite(code: str) -> Community | None:
    code = (code or "").strip().upper()
    if not code:
        return None
    return db.session.scalar(select(Community).where(Community.invite_code == code))


def register(
    *,
    display_name: str,
    login: str,
    password: str,
    community: Community,
    building: Building,
    unit: str,
    role: Role | None = None,
    roles=(),
    locale: str | None = None,
) -> User:
    """Create the account, its membership and its place in the household behind that door, together."""
    if building.community_id != community.id:
        raise ValueError("building belongs to another community")
    household = households.household_at(community.id, building.id, unit)
    user = User(
        login=normalise_login(login),
        display_name=display_name.strip(),
        password_hash=hash_password(password),
        locale=locale,
    )
    wanted = {Role.RESIDENT.value, *(Role(r).value for r in roles), *((role.value,) if role else ())}
    membership = Membership(community=community, household=household)
    membership.set_roles(wanted)
    user.memberships.append(membership)
    db.session.add(user)
    households.join_household(user, membership, household)
    db.session.commit()
    return user


def update_profile(user: User, *, display_name: str, locale: str | None, building: Building, unit: str) -> None:
    """Name, language and home; a new door moves the resident to that household (past cards keep theirs)."""
    user.display_name = display_name.strip()
    user.locale = locale
    person = db.session.scalar(
        select(Person).where(Person.user_id == user.id, Person.household_id == user.membership.household_id)
    )
    if person is not None:
        person.name = user.display_name
    households.move_home(user, building, unit)
    db.session.commit()


def authenticate(login: str, password: str) -> User | None:
    user = db.session.scalar(select(User).where(User.login == normalise_login(login), User.erased_at.is_(None)))
    if user is None:
        # Spend the same time as a real check, so response time does not reveal who has an account.
        _hasher().hash(password)
        return None
    return user if check_password(user, password) else None


def change_password(user: User, new_password: str) -> None:
    """The new password, and every session and remember-me cookie made with the old one ends."""
    user.password_hash = hash_password(new_password)
    sessions.end_all(user)
