"""The W3C Nu HTML checker (vnu) on every kind of page: visitors', residents' and coordinators' pages, htmx
fragments (checked as fragments, inside a bare document), the live stream's fragments, both languages, care mode.

vnu is `npm install vnu-jar` (`make vnu`; `.ci/run` does it) and runs on Java 17. Locally a missing vnu skips
these tests with the reason; under CI (CI=true) a missing vnu is a failure, never a silent skip.
"""
import html
import json
import re
import os
import shutil
import subprocess

import pytest

from board.extensions import db
from board.models import User
from tests import factories
from tests.errands_helpers import errands_in_each_state

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
VNU_JAR = os.environ.get("BOARD_VNU_JAR", os.path.join(ROOT, "node_modules", "vnu-jar", "build", "dist", "vnu.jar"))
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")

# A fragment is checked inside the least document that holds it; its own mistakes are still its own.
FRAGMENT_DOCUMENT = ('<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8"><title>fragment</title></head>'
                     '<body>{body}</body></html>')


def vnu_command() -> list[str]:
    java = shutil.which("java")
    if java and os.path.exists(VNU_JAR):
        return [java, "-Xss2m", "-jar", VNU_JAR]
    reason = (f"no W3C checker: needs java and {VNU_JAR} (`make vnu` installs vnu-jar from npm; .ci/run does)")
    if IN_CI:
        pytest.fail(reason + " — required under CI")
    pytest.skip(reason)


def vnu_errors(documents: dict[str, str], tmp_path) -> list[str]:
    """Run vnu once over all documents (one JVM start); its errors as 'name: line:col message'."""
    names = {}
    for n, (name, text) in enumerate(documents.items()):
        path = tmp_path / f"doc{n:03}.html"
        path.write_text(text, encoding="utf-8")
        names[path.name] = name
    files = sorted(str(path) for path in tmp_path.glob("doc*.html"))
    result = subprocess.run([*vnu_command(), "--errors-only", "--format", "json", *files],
                            capture_output=True, text=True, timeout=600)
    report = json.loads(result.stderr or result.stdout or '{"messages": []}')
    errors = []
    for m in report["messages"]:
        if m.get("type") in ("error", "non-document-error") or m.get("subType") == "fatal":
            url = m.get("url", "")
            name = names.get(url.rsplit("/", 1)[-1], url)
            errors.append(f"{name}: {m.get('lastLine', '?')}:{m.get('firstColumn', '?')} {m.get('message')} "
                          f"[{(m.get('extract') or '').strip()[:120]}]")
    assert result.returncode in (0, 1), result.stderr[-2000:]
    return errors


@pytest.fixture
def app_config():
    return {"BOARD_PAGE_SIZE": 1}  # so that the board has a "Show more" page to fetch as a fragment


@pytest.fixture
def everything(app, community, coordinator, resident, neighbour):
    """A community where every page has something on it: cards in each state, handoffs, notifications, a shelf
    with an item, a take and a gift waiting, a household with a person without a login."""
    from board.box import service as box
    from board.cards import handoffs
    from board.households import service as households

    need = factories.card(resident, title="Fever medicine for a child", urgency="urgent", for_child=True,
                          quantity=1, unit="box")
    offer = factories.card(neighbour, kind="offer", category="food", title="Vegetables", quantity=3, unit="bag")
    handoff = handoffs.offer_help(need, coordinator)
    asked = factories.card(coordinator, kind="offer", category="food", title="Rice", quantity=2, unit="bag")
    handoffs.ask(asked, resident, quantity=1)
    shelf = factories.shelf(community, keepers=(coordinator,))
    item = factories.box_item(shelf, name="Ibuprofen", quantity=5)
    box.take(resident, item.id, 1)
    box.offer_gift(neighbour, shelf, name="Noodles", category="food", quantity=2, unit="pack")
    household = db.session.get(User, resident.id).household
    person = households.add_person(coordinator, household, name="Grandma Liu")
    return {"need": need.id, "offer": offer.id, "asked": asked.id, "handoff": handoff.id, "shelf": shelf.id,
            "item": item.id, "household": household.id if household else None,
            "person": person.id if person is not None else None}


VISITOR_PAGES = ["/", "/login", "/register", "/register?code=JOIN1234", "/offline", "/no-such-page"]


