"""Account forms; every message is translated and shown beside its field."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, EqualTo, Length, Optional, Regexp

from board.inputs import strip_invisible

LOGIN_PATTERN = r"^[A-Za-z0-9._+\- ]+$"


def new_password(label) -> PasswordField:
    """A password being chosen: the same rules at registration and when changing it."""
    return PasswordField(
        label,
        validators=[
            DataRequired(_l("Please choose a password.")),
            Length(min=8, max=128, message=_l("At least 8 characters, please.")),
        ],
        render_kw={"autocomplete": "new-password"},
    )


def password_again(label) -> PasswordField:
    return PasswordField(
        label, validators=[EqualTo("password", message=_l("The two passwords differ."))],
        render_kw={"autocomplete": "new-password"},
    )


class InviteForm(FlaskForm):
    class Meta:
        csrf = False  # a GET form that only looks the code up

    code = StringField(_l("Invite code"), validators=[DataRequired(_l("Please enter the invite code."))])


class RegisterForm(FlaskForm):
    code = HiddenField()
    display_name = StringField(
        _l("Your name as neighbours will see it"),
        filters=[strip_invisible],
        validators=[DataRequired(_l("Please enter a name.")), Length(max=60)],
    )
    login = StringField(
        _l("Login name or phone number"),
        validators=[
            DataRequired(_l("Please choose a login name.")),
            Length(min=3, max=80, message=_l("Between 3 and 80 characters, please.")),
            Regexp(LOGIN_PATTERN, message=_l("Letters, digits, dots, dashes and + only.")),
        ],
        render_kw={"autocomplete": "username"},
    )
    password = new_password(_l("Password"))
    confirm = password_again(_l("Password again"))
    building = SelectField(_l("Building"), coerce=int, validate_choice=True)
    unit = StringField(
        _l("Unit / door number"),
        filters=[strip_invisible],
        description=_l("Shown only to the neighbour you are matched with, and to coordinators."),
        validators=[DataRequired(_l("Please enter your unit number.")), Length(max=20)],
    )


class LoginForm(FlaskForm):
    # autocomplete lets a phone's password manager fill the form: one tap instead of typing.
    login = StringField(_l("Login name or phone number"), validators=[DataRequired(_l("Please enter your login."))],
                        render_kw={"autocomplete": "username"})
    password = PasswordField(_l("Password"), validators=[DataRequired(_l("Please enter your password."))],
                             render_kw={"autocomplete": "current-password"})
    remember = BooleanField(_l("Keep me logged in on this phone"))
    next = HiddenField()


class ProfileForm(FlaskForm):
    display_name = StringField(
        _l("Your name as neighbours will see it"),
        filters=[strip_invisible],
        validators=[DataRequired(_l("Please enter a name.")), Length(max=60)],
    )
    building = SelectField(_l("Building"), coerce=int, validate_choice=True)
    unit = StringField(
        _l("Unit / door number"),
        filters=[strip_invisible],
        description=_l("Shown only to the neighbour you are matched with, and to coordinators."),
        validators=[DataRequired(_l("Please enter your unit number.")), Length(max=20)],
    )
    locale = SelectField(
        _l("Language"),
        choices=[("", _l("As my phone is set")), ("en", "English"), ("zh_CN", "中文")],
        validators=[Optional()],
    )


class PasswordForm(FlaskForm):
    current = PasswordField(_l("Current password"), validators=[DataRequired(_l("Please enter your current password."))],
                            render_kw={"autocomplete": "current-password"})
    password = new_password(_l("New password"))
    confirm = password_again(_l("New password again"))
