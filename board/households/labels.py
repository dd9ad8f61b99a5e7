"""Words for household fields, translated once."""
from flask_babel import lazy_gettext as _l

from board.models import AgeGroup, Intake, Role

AGE_LABELS = {
    AgeGroup.CHILD.value: _l("Child"),
    AgeGroup.ADULT.value: _l("Adult"),
    AgeGroup.OVER_60.value: _l("Over 60"),
    AgeGroup.OVER_80.value: _l("Over 80"),
}

INTAKE_LABELS = {
    Intake.PHONE.value: _l("Phone call"),
    Intake.IN_PERSON.value: _l("In person"),
    Intake.NEIGHBOUR.value: _l("Through a neighbour"),
}

ROLE_LABELS = {
    Role.RESIDENT.value: _l("Resident"),
    Role.VOLUNTEER.value: _l("Volunteer"),
    Role.COORDINATOR.value: _l("Coordinator"),
    Role.MODERATOR.value: _l("Moderator"),
    Role.MERCHANT.value: _l("Merchant"),
}
