"""The care roster's pages: the call list, a household's care record and its history, the digest. Never cached."""
import re

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from board import policy
from board.errors import Forbidden, NotFound
from board.extensions import db
from board.htmx import page_or_partial
from board.i18n import local
from board.households import service as households
from board.models import Household, utcnow
from board.roster import schedule, service
from board.roster.forms import CallForm, NewRecordForm, NoteForm, RecordForm, SettingsForm
from board.roster.labels import LINE_LABELS, OUTCOME_LABELS, REASON_LABELS, STEP_LABELS, WELLBEING_LABELS

bp = Blueprint("roster", __name__, url_prefix="/roster")


@bp.after_request
def no_store(response):
    """Care records are for their coordinators and callers: no cache, no shared proxy keeps a copy."""
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.app_context_processor
def roster_helpers() -> dict:
    return {"reason_labels": REASON_LABELS, "outcome_labels": OUTCOME_LABELS, "wellbeing_labels": WELLBEING_LABELS,
            "step_labels": STEP_LABELS, "care_line_labels": LINE_LABELS, "hhmm": schedule.hhmm,
            "roster_local": _local, "tel_number": tel_number}


def tel_number(text: str) -> str:
    """The phone number in "座机 Landline 6688 1234, or knock" as a tel: target ("66881234"); "" when none."""
    match = re.search(r"\+?\d[\d\s-]{5,}\d", text or "")
    return re.sub(r"[\s-]", "", match.group(0)) if match else ""


def _local(utc):
    """A stored UTC time as the community's wall clock, for display."""
    if utc is None or not current_user.is_authenticated:
        return None
    return schedule.to_local(utc, service.zone_of(current_user.community_id))


def require(allowed: bool) -> None:
    if not allowed:
        raise Forbidden()


@bp.get("")
@login_required
def calls():
    """The call list: the households due now that I call, overdue first."""
    require(policy.may_call_roster(current_user, current_user.community_id))
    due = service.call_list(current_user)
    keeper = policy.may_keep_roster(current_user, current_user.community_id)
    return page_or_partial("roster/calls.html", "roster/_call_list.html", "call-list", due=due, keeper=keeper)


@bp.get("/counts")
@login_required
def counts():
    """A coordinator's live counts (due now, overdue); nothing for anyone else."""
    if not policy.may_keep_roster(current_user, current_user.community_id):
        return "", 204
    now = utcnow()
    return render_template("roster/_counts.html", due=service.due_count(current_user.community_id, now),
                           overdue=service.overdue_count(current_user.community_id, now))


@bp.route("/all", methods=["GET", "POST"])
@login_required
def overview():
    """Every household on the roster, with when each is next due; a coordinator puts a household on it."""
    require(policy.may_keep_roster(current_user, current_user.community_id))
    form = NewRecordForm()
    on_roster = service.roster(current_user)
    taken = {r.household_id for r in on_roster}
    form.household.choices = [(h.id, f"{local(h.building.name)} · {h.unit} — " + "、".join(
        local(p.name) for p in households.current_people(h))) for h in households.households(current_user.community_id)
        if h.id not in taken and not h.unit.startswith("erased-")]
    if form.validate_on_submit():
        if form.household.data in dict(form.household.choices):
            return redirect(url_for("roster.edit", household_id=form.household.data))
        form.household.errors = [_("Please choose a household.")]
    now = utcnow()
    return render_template("roster/overview.html", records=on_roster, form=form, now=now,
                           overdue={r.id for r in on_roster if service.is_overdue(r, now)})


def _household(household_id: int) -> Household:
    household = db.session.get(Household, household_id) if 0 < household_id <= 2**31 - 1 else None
    if household is None or household.community_id != current_user.community_id:
        raise NotFound()
    return household


@bp.route("/households/<int:household_id>", methods=["GET", "POST"])
@login_required
def edit(household_id: int):
    """A household's care record and schedule: reasons, medicine, contacts, language, consent, callers."""
    require(policy.may_keep_roster(current_user, current_user.community_id))
    household = _household(household_id)
    record = service.record_of_household(household.id)
    if record is not None and request.method == "GET":
        service.record_for(current_user, record.id, opened=True)
        db.session.commit()
    form = RecordForm(obj=None)
    callers = service.eligible_callers(household.community_id)
    choices = [("", _("Nobody"))] + [(u.id, local(u.display_name)) for u in callers]
    form.first_caller.choices = form.second_caller.choices = choices
    if request.method == "GET" and record is not None:
        _fill(form, record)
    if form.validate_on_submit():
        fields = service.RecordFields(
            reasons=form.reasons.data or [], isolating_until=form.isolating_until.data,
            medicines=form.medicines.data or "", language=form.language.data or "",
            consent_by=form.consent_by.data or "", cadence_days=form.cadence_days.data,
            quiet_from=schedule.parse_hhmm(form.quiet_from.data), quiet_to=schedule.parse_hhmm(form.quiet_to.data),
            callers=tuple(c for c in (form.first_caller.data, form.second_caller.data) if c),
            contacts=form.contacts())
        record = service.save_record(current_user, household, fields)
        flash(_("The care record is saved."), "success")
        return redirect(url_for("roster.detail", record_id=record.id))
    return render_template("roster/edit.html", form=form, household=household, record=record,
                           people=households.current_people(household))


