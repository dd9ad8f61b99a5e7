"""A community with a care roster: Grandma Liu (no login) on it, Auntie Zhou and Wu her callers."""
from board.extensions import db
from board.households import service as households
from board.roster import service
from board.roster.models import Reason
from tests import factories

# Distinctive strings: present only where the record may be read, absent everywhere else.
MEDICINE, CONTACT, CONTACT_PHONE, LANGUAGE, NOTE = "AMLODIPINEQ7", "SONQ Liu", "13900007777", "SUZHOUQ", "NOTEQ ok"
SECRETS = (MEDICINE, CONTACT, CONTACT_PHONE, LANGUAGE, NOTE)


def make_world(community, coordinator) -> dict:
    people = {
        "coordinator": coordinator,
        "caller": factories.user(community, login="zhou", display_name="Auntie Zhou", building=2, unit="201",
                                 role="volunteer"),
        "second caller": factories.user(community, login="wu", display_name="Wu", building=2, unit="1503",
                                        role="volunteer"),
        "other volunteer": factories.user(community, login="he", display_name="Master He", building=0, unit="702",
                                          role="volunteer"),
        "resident": factories.user(community, login="lina", display_name="Li Na", unit="502"),
        "neighbour": factories.user(community, login="chen", display_name="Dr Chen", building=1, unit="1201"),
    }
    home = households.household_at(community.id, community.buildings[1].id, "101")
    liu = households.add_person(coordinator, home, name="Grandma Liu", contact="landline 6688 1234, or knock",
                                age_group="over_80")
    record = service.save_record(coordinator, home, service.RecordFields(
        reasons=[Reason.OVER_60_ALONE.value, Reason.CHRONIC_MEDICINE.value], medicines=MEDICINE, language=LANGUAGE,
        consent_by="she herself", cadence_days=3,
        callers=(people["caller"].id, people["second caller"].id),
        contacts=((CONTACT, "her son", CONTACT_PHONE),),
    ))
    db.session.commit()
    return {"people": people, "home": home, "liu": liu, "record": record}
