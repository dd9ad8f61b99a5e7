"""Account pages. Views parse the form, call the service, render."""
from flask import Blueprint, abort, current_app, flash, g, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_limiter.util import get_remote_address
from flask_login import current_user, login_required, logout_user

from board import policy
from board.auth import service, sessions
from board.cards import privacy
from board.auth.forms import InviteForm, LoginForm, PasswordForm, ProfileForm, RegisterForm
from board.extensions import db, limiter, login_manager
from board.households.labels import ROLE_LABELS
from board.i18n import local
from board.inputs import safe_next
from board.models import Role

bp = Blueprint("auth", __name__)

login_manager.login_view = "auth.login"
login_manager.login_message = None  # the login page already says why
# "basic", not "strong": strong ends the session and forgets "remember me" whenever the address
# changes, which on a phone is every switch between home Wi-Fi and mobile data.
login_manager.session_protection = "basic"


def building_choices(community):
    return [(b.id, local(b.name)) for b in community.buildings]


@bp.route("/register", methods=["GET", "POST"])
# Only wrong codes count: the invite code is what keeps strangers off the board, so no guessing at speed.
@limiter.limit(
    lambda: current_app.config["INVITE_RATE_LIMIT"], key_func=get_remote_address,
    deduct_when=lambda _response: g.get("wrong_invite_code", False),
)
# Each filled-in registration counts: whoever has the lobby's invite code cannot try login after login.
@limiter.limit(
    lambda: current_app.config["REGISTER_RATE_LIMIT"], key_func=get_remote_address, scope="register-address",
    methods=["POST"], deduct_when=lambda _response: g.get("registration_tried", False),
)
def register():
    """Join a community: first its invite code, then your details."""
    if current_user.is_authenticated:
        return redirect(url_for("cards.board"))
    code = request.values.get("code", "")
    community = service.community_by_invite(code)
    if community is None:
        invite = InviteForm(request.args, meta={"csrf": False})
        if code:
            g.wrong_invite_code = True
            invite.code.errors = [_("That invite code is not known. Please check it with your coordinator.")]
        return render_template("auth/invite.html", form=invite)
    form = RegisterForm(code=community.invite_code)
    form.building.choices = building_choices(community)
    g.registration_tried = request.method == "POST"
    if form.validate_on_submit():
        building = next(b for b in community.buildings if b.id == form.building.data)
        try:
            # Never "that login is taken": a login may be shared, the password tells the accounts apart, and
            # this login and password already having an account logs its owner in (the same answer).
            user, _created = service.register_or_log_in(
                display_name=form.display_name.data,
                login=form.login.data,
                password=form.password.data,
                community=community,
                building=building,
                unit=form.unit.data,
                locale=session.get("lang"),
            )
        except service.LoginFull:
            form.login.errors.append(_("Please choose another login name, or ask your coordinator to add you."))
        else:
            lang = session.get("lang")
            session.clear()
            if lang:
                session["lang"] = lang
            sessions.start(user)
            flash(_("Welcome to %(name)s, %(who)s!", name=community.name, who=user.display_name), "success")
            return redirect(url_for("cards.board"))
    return render_template("auth/register.html", form=form, community=community)


def login_rate_key() -> str:
    """Limit guesses per address and login name, so one busy lobby Wi-Fi does not lock out everyone."""
    # The account's own spelling, so that "+86 138-…" and "+86138…" count as the same login.
    return f"{get_remote_address()}|{service.normalise_login(request.form.get('login') or '')}"


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT"], key_func=login_rate_key, methods=["POST"])
# And per address across every login name: one password tried on many accounts is guessing too. Only
# failures count, so a lobby Wi-Fi where the whole building logs in is not locked out.
@limiter.limit(
    lambda: current_app.config["LOGIN_ADDRESS_RATE_LIMIT"], key_func=get_remote_address, scope="login-address",
    methods=["POST"], deduct_when=lambda _response: g.get("login_failed", False),
)
def login():
    """Log in with login name or phone number."""
    if current_user.is_authenticated:
        return redirect(url_for("cards.board"))
    form = LoginForm(next=request.args.get("next", ""))
    if form.validate_on_submit():
        back = safe_next(form.next.data)  # read before the session is written: a bad one is ignored
        user = service.authenticate(form.login.data, form.password.data)
        if user is None:
            g.login_failed = True
            form.password.errors.append(_("That login and password do not match."))
        else:
            lang = session.get("lang")
            session.clear()  # a fresh session at login: nothing planted before it survives
            if lang:
                session["lang"] = lang
            sessions.start(user, remember=form.remember.data)
            return redirect(back or url_for("cards.board"))
    return render_template("auth/login.html", form=form)


