"""Sessions that end: each log-in gets a random token, kept (hashed) in login_sessions.

Flask keeps the session in a signed cookie, so a copied cookie would work for ever on its own. The
token stored in it (and in the remember-me cookie) is "user id . session version . secret": logging
out deletes that token's row, and a password change or "log out everywhere" bumps the resident's
session version and deletes every row, so copied cookies stop working at once.
"""
from __future__ import annotations

import hashlib
import secrets
from datetime import datetime
from functools import lru_cache

from flask import current_app, has_request_context, request
from flask_login import login_user
from sqlalchemy import String, bindparam, cast, delete, select
from sqlalchemy.orm import joinedload
from sqlalchemy.sql.functions import aggregate_strings

from board import frame
from board.cards import handoffs
from board.extensions import db, login_manager
from board.inputs import MAX_ID
from board.models import Community, LoginSession, Membership, Person, User, utcnow

MAX_TOKEN_LENGTH = 120
NEED_BUILDINGS = frozenset({"cards.board"})  # endpoints that show the community's buildings on every request
# Pages that run the time-based moves (a lapse, a doorstep reminder) before they draw: whether one is due
# is asked with the resident (board.frame).
ASK_DUE = frozenset({"cards.detail", "activity.page"})


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _oldest_allowed() -> datetime:
    """A session lives as long as a remember-me cookie: after that, log in again."""
    return utcnow() - current_app.config["REMEMBER_COOKIE_DURATION"]


def start(user: User, *, remember: bool = False) -> None:
    """Log this phone in with a new token of its own (and clear the resident's dead sessions)."""
    secret = secrets.token_urlsafe(24)
    db.session.execute(delete(LoginSession).where(
        LoginSession.user_id == user.id, LoginSession.created_at < _oldest_allowed()
    ))
    db.session.add(LoginSession(token_hash=_hash(secret), user_id=user.id))
    db.session.commit()
    user.login_token = f"{user.id}.{user.session_version}.{secret}"
    login_user(user, remember=remember)


def _parse(token: str) -> tuple[int, int, str] | None:
    if not isinstance(token, str) or len(token) > MAX_TOKEN_LENGTH:
        return None
    parts = token.split(".")
    if len(parts) != 3 or not all(p.isascii() and p.isdigit() for p in parts[:2]) or not parts[2]:
        return None
    user_id, version = int(parts[0]), int(parts[1])
    if not 0 < user_id <= MAX_ID or version > MAX_ID:
        return None
    return user_id, version, parts[2]


def end(user: User) -> None:
    """Logging out: this phone's token no longer logs anyone in, wherever its cookies were copied."""
    parsed = _parse(user.login_token or "")
    if parsed:
        db.session.execute(delete(LoginSession).where(LoginSession.token_hash == _hash(parsed[2])))
        db.session.commit()


def end_all(user: User) -> None:
    """Password changed or "log out everywhere": every session and remember-me cookie of the resident ends."""
    user.session_version = user.session_version + 1
    db.session.execute(delete(LoginSession).where(LoginSession.user_id == user.id))
    db.session.commit()


@login_manager.user_loader
def load_user(token: str) -> User | None:
    """The resident whose live session this token is, or nobody (a bare old id, an ended session)."""
    parsed = _parse(token)
    if parsed is None:
        return None
    user_id, version, secret = parsed
    page = has_request_context() and request.method in ("GET", "HEAD")
    with_buildings = page and request.endpoint in NEED_BUILDINGS
    # A page (nothing written yet) draws its frame's numbers from here, no statement of their own; but for
    # the board's, which carry its open counts and are read in a statement of their own (board.frame).
    with_numbers = page and request.endpoint not in NEED_BUILDINGS
    ask_due = with_numbers and request.endpoint in ASK_DUE
    params = {"user_id": user_id, "version": version, "token_hash": _hash(secret), "oldest": _oldest_allowed()}
    if ask_due:
        params.update(handoffs.due_moments(utcnow()))
    row = db.session.execute(_resident_statement(with_buildings, with_numbers, ask_due), params).unique().one_or_none()
    if row is None:
        return None
    user, linked, *numbers = row
    if with_numbers:
        frame.seed(*numbers)
    user.login_token = token
    # policy.linked_household_ids asks this on most card pages: read with the resident, not on its own.
    user.linked_households = frozenset(int(i) for i in linked.split(",")) if linked else frozenset()
    return user


@lru_cache(maxsize=8)
def _resident_statement(with_buildings: bool, with_numbers: bool = False, ask_due: bool = False):
    """One statement for the resident, their memberships and the households they are one of the people of;
    on the board also their community's buildings (its filter, and each card's building), which other
    pages do without: with them every row came once per building, so the resident cost more to load the
    more buildings the compound had. Built once per process: building it (its loader options) cost more
    than running it. `with_numbers`: the frame's numbers as columns too (board.frame.resident_columns)."""
    # Of their home only its id (policy asks "do you live there?" by id); the household, its building and
    # the community itself are loaded by the few pages that show them, not by every request.
    memberships = joinedload(User.memberships)
    community = (memberships.joinedload(Membership.community).joinedload(Community.buildings) if with_buildings
                 else memberships.lazyload(Membership.community))
    homes = (community, memberships.lazyload(Membership.household))
    linked = (
        select(aggregate_strings(cast(Person.household_id, String), ","))
        .where(Person.user_id == User.id, Person.erased_at.is_(None))
        .correlate(User).scalar_subquery()
    )
    numbers = frame.resident_columns(lapse=ask_due) if with_numbers else []
    return (
        select(User, linked, *numbers)
        .join(LoginSession, LoginSession.user_id == User.id)
        .where(
            User.id == bindparam("user_id"),
            User.session_version == bindparam("version"),
            User.erased_at.is_(None),  # an erased account never logs in again, whatever cookie survived
            LoginSession.token_hash == bindparam("token_hash"),
            LoginSession.created_at >= bindparam("oldest"),
        )
        .options(*homes)
    )
