"""My data, mine: the export's contents, deleting an account without touching a neighbour's history, erasing a person."""
import io
import json
import os
import re
import zipfile

import pytest
from sqlalchemy import func, select

from board import photos
from board.box import service as box
from board.box.models import RegisterLine
from board.cards import transitions
from board.cards.intake import take_call
from board.extensions import db
from board.households import service as households
from board.models import Card, Event, Handoff, Household, LoginSession, Person, User
from board.notifications.models import Notification
from tests import factories
from tests.test_photos import gps_tagged_jpeg, leave


@pytest.fixture
def flatmate(community):
    """Li Na's mother, with a login, in the same home (Building 1, 502)."""
    return factories.user(community, login="limei", display_name="Li Mei", unit="502")


@pytest.fixture
def story(resident, flatmate, neighbour, coordinator, make_client, login):
    """Li Na (502) helps Dr Chen (1201) with a photo, Dr Chen helps Li Na; Dr Chen also helps Wang (101)."""
    lina, chen, wang = login(make_client(), resident), login(make_client(), neighbour), login(make_client(), coordinator)
    bread = factories.card(neighbour, title="Bread")
    lina.post(f"/cards/{bread.id}/help", data={})
    given = Handoff.query.filter_by(card_id=bread.id).one()
    assert leave(lina, given, gps_tagged_jpeg((400, 300)), note="on your handle").status_code in (200, 302)
    given = db.session.get(Handoff, given.id, populate_existing=True)
    chen.post(f"/handoffs/{given.id}/confirm_received", data={"version": given.version})

    medicine = factories.card(resident, title="Fever medicine")
    chen.post(f"/cards/{medicine.id}/help", data={})
    got = Handoff.query.filter_by(card_id=medicine.id).one()
    chen.post(f"/handoffs/{got.id}/leave", data={"note": "by the blue pot", "version": got.version})
    got = db.session.get(Handoff, got.id, populate_existing=True)
    lina.post(f"/handoffs/{got.id}/confirm_received", data={"version": got.version})
    lina.post(f"/handoffs/{got.id}/thank", data={"thanks": "谢谢陈医生"})

    soup = factories.card(coordinator, title="Soup for the elderly")
    chen.post(f"/cards/{soup.id}/help", data={})
    theirs = Handoff.query.filter_by(card_id=soup.id).one()
    chen.post(f"/handoffs/{theirs.id}/leave", data={"note": "secret note at 101", "version": theirs.version})

    shelf = factories.shelf(resident.membership.community, keepers=(coordinator, resident))
    item = factories.box_item(shelf, name="Ibuprofen", quantity=5)
    box.take(resident, item.id, 1)
    box.take(neighbour, item.id, 1)

    rice = factories.card(resident, title="Rice", kind="offer", quantity=3, unit="bag")
    noodles = factories.card(coordinator, title="Noodles")
    lina.post(f"/cards/{noodles.id}/help", data={})  # matched, not yet left: goes back on the board on deletion
    for client in (lina, chen, wang):
        client.get("/profile")  # shows (and so clears) the flashed messages that name Li Na
    db.session.expire_all()
    return {"lina": lina, "chen": chen, "wang": wang, "bread": bread, "medicine": medicine, "soup": soup,
            "rice": rice, "noodles": noodles, "given": given, "shelf": shelf}


def export(client) -> zipfile.ZipFile:
    response = client.get("/me/data/export.zip")
    assert response.status_code == 200
    assert response.mimetype == "application/zip"
    assert response.headers["Cache-Control"] == "no-store"
    assert "attachment" in response.headers["Content-Disposition"]
    return zipfile.ZipFile(io.BytesIO(response.data))


def read_json(archive, name):
    return json.loads(archive.read(name).decode("utf-8"))


