"""The demo community's care roster: Grandma Liu and Grandma Gao, called by Auntie Zhou and Wu (field notes §3–4).

Grandma Liu was reached three days ago and is due again now; Grandma Gao did not answer this morning, nor at the
retry, and her missed call has climbed the ladder to a door knock.
"""
from datetime import timedelta

from board.extensions import db
from board.models import Person, User, utcnow
from board.roster import ladder, service
from board.roster.models import Reason


def seed(users: dict[str, User], people: dict[str, Person]) -> None:
    wang, zhou, wu = users["wang"], users["zhou"], users["wu"]
    now = utcnow()
    liu, gao = people["刘奶奶 Grandma Liu"], people["高奶奶 Grandma Gao"]
    liu_record = service.save_record(wang, liu.household, service.RecordFields(
        reasons=[Reason.OVER_60_ALONE.value, Reason.CHILDREN_ELSEWHERE.value, Reason.CHRONIC_MEDICINE.value],
        medicines="氨氯地平 Amlodipine 5 mg", language=liu.language, consent_by="她本人，电话里 She herself, on the phone",
        cadence_days=3, callers=(zhou.id, wu.id),
        contacts=(("刘建国 Liu Jianguo", "儿子，在杭州 Her son, in Hangzhou", "139 0571 2468"),
                  ("陈医生 Dr Chen", "邻居，2号楼 Neighbour, Building 2", "")),
    ))
    service.log_call(zhou, liu_record, outcome="reached", wellbeing="same",
                     note="血压药还够一周。 Blood-pressure pills for one more week.", now=now - timedelta(days=3, hours=1))
    gao_record = service.save_record(wang, gao.household, service.RecordFields(
        reasons=[Reason.CHILDREN_ELSEWHERE.value, Reason.DISABLED.value],
        consent_by="高爷爷 Grandpa Gao", cadence_days=1, callers=(wu.id, zhou.id),
        contacts=(("高丽 Gao Li", "女儿，在上海 Her daughter, in Shanghai", "138 2100 7755"),),
    ))
    service.log_call(wu, gao_record, outcome="reached", wellbeing="better", now=now - timedelta(days=1, hours=5))
    # This morning's call and the retry went unanswered; the ladder climbed on, hour by hour, to a door knock.
    service.log_call(wu, gao_record, outcome="no_answer", now=now - timedelta(hours=5))
    service.log_call(wu, gao_record, outcome="no_answer", now=now - timedelta(hours=3))
    for hours in (2, 1):
        ladder.climb(db.session.get(type(gao_record), gao_record.id), now - timedelta(hours=hours))
    db.session.commit()
