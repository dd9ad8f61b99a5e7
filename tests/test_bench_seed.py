"""The benchmarks seed through bench/_seed.py: it must keep up with the models, or every bench breaks at once
(they all broke silently when residents moved into households)."""
import importlib
import sys

from board.extensions import db
from board.models import Household, Membership, Person, User

sys.path.insert(0, ".")
_seed = importlib.import_module("bench._seed")


def test_bulk_residents_live_in_households_like_registered_ones(app):
    place = _seed.community("Seed Garden", "seed", "SEED0001", buildings=2)
    ids = _seed.residents(place, 5, "bench-password", locale_of=lambda n: "zh_CN" if n == 4 else "en")
    db.session.commit()
    assert len(ids) == 5
    memberships = db.session.scalars(db.select(Membership).where(Membership.user_id.in_(ids))).unique().all()
    assert len(memberships) == 5 and {m.community_id for m in memberships} == {place.id}
    assert len({m.household_id for m in memberships}) == 5
    people = db.session.scalars(db.select(Person).where(Person.user_id.in_(ids))).all()
    assert sorted(p.household_id for p in people) == sorted(m.household_id for m in memberships)
    assert db.session.scalar(db.select(db.func.count()).select_from(Household)) == 5
    assert db.session.get(User, ids[4]).locale == "zh_CN" and db.session.get(User, ids[0]).display_name == "Resident 0"


def test_the_seeded_session_cookies_log_residents_in(app, make_client):
    place = _seed.community("Seed Garden", "seed", "SEED0001", buildings=1)
    ids = _seed.residents(place, 2, "bench-password")
    db.session.commit()
    cookies = _seed.session_cookies(app, ids, "doorstep-bench/1")
    browser = make_client()
    browser.set_cookie("session", cookies[ids[1]], domain="localhost")
    page = browser.get("/me/activity", headers={"User-Agent": "doorstep-bench/1"}, environ_base={"REMOTE_ADDR": "127.0.0.1"})
    assert page.status_code == 200
    stranger = make_client().get("/me/activity")
    assert stranger.status_code in (302, 401)
