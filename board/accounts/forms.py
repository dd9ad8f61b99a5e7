"""Confirming an erasure: the password again, so a phone left unlocked cannot delete an account."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import PasswordField
from wtforms.validators import DataRequired


class ConfirmForm(FlaskForm):
    password = PasswordField(_l("Your password, to confirm"),
                             validators=[DataRequired(_l("Please enter your password."))],
                             render_kw={"autocomplete": "current-password"})