def _fill(form: RecordForm, record) -> None:
    form.reasons.data = list(record.reasons or [])
    form.isolating_until.data = record.isolating_until
    form.medicines.data, form.language.data, form.consent_by.data = record.medicines, record.language, record.consent_by
    form.cadence_days.data = record.cadence_days
    form.quiet_from.data, form.quiet_to.data = schedule.hhmm(record.quiet_from), schedule.hhmm(record.quiet_to)
    ranked = record.callers
    form.first_caller.data = ranked[0].user_id if ranked else None
    form.second_caller.data = ranked[1].user_id if len(ranked) > 1 else None
    for n, contact in enumerate(record.contacts[:3], start=1):
        getattr(form, f"contact_name_{n}").data = contact.name
        getattr(form, f"contact_relation_{n}").data = contact.relation
        getattr(form, f"contact_phone_{n}").data = contact.phone


def _call_form(record) -> CallForm:
    form = CallForm()
    if service.errands_service() is None:
        form.needs_route.choices = [c for c in form.needs_route.choices if c[0] == "board"]
        form.needs_route.default = "board"
        if not form.needs_route.data or form.needs_route.data == "errand":
            form.needs_route.data = "board"
    if request.method == "GET" and record.medicines and not form.needs_title.data:
        form.needs_details.data = local(record.medicines)  # prefilled: what they usually take
    return form


def _render_record(record, *, call_form=None, note_form=None, status=200):
    now = utcnow()
    return render_template(
        "roster/record.html", record=record, call_form=call_form or _call_form(record),
        note_form=note_form or NoteForm(formdata=None), lines=service.timeline(record),
        people=households.current_people(record.household), now=now,
        overdue=service.is_overdue(record, now),
        locked_by_other=bool(record.locked_until and record.locked_until > now and record.locked_by_id != current_user.id),
        mine=bool(record.locked_until and record.locked_until > now and record.locked_by_id == current_user.id),
        keeper=policy.may_keep_roster(current_user, record.community_id),
    ), status


@bp.get("/<int:record_id>")
@login_required
def detail(record_id: int):
    """A household's care record, its call form and its history; every opening is logged."""
    record = service.record_for(current_user, record_id, opened=True)
    db.session.commit()
    return _render_record(record)


@bp.post("/<int:record_id>/take")
@login_required
def take(record_id: int):
    """Take the household off the list while I call (409 when another caller has it)."""
    record = service.record_for(current_user, record_id)
    service.take(current_user, record)
    return redirect(url_for("roster.detail", record_id=record.id))


@bp.post("/<int:record_id>/release")
@login_required
def release(record_id: int):
    """Give the household back to the list without logging a call."""
    record = service.record_for(current_user, record_id)
    service.release(current_user, record)
    return redirect(url_for("roster.calls"))


@bp.post("/<int:record_id>/call")
@login_required
def call(record_id: int):
    """Log the call (and send what they need as an errand or a need) in one step."""
    record = service.record_for(current_user, record_id)
    form = _call_form(record)
    if not form.validate_on_submit():
        return _render_record(record, call_form=form, status=400)
    needs = None
    if form.needs_title.data:
        needs = service.Needs(title=form.needs_title.data, details=form.needs_details.data or "",
                              category=form.needs_category.data, urgency=form.needs_urgency.data,
                              route=form.needs_route.data or "board")
    line = service.log_call(current_user, record, outcome=form.outcome.data, wellbeing=form.wellbeing.data or "",
                            note=form.note.data or "", needs=needs)
    flash(_("Call logged. Thank you!") if line.card_id is None else _("Call logged, and what they need is sent."),
          "success")
    return redirect(url_for("roster.calls"))


@bp.post("/<int:record_id>/note")
@login_required
def note(record_id: int):
    """Add a care note, or correct an earlier line with a new one."""
    record = service.record_for(current_user, record_id)
    form = NoteForm()
    if not form.validate_on_submit():
        return _render_record(record, note_form=form, status=400)
    service.add_note(current_user, record, form.text.data, corrects_id=form.corrects.data)
    flash(_("Note added."), "success")
    return redirect(url_for("roster.detail", record_id=record.id))


@bp.post("/<int:record_id>/close")
@login_required
def close(record_id: int):
    """Take the household off the roster (its history stays)."""
    record = service.record_for(current_user, record_id)
    service.close_record(current_user, record)
    flash(_("The household is off the roster."), "success")
    return redirect(url_for("roster.overview"))


@bp.get("/<int:record_id>/openings")
@login_required
def opened(record_id: int):
    """Who opened this care record, and when: coordinators."""
    record = service.record_for(current_user, record_id)
    require(policy.may_keep_roster(current_user, record.community_id))
    return render_template("roster/openings.html", record=record, openings=service.openings(record))


@bp.get("/digest")
@login_required
def digest():
    """The weekly digest: overdue households and callers who have gone quiet."""
    return render_template("roster/digest.html", **service.digest(current_user))


@bp.route("/settings", methods=["GET", "POST"])
@login_required
def settings():
    """The roster's times for the community: how long a caller holds a household, when to retry and climb."""
    require(policy.may_keep_roster(current_user, current_user.community_id))
    current = service.settings_for(current_user.community_id)
    form = SettingsForm(obj=current if request.method == "GET" else None)
    if form.validate_on_submit():
        service.save_settings(current_user, timezone=form.timezone.data, lock_minutes=form.lock_minutes.data,
                              retry_minutes=form.retry_minutes.data, step_minutes=form.step_minutes.data)
        flash(_("The roster's times are saved."), "success")
        return redirect(url_for("roster.overview"))
    return render_template("roster/settings.html", form=form), 200 if request.method == "GET" else 400
