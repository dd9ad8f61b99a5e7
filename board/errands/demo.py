"""The demo's errands (field notes §1, §2): Grandma Liu's blood pressure tablets, taken by phone, waiting at the desk."""
from board.errands import service
from board.models import Person, User

LIU_TABLETS = ("降压药 Blood pressure tablets, 2 boxes",
               "Amlodipine 5 mg, the box she showed the doctor. She has the prescription at the door.")
PHARMACY = "老百姓大药房 Laobaixing pharmacy, Jinting Road"
GAO_GROCERIES = ("鸡蛋和挂面 Eggs and noodles", "A dozen eggs and two packs of noodles; they pay by WeChat.")
SUPERMARKET = "小区门口的超市 The supermarket at the gate"


def seed(users: dict[str, User], people: dict[str, Person]) -> None:
    """Wang takes Grandma Liu's call and places her errand; Grandpa Gao places one for his home himself."""
    liu = people["刘奶奶 Grandma Liu"]
    service.place_errand(users["wang"], household=liu.household, person=liu, title=LIU_TABLETS[0],
                         details=LIU_TABLETS[1], from_where=PHARMACY, payment="reimbursed", budget=6000,
                         team_key="medicine", urgency="urgent", source="on_behalf")
    gao = users["gao"]
    service.place_errand(gao, household=gao.household, title=GAO_GROCERIES[0], details=GAO_GROCERIES[1],
                         from_where=SUPERMARKET, payment="on_delivery", team_key="groceries")
