"""What the benchmarks seed alike: a community, residents in bulk (each in a household of their own, as
registering makes them), and signed session cookies for them as a log-in would set them."""
from __future__ import annotations

import secrets

USER_AGENT_DEFAULT = "doorstep-bench/1"


def community(name: str, slug: str, invite_code: str, buildings: int):
    """A new community with `buildings` buildings, flushed."""
    from board.extensions import db
    from board.models import Building, Community

    place = Community(name=name, slug=slug, invite_code=invite_code)
    place.buildings = [Building(name=f"Building {n}") for n in range(1, buildings + 1)]
    db.session.add(place)
    db.session.flush()
    return place


def residents(place, count: int, password: str, locale_of=lambda n: "en") -> list[int]:
    """`count` residents r0…r{count-1} in bulk (one password hash for all), each in a household with a person."""
    from board.auth.service import hash_password
    from board.extensions import db
    from board.models import Household, Membership, Person, User

    digest = hash_password(password)
    # The table, not the model: display_name is read through a hybrid property that bulk inserts cannot set.
    db.session.execute(User.__table__.insert(), [
        {"login": f"r{n}", "display_name": f"Resident {n}", "password_hash": digest, "locale": locale_of(n),
         "session_version": 0, "care_level": 0}
        for n in range(count)
    ])
    ids = db.session.scalars(db.select(User.id).where(User.login.like("r%")).order_by(User.id)).all()[-count:]
    buildings = [b.id for b in place.buildings]
    db.session.execute(Household.__table__.insert(), [
        {"community_id": place.id, "building_id": buildings[n % len(buildings)], "unit": f"{100 + n}", "priority": 0}
        for n in range(count)
    ])
    homes = db.session.scalars(db.select(Household.id).where(Household.community_id == place.id)
                               .order_by(Household.id)).all()[-count:]
    db.session.execute(Person.__table__.insert(), [
        {"community_id": place.id, "household_id": home, "user_id": uid, "name": f"Resident {n}",
         "contact": "", "age_group": "", "language": ""}
        for n, (uid, home) in enumerate(zip(ids, homes))
    ])
    db.session.execute(Membership.__table__.insert(), [
        {"user_id": uid, "community_id": place.id, "household_id": home} for uid, home in zip(ids, homes)
    ])
    return list(ids)


def session_cookies(app, user_ids, user_agent: str = USER_AGENT_DEFAULT) -> dict[int, str]:
    """One live login session per resident (board/auth/sessions.py) and the signed cookie that carries it."""
    from flask_login.utils import _create_identifier

    from board.auth.sessions import _hash
    from board.extensions import db
    from board.models import LoginSession, User

    with app.app_context():
        versions = dict(db.session.execute(db.select(User.id, User.session_version).where(User.id.in_(user_ids))).all())
        secrets_of = {uid: secrets.token_urlsafe(24) for uid in user_ids}
        db.session.execute(LoginSession.__table__.insert(), [
            {"token_hash": _hash(secret), "user_id": uid} for uid, secret in secrets_of.items()
        ])
        db.session.commit()
    serializer = app.session_interface.get_signing_serializer(app)
    with app.test_request_context("/", headers={"User-Agent": user_agent}, environ_base={"REMOTE_ADDR": "127.0.0.1"}):
        identifier = _create_identifier()
    return {
        uid: serializer.dumps({"_user_id": f"{uid}.{versions[uid]}.{secret}", "_fresh": True, "_id": identifier})
        for uid, secret in secrets_of.items()
    }