def resident_pages(ids):
    pages = ["/", "/?kind=offer&category=food", f"/cards/{ids['need']}", f"/cards/{ids['offer']}",
             f"/cards/{ids['asked']}", "/cards/new", f"/cards/{ids['need']}/edit", "/profile", "/password",
             "/me/activity", "/me/data", "/me/delete", "/notifications/", "/household", "/box/", "/box/mine",
             f"/box/shelves/{ids['shelf']}", f"/box/items/{ids['item']}", f"/box/shelves/{ids['shelf']}/give",
             f"/box/items/{ids['item']}/deliver", f"/handoffs/{ids['handoff']}/cancel/confirm"]
    return pages


def coordinator_pages(ids):
    pages = [f"/box/shelves/{ids['shelf']}/check-in", f"/box/shelves/{ids['shelf']}/register",
             f"/box/shelves/{ids['shelf']}/keepers", f"/box/shelves/{ids['shelf']}/items/new", "/box/shelves/new",
             "/community/invite", "/households", "/members", "/intake", f"/cards/{ids['offer']}/ask-for",
             f"/handoffs/{ids['handoff']}/leave", f"/cards/{ids['asked']}"]
    if ids["household"]:
        pages.append(f"/households/{ids['household']}")
    if ids["person"]:
        pages += [f"/people/{ids['person']}/edit", f"/people/{ids['person']}/erase"]
    return pages


def fragments(ids):
    """(path, headers) of what htmx asks for: a part of a page, not the page."""
    htmx = {"HX-Request": "true"}
    return [
        ("/", {**htmx, "HX-Target": "card-list"}),
        (f"/cards/{ids['need']}", {**htmx, "HX-Target": f"card-{ids['need']}"}),
        (f"/cards/{ids['asked']}", {**htmx, "HX-Target": f"card-{ids['asked']}"}),
        (f"/live/cards/{ids['need']}", {**htmx, "HX-Current-URL": "http://localhost/"}),
        (f"/live/cards/{ids['need']}", {**htmx, "HX-Current-URL": f"http://localhost/cards/{ids['need']}"}),
        ("/notifications/bell", htmx),
        (f"/box/shelves/{ids['shelf']}?q=ibu", {**htmx, "HX-Target": "item-list"}),
        (f"/box/items/{ids['item']}", {**htmx, "HX-Target": f"item-{ids['item']}"}),
        (f"/box/shelves/{ids['shelf']}/check-in", {**htmx, "HX-Target": f"gifts-{ids['shelf']}"}),
        (f"/box/shelves/{ids['shelf']}/register", {**htmx, "HX-Target": f"register-{ids['shelf']}"}),
    ]


def live_fragments(app, viewer, lang, mode) -> dict[str, str]:
    """Each event of the live stream (what /live/stream and /live/poll send) as that viewer gets it, one by one:
    a poll answer holds several events in a row, and the same card twice in it is no mistake."""
    from board.live import render

    with app.test_request_context():
        found, _ = render.replay(app.extensions["live"], viewer.id, viewer.community_id, lang, 0, overlap=False)
    assert len(found) > 5
    return {f"{mode} live event {event_id}": FRAGMENT_DOCUMENT.format(lang=lang.replace("_", "-"), body=body)
            for event_id, body in found}


def collect(client, paths, label, documents, lang, headers=None):
    for path in paths:
        response = client.get(path, headers=headers or {})
        assert response.status_code in (200, 403, 404), f"{label} {path}: {response.status_code}"
        documents[f"{label} {path}"] = response.get_data(as_text=True)


