"""A demo community taken from the field notes, so a first visitor sees a living board."""
from datetime import date, timedelta

from sqlalchemy import delete, func, select

from board.auth.service import register
from board.box import demo as box_demo
from board.points import demo as points_demo
from board.volunteers import demo as volunteers_demo
from board.errands import demo as errands_demo
from board.stats import demo as stats_demo
from board.roster import demo as roster_demo
from board.cards import handoffs
from board.cards.intake import take_call
from board.households import service as households
from board.cards.service import post_card
from board.extensions import db
from board.models import Building, Card, Community, Role, User

DEMO_PASSWORD = "doorstep-demo"
DEMO_INVITE = "JINTING22"

R = Role
RESIDENTS = [
    # login, display name, building, unit, roles beyond resident
    ("wang", "网格员 王姐 (Wang, grid worker)", "Building 1", "101", {R.COORDINATOR}),
    ("lina", "李娜 Li Na", "Building 1", "502", set()),
    ("zhao", "赵叔 Uncle Zhao", "Building 1", "303", set()),
    ("chen", "陈医生 Dr Chen", "Building 2", "1201", set()),
    ("mei", "小梅 Xiaomei", "Building 2", "804", set()),
    ("sun", "孙先生 Mr Sun", "Building 3", "602", set()),
    ("zhou", "周阿姨 Auntie Zhou", "Building 3", "201", {R.VOLUNTEER}),
    ("wu", "吴同学 Wu (student)", "Building 3", "1503", {R.VOLUNTEER}),
    ("he", "何师傅 Master He", "Building 4", "702", set()),
    ("tang", "唐女士 Ms Tang", "Building 4", "1101", set()),
    ("gao", "高爷爷 Grandpa Gao", "Building 4", "301", set()),
    ("shop", "便利店 老李 (Lao Li, corner shop)", "Building 1", "S01", {R.MERCHANT}),
]

# People without a login: they phone the grid worker, who posts for them.
PEOPLE = [
    # name, building, unit, how to reach them, age group, language or dialect
    ("刘奶奶 Grandma Liu", "Building 2", "101", "座机 Landline 6688 1234, or knock", "over_80", "苏州话 Suzhou dialect"),
    ("高奶奶 Grandma Gao", "Building 4", "301", "Through Grandpa Gao", "over_80", ""),
]

CARDS = [
    # author, kind, category, title, details, quantity, unit, urgency, tags
    ("lina", "need", "medicine", "急需孕妇能用的退烧药 Fever medicine a pregnant woman can take",
     "38.5 °C since this morning, 7 months pregnant. Paracetamol is what the doctor allows.",
     1, "box", "urgent", {"for_pregnant": True}),
    ("mei", "need", "medicine", "小孩子退烧药有吗 Children's fever medicine?",
     "My son is 4. Ibuprofen suspension for children, any brand.", 1, "bottle", "urgent", {"for_child": True}),
    ("gao", "need", "errand", "能帮我们买点退烧药吗 Can someone buy us fever medicine?",
     "We are two old people at home and ran out. We can pay by WeChat.", None, "", "urgent",
     {"for_elderly": True}),
    ("chen", "offer", "medicine", "这个我有 2 unopened boxes of ibuprofen",
     "Sealed, 0.3 g × 24 capsules. Will hang it on your door handle.", 2, "box", "normal", {"sealed": True}),
    ("sun", "offer", "supplies", "Antigen tests, 5 left", "Single packs, sealed.", 5, "test", "normal",
     {"sealed": True, "first_come": False}),
    ("zhou", "offer", "food", "Fresh vegetables from my group buy", "Bok choy and potatoes, enough for 3 families.",
     3, "bag", "normal", {}),
    ("he", "offer", "errand", "Going to the pharmacy at 15:00", "I can bring back small things for Building 4.",
     None, "", "normal", {}),
    ("wu", "need", "food", "Flour, butter and chocolate for a birthday cake",
     "The neighbours' children have a birthday this week; we want to bake for every child.", None, "",
     "normal", {"for_child": True}),
    ("tang", "offer", "medicine", "Cold granules, sealed", "Two boxes, expire next year.", 2, "box", "normal",
     {"sealed": True}),
    ("zhao", "need", "supplies", "Rice and cooking oil", "The shop is closed; a small bag of rice would do.",
     1, "bag", "normal", {}),
]


