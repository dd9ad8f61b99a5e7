"""The life of a need, through the real app: match, doorstep, received; and every way off the path."""
import difflib
import re

import pytest

from board.extensions import db
from board.models import Card, Event, Handoff
from tests import factories


@pytest.fixture
def need(resident):
    return factories.card(resident, title="Fever medicine a pregnant woman can take")


@pytest.fixture
def requester(make_client, login, resident):
    return login(make_client(), resident)


@pytest.fixture
def helper(make_client, login, neighbour):
    return login(make_client(), neighbour)


def kinds(card_id):
    return [e.kind for e in Event.query.filter_by(card_id=card_id).order_by(Event.id)]


def the_handoff(card_id) -> Handoff:
    return Handoff.query.filter_by(card_id=card_id).order_by(Handoff.id.desc()).first()


def status(card_id) -> str:
    return db.session.get(Card, card_id, populate_existing=True).status


def tap(client, url, **data):
    return client.post(url, data=data)


def match(helper, need):
    response = tap(helper, f"/cards/{need.id}/help", version=need.version)
    assert response.status_code == 302, response.get_data(as_text=True)
    return the_handoff(need.id)


def test_the_whole_need_loop(requester, helper, need, neighbour, resident):
    page = helper.get(f"/cards/{need.id}").get_data(as_text=True)
    assert "I can help" in page

    handoff = match(helper, need)
    assert status(need.id) == "matched"
    assert (handoff.giver_id, handoff.receiver_id, handoff.status) == (neighbour.id, resident.id, "matched")
    assert handoff.due_at is not None
    seen_by_requester = requester.get(f"/cards/{need.id}").get_data(as_text=True)
    assert "Dr Chen is helping" in seen_by_requester
    # The board shows open cards only: a matched need has left it.
    assert "Fever medicine a pregnant woman" not in requester.get("/").get_data(as_text=True)

    response = helper.post(f"/handoffs/{handoff.id}/leave",
                           data={"note": "white bag on the handle of 502", "version": handoff.version})
    assert response.status_code == 302
    handoff = the_handoff(need.id)
    assert (handoff.status, handoff.note, status(need.id)) == ("left_at_door", "white bag on the handle of 502", "left_at_door")
    assert "white bag on the handle of 502" in requester.get(f"/cards/{need.id}").get_data(as_text=True)

    response = tap(requester, f"/handoffs/{handoff.id}/confirm_received", version=handoff.version)
    assert response.status_code == 302
    assert (the_handoff(need.id).status, status(need.id)) == ("received", "received")

    response = tap(requester, f"/handoffs/{handoff.id}/thank", thanks="感谢好心邻居们 thank you!")
    assert response.status_code == 302
    assert the_handoff(need.id).thanks == "感谢好心邻居们 thank you!"
    assert "感谢好心邻居们 thank you!" in helper.get(f"/cards/{need.id}").get_data(as_text=True)
    assert "感谢好心邻居们 thank you!" in helper.get("/me/activity").get_data(as_text=True)

    assert kinds(need.id) == [
        "card.posted", "handoff.match", "handoff.leave_at_door", "handoff.confirm_received", "handoff.thank",
    ]


def test_event_data_carries_ids_and_no_door(helper, need, neighbour, resident):
    handoff = match(helper, need)
    helper.post(f"/handoffs/{handoff.id}/leave", data={"note": "on the handle of 502", "version": handoff.version})
    for event in Event.query.filter(Event.kind.startswith("handoff.")):
        assert event.data["handoff_id"] == handoff.id
        assert event.data["giver_id"] == neighbour.id and event.data["receiver_id"] == resident.id
        assert event.data["quantity"] == 1
        assert "502" not in repr(event.data) and "1201" not in repr(event.data)
    leave = Event.query.filter_by(kind="handoff.leave_at_door").one()
    assert (leave.from_status, leave.to_status, leave.actor_id) == ("matched", "left_at_door", neighbour.id)


def test_received_in_person_straight_from_matched(requester, helper, need):
    handoff = match(helper, need)
    assert tap(requester, f"/handoffs/{handoff.id}/receive_in_person", version=handoff.version).status_code == 302
    assert (the_handoff(need.id).status, status(need.id)) == ("received", "received")
    assert the_handoff(need.id).received_at is not None