@pytest.mark.parametrize("lang", ["en", "zh_CN"])
def test_every_page_kind_passes_the_w3c_checker(app, make_client, login, everything, resident, coordinator, lang, tmp_path):
    vnu_command()
    documents = {}
    for care in (0, 1):
        for user in (resident, coordinator):
            row = db.session.get(User, user.id)
            row.care_level, row.locale = care, lang
        db.session.commit()
        mode = f"{lang} care={care}"
        visitor = make_client()
        visitor.set_cookie("care", str(care))
        visitor.set_cookie("lang", lang)
        collect(visitor, VISITOR_PAGES, f"{mode} visitor", documents, lang,
                headers={"Accept-Language": "zh-CN" if lang == "zh_CN" else "en-GB"})
        as_resident = login(make_client(), resident)
        collect(as_resident, resident_pages(everything), f"{mode} resident", documents, lang)
        as_coordinator = login(make_client(), coordinator)
        collect(as_coordinator, resident_pages(everything) + coordinator_pages(everything), f"{mode} coordinator",
                documents, lang)
        board = as_coordinator.get("/").get_data(as_text=True)
        more = html.unescape(re.search(r'id="more" class="button more" href="([^"]+)"', board).group(1))
        for path, headers in fragments(everything) + [(more, {"HX-Request": "true", "HX-Target": "more"})]:
            response = as_coordinator.get(path, headers=headers)
            assert response.status_code == 200, f"{mode} fragment {path}: {response.status_code}"
            body = response.get_data(as_text=True)
            assert "<!DOCTYPE" not in body[:200].upper(), f"{path} answered a page, not a fragment"
            documents[f"{mode} fragment {path} {headers.get('HX-Target', '')}"] = FRAGMENT_DOCUMENT.format(
                lang=lang.replace("_", "-"), body=body)
        documents.update(live_fragments(app, coordinator, lang, mode))
    assert len(documents) > 100
    errors = vnu_errors(documents, tmp_path)
    if os.environ.get("VNU_REPORT"):
        with open(os.environ["VNU_REPORT"], "w", encoding="utf-8") as report:
            report.write("\n".join(errors))
    assert errors == [], f"{len(errors)} errors:\n" + "\n".join(errors[:80])


def test_the_checker_finds_errors(tmp_path):
    """The harness itself: a broken page is reported, a good one is not (so a green run means something)."""
    vnu_command()
    good = FRAGMENT_DOCUMENT.format(lang="en", body="<p>fine</p>")
    bad = FRAGMENT_DOCUMENT.format(lang="en", body='<p hx-get="/x"><div>block in p</p>')
    errors = vnu_errors({"good": good, "bad": bad}, tmp_path)
    assert errors and all(e.startswith("bad:") for e in errors), errors


@pytest.mark.parametrize("lang", ["en", "zh_CN"])
def test_the_errand_pages_pass_the_w3c_checker(make_client, login, community, resident, neighbour, coordinator, lang,
                                                tmp_path):
    """The desk, an errand's page waiting (with its team and the coordinator's suggestions), running and on the
    problems list, the order form (and refused, with its errors), the volunteer's list, the settings."""
    from board.volunteers.models import VolunteerProfile

    vnu_command()
    volunteer = factories.on_duty(factories.user(community, login="zhou", display_name="Auntie Zhou", building=2,
                                                 unit="201", role="volunteer"))  # the queue: on duty
    off_duty = factories.user(community, login="wu", display_name="Wu", building=2, unit="1503", role="volunteer")
    db.session.add(VolunteerProfile(community_id=community.id, user_id=off_duty.id, status="approved"))
    for user in (resident, coordinator, volunteer, off_duty):
        db.session.get(User, user.id).locale = lang
    errands = errands_in_each_state(community, resident, neighbour, volunteer)
    waiting, running, problem = errands["waiting"], errands["running"], errands["problem"]
    documents = {}
    pages = {
        resident: ["/errands/mine", f"/errands/{waiting.id}", "/errands/new", f"/cards/{waiting.card_id}"],
        volunteer: ["/errands/", "/errands/mine", f"/errands/{waiting.id}", f"/errands/{running.id}",
                    f"/cards/{waiting.card_id}"],  # "Take this errand" on its card
        off_duty: ["/errands/"],  # the kind off-duty page with the switch
        coordinator: ["/errands/", f"/errands/{waiting.id}", f"/errands/{problem.id}", "/errands/new",
                      "/errands/settings"],
    }
    for user, paths in pages.items():
        client = login(make_client(), user)
        collect(client, paths, f"{lang} {user.login}", documents, lang)
    refused = login(make_client(), resident).post("/errands/new", data={"title": "", "team": "junk"})
    assert refused.status_code == 200
    documents[f"{lang} the refused order form"] = refused.get_data(as_text=True)
    errors = vnu_errors(documents, tmp_path)
    assert errors == [], f"{len(errors)} errors:\n" + "\n".join(errors[:80])