def test_the_export_holds_each_part_of_the_residents_data(story, resident, app):
    archive = export(story["lina"])
    names = set(archive.namelist())
    for part in ("profile", "households", "cards", "handoffs", "register", "notifications", "activity_log"):
        assert f"{part}.json" in names, part
    for part in ("households", "cards", "handoffs", "register", "notifications"):
        assert f"{part}.csv" in names, part

    profile = read_json(archive, "profile.json")
    assert (profile["login"], profile["name"], profile["home"]) == ("lina", "Li Na",
                                                                   {"building": "Building 1", "unit": "502"})
    assert "resident" in profile["roles"]

    (home,) = read_json(archive, "households.json")
    assert home["unit"] == "502"
    assert sorted(p["name"] for p in home["people"]) == ["Li Mei", "Li Na"]

    cards = {c["title"]: c for c in read_json(archive, "cards.json")}
    assert set(cards) == {"Fever medicine", "Rice"}
    assert cards["Fever medicine"]["status"] == "received"

    handoffs = {h["card_title"]: h for h in read_json(archive, "handoffs.json")}
    assert set(handoffs) == {"Bread", "Fever medicine", "Noodles"}
    assert handoffs["Bread"]["my_part"] == "giver" and handoffs["Bread"]["doorstep_note"] == "on your handle"
    assert handoffs["Fever medicine"]["my_part"] == "receiver"
    assert handoffs["Fever medicine"]["doorstep_note"] == "by the blue pot"
    assert handoffs["Fever medicine"]["thanks"] == "谢谢陈医生"
    assert handoffs["Fever medicine"]["neighbour"] == "Dr Chen"

    photo = handoffs["Bread"]["photo"]
    assert photo.startswith("photos/") and photo in names
    stored = db.session.get(Handoff, story["given"].id).photo_name
    with open(photos.path_of(stored), "rb") as f:
        assert archive.read(photo) == f.read()
    assert [n for n in names if n.startswith("photos/")] == [photo]  # only the photo Li Na took

    register = read_json(archive, "register.json")
    assert [(line["kind"], line["item"], line["units"]) for line in register] == [("take", "Ibuprofen", 1)]

    notifications = read_json(archive, "notifications.json")
    mine = db.session.scalar(select(func.count(Notification.id)).where(Notification.user_id == resident.id))
    assert len(notifications) == mine > 0
    assert {"matched", "left_at_door"} <= {n["kind"] for n in notifications}

    csv_text = archive.read("cards.csv").decode("utf-8-sig")
    assert csv_text.splitlines()[0].startswith("id,kind,category,title")
    assert "Fever medicine" in csv_text


def test_the_export_holds_nothing_private_of_a_neighbour(story):
    archive = export(story["lina"])
    text = "\n".join(archive.read(n).decode("utf-8") for n in archive.namelist() if not n.startswith("photos/"))
    assert not re.search(r"(?<![\d.])1201(?!\d)", text)  # Dr Chen's door (not a timestamp's microseconds)
    assert "secret note at 101" not in text  # a doorstep note on someone else's handoff
    assert "Soup for the elderly" not in text
    assert '"chen"' not in text and ",chen" not in text  # Dr Chen's login
    assert "Dr Chen" in text  # his name, which Li Na saw on her own handoff, is there


def test_the_export_is_the_logged_in_residents_only_and_never_cached(story, make_client, resident):
    anonymous = make_client().get("/me/data/export.zip")
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]
    chens = export(story["chen"])
    assert read_json(chens, "profile.json")["login"] == "chen"
    assert "Li Mei" not in chens.read("households.json").decode("utf-8")
    page = story["lina"].get("/me/data")
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    assert 'href="/me/data/export.zip"' in page.get_data(as_text=True)


def test_the_profile_links_to_my_data(story):
    html = story["lina"].get("/profile").get_data(as_text=True)
    assert 'href="/me/data"' in html


def table_counts() -> dict[str, int]:
    db.session.expire_all()
    return {t.name: db.session.scalar(select(func.count()).select_from(t)) for t in db.metadata.sorted_tables}


def register_rows() -> list[tuple]:
    return [(r.id, r.kind, r.user_id, r.actor_id, r.units, r.delta, r.balance, r.item_name)
            for r in db.session.scalars(select(RegisterLine).order_by(RegisterLine.id))]


