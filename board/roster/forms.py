"""The care record, the call log and the care note forms."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, HiddenField, IntegerField, RadioField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from board.cards.forms import TOO_FAR_AHEAD, strip
from board.cards.labels import CATEGORY_LABELS, URGENCY_LABELS
from board.inputs import NotFarAhead
from board.roster.labels import OUTCOME_LABELS, REASON_LABELS, WELLBEING_LABELS
from board.roster.schedule import parse_hhmm

CONTACT_ROWS = 3


class Checkboxes(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def clock(form, field):
    if parse_hhmm(field.data or "") is None:
        raise ValidationError(_l("Please write the time as 21:00."))


def optional_id(value):
    try:
        return int(value) if value not in (None, "") and str(value).isascii() and str(value).isdigit() else None
    except ValueError:
        return None


class RecordForm(FlaskForm):
    """Why the household needs care, how to reach it, who agreed; its schedule and callers."""

    reasons = Checkboxes(_l("Why they need care"), choices=list(REASON_LABELS.items()))
    isolating_until = DateField(_l("Isolating until"), validators=[Optional(), NotFarAhead(TOO_FAR_AHEAD)])
    medicines = StringField(_l("Chronic medicine, by name"), filters=[strip],
                            description=_l("For example: amlodipine 5 mg, metformin"),
                            validators=[Optional(), Length(max=300)])
    language = StringField(_l("Language or dialect"), filters=[strip], description=_l("For example: Shanghainese"),
                           validators=[Optional(), Length(max=60)])
    consent_by = StringField(_l("Who agreed to these calls"), filters=[strip],
                             description=_l("For example: she herself, on the phone; her son"),
                             validators=[DataRequired(_l("Please record who agreed.")), Length(max=120)])
    cadence_days = IntegerField(_l("Call every … days"), default=3,
                                validators=[InputRequired(_l("Please give a number of days from 1 to 60.")),
                                            NumberRange(min=1, max=60,
                                                        message=_l("Please give a number of days from 1 to 60."))])
    quiet_from = StringField(_l("Quiet hours from"), default="21:00", filters=[strip], validators=[clock])
    quiet_to = StringField(_l("Quiet hours until"), default="08:00", filters=[strip], validators=[clock])
    first_caller = SelectField(_l("First caller"), coerce=optional_id, validate_choice=False)
    second_caller = SelectField(_l("Second caller"), coerce=optional_id, validate_choice=False)
    contact_name_1 = StringField(_l("Contact 1: name"), filters=[strip], validators=[Optional(), Length(max=60)])
    contact_relation_1 = StringField(_l("Contact 1: who they are"), filters=[strip],
                                     description=_l("For example: her son, in Hangzhou"),
                                     validators=[Optional(), Length(max=60)])
    contact_phone_1 = StringField(_l("Contact 1: phone"), filters=[strip], validators=[Optional(), Length(max=40)])
    contact_name_2 = StringField(_l("Contact 2: name"), filters=[strip], validators=[Optional(), Length(max=60)])
    contact_relation_2 = StringField(_l("Contact 2: who they are"), filters=[strip],
                                     validators=[Optional(), Length(max=60)])
    contact_phone_2 = StringField(_l("Contact 2: phone"), filters=[strip], validators=[Optional(), Length(max=40)])
    contact_name_3 = StringField(_l("Contact 3: name"), filters=[strip], validators=[Optional(), Length(max=60)])
    contact_relation_3 = StringField(_l("Contact 3: who they are"), filters=[strip],
                                     validators=[Optional(), Length(max=60)])
    contact_phone_3 = StringField(_l("Contact 3: phone"), filters=[strip], validators=[Optional(), Length(max=40)])

    def validate_reasons(self, field):
        if not field.data:
            raise ValidationError(_l("Please choose at least one reason."))

    def validate_isolating_until(self, field):
        if "isolating" in (self.reasons.data or []) and field.data is None:
            raise ValidationError(_l("Please give the date the isolation ends."))

    def contacts(self) -> tuple[tuple[str, str, str], ...]:
        rows = []
        for n in range(1, CONTACT_ROWS + 1):
            name = getattr(self, f"contact_name_{n}").data or ""
            if name.strip():
                rows.append((name, getattr(self, f"contact_relation_{n}").data or "",
                             getattr(self, f"contact_phone_{n}").data or ""))
        return tuple(rows)


class CallForm(FlaskForm):
    """Logging a call in seconds: how it went, how they are, what they need."""

    outcome = RadioField(_l("The call"), choices=list(OUTCOME_LABELS.items()),
                         validators=[InputRequired(_l("Please choose how the call went."))])
    wellbeing = RadioField(_l("How are they?"), choices=list(WELLBEING_LABELS.items()), validators=[Optional()])
    note = TextAreaField(_l("Note"), filters=[strip], validators=[Optional(), Length(max=1000)])
    needs_title = StringField(_l("In a few words"), filters=[strip],
                              description=_l("Leave empty if they need nothing. It goes out when you save."),
                              validators=[Optional(), Length(max=120)])
    needs_details = TextAreaField(_l("Details for the helper"), filters=[strip], validators=[Optional(), Length(max=1000)])
    needs_category = SelectField(_l("Category"), choices=list(CATEGORY_LABELS.items()), default="medicine")
    needs_urgency = SelectField(_l("Urgency"), choices=list(URGENCY_LABELS.items()), default="normal")
    needs_route = RadioField(_l("Send it as"), default="errand", validators=[Optional()],
                             choices=[("errand", _l("An errand for the volunteers' desk")),
                                      ("board", _l("A need on the board, posted for them"))])

    def validate(self, extra_validators=None) -> bool:
        """Field rules, then: reaching them (or visiting) says how they are."""
        valid = super().validate(extra_validators)
        if self.outcome.data in ("reached", "visited") and not self.wellbeing.data and not self.wellbeing.errors:
            self.wellbeing.errors = [*self.wellbeing.errors, _l("Please say how they are.")]
            return False
        return valid


class NoteForm(FlaskForm):
    text = TextAreaField(_l("Care note"), filters=[strip],
                         validators=[DataRequired(_l("Please write the note.")), Length(max=1000)])
    corrects = HiddenField(filters=[optional_id])


class NewRecordForm(FlaskForm):
    household = SelectField(_l("Household"), coerce=optional_id, validate_choice=False,
                            validators=[InputRequired(_l("Please choose a household."))])


MINUTES = _l("Please give a number of minutes from 5 to 1440.")


class SettingsForm(FlaskForm):
    """The roster's times for the whole community."""

    timezone = StringField(_l("Time zone"), filters=[strip], default="Asia/Shanghai",
                           description=_l("For example: Asia/Shanghai"), validators=[DataRequired(), Length(max=60)])
    lock_minutes = IntegerField(_l("A caller holds a household for (minutes)"), default=30,
                                validators=[InputRequired(MINUTES), NumberRange(min=5, max=1440, message=MINUTES)])
    retry_minutes = IntegerField(_l("No answer: try again after (minutes)"), default=120,
                                 validators=[InputRequired(MINUTES), NumberRange(min=5, max=1440, message=MINUTES)])
    step_minutes = IntegerField(_l("Then each next step after (minutes)"), default=60,
                                validators=[InputRequired(MINUTES), NumberRange(min=5, max=1440, message=MINUTES)])

    def validate_timezone(self, field):
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(field.data or "")
        except (ZoneInfoNotFoundError, ValueError):
            raise ValidationError(_l("Please give a time zone such as Asia/Shanghai.")) from None
