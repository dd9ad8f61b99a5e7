"""Household, person, members' roles and the phone-intake form."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, Form, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from board.cards.forms import strip
from board.cards.labels import CATEGORY_LABELS, URGENCY_LABELS
from board.households.labels import AGE_LABELS, INTAKE_LABELS
from board.models import Category, Intake, Urgency


def optional_int(value):
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


class PersonFields:
    """A person's fields, the same wherever someone is recorded."""

    name = StringField(_l("Name"), filters=[strip], description=_l("As neighbours call them: 刘奶奶, Grandma Liu"),
                       validators=[DataRequired(_l("Please give a name.")), Length(max=60)])
    contact = StringField(
        _l("How to reach them"), filters=[strip],
        description=_l("A phone number, \u201cthrough the neighbour in 502\u201d, \u201cknock\u201d"),
        validators=[Optional(), Length(max=120)],
    )
    age_group = SelectField(_l("Age group"), choices=[("", _l("Not said")), *AGE_LABELS.items()],
                            validators=[Optional()])
    language = StringField(_l("Language or dialect"), filters=[strip], description=_l("For example: Shanghainese"),
                           validators=[Optional(), Length(max=40)])


class PersonForm(PersonFields, FlaskForm):
    pass


class HouseholdForm(FlaskForm):
    building = SelectField(_l("Building"), coerce=optional_int, validate_choice=True)
    unit = StringField(_l("Unit"), filters=[strip],
                       validators=[DataRequired(_l("Please enter the unit number.")), Length(max=20)])


class SearchForm(Form):
    q = StringField(_l("Search"), validators=[Optional(), Length(max=100)])


class IntakeForm(PersonFields, FlaskForm):
    """A phone call taken for someone without a phone: for whom, what they need, how to reach them."""

    person = SelectField(_l("For whom"), coerce=optional_int, validate_choice=True)
    building = SelectField(_l("Building"), coerce=optional_int, validate_choice=True)
    unit = StringField(_l("Unit"), filters=[strip], validators=[Optional(), Length(max=20)])
    intake = RadioField(_l("How did the request come in?"), choices=list(INTAKE_LABELS.items()),
                        default=Intake.PHONE.value)
    caller = StringField(_l("Who called"), filters=[strip],
                         description=_l("Leave empty if it was the person themselves; or: her son, the neighbour in 502"),
                         validators=[Optional(), Length(max=120)])
    title = StringField(_l("What is needed"), filters=[strip],
                        description=_l("For example: fever medicine, a bag of rice"),
                        validators=[DataRequired(_l("Please say in a few words what it is.")), Length(max=120)])
    details = TextAreaField(_l("Details"), filters=[strip], validators=[Optional(), Length(max=2000)])
    category = SelectField(_l("Category"), choices=list(CATEGORY_LABELS.items()), default=Category.MEDICINE.value)
    urgency = RadioField(_l("Urgency"), choices=list(URGENCY_LABELS.items()), default=Urgency.NORMAL.value)
    for_elderly = BooleanField(_l("For an elderly person"), default=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # A new person's name is asked only when no one known is chosen.
        self.name.validators = [Optional(), Length(max=60)]

    def validate_name(self, field):
        if self.person.data is None and not field.data:
            raise ValidationError(_l("Please choose someone, or give the name of the person it is for."))

    def validate_unit(self, field):
        if self.person.data is None and not field.data:
            raise ValidationError(_l("Please enter the unit number."))

    def validate_building(self, field):
        if self.person.data is None and field.data is None:
            raise ValidationError(_l("Please choose the building."))