def delete_account(client, password=factories.PASSWORD):
    return client.post("/me/delete", data={"password": password})


def test_deleting_an_account_changes_only_the_residents_own_rows(story, resident, app):
    photo_path = photos.path_of(db.session.get(Handoff, story["given"].id).photo_name)
    assert os.path.exists(photo_path)
    before = table_counts()
    lines_before = register_rows()
    others_handoffs = {h.id: (h.status, h.giver_id, h.receiver_id) for h in Handoff.query.all()
                       if h.card_id != story["noodles"].id}
    notifications = db.session.scalar(select(func.count(Notification.id)).where(Notification.user_id == resident.id))
    sessions = db.session.scalar(select(func.count()).select_from(LoginSession).where(
        LoginSession.user_id == resident.id))
    assert notifications and sessions

    response = delete_account(story["lina"])
    assert response.status_code == 302 and "/login" in response.headers["Location"]

    after = table_counts()
    changed = {name: after[name] - before[name] for name in before if after[name] != before[name]}
    assert changed == {
        "notifications": -notifications + 1,  # hers gone; Wang hears that Noodles is back on the board
        "events": 3,  # the Rice offer withdrawn, the Noodles match withdrawn, the account erased
        "login_sessions": -sessions,
        "membership_roles": -1,
        "box_shelf_keepers": -1,
    }
    assert register_rows() == lines_before  # the register adds up exactly as before
    assert {h.id: (h.status, h.giver_id, h.receiver_id) for h in Handoff.query.all()
            if h.card_id != story["noodles"].id} == others_handoffs
    kinds = [e.kind for e in db.session.scalars(select(Event).order_by(Event.id.desc()).limit(3))]
    assert kinds == ["account.erased", "card.withdraw", "handoff.helper_withdraw"]

    user = db.session.get(User, resident.id)
    assert user.erased_at is not None and user._display_name == "" and user.login != "lina"
    assert user.display_name == "a former resident"
    me = db.session.scalar(select(Person).where(Person.user_id == resident.id))
    assert me.erased_at is not None and me._name == "" and me.contact == ""
    assert db.session.get(Household, me.household_id).unit == "502"  # Li Mei still lives there
    assert not os.path.exists(photo_path)
    assert db.session.get(Handoff, story["given"].id).photo_name is None
    assert db.session.get(Card, story["rice"].id).status == "withdrawn"
    assert db.session.get(Card, story["noodles"].id).status == "open"


def test_after_deletion_the_neighbours_pages_read_a_former_resident(story, resident):
    assert delete_account(story["lina"]).status_code == 302
    chen, wang = story["chen"], story["wang"]
    for card in ("medicine", "bread"):
        page = chen.get(f"/cards/{story[card].id}")
        html = page.get_data(as_text=True)
        assert page.status_code == 200 and "a former resident" in html and "Li Na" not in html, card
    activity = chen.get("/me/activity")
    html = activity.get_data(as_text=True)
    assert activity.status_code == 200 and "Fever medicine" in html and "Bread" in html and "Li Na" not in html
    register = wang.get(f"/box/shelves/{story['shelf'].id}/register")
    html = register.get_data(as_text=True)
    assert register.status_code == 200 and "a former resident" in html and "Li Na" not in html
    assert "Dr Chen" in html  # the neighbour's own line, untouched
    board = chen.get("/")
    assert board.status_code == 200 and "Noodles" in board.get_data(as_text=True)


def test_the_former_resident_label_is_in_chinese_for_a_chinese_reader(story, neighbour):
    neighbour.locale = "zh_CN"
    db.session.commit()
    assert delete_account(story["lina"]).status_code == 302
    html = story["chen"].get(f"/cards/{story['medicine'].id}").get_data(as_text=True)
    assert "一位已离开的住户" in html and "a former resident" not in html


