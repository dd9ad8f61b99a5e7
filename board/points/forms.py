"""Forms of points: the rules, the pool, a correction, a merchant's gift, the counter."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField, StringField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from board.cards.forms import strip
from board.points.labels import RULE_LABELS

def _number(name: str, low: int, high: int) -> IntegerField:
    message = _l("A whole number between %(low)s and %(high)s, please.", low=low, high=high)
    return IntegerField(RULE_LABELS[name], validators=[InputRequired(message), NumberRange(low, high, message)])


class RulesForm(FlaskForm):
    need_met = _number("need_met", 0, 1000)
    offer_given = _number("offer_given", 0, 1000)
    errand_completed = _number("errand_completed", 0, 1000)
    check_in = _number("check_in", 0, 1000)
    daily_cap = _number("daily_cap", 0, 10000)
    burst_count = _number("burst_count", 1, 100)
    code_days = _number("code_days", 1, 90)


POOL_AMOUNT = _l("Between 1 and 100000 points, please.")


class FundForm(FlaskForm):
    amount = IntegerField(_l("Points to add to the pool"),
                          validators=[InputRequired(POOL_AMOUNT), NumberRange(1, 100_000, POOL_AMOUNT)])
    note = StringField(_l("Note (who gave the budget)"), filters=[strip], validators=[Optional(), Length(max=200)])


class ReverseForm(FlaskForm):
    note = StringField(_l("Why"), filters=[strip],
                       validators=[DataRequired(_l("Please say why these points are taken back.")), Length(max=200)])


PRICE = _l("Between 1 and 100000 points, please.")
STOCK = _l("Between 0 and 9999, please.")


class GiftForm(FlaskForm):
    name = StringField(_l("What is it?"), filters=[strip], description=_l("For example: a case of bottled water"),
                       validators=[DataRequired(_l("Please say what the gift is.")), Length(max=120)])
    details = StringField(_l("Details"), filters=[strip], description=_l("Where to collect it, opening hours"),
                          validators=[Optional(), Length(max=300)])
    price = IntegerField(_l("Price in points"), validators=[InputRequired(PRICE), NumberRange(1, 100_000, PRICE)])
    stock = IntegerField(_l("How many you give"), validators=[InputRequired(STOCK), NumberRange(0, 9999, STOCK)])


class GiftChangeForm(FlaskForm):
    price = IntegerField(_l("Price in points"), validators=[InputRequired(PRICE), NumberRange(1, 100_000, PRICE)])
    stock = IntegerField(_l("How many are left"), validators=[InputRequired(STOCK), NumberRange(0, 9999, STOCK)])
    active = BooleanField(_l("Offered for points"))


class CodeForm(FlaskForm):
    class Meta:
        csrf = False  # a GET form: looking a code up changes nothing

    code = StringField(_l("Code"), filters=[strip], description=_l("Eight letters and digits, e.g. ABCD-2345"),
                       validators=[DataRequired(_l("Please type the code.")), Length(max=40)])
