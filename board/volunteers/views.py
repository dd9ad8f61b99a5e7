"""The volunteers' pages: signing up, the coordinator's list, teams and their numbers, shifts, a volunteer's page."""
from datetime import datetime, timedelta

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from board import policy
from board.cards import privacy
from board.errors import Forbidden
from board.extensions import db
from board.htmx import is_htmx
from board.models import utcnow
from board.volunteers import forms, labels, numbers, service, transitions
from board.volunteers import errands as errand_history

bp = Blueprint("volunteers", __name__, url_prefix="/volunteers")

@bp.before_request
@login_required
def _members_only():
    """Every volunteer page is for residents of the community only, and no cache keeps one (names, phones, duty)."""
    privacy.mark_private()


@bp.app_context_processor
def volunteer_helpers() -> dict:
    return {"team_label": labels.team_label, "volunteer_status_labels": labels.STATUS_LABELS,
            "local_time": service.utc_to_local, "move_label": lambda move: labels.MOVE_LABELS[move],
            "decide_moves": lambda profile: transitions.allowed(current_user, profile),
            "did_labels": errand_history.DID_LABELS}


def _require(allowed: bool) -> None:
    if not allowed:
        raise Forbidden()


@bp.get("/")
def index():
    """Volunteering: my sign-up or the invitation to sign up; who is on duty now and next (volunteers, coordinators)."""
    community_id = current_user.community_id
    profile = service.profile_of(current_user, community_id)
    context = {"profile": profile, "on_duty": [], "next": []}
    if policy.may_see_volunteers(current_user, community_id):
        _teams(community_id)
        on_duty = service.on_duty_ids(community_id)
        context["on_duty"] = [p for p in service.volunteers(community_id, statuses=("approved",))
                              if p.user_id in on_duty]
        context["next"] = service.next_shifts(community_id)
    return render_template("volunteers/index.html", **context)


def _teams(community_id: int) -> list:
    return service.committed_teams(community_id)


def _choices(form: forms.SignUpForm) -> None:
    community_id = current_user.community_id
    form.teams.choices = [(t.id, labels.team_label(t)) for t in _teams(community_id)]
    form.buildings.choices = [(b.id, b.name) for b in current_user.membership.community.buildings]


@bp.route("/sign-up", methods=["GET", "POST"])
def sign_up():
    """Offer to volunteer, or change what I said (teams, buildings, when, a phone number)."""
    community_id = current_user.community_id
    _require(policy.may_sign_up_volunteer(current_user, community_id))
    profile = service.profile_of(current_user, community_id)
    form = forms.SignUpForm(obj=None)
    _choices(form)
    if request.method == "GET" and profile is not None:
        form.teams.data = [t.id for t in profile.teams]
        form.buildings.data = [b.id for b in profile.buildings]
        form.availability.data, form.contact.data = profile.availability, profile.contact
    if form.validate_on_submit():
        fields = {"team_ids": form.teams.data, "building_ids": form.buildings.data,
                  "availability": form.availability.data or "", "contact": form.contact.data or ""}
        if profile is None or profile.status == "declined":
            service.sign_up(current_user, **fields)
            flash(_("Thank you! A coordinator will look at your offer soon."), "success")
        else:
            service.update_profile(current_user, profile, **fields)
            flash(_("Saved."), "success")
        return redirect(url_for("volunteers.index"))
    return render_template("volunteers/sign_up.html", form=form, profile=profile)


@bp.post("/duty")
def duty():
    """My own "on duty now" switch."""
    profile = service.profile_of(current_user, current_user.community_id)
    if profile is None:
        raise Forbidden()
    service.set_on_duty(current_user, profile, request.form.get("on") == "1")
    back = request.form.get("back")
    if is_htmx() and back != "desk":  # from the desk the whole page changes (the queue appears): a redirect
        return render_template("volunteers/_duty.html", profile=profile)
    flash(_("You are on duty now. Thank you!") if profile.on_duty else _("You are off duty now."), "success")
    if back == "desk":
        return redirect(url_for("errands.desk_page"))
    return redirect(back == "page" and url_for("volunteers.page", profile_id=profile.id) or url_for("volunteers.index"))


@bp.post("/step-back")
def step_back():
    """Pause my volunteering (a coordinator resumes it when I am back)."""
    profile = service.profile_of(current_user, current_user.community_id)
    if profile is None:
        raise Forbidden()
    service.decide(current_user, profile, "pause")
    flash(_("Paused. Tell a coordinator when you can help again."), "success")
    return redirect(url_for("volunteers.index"))


@bp.get("/list")
def roster():
    """The coordinator's list: sign-ups waiting, approved, paused, declined; contact, hours, drops and no-shows."""
    community_id = current_user.community_id
    _require(policy.may_manage_volunteers(current_user, community_id))
    profiles = service.volunteers(community_id)
    week = numbers.week_start()
    return render_template(
        "volunteers/list.html", profiles=profiles, drops=numbers.drops_and_no_shows(community_id),
        on_duty=service.on_duty_ids(community_id),
        hours={p.user_id: service.hours_worked(p.user_id, community_id, since=week) for p in profiles},
    )


@bp.post("/<int:profile_id>/decide")
def decide(profile_id: int):
    """A coordinator approves, declines, pauses or resumes a volunteer."""
    profile = service.profile_for(current_user, profile_id)
    move = request.form.get("move", "")
    if move not in transitions.MOVES or move == "reapply":
        raise Forbidden()
    service.decide(current_user, profile, move)
    flash(_("Saved."), "success")
    return redirect(url_for("volunteers.roster") if request.form.get("back") == "list"
                    else url_for("volunteers.page", profile_id=profile.id))