def test_an_erased_account_never_logs_in_again_and_its_login_is_freed(story, resident, make_client, community):
    lina = story["lina"]
    assert delete_account(lina).status_code == 302
    assert lina.get("/profile").status_code == 302  # the phone that deleted it is logged out
    again = make_client().post("/login", data={"login": "lina", "password": factories.PASSWORD})
    assert again.status_code == 200 and "do not match" in again.get_data(as_text=True)
    newcomer = factories.user(community, login="lina", display_name="Another Lina", unit="808")
    assert newcomer.id != resident.id
    assert db.session.get(User, resident.id).erased_at is not None


def test_a_surviving_remember_cookie_does_not_log_an_erased_account_in(resident, make_client, app):
    phone = make_client()
    phone.post("/login", data={"login": "lina", "password": factories.PASSWORD, "remember": "y"})
    other = make_client()
    other.post("/login", data={"login": "lina", "password": factories.PASSWORD})
    assert delete_account(other).status_code == 302
    assert phone.get("/profile").status_code == 302


def test_a_wrong_password_or_a_get_writes_nothing(story, resident):
    lina = story["lina"]
    before = table_counts()
    page = lina.get("/me/delete")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    assert "What is kept, and why" in html and 'name="password"' in html
    wrong = delete_account(lina, password="not-my-password")
    assert wrong.status_code == 200 and "That is not your current password." in wrong.get_data(as_text=True)
    empty = delete_account(lina, password="")
    assert empty.status_code == 200 and "Please enter your password." in empty.get_data(as_text=True)
    assert table_counts() == before
    assert db.session.get(User, resident.id).erased_at is None
    assert lina.get("/profile").status_code == 200  # still logged in


@pytest.fixture
def grandma(community, coordinator):
    home = households.household_at(community.id, community.buildings[1].id, "301")
    liu = households.add_person(coordinator, home, name="刘奶奶", contact="knock twice")
    card = take_call(coordinator, person=liu, new_person=None, building=None, unit="", intake="phone",
                     card_fields={"category": "medicine", "title": "Blood pressure pills", "urgency": "normal"})
    return liu, card


def test_a_coordinator_erases_a_person_without_a_login(grandma, coordinator, neighbour, make_client, login):
    liu, card = grandma
    chen = login(make_client(), neighbour)
    chen.post(f"/cards/{card.id}/help", data={})
    handoff = Handoff.query.filter_by(card_id=card.id).one()
    transitions.apply_handoff(handoff, "receive_in_person", coordinator)
    wang = login(make_client(), coordinator)
    page = wang.get(f"/people/{liu.id}/erase")
    assert page.status_code == 200 and "What is kept, and why" in page.get_data(as_text=True)
    assert f'href="/people/{liu.id}/erase"' in wang.get(f"/people/{liu.id}/edit").get_data(as_text=True)
    before = table_counts()
    response = wang.post(f"/people/{liu.id}/erase", data={"password": factories.PASSWORD})
    assert response.status_code == 302
    after = table_counts()
    assert {n: after[n] - before[n] for n in before if after[n] != before[n]} == {"events": 1}
    person = db.session.get(Person, liu.id)
    assert person.erased_at is not None and person._name == "" and person.contact == ""
    assert db.session.get(Household, person.household_id).unit.startswith("erased-")  # nobody else lived there
    html = wang.get(f"/cards/{card.id}").get_data(as_text=True)
    assert "a former resident" in html and "刘奶奶" not in html and "knock twice" not in html
    assert db.session.get(Card, card.id).status == "received"


def test_erasing_a_person_closes_what_waits_for_them(grandma, coordinator, make_client, login):
    liu, card = grandma
    wang = login(make_client(), coordinator)
    assert wang.post(f"/people/{liu.id}/erase", data={"password": factories.PASSWORD}).status_code == 302
    assert db.session.get(Card, card.id).status == "withdrawn"


