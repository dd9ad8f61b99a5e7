"""Account rules: password hashing, registration, authentication."""
from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from sqlalchemy import select

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


# How many accounts may share one login. Registering never says a login is taken (that would tell whoever
# has the lobby's invite code which phone numbers live here), so a login may belong to several accounts,
# each with its own password; a log-in checks each of them, so their number is bounded.
MAX_ACCOUNTS_PER_LOGIN = 5


def accounts_with_login(login: str) -> list[User]:
    """The live accounts registered under this login, oldest first (at most MAX_ACCOUNTS_PER_LOGIN)."""
    return list(db.session.scalars(
        select(User).where(User.login == normalise_login(login), User.erased_at.is_(None))
        .order_by(User.id).limit(MAX_ACCOUNTS_PER_LOGIN)
    ))


def _matching(accounts: list[User], password: str) -> User | None:
    """The account among these whose password this is. Always at least one hash check, so that the time
    taken does not tell a login with no account from one with an account."""
    if not accounts:
        _hasher().hash(password)
        return None
    found = None
    for user in accounts:  # all of them, not the first match: the time does not say which one it was
        if check_password(user, password) and found is None:
            found = user
    return found


class LoginFull(Exception):
    """MAX_ACCOUNTS_PER_LOGIN accounts already share this login: the form asks for another one, without
    saying why (a coordinator can add the household instead)."""


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
    if len(accounts_with_login(login)) >= MAX_ACCOUNTS_PER_LOGIN:
        raise LoginFull(login)
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
    """The account with this login and this password (a login may be shared: the password tells which)."""
    return _matching(accounts_with_login(login), password)


def register_or_log_in(*, login: str, password: str, **details) -> tuple[User, bool]:
    """Registering: a new account, or the resident's own if this login and password already have one (someone
    who forgot they had registered). (user, created). The answer looks the same either way, so the form
    cannot be used to find out which logins exist."""
    existing = _matching(accounts_with_login(login), password)
    if existing is not None:
        return existing, False
    return register(login=login, password=password, **details), True


def change_password(user: User, new_password: str) -> None:
    """The new password, and every session and remember-me cookie made with the old one ends."""
    user.password_hash = hash_password(new_password)
    sessions.end_all(user)
