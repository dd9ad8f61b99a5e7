"""My data: the export, deleting my account, a coordinator erasing a person. Views parse, call the service, render."""
from flask import Blueprint, Response, flash, redirect, render_template, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, logout_user

from board import policy
from board.accounts import service
from board.accounts.forms import ConfirmForm
from board.auth.service import check_password
from board.cards.privacy import mark_private
from board.errors import Forbidden
from board.households import service as households

bp = Blueprint("accounts", __name__)


def require(allowed: bool) -> None:
    if not allowed:
        raise Forbidden()


def password_confirms(form: ConfirmForm, user) -> bool:
    """The form is filled and the password is the actor's own; else the error sits beside the field."""
    if not form.validate_on_submit():
        return False
    if not check_password(user, form.password.data):
        form.password.errors.append(_("That is not your current password."))
        return False
    return True


@bp.get("/me/data")
@login_required
def data():
    """My data: what the board holds about me, the download, and deleting my account."""
    mark_private()
    return render_template("accounts/data.html")


@bp.get("/me/data/export.zip")
@login_required
def export():
    """Everything the board holds about me, as a zip (no cache keeps it)."""
    user = current_user._get_current_object()
    require(policy.may_export_data(current_user, user))
    mark_private()
    response = Response(service.export_zip(user), mimetype="application/zip")
    response.headers["Content-Disposition"] = f'attachment; filename="{service.export_filename(user)}"'
    return response


@bp.route("/me/delete", methods=["GET", "POST"])
@login_required
def delete():
    """Delete my account, with my password as proof; the page says what is kept and why."""
    user = current_user._get_current_object()
    require(policy.may_erase_account(current_user, user))
    mark_private()
    form = ConfirmForm()
    if password_confirms(form, user):
        lang = user.locale or session.get("lang")
        service.erase(user, password=form.password.data)
        session.clear()
        logout_user()
        if lang:
            session["lang"] = lang
        flash(_("Your account is deleted. Your neighbours' history keeps your part as “a former resident”."),
              "success")
        return redirect(url_for("auth.login"))
    return render_template("accounts/delete.html", form=form)


@bp.route("/people/<int:person_id>/erase", methods=["GET", "POST"])
@login_required
def erase_person(person_id: int):
    """A coordinator erases someone without a login (their name and how to reach them)."""
    person = households.person_for(current_user, person_id)
    require(policy.may_erase_person(current_user, person))
    mark_private()
    form = ConfirmForm()
    if password_confirms(form, current_user):
        household_id = person.household_id
        service.erase_person(current_user, person, password=form.password.data)
        flash(_("Erased. Their cards stay in the history as “a former resident”."), "success")
        return redirect(url_for("households.detail", household_id=household_id))
    return render_template("accounts/erase_person.html", form=form, person=person)