def test_only_a_coordinator_erases_a_person_and_only_one_without_a_login(
        grandma, resident, flatmate, coordinator, make_client, login):
    liu, _card = grandma
    lina = login(make_client(), resident)
    assert lina.get(f"/people/{liu.id}/erase").status_code == 403
    assert lina.post(f"/people/{liu.id}/erase", data={"password": factories.PASSWORD}).status_code == 403
    wang = login(make_client(), coordinator)
    with_login = db.session.scalar(select(Person).where(Person.user_id == flatmate.id))
    assert wang.post(f"/people/{with_login.id}/erase", data={"password": factories.PASSWORD}).status_code == 403
    wrong = wang.post(f"/people/{liu.id}/erase", data={"password": "nope-nope"})
    assert wrong.status_code == 200 and "That is not your current password." in wrong.get_data(as_text=True)
    assert db.session.get(Person, liu.id).erased_at is None
    assert db.session.get(Person, with_login.id).erased_at is None
    assert db.session.get(User, flatmate.id).erased_at is None


def test_what_is_already_at_the_door_stays_and_a_deleted_account_hears_nothing_more(resident, neighbour, make_client,
                                                                                    login):
    lina, chen = login(make_client(), resident), login(make_client(), neighbour)
    need = factories.card(resident, title="Eggs")
    chen.post(f"/cards/{need.id}/help", data={})
    handoff = Handoff.query.filter_by(card_id=need.id).one()
    chen.post(f"/handoffs/{handoff.id}/leave", data={"note": "in the bag", "version": handoff.version})
    assert delete_account(lina).status_code == 302
    handoff = db.session.get(Handoff, handoff.id, populate_existing=True)
    assert handoff.status == "left_at_door"  # the helper's part stands; the system closes it in time
    transitions.apply_handoff(handoff, "remind", None)
    assert Event.query.filter_by(kind="handoff.remind").count() == 1
    assert Notification.query.filter_by(user_id=resident.id).count() == 0


def test_a_deleted_account_is_not_offered_as_a_shelf_keeper(resident, neighbour, community, make_client, login):
    lina = login(make_client(), resident)
    assert {u.id for u in box.members(community.id)} == {resident.id, neighbour.id}
    assert delete_account(lina).status_code == 302
    assert {u.id for u in box.members(community.id)} == {neighbour.id}


# Errands in the export (board/errands/export.py): what the resident ordered or was ordered for their home, and
# what they ran as a volunteer; another household's door and name only while policy shows them.

@pytest.fixture
def errand_story(community, resident, coordinator, make_client, login):
    """Li Na (502) orders tablets; Auntie Zhou (a volunteer) runs them with a receipt; Wu took it first and gave
    it back. The coordinator took Grandma Liu's call (Building 2, 101) and Zhou runs that one too, still under way."""
    from werkzeug.datastructures import FileStorage

    from board.cards import handoffs as doorstep
    from board.errands import service as errands, transitions as errand_moves
    from board.errands.models import Errand

    # On duty: the queue and its claims are for volunteers on duty.
    zhou = factories.on_duty(factories.user(community, login="zhou", display_name="Auntie Zhou", building=2,
                                            unit="201", role="volunteer"))
    wu = factories.on_duty(factories.user(community, login="wu", display_name="Wu", building=2, unit="1503",
                                          role="volunteer"))
    tablets = errands.place_errand(resident, household=resident.household, title="Blood pressure tablets",
                                   from_where="Pharmacy", payment="reimbursed", budget=5000)
    errands.claim(tablets, wu)
    errands.act(db.session.get(Errand, tablets.id), "give_back", wu)
    errands.claim(db.session.get(Errand, tablets.id), zhou)
    receipt = FileStorage(io.BytesIO(gps_tagged_jpeg((800, 600))), filename="receipt.jpg", content_type="image/jpeg")
    errands.record_spent(db.session.get(Errand, tablets.id), zhou, amount=2350, receipt=receipt)
    errands.act(db.session.get(Errand, tablets.id), "on_the_way", zhou)
    doorstep.leave_at_door(errand_moves.live_handoff(db.session.get(Errand, tablets.id)), zhou, note="")
    doorstep.move(errand_moves.live_handoff(db.session.get(Errand, tablets.id)), "confirm_received", resident)

    liu_home = households.household_at(community.id, community.buildings[1].id, "101")
    liu = households.add_person(coordinator, liu_home, name="刘奶奶", age_group="over_80", contact="knock twice")
    son = factories.user(community, login="liuson", display_name="Liu's son", unit="888")
    households.link_person(coordinator, liu_home, son)
    rice = errands.place_errand(coordinator, household=liu_home, person=liu, title="Rice 5 kg", source="on_behalf")
    errands.claim(rice, zhou)
    db.session.expire_all()
    return {"zhou": zhou, "wu": wu, "son": son, "tablets": db.session.get(Errand, tablets.id),
            "rice": db.session.get(Errand, rice.id),
            "client": lambda user: login(make_client(), user)}