@bp.post("/logout")
@login_required
def logout():
    """Log out (a POST, so that no link or image can log a resident out)."""
    lang = current_user.locale or session.get("lang")
    sessions.end(current_user)
    session.clear()
    logout_user()  # after clear(): it leaves the flag that makes Flask-Login delete the remember cookie
    if lang:
        session["lang"] = lang  # the login page stays in the language the phone was just showing
    return redirect(url_for("auth.login"))


@bp.route("/profile", methods=["GET", "POST"])
@login_required
def profile():
    """Edit name, home and language."""
    membership = current_user.membership
    if membership is None:
        abort(404)
    form = ProfileForm(
        obj=current_user,
        data=None if request.method == "POST" else {
            "building": membership.building_id,
            "unit": membership.unit,
            "locale": current_user.locale or "",
        },
    )
    form.building.choices = building_choices(membership.community)
    if form.validate_on_submit():
        service.update_profile(current_user, display_name=form.display_name.data, locale=form.locale.data or None,
                               building=next(b for b in membership.community.buildings if b.id == form.building.data),
                               unit=form.unit.data)
        flash(_("Your profile is saved."), "success")
        return redirect(url_for("auth.profile"))
    privacy.mark_private()  # the page shows the resident's own unit: no cache may keep it
    role_names = [ROLE_LABELS[r] for r in sorted(membership.roles) if r != Role.RESIDENT.value]
    return render_template("auth/profile.html", form=form, membership=membership, role_names=role_names)


@bp.route("/password", methods=["GET", "POST"])
@login_required
def password():
    """Change password, with the current one as proof."""
    form = PasswordForm()
    if form.validate_on_submit():
        if not service.check_password(current_user, form.current.data):
            form.current.errors.append(_("That is not your current password."))
        else:
            remember = request.cookies.get(current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token"))
            user = current_user._get_current_object()
            service.change_password(user, form.password.data)
            sessions.start(user, remember=remember is not None)  # this phone stays logged in; every other one is out
            flash(_("Your password is changed."), "success")
            return redirect(url_for("auth.profile"))
    return render_template("auth/password.html", form=form)


@bp.post("/profile/logout-everywhere")
@login_required
def logout_everywhere():
    """End every session of this resident: a lost phone, a shared computer, a copied cookie."""
    lang = current_user.locale or session.get("lang")
    sessions.end_all(current_user._get_current_object())
    session.clear()
    logout_user()
    if lang:
        session["lang"] = lang
    flash(_("You are logged out on every phone and computer."), "success")
    return redirect(url_for("auth.login"))


@bp.post("/language")
def language():
    """Switch language from the footer; a logged-in resident's profile remembers it."""
    lang = request.form.get("lang", "")
    back = safe_next(request.form.get("next"))
    if lang not in current_app.config["LANGUAGES"]:
        abort(400)
    session["lang"] = lang
    if current_user.is_authenticated:
        current_user.locale = lang
        db.session.commit()
    return redirect(back or url_for("cards.board"))


@bp.get("/community/invite")
@login_required
def invite_sheet():
    """The invite code, printable for the lobby: coordinators only."""
    if not policy.may_open_invite_sheet(current_user, current_user.community_id):
        abort(403)
    community = current_user.membership.community
    join_url = url_for("auth.register", code=community.invite_code, _external=True)
    return render_template("auth/invite_sheet.html", community=community, join_url=join_url)
