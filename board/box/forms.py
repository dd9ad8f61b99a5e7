"""Forms of the shelves: stock an item, give, take, ask for delivery, check in, correct."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, Form, IntegerField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from board.box.labels import ITEM_CATEGORY_LABELS, REJECT_LABELS
from board.box.service import local_today
from board.cards.forms import TOO_FAR_AHEAD, strip
from board.cards.labels import TAG_LABELS, URGENCY_LABELS
from board.inputs import NotFarAhead
from board.models import Category, Urgency

HOW_MANY = _l("Between 1 and 999, please.")


class ShelfForm(FlaskForm):
    name = StringField(_l("Name"), filters=[strip], description=_l("For example: Medicine box — property office"),
                       validators=[DataRequired(_l("Please give the shelf a name.")), Length(max=120)])
    location = StringField(_l("Where it is"), filters=[strip], validators=[Optional(), Length(max=120)])


class KeeperForm(FlaskForm):
    user = SelectField(_l("Resident"), coerce=lambda v: int(v) if v else None,
                       validators=[InputRequired(_l("Please choose a resident."))])


class ThingForm(FlaskForm):
    """What an item or a gift is: the same fields and the same rule about medicine."""

    name = StringField(_l("What is it?"), filters=[strip], description=_l("For example: ibuprofen 0.3 g × 24 capsules"),
                       validators=[DataRequired(_l("Please say what it is.")), Length(max=120)])
    category = SelectField(_l("Category"), choices=list(ITEM_CATEGORY_LABELS.items()))
    quantity = IntegerField(_l("How many"), default=1,
                            validators=[InputRequired(HOW_MANY), NumberRange(min=1, max=999, message=HOW_MANY)])
    unit = StringField(_l("Unit"), filters=[strip], description=_l("boxes, bags, kg…"),
                       validators=[Optional(), Length(max=20)])
    for_pregnant = BooleanField(TAG_LABELS["for_pregnant"])
    for_child = BooleanField(TAG_LABELS["for_child"])
    sealed = BooleanField(TAG_LABELS["sealed"])
    expires_on = DateField(_l("Expiry date"), description=_l("Required for medicine."),
                           validators=[Optional(), NotFarAhead(TOO_FAR_AHEAD)])

    def validate(self, extra_validators=None) -> bool:
        """Field rules, then: medicine needs its expiry date, and nothing expired goes on a shelf."""
        valid = super().validate(extra_validators)
        field = self.expires_on
        if field.errors:
            return False
        if self.category.data == Category.MEDICINE.value and field.data is None:
            field.errors.append(_l("Please give the expiry date printed on the box."))
        elif field.data is not None and field.data < local_today():
            field.errors.append(_l("This has expired; it cannot go on the shelf."))
        return valid and not field.errors


class ItemForm(ThingForm):
    """A keeper stocks a new item (a purchased batch)."""

    quantity = IntegerField(_l("How many"), default=1,
                            validators=[InputRequired(HOW_MANY), NumberRange(min=0, max=9999, message=HOW_MANY)])
    location = StringField(_l("Where on the shelf"), filters=[strip], validators=[Optional(), Length(max=120)])
    daily_limit = IntegerField(_l("Limit per household per day"), description=_l("Leave empty for no limit."),
                               validators=[Optional(), NumberRange(min=1, max=999, message=HOW_MANY)])
    low_at = IntegerField(_l("Mark as running low at"), default=2,
                          validators=[Optional(), NumberRange(min=0, max=999, message=HOW_MANY)])
    note = StringField(_l("Note for the register"), filters=[strip],
                       description=_l("For example: bought by the owners' committee"),
                       validators=[Optional(), Length(max=200)])


class GiftForm(ThingForm):
    """A resident gives something to a shelf."""

    note = TextAreaField(_l("Anything the keepers should know"), filters=[strip],
                         validators=[Optional(), Length(max=500)])


class TakeForm(FlaskForm):
    quantity = IntegerField(_l("How many"), default=1,
                            validators=[InputRequired(HOW_MANY), NumberRange(min=1, max=999, message=HOW_MANY)])


class DeliveryForm(FlaskForm):
    # Shown to volunteers and coordinators only: "" is for myself, else someone without a phone.
    for_person = SelectField(_l("For whom"), coerce=lambda v: int(v) if str(v).isdigit() else None,
                             validate_choice=True, validators=[Optional()])
    quantity = IntegerField(_l("How many"), default=1,
                            validators=[InputRequired(HOW_MANY), NumberRange(min=1, max=999, message=HOW_MANY)])
    urgency = RadioField(_l("Urgency"), choices=list(URGENCY_LABELS.items()), default=Urgency.NORMAL.value)
    note = TextAreaField(_l("Note for the neighbour who brings it"), filters=[strip],
                         description=_l("For example: I am isolating; please hang it on the door handle."),
                         validators=[Optional(), Length(max=500)])


class StockForm(FlaskForm):
    quantity = IntegerField(_l("How many more"), default=1,
                            validators=[InputRequired(HOW_MANY), NumberRange(min=1, max=9999, message=HOW_MANY)])
    note = StringField(_l("Note for the register"), filters=[strip], validators=[Optional(), Length(max=200)])


class CorrectionForm(FlaskForm):
    counted = IntegerField(_l("Counted on the shelf"),
                           validators=[InputRequired(HOW_MANY), NumberRange(min=0, max=9999, message=HOW_MANY)])
    note = StringField(_l("Why the count is different"), filters=[strip],
                       validators=[DataRequired(_l("Please say why the count changed.")), Length(max=200)])


class ItemSettingsForm(FlaskForm):
    """What keepers may change on an item without touching its stock."""

    daily_limit = IntegerField(_l("Limit per household per day"), description=_l("Leave empty for no limit."),
                               validators=[Optional(), NumberRange(min=1, max=999, message=HOW_MANY)])
    low_at = IntegerField(_l("Mark as running low at"),
                          validators=[InputRequired(HOW_MANY), NumberRange(min=0, max=999, message=HOW_MANY)])
    location = StringField(_l("Where on the shelf"), filters=[strip], validators=[Optional(), Length(max=120)])


class RejectForm(FlaskForm):
    reason = RadioField(_l("Reason"), choices=list(REJECT_LABELS.items()),
                        validators=[InputRequired(_l("Please choose a reason."))])
    note = StringField(_l("Note for the giver"), filters=[strip], validators=[Optional(), Length(max=200)])


class SearchForm(Form):
    q = StringField(_l("Search"), filters=[strip], validators=[Optional(), Length(max=100)])