def test_not_there_goes_back_to_matched_and_the_helper_sees_it(requester, helper, need):
    handoff = match(helper, need)
    helper.post(f"/handoffs/{handoff.id}/leave", data={"note": "", "version": handoff.version})
    handoff = the_handoff(need.id)
    assert tap(requester, f"/handoffs/{handoff.id}/report_not_there", version=handoff.version).status_code == 302
    assert (the_handoff(need.id).status, status(need.id)) == ("matched", "matched")
    assert kinds(need.id)[-1] == "handoff.report_not_there"
    assert "reported it was not there" in helper.get(f"/cards/{need.id}").get_data(as_text=True)
    # The helper can try again.
    assert "Mark left at door" in helper.get(f"/cards/{need.id}").get_data(as_text=True)


def test_helper_withdraws_and_the_card_is_back_on_the_board_with_history(requester, helper, need, make_client,
                                                                            login, coordinator):
    handoff = match(helper, need)
    assert tap(helper, f"/handoffs/{handoff.id}/helper_withdraw", version=handoff.version).status_code == 302
    assert (the_handoff(need.id).status, status(need.id)) == ("withdrawn", "open")
    assert "Fever medicine a pregnant woman" in requester.get("/").get_data(as_text=True)
    # Another neighbour can now help; the old handoff stays as history.
    other = login(make_client(), coordinator)
    card = db.session.get(Card, need.id, populate_existing=True)
    assert tap(other, f"/cards/{need.id}/help", version=card.version).status_code == 302
    assert [h.status for h in Handoff.query.filter_by(card_id=need.id).order_by(Handoff.id)] == ["withdrawn", "matched"]


def test_requester_cancels_a_matched_need(requester, helper, need):
    handoff = match(helper, need)
    assert tap(requester, f"/handoffs/{handoff.id}/cancel", version=handoff.version, confirmed="1").status_code == 302
    assert (the_handoff(need.id).status, status(need.id)) == ("cancelled", "cancelled")


def test_requester_withdraws_an_open_need(requester, need):
    assert tap(requester, f"/cards/{need.id}/withdraw", version=need.version).status_code == 302
    assert status(need.id) == "withdrawn"


def test_second_tap_by_the_same_helper_changes_nothing(helper, need):
    match(helper, need)
    again = tap(helper, f"/cards/{need.id}/help", version=need.version)
    assert again.status_code == 302
    assert Handoff.query.count() == 1
    assert kinds(need.id).count("handoff.match") == 1


def test_resubmitted_confirm_is_idempotent(requester, helper, need):
    handoff = match(helper, need)
    helper.post(f"/handoffs/{handoff.id}/leave", data={"note": "", "version": handoff.version})
    handoff = the_handoff(need.id)
    first = tap(requester, f"/handoffs/{handoff.id}/confirm_received", version=handoff.version)
    second = tap(requester, f"/handoffs/{handoff.id}/confirm_received", version=handoff.version)
    assert (first.status_code, second.status_code) == (302, 302)
    assert kinds(need.id).count("handoff.confirm_received") == 1


def test_someone_else_is_already_helping(helper, need, make_client, login, coordinator):
    match(helper, need)
    late = login(make_client(), coordinator)
    response = tap(late, f"/cards/{need.id}/help", version=need.version)
    assert response.status_code == 409
    assert "Someone else is already helping" in response.get_data(as_text=True)
    assert Handoff.query.count() == 1 and kinds(need.id).count("handoff.match") == 1


def test_stale_tap_is_a_friendly_409_and_changes_nothing(requester, helper, need):
    handoff = match(helper, need)
    helper.post(f"/handoffs/{handoff.id}/leave", data={"note": "", "version": handoff.version})
    # The requester's page still shows the version from before it was left at the door.
    response = tap(requester, f"/handoffs/{handoff.id}/receive_in_person", version=handoff.version)
    assert response.status_code == 409
    assert "changed while you were looking" in response.get_data(as_text=True)
    assert the_handoff(need.id).status == "left_at_door"


def test_htmx_tap_returns_the_card_partial(helper, need):
    response = helper.post(f"/cards/{need.id}/help", data={"version": need.version},
                           headers={"HX-Request": "true", "HX-Target": f"card-{need.id}"})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert html.lstrip().startswith(f'<article id="card-{need.id}"')
    assert "Mark left at door" in html


def test_htmx_conflict_goes_to_the_messages_region(helper, need, make_client, login, coordinator):
    match(helper, need)
    late = login(make_client(), coordinator)
    response = late.post(f"/cards/{need.id}/help", data={"version": need.version}, headers={"HX-Request": "true"})
    assert response.status_code == 409
    assert response.headers["HX-Retarget"] == "#messages"
    assert "Someone else is already helping" in response.get_data(as_text=True)


