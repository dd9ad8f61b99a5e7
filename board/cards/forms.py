"""The card form and the board's filter form."""
from datetime import date

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, DateField, Form, IntegerField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from board.inputs import NotFarAhead, strip_invisible
from board.cards.labels import CATEGORY_LABELS, KIND_LABELS, TAG_LABELS, URGENCY_LABELS
from board.models import CardKind, Category, Urgency

# Spaces and invisible marks typed around a title are not part of it ("   " or "\u200b" is no title at all).
strip = strip_invisible

TOO_FAR_AHEAD = _l("That date is too far ahead. Please check the date printed on the box.")


class CardForm(FlaskForm):
    kind = RadioField(_l("This is"), choices=list(KIND_LABELS.items()), default=CardKind.NEED.value)
    category = SelectField(_l("Category"), choices=list(CATEGORY_LABELS.items()))
    title = StringField(
        _l("Title"),
        description=_l("For example: fever medicine a pregnant woman can take"),
        filters=[strip],
        validators=[DataRequired(_l("Please say in a few words what it is.")), Length(max=120)],
    )
    details = TextAreaField(_l("Details"), filters=[strip], validators=[Optional(), Length(max=2000)])
    quantity = IntegerField(
        _l("How many"),
        validators=[Optional(), NumberRange(min=1, max=9999, message=_l("Between 1 and 9999, please."))],
    )
    unit = StringField(
        _l("Unit"), description=_l("boxes, bags, kg…"), filters=[strip], validators=[Optional(), Length(max=20)]
    )
    urgency = RadioField(_l("Urgency"), choices=list(URGENCY_LABELS.items()), default=Urgency.NORMAL.value)
    for_pregnant = BooleanField(TAG_LABELS["for_pregnant"])
    for_child = BooleanField(TAG_LABELS["for_child"])
    for_elderly = BooleanField(TAG_LABELS["for_elderly"])
    sealed = BooleanField(TAG_LABELS["sealed"])
    medicine_expires_on = DateField(
        _l("Medicine expiry date"),
        description=_l("Required when offering medicine."),
        validators=[Optional(), NotFarAhead(TOO_FAR_AHEAD)],
    )
    first_come = RadioField(
        _l("When neighbours ask for your offer"),
        choices=[("1", _l("First come, first served: accept asks at once")), ("0", _l("Let me choose among the askers"))],
        coerce=lambda v: v if isinstance(v, bool) else v in ("1", "True", "true"),
        default="1",
    )
    days_up = IntegerField(
        _l("Days on the board"),
        description=_l("Needs stay 3 days and offers 7 unless you choose."),
        validators=[Optional(), NumberRange(min=1, max=30, message=_l("Between 1 and 30 days, please."))],
    )

    def validate(self, extra_validators=None) -> bool:
        """Field rules, then the rule across fields: offered medicine needs an expiry date, not past."""
        valid = super().validate(extra_validators)
        field = self.medicine_expires_on
        if field.errors:
            return False
        offering_medicine = self.kind.data == CardKind.OFFER.value and self.category.data == Category.MEDICINE.value
        if offering_medicine and field.data is None:
            field.errors.append(_l("Please give the expiry date printed on the box."))
        elif field.data is not None and field.data < date.today():
            field.errors.append(_l("This medicine has expired; it cannot be offered."))
        return valid and not field.errors


class FilterForm(Form):
    """The board's filters, read from the query string so that a filtered board can be bookmarked."""

    kind = SelectField(_l("Needs or offers"), choices=[("", _l("Needs and offers")), ("need", _l("Needs")), ("offer", _l("Offers"))], validators=[Optional()])
    category = SelectField(_l("Category"), choices=[("", _l("All categories")), *CATEGORY_LABELS.items()], validators=[Optional()])
    building = SelectField(_l("Building"), coerce=lambda v: int(v) if v else None, validators=[Optional()])
    urgent = BooleanField(_l("Urgent only"))
    q = StringField(_l("Search"), validators=[Optional(), Length(max=100)])


class LeaveAtDoorForm(FlaskForm):
    note = StringField(
        _l("A short note"),
        description=_l("For example: white bag on the handle of 502"),
        filters=[strip],
        validators=[Optional(), Length(max=200)],
    )
    photo = FileField(
        _l("Photo of the doorstep (optional)"),
        render_kw={"accept": "image/*"},  # phones offer the camera as well as the gallery
        description=_l("JPEG, PNG or WebP, up to 10 MB. Location and camera details are removed."),
    )


class ThanksForm(FlaskForm):
    thanks = StringField(
        _l("Say thank you"),
        filters=[strip],
        validators=[DataRequired(_l("Please write a few words.")), Length(max=300)],
    )
