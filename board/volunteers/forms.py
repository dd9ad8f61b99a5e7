"""Forms of the volunteers: signing up, a team's name, planning shifts."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, IntegerField, SelectField, SelectMultipleField, StringField, TimeField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from board.cards.forms import strip


class CheckboxesField(SelectMultipleField):
    """Several choices as checkboxes (big enough to tap), values as ints."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()

    def pre_validate(self, form) -> None:
        """Values outside the choices are an error beside the field, never a 500."""
        known = {value for value, _ in self.choices or ()}
        if any(value not in known for value in self.data or ()):
            raise ValidationError(self.gettext("Not a valid choice."))


def _id(value) -> int:
    """An id as typed; junk ("abc", "1e9", "²") becomes 0, which is no choice, so the field says so."""
    text = str(value)
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 10 else 0


def _int_or_none(value):
    if value in (None, "", "None"):
        return None
    return _id(value)


class SignUpForm(FlaskForm):
    teams = CheckboxesField(_l("What would you like to help with?"), coerce=_id)
    buildings = CheckboxesField(_l("Which buildings can you cover?"), coerce=_id)
    availability = StringField(_l("When can you help?"), filters=[strip],
                               description=_l("For example: weekday evenings, Saturday mornings"),
                               validators=[Optional(), Length(max=300)])
    contact = StringField(_l("A phone number for the coordinators"), filters=[strip],
                          description=_l("Only coordinators see it."), validators=[Optional(), Length(max=120)])


class TeamForm(FlaskForm):
    name = StringField(_l("Team name"), filters=[strip],
                       validators=[DataRequired(_l("Please give the team a name.")), Length(max=60)])


class RenameTeamForm(FlaskForm):
    name = StringField(_l("New name"), filters=[strip], description=_l("Leave empty for the usual name."),
                       validators=[Optional(), Length(max=60)])


HOURS = _l("Between 1 and 12 hours, please.")


class ShiftForm(FlaskForm):
    """One shift, or a day in turns: from 06:00 to 21:00, each volunteer taking the next turn."""

    volunteers = CheckboxesField(_l("Volunteers (in turn, in this order)"), coerce=_id,
                                 validators=[DataRequired(_l("Please choose at least one volunteer."))])
    team = SelectField(_l("Team"), coerce=_int_or_none, validate_choice=True)
    day = DateField(_l("Day"), validators=[InputRequired(_l("Please choose the day."))])
    start = TimeField(_l("From"), default=None, validators=[InputRequired(_l("Please give a time, like 06:00."))])
    end = TimeField(_l("Until"), default=None, validators=[InputRequired(_l("Please give a time, like 21:00."))])
    turn_hours = IntegerField(_l("Hours a turn"), default=4, description=_l("Each volunteer takes one turn in order."),
                              validators=[InputRequired(HOURS), NumberRange(min=1, max=12, message=HOURS)])

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if valid and self.end.data <= self.start.data:
            self.end.errors.append(_l("The end comes after the start (a night shift: plan two days)."))
            return False
        return valid