def test_my_activity_lists_next_actions(requester, helper, need):
    handoff = match(helper, need)
    helping = helper.get("/me/activity").get_data(as_text=True)
    assert "What I am helping with" in helping and "Mark left at door" in helping
    mine = requester.get("/me/activity").get_data(as_text=True)
    assert "Fever medicine a pregnant woman" in mine and "Received in person" in mine
    helper.post(f"/handoffs/{handoff.id}/leave", data={"note": "", "version": handoff.version})
    assert "Confirm received" in requester.get("/me/activity").get_data(as_text=True)


def test_button_from_my_activity_comes_back_to_it(helper, need):
    handoff = match(helper, need)
    response = tap(helper, f"/handoffs/{handoff.id}/helper_withdraw", version=handoff.version, next="/me/activity")
    assert response.location.endswith("/me/activity")
    response = tap(helper, f"/cards/{need.id}/help", version=db.session.get(Card, need.id, populate_existing=True).version, next="//evil.example")
    assert response.location.endswith(f"/cards/{need.id}")


def test_timeline_on_the_card_page(requester, helper, need):
    match(helper, need)
    page = requester.get(f"/cards/{need.id}").get_data(as_text=True)
    assert "History" in page and "Dr Chen offered to help" in page


def test_a_fragment_brings_buttons_back_to_the_page_not_the_fragment(helper, need):
    handoff = match(helper, need)
    fragment = helper.get(f"/cards/{need.id}", headers={
        "HX-Request": "true", "HX-Target": f"card-{need.id}", "HX-Current-URL": "http://localhost/me/activity",
    }).get_data(as_text=True)
    assert 'name="next" value="/me/activity"' in fragment
    assert f"/handoffs/{handoff.id}/leave?next=/me/activity" in fragment


def test_page_and_fragment_render_the_same_card(requester, helper, need):
    handoff = match(helper, need)
    helper.post(f"/handoffs/{handoff.id}/leave", data={"note": "on the handle", "version": handoff.version})
    page = requester.get(f"/cards/{need.id}").get_data(as_text=True)
    fragment = requester.get(f"/cards/{need.id}", headers={
        "HX-Request": "true", "HX-Target": f"card-{need.id}", "HX-Current-URL": f"http://localhost/cards/{need.id}",
    }).get_data(as_text=True)
    start = page.index(f'<article id="card-{need.id}"')
    article = page[start:page.index("</article>", start) + len("</article>")]
    # "1 minute ago" may become "2 minutes ago" between the two requests, and a CSRF token is signed
    # with the second it was made in; the rest is identical.
    def timeless(html: str) -> str:
        html = re.sub(r"(<time [^>]*>)[^<]*(</time>)", r"\1\2", html)
        return re.sub(r'(name="csrf_token" value=")[^"]*', r"\1", html)

    article, fragment = timeless(article), timeless(fragment.strip())
    assert fragment.startswith(article), "\n".join(difflib.unified_diff(article.splitlines(), fragment.splitlines(), lineterm=""))
    assert "Confirm received" in fragment


def test_resubmitted_leave_at_door_form_writes_nothing_twice(helper, need, app):
    handoff = match(helper, need)
    form = {"note": "white bag", "version": handoff.version}
    assert helper.post(f"/handoffs/{handoff.id}/leave", data=form).status_code == 302
    assert helper.post(f"/handoffs/{handoff.id}/leave", data=form).status_code == 302
    assert kinds(need.id).count("handoff.leave_at_door") == 1


def test_an_empty_thank_you_is_refused_beside_nothing_changed(requester, helper, need):
    handoff = match(helper, need)
    tap(requester, f"/handoffs/{handoff.id}/receive_in_person", version=handoff.version)
    response = requester.post(f"/handoffs/{handoff.id}/thank", data={"thanks": "  "}, follow_redirects=True)
    assert "Please write a few words." in response.get_data(as_text=True)
    assert the_handoff(need.id).thanks == "" and "handoff.thank" not in kinds(need.id)


def test_only_the_giver_may_open_the_doorstep_form(requester, need, helper):
    handoff = match(helper, need)
    assert requester.get(f"/handoffs/{handoff.id}/leave").status_code == 403
    assert helper.get(f"/handoffs/{handoff.id}/leave").status_code == 200