def errand_rows(archive) -> dict[str, dict]:
    assert "errands.csv" in archive.namelist()
    return {row["what"]: row for row in read_json(archive, "errands.json")}


def test_the_export_holds_the_errands_the_resident_ordered(errand_story, resident):
    rows = errand_rows(export(errand_story["client"](resident)))
    assert set(rows) == {"Blood pressure tablets"}
    row = rows["Blood pressure tablets"]
    assert row["my_part"] == "placed for_my_household" and row["unit"] == "502"  # their own door
    assert (row["state"], row["spent_yuan"], row["budget_yuan"], row["volunteer"]) == ("completed", "23.50", "50.00",
                                                                                       "Auntie Zhou")
    assert row["receipt"] == ""  # the volunteer's photo: theirs to download, the household sees it on the page


def test_a_volunteer_s_export_holds_what_they_ran_without_the_door_once_it_ended(errand_story):
    archive = export(errand_story["client"](errand_story["zhou"]))
    rows = errand_rows(archive)
    done, running = rows["Blood pressure tablets"], rows["Rice 5 kg"]
    assert done["my_part"] == "ran" and done["state"] == "completed" and done["spent_yuan"] == "23.50"
    assert (done["unit"], done["for"], done["building"]) == ("", "", "Building 1")
    assert done["receipt"] in archive.namelist()  # the receipt photo they took, as a file
    assert (running["unit"], running["for"]) == ("101", "刘奶奶")  # theirs and under way: as the errand page shows
    text = "\n".join(archive.read(n).decode("utf-8") for n in archive.namelist() if n.endswith(".json"))
    assert '"502"' not in text and "knock twice" not in text  # Li Na's door (as a value), Liu's contact


def test_a_volunteer_who_gave_an_errand_back_keeps_the_what_and_never_the_door(errand_story):
    archive = export(errand_story["client"](errand_story["wu"]))
    rows = errand_rows(archive)
    assert set(rows) == {"Blood pressure tablets"}
    row = rows["Blood pressure tablets"]
    assert (row["my_part"], row["unit"], row["for"], row["volunteer"], row["spent_yuan"]) == ("ran", "", "", "", "")
    text = "\n".join(archive.read(n).decode("utf-8") for n in archive.namelist() if n.endswith(".json"))
    assert '"502"' not in text and "Auntie Zhou" not in text


def test_an_errand_placed_for_a_home_is_in_its_people_s_export_and_no_one_else_s(errand_story, neighbour):
    son = export(errand_story["client"](errand_story["son"]))
    (row,) = read_json(son, "errands.json")
    assert (row["what"], row["my_part"], row["unit"], row["for"]) == ("Rice 5 kg", "for_my_household", "101", "刘奶奶")
    assert read_json(export(errand_story["client"](neighbour)), "errands.json") == []


def test_after_the_run_ends_the_volunteer_s_export_forgets_the_door(errand_story):
    from board.errands import service as errands

    zhou = errand_story["zhou"]
    assert errand_rows(export(errand_story["client"](zhou)))["Rice 5 kg"]["unit"] == "101"
    errands.act(errand_story["rice"], "give_back", zhou)
    db.session.expire_all()
    row = errand_rows(export(errand_story["client"](zhou)))["Rice 5 kg"]
    assert (row["my_part"], row["unit"], row["for"]) == ("ran", "", "")
