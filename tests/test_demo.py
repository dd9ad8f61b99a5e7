"""`flask --app board seed-demo`: a living demo community from the field notes, created once."""
from sqlalchemy import func, select

from board import demo
from board.extensions import db
from board.models import Building, Card, Community, Handoff, Household, Membership, MembershipRole, Person, User
from tests import factories


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_seed_demo_on_an_empty_database(app):
    result = app.test_cli_runner().invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    community = db.session.scalar(select(Community))
    assert count(Community) == 1 and count(Building) >= 2
    assert count(User) >= 11
    roles = db.session.scalars(
        select(MembershipRole.role).join(Membership).where(Membership.community_id == community.id)
    ).all()
    assert roles.count("coordinator") == 1 and roles.count("volunteer") == 2 and roles.count("resident") >= 11
    # Every resident lives in a household; Grandma Liu is one of hers, without a login, and her need is on
    # the board, posted for her by the grid worker.
    assert count(Household) >= 10
    (liu,) = db.session.scalars(select(Person).where(Person.name.contains("Grandma Liu"))).all()
    assert liu.user_id is None and liu.household.unit == "101" and liu.household.building.name == "Building 2"
    posted_for_her = db.session.scalars(select(Card).where(Card.for_person_id == liu.id)).all()
    # Two cards: her evening call, and her errand for blood pressure tablets (board/errands/demo.py).
    assert [c.author.login for c in posted_for_her] == ["wang", "wang"]
    assert {c.intake for c in posted_for_her} == {"phone"}
    assert db.session.scalar(select(func.count(Handoff.id)).where(Handoff.for_person_id == liu.id)) == 1
    kinds = set(db.session.scalars(select(Card.kind).where(Card.community_id == community.id)))
    assert kinds == {"need", "offer"}
    assert count(Card) >= 10
    assert "Seeded the demo community." in result.output
    assert community.invite_code in result.output
    assert demo.DEMO_PASSWORD in result.output
    for login in ("wang", "lina", "gao"):
        assert login in result.output
    assert "[coordinator]" in result.output


def test_seed_demo_twice_does_not_duplicate(app):
    runner = app.test_cli_runner()
    runner.invoke(args=["seed-demo"])
    before = (count(Community), count(User), count(Card))
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0
    assert (count(Community), count(User), count(Card)) == before
    assert "Seeded" not in result.output and demo.DEMO_INVITE in result.output, "the logins are printed again"


def test_seed_demo_leaves_a_database_with_data_alone(app):
    factories.community(name="Real Garden", slug="real", invite_code="REAL0001")
    result = app.test_cli_runner().invoke(args=["seed-demo"])
    assert result.exit_code == 0
    assert count(Community) == 1 and count(User) == 0
    assert "No demo community" in result.output


def test_demo_cards_come_from_the_field_notes_and_show_on_the_board(app, client):
    app.test_cli_runner().invoke(args=["seed-demo"])
    titles = set(db.session.scalars(select(Card.title)))
    assert any("孕妇" in t for t in titles) and any("小孩子退烧药" in t for t in titles)
    response = client.post("/login", data={"login": "lina", "password": demo.DEMO_PASSWORD})
    assert response.status_code == 302
    page = client.get("/", headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)
    assert "急需孕妇能用的退烧药" in page
    first = page.index("急需孕妇能用的退烧药")
    assert first < page.index("团购的新鲜蔬菜"), "urgent and vulnerable first"
    english = client.get("/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Fever medicine a pregnant woman can take" in english and "孕妇" not in english


def test_demo_medicine_offers_have_an_expiry_date(app):
    app.test_cli_runner().invoke(args=["seed-demo"])
    offers = db.session.scalars(select(Card).where(Card.kind == "offer", Card.category == "medicine")).all()
    assert offers and all(card.medicine_expires_on for card in offers)


def test_the_demo_coordinator_sees_the_invite_code(app, client):
    app.test_cli_runner().invoke(args=["seed-demo"])
    client.post("/login", data={"login": "wang", "password": demo.DEMO_PASSWORD})
    assert demo.DEMO_INVITE in client.get("/community/invite").get_data(as_text=True)


def test_a_seed_that_fails_half_way_is_taken_back_so_the_next_run_seeds_again(app, monkeypatch):
    from board.box import demo as box_demo

    def broken(_users):
        raise RuntimeError("the shelf fell over")

    monkeypatch.setattr(box_demo, "seed", broken)
    result = app.test_cli_runner().invoke(args=["seed-demo"])
    assert isinstance(result.exception, RuntimeError)
    assert demo.is_empty() and count(User) == 0 and count(Card) == 0
    monkeypatch.undo()
    assert app.test_cli_runner().invoke(args=["seed-demo"]).exit_code == 0
    assert count(Community) == 1 and count(User) == len(demo.RESIDENTS)