def is_empty() -> bool:
    return db.session.scalar(select(func.count(Community.id))) == 0


def seed() -> Community:
    """Create the demo community, its buildings, residents and cards."""
    community = Community(name="锦庭花园 Jinting Garden", slug="jinting", invite_code=DEMO_INVITE)
    community.buildings = [Building(name=f"Building {n}") for n in range(1, 5)]
    db.session.add(community)
    db.session.commit()
    buildings = {b.name: b for b in community.buildings}
    users = {}
    for login, name, building, unit, roles in RESIDENTS:
        users[login] = register(
            display_name=name, login=login, password=DEMO_PASSWORD, community=community,
            building=buildings[building], unit=unit, roles=roles,
        )
    people = {}
    for name, building, unit, contact, age_group, language in PEOPLE:
        household = households.household_at(community.id, buildings[building].id, unit)
        people[name] = households.add_person(users["wang"], household, name=name, contact=contact,
                                             age_group=age_group, language=language)
    grandma_liu = people["刘奶奶 Grandma Liu"]
    cards = {}
    for author, kind, category, title, details, quantity, unit, urgency, tags in CARDS:
        expiry = date.today() + timedelta(days=300) if kind == "offer" and category == "medicine" else None
        cards[author] = post_card(
            users[author], kind=kind, category=category, title=title, details=details, quantity=quantity,
            unit=unit, urgency=urgency, medicine_expires_on=expiry, **tags,
        )
    # Both loops under way: Auntie Zhou is helping Uncle Zhao with rice; Xiaomei asked Mr Sun for two
    # antigen tests (he chooses among askers); Grandma Liu's ask for cold granules was accepted at once.
    handoffs.offer_help(cards["zhao"], users["zhou"])
    handoffs.ask(cards["sun"], users["mei"], 2)
    # Grandma Liu has no phone: she called Wang, who posted her need and asked for cold granules for her.
    take_call(users["wang"], person=grandma_liu, new_person=None, building=None, unit="", intake="phone",
              caller="", card_fields={"category": "care", "title": "Someone to call me in the evening",
                                      "details": "I live alone; a short chat at 19:00 would be kind.",
                                      "urgency": "normal", "for_elderly": True})
    handoffs.ask(cards["tang"], users["wang"], 1, for_person=grandma_liu)
    box_demo.seed(users)
    stats_demo.seed(users, community.id)  # before the points' demo: its week earns nothing from an unfunded pool
    points_demo.seed(users)
    volunteers_demo.seed(users, buildings)
    errands_demo.seed(users, people)
    roster_demo.seed(users, people)
    return community


def remove() -> None:
    """Delete the demo community and its residents; what hangs off them goes by ON DELETE CASCADE."""
    db.session.rollback()
    db.session.execute(delete(User).where(User.login.in_([r[0] for r in RESIDENTS])))
    db.session.execute(delete(Community).where(Community.invite_code == DEMO_INVITE))
    db.session.commit()


def describe() -> str:
    """The demo logins and invite code, as `make run` prints them."""
    community = db.session.scalar(select(Community).where(Community.invite_code == DEMO_INVITE))
    if community is None:
        return "No demo community in this database."
    users = db.session.scalars(select(User).where(User.login.in_([r[0] for r in RESIDENTS])).order_by(User.id))
    cards = db.session.scalar(select(func.count(Card.id)).where(Card.community_id == community.id))
    lines = [
        f"Demo community: {community.name} — invite code {community.invite_code}, {cards} cards",
        f"Demo logins (password for all: {DEMO_PASSWORD}):",
    ]
    lines += [f"  {u.login:<6} {u.display_name}" + "".join(f"  [{r}]" for r in sorted(u.roles - {"resident"}))
              for u in users]
    lines.append("Without a login (Wang posts for them): " + ", ".join(p[0] for p in PEOPLE))
    return "\n".join(lines)