@bp.get("/<int:profile_id>")
def page(profile_id: int):
    """A volunteer's page: on duty, their shifts and hours, their errands and what they did."""
    profile = service.profile_for(current_user, profile_id)
    _require(policy.may_see_volunteer_page(current_user, profile))
    community_id, now = profile.community_id, utcnow()
    return render_template(
        "volunteers/page.html", profile=profile, moves=transitions.allowed(current_user, profile),
        upcoming=service.shifts(community_id, start=now, end=now + timedelta(days=14), user_id=profile.user_id),
        worked=service.shift_ids_worked(profile.user_id, community_id, now=now),
        hours_total=service.hours_worked(profile.user_id, community_id, now=now),
        hours_week=service.hours_worked(profile.user_id, community_id, since=numbers.week_start(now), now=now),
        errands=errand_history.errands_of(profile.user_id, community_id),
        did=errand_history.what_they_did(profile.user_id, community_id),
    )


@bp.get("/me")
def mine():
    """My volunteer page (or the sign-up, when I have none)."""
    profile = service.profile_of(current_user, current_user.community_id)
    if profile is None:
        return redirect(url_for("volunteers.sign_up"))
    return redirect(url_for("volunteers.page", profile_id=profile.id))


@bp.route("/teams", methods=["GET", "POST"])
def teams():
    """The teams and their numbers this week and overall (volunteers, coordinators); coordinators add teams."""
    community_id = current_user.community_id
    _require(policy.may_see_volunteers(current_user, community_id))
    form = forms.TeamForm()
    if request.method == "POST":
        _require(policy.may_manage_volunteers(current_user, community_id))
        if form.validate_on_submit():
            service.add_team(current_user, form.name.data)
            flash(_("The team is added."), "success")
            return redirect(url_for("volunteers.teams"))
    all_teams = service.ensure_teams(community_id)
    db.session.commit()  # the default teams, the first time they are asked for (idempotent)
    members = {t.id: len(service.team_member_ids(community_id, t.id)) for t in all_teams}
    return render_template(
        "volunteers/teams.html", teams=all_teams, form=form, members=members,
        week=numbers.team_numbers(community_id, since=numbers.week_start()),
        overall=numbers.team_numbers(community_id), empty=numbers.Numbers(), community=numbers.COMMUNITY,
    )


@bp.route("/teams/<int:team_id>/rename", methods=["GET", "POST"])
def rename_team(team_id: int):
    """A coordinator renames a team."""
    _require(policy.may_manage_volunteers(current_user, current_user.community_id))
    team = service.team_for(current_user, team_id)
    form = forms.RenameTeamForm()
    if request.method == "GET":
        form.name.data = team.name
    if form.validate_on_submit():
        if not form.name.data and team.key.startswith("custom-"):
            form.name.errors.append(_("Please give the team a name."))
        else:
            service.rename_team(current_user, team, form.name.data or "")
            flash(_("Saved."), "success")
            return redirect(url_for("volunteers.teams"))
    return render_template("volunteers/rename_team.html", form=form, team=team)


def _week_days(start_day) -> list:
    return [start_day + timedelta(days=n) for n in range(7)]


@bp.route("/shifts", methods=["GET", "POST"])
def shifts():
    """Plan shifts (one, or a day in turns) and see the week's; coordinators only."""
    community_id = current_user.community_id
    _require(policy.may_manage_volunteers(current_user, community_id))
    approved = service.volunteers(community_id, statuses=("approved",))
    form = forms.ShiftForm()
    form.volunteers.choices = [(p.user_id, p.user.display_name) for p in approved]
    form.team.choices = [("", labels.team_label(None))] + [
        (t.id, labels.team_label(t)) for t in _teams(community_id)]
    today = service.local_today()
    if request.method == "GET":
        form.day.data = today
    if form.validate_on_submit():
        first = service.local_to_utc(datetime.combine(form.day.data, form.start.data))
        last = service.local_to_utc(datetime.combine(form.day.data, form.end.data))
        order = [int(v) for v in request.form.getlist("volunteers") if v.isdigit()]
        chosen = [v for v in order if v in set(form.volunteers.data)]
        try:
            planned = service.plan_turns(current_user, user_ids=chosen, team_id=form.team.data, first_start=first,
                                         last_end=last, turn_hours=form.turn_hours.data)
        except service.Invalid:
            form.day.errors.append(_("That shift cannot be planned (more than 90 days ahead, or long past)."))
        except service.Conflict:
            form.volunteers.errors.append(_("One of them already has a shift at that time. Nothing was planned."))
        else:
            flash(_("%(num)d shifts planned.", num=len(planned)), "success")
            return redirect(url_for("volunteers.shifts"))
    start = service.local_to_utc(datetime.combine(today, datetime.min.time()))
    week = service.shifts(community_id, start=start, end=start + timedelta(days=7))
    days = {d: [s for s in week if service.utc_to_local(s.starts_at).date() == d] for d in _week_days(today)}
    return render_template("volunteers/shifts.html", form=form, days=days, approved=approved)


@bp.post("/shifts/<int:shift_id>/cancel")
def cancel_shift(shift_id: int):
    """A coordinator cancels a shift that has not ended."""
    shift = service.shift_for(current_user, shift_id)
    service.cancel_shift(current_user, shift)
    flash(_("The shift is cancelled."), "success")
    return redirect(url_for("volunteers.shifts"))
