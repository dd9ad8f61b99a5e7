"""The errand form, and the small forms of the desk (assign, give back, problem, close, spent, settings)."""
from decimal import Decimal, InvalidOperation

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import DateTimeLocalField, IntegerField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError

from board.cards.labels import URGENCY_LABELS
from board.errands.labels import MODE_LABELS, OUTCOME_LABELS, PAYMENT_LABELS, TEAM_MESSAGE
from board.inputs import strip_invisible as strip
from board.models import Urgency

MAX_YUAN = Decimal("100000")


def yuan_to_fen(text: str | None) -> int | None:
    """"12.5" → 1250; None for nothing; ValueError for what is not an amount of money."""
    text = (text or "").strip().replace("¥", "").replace("￥", "").replace("元", "").strip()
    if not text:
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise ValueError(text) from None
    if not value.is_finite() or value < 0 or value > MAX_YUAN or value != value.quantize(Decimal("0.01")):
        raise ValueError(text)
    return int(value * 100)


class Yuan(StringField):
    """An amount in yuan, kept as fen."""

    def process_formdata(self, valuelist):
        super().process_formdata(valuelist)
        self.fen = None
        try:
            self.fen = yuan_to_fen(self.data)
        except ValueError:
            raise ValueError(_l("Please write an amount in yuan, for example 25 or 12.50.")) from None


def optional_id(value) -> int | None:
    """"" → None (nothing chosen); a number → that id; anything else → 0, which no row has (the form says so)."""
    if value in (None, ""):
        return None
    text = str(value).strip()
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 10 else 0


class ErrandForm(FlaskForm):
    person = SelectField(_l("For whom"), coerce=lambda v: int(v) if v not in (None, "") else None,
                         validators=[Optional()])
    title = StringField(_l("What is needed"), description=_l("For example: blood pressure tablets, 2 boxes"),
                        filters=[strip], validators=[DataRequired(_l("Please say in a few words what is needed.")),
                                                     Length(max=120)])
    details = TextAreaField(_l("Details"), filters=[strip], validators=[Optional(), Length(max=2000)])
    from_where = StringField(_l("From where"), description=_l("A pharmacy, the supermarket…"), filters=[strip],
                             validators=[Optional(), Length(max=120)])
    # The community's teams, in the reader's language (board.errands.views); a junk or another community's id is
    # refused by validate_team with the form's words, not WTForms' own.
    team = SelectField(_l("Which team should do this?"), coerce=optional_id, validate_choice=False,
                       description=_l("Optional. The desk asks that team's volunteers first."), validators=[Optional()])
    due_by = DateTimeLocalField(_l("By when"), format="%Y-%m-%dT%H:%M", validators=[Optional()])
    payment = RadioField(_l("How it is paid"), choices=list(PAYMENT_LABELS.items()), default="on_delivery")
    budget = Yuan(_l("Budget in yuan (optional)"), validators=[Optional(), Length(max=12)])
    urgency = RadioField(_l("Urgency"), choices=list(URGENCY_LABELS.items()), default=Urgency.NORMAL.value)

    def validate_team(self, field):
        if field.data is not None and str(field.data) not in {value for value, _label in field.choices if value}:
            raise ValidationError(TEAM_MESSAGE)


class AssignForm(FlaskForm):
    volunteer = IntegerField(validators=[DataRequired(), NumberRange(min=1, max=2**31 - 1)])


class GiveBackForm(FlaskForm):
    reason = StringField(_l("Why (optional)"), filters=[strip], validators=[Optional(), Length(max=200)])


class ProblemForm(FlaskForm):
    outcome = RadioField(_l("What happened"), choices=list(OUTCOME_LABELS.items()),
                         validators=[DataRequired(_l("Please choose what happened."))])
    note = StringField(_l("A short note (optional)"), filters=[strip], validators=[Optional(), Length(max=200)])


class CloseForm(FlaskForm):
    reason = StringField(_l("Reason"), filters=[strip],
                         validators=[DataRequired(_l("Please give a reason.")), Length(max=200)])


class CallForm(FlaskForm):
    note = StringField(_l("What the resident said"), filters=[strip],
                       validators=[DataRequired(_l("Please write a few words.")), Length(max=200)])


class SpentForm(FlaskForm):
    amount = Yuan(_l("What you spent, in yuan"), validators=[DataRequired(_l("Please write what you spent.")),
                                                              Length(max=12)])
    receipt = FileField(_l("Photo of the receipt (optional)"), render_kw={"accept": "image/*"},
                        description=_l("JPEG, PNG or WebP, up to 10 MB. Location and camera details are removed."))

    def validate_amount(self, field):
        if getattr(field, "fen", None) in (None, 0):
            raise ValidationError(_l("Please write what you spent, more than zero."))


class SettingsForm(FlaskForm):
    mode = RadioField(_l("How errands are dispatched"), choices=list(MODE_LABELS.items()))
    open_limit = IntegerField(_l("Open errands one volunteer may hold"),
                              validators=[DataRequired(), NumberRange(min=1, max=50, message=_l("Between 1 and 50, please."))])
