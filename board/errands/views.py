"""The errands' pages: placing one, the dispatch desk, an errand's page and its moves, receipts. Views stay thin."""
from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_babel import to_utc
from flask_login import current_user, login_required

from board import photos, policy
from board.cards import privacy
from board.errands import desk, forms, labels, service, transitions
from board.errands.models import Mode
from board.errors import Forbidden, NotFound
from board.extensions import db
from board.households import service as households
from board.models import User
from board.volunteers import service as crew
from board.volunteers.labels import team_label

bp = Blueprint("errands", __name__, url_prefix="/errands")

# Moves a button posts with no form of its own, and what the page says after.
SIMPLE = {
    "claim": lambda: _("It is yours. Thank you! The door is shown on the errand now."),
    "accept": lambda: _("Accepted. Thank you!"),
    "on_the_way": lambda: _("Marked as on the way. The household has been told."),
    "reassign": lambda: _("Back in the queue."),
    "pay_back": lambda: _("Marked as paid back."),
}


@bp.before_request
@login_required
def _members_only():
    """Every errand page is for residents of the community only."""


@bp.app_context_processor
def errand_helpers() -> dict:
    return {
        "errand_state_labels": labels.STATE_LABELS,
        "payment_labels": labels.PAYMENT_LABELS,
        "source_labels": labels.SOURCE_LABELS,
        "outcome_labels": labels.OUTCOME_LABELS,
        "mode_labels": labels.MODE_LABELS,
        "count_labels": labels.COUNT_LABELS,
        "errand_allowed": lambda errand, name: transitions.allowed(errand, name, current_user._get_current_object()),
        # A card shown in full asks whether it is an errand: then the desk's claim, not the card's "I can help".
        "card_errand": lambda card: card.errand if card.kind == "need" else None,
        "yuan": lambda fen: f"¥{fen / 100:.2f}" if fen is not None else "",
    }


def _person_choices(form: forms.ErrandForm) -> None:
    choices = [("", _("My own household"))] if current_user.household is not None else []
    if policy.may_place_errand_for_others(current_user, current_user.community_id):
        choices += [(str(p.id), f"{p.name} · {p.household.building.name}")
                    for p in households.people_without_login(current_user.community_id)]
    form.person.choices = choices


def _team_choices(form: forms.ErrandForm) -> None:
    """"Which team should do this?": any team, or one of the community's, in the reader's language."""
    form.team.choices = [("", team_label(None))] + [
        (str(t.id), team_label(t)) for t in crew.committed_teams(current_user.community_id)]


@bp.route("/new", methods=["GET", "POST"])
def new():
    """Place an errand: for my household, or (volunteers, coordinators) for someone without a phone."""
    form = forms.ErrandForm()
    _person_choices(form)
    _team_choices(form)
    if form.validate_on_submit():
        person = None
        if form.person.data:
            person = households.person_for(current_user, form.person.data)
        household = person.household if person is not None else current_user.household
        errand = service.place_errand(
            current_user, household=household, person=person, title=form.title.data, details=form.details.data or "",
            from_where=form.from_where.data or "", due_by=to_utc(form.due_by.data) if form.due_by.data else None, payment=form.payment.data,
            budget=form.budget.fen, team_id=form.team.data, urgency=form.urgency.data,
            source="on_behalf" if person is not None else "resident",
        )
        flash(_("Your errand is placed. A volunteer will take it soon."), "success")
        return redirect(url_for("errands.detail", errand_id=errand.id))
    return render_template("errands/new.html", form=form)


@bp.get("/")
def desk_page():
    """The dispatch desk: counts, the queue in order, what is under way, problems, money owed; or my errands."""
    community_id = current_user.community_id
    if not policy.may_see_desk(current_user, community_id):
        settings = transitions.settings_of(community_id)
        if policy.may_run_errands(current_user, community_id) and settings.mode != Mode.ASSIGN.value:
            # Off duty: say so kindly, with the switch, rather than a bare refusal or an empty queue.
            return render_template("errands/off_duty.html", profile=crew.profile_of(current_user, community_id),
                                   mine=desk.mine(current_user))
        return redirect(url_for("errands.mine"))
    service.run_due(community_id=community_id)
    dispatching = policy.may_dispatch(current_user, community_id)
    context = {
        "counts": desk.counts(community_id),
        "queue": desk.queue(community_id),
        "mine": desk.mine(current_user),
        "dispatching": dispatching,
        "settings": transitions.settings_of(community_id),
        # A volunteer on duty goes off duty from here too (and comes back to the off-duty page).
        "duty_profile": crew.profile_of(current_user, community_id) if policy.on_duty(current_user, community_id)
        else None,
    }
    if dispatching:
        context.update(under_way=desk.under_way(community_id), problems=desk.problems(community_id),
                       owed=desk.owed(community_id))
    return render_template("errands/desk.html", **context)


@bp.get("/queue")
def queue_fragment():
    """The desk's queue alone, as the viewer may see it (the live nudge fetches it); nothing for who may not."""
    community_id = current_user.community_id
    if not policy.may_see_desk(current_user, community_id):
        return "", 204
    privacy.mark_private()  # a coordinator's queue shows units
    return render_template("errands/_queue.html", queue=desk.queue(community_id))


@bp.get("/mine")
def mine():
    """My household's errands, and the ones I run."""
    return render_template("errands/mine.html", placed=desk.placed_by(current_user), running=desk.mine(current_user))


@bp.get("/<int:errand_id>")
def detail(errand_id: int):
    """One errand: what, from where, by when; the door for whom policy allows; its buttons."""
    errand = service.errand_for(current_user, errand_id)
    service.run_due(community_id=errand.community_id)
    db.session.refresh(errand)
    door = policy.may_see_errand_door(current_user, errand)
    if door or policy.may_see_receipt(current_user, errand):
        privacy.mark_private()
    context = {
        "errand": errand, "show_door": door, "handoff": transitions.live_handoff(errand),
        "suggestions": desk.suggestions(errand) if transitions.allowed(errand, "assign", current_user) else [],
        "give_back_form": forms.GiveBackForm(), "problem_form": forms.ProblemForm(), "close_form": forms.CloseForm(),
        "call_form": forms.CallForm(), "spent_form": forms.SpentForm(),
    }
    return render_template("errands/detail.html", **context)


@bp.post("/<int:errand_id>/<any(claim, accept, on_the_way, reassign, pay_back):name>")
def simple_move(errand_id: int, name: str):
    """A move that is one button."""
    errand = service.errand_for(current_user, errand_id, to_move=True)
    service.act(errand, name, current_user)
    flash(SIMPLE[name](), "success")
    if name == "reassign" or not policy.may_see_errand(current_user, db.session.get(type(errand), errand_id)):
        return redirect(url_for("errands.desk_page"))
    return redirect(url_for("errands.detail", errand_id=errand_id))


@bp.post("/<int:errand_id>/assign")
def assign(errand_id: int):
    """One tap: this errand to this volunteer."""
    errand = service.errand_for(current_user, errand_id, to_move=True)
    form = forms.AssignForm()
    if not form.validate_on_submit():
        abort(400)
    volunteer = db.session.get(User, form.volunteer.data)
    if volunteer is None or volunteer.community_id != errand.community_id:
        raise NotFound()
    service.assign(errand, current_user, volunteer)
    flash(_("Assigned to %(name)s. They have been told.", name=volunteer.display_name), "success")
    return redirect(url_for("errands.desk_page"))


def _form_move(errand_id: int, name: str, form_class, message: str, data) -> object:
    errand = service.errand_for(current_user, errand_id, to_move=True)
    form = form_class()
    if form.validate_on_submit():
        service.act(errand, name, current_user, **data(form))
        flash(message, "success")
        return redirect(url_for("errands.desk_page") if name != "call_resident"
                        else url_for("errands.detail", errand_id=errand_id))
    flash(_("Please fill in the form below."), "error")
    return redirect(url_for("errands.detail", errand_id=errand_id))


@bp.post("/<int:errand_id>/give-back")
def give_back(errand_id: int):
    return _form_move(errand_id, "give_back", forms.GiveBackForm, _("Given back. Thank you for saying so."),
                      lambda f: {})


@bp.post("/<int:errand_id>/problem")
def problem(errand_id: int):
    return _form_move(errand_id, "report_problem", forms.ProblemForm, _("Thank you. A coordinator will look at it."),
                      lambda f: {"outcome": f.outcome.data, "note": f.note.data or ""})


@bp.post("/<int:errand_id>/close")
def close(errand_id: int):
    return _form_move(errand_id, "close", forms.CloseForm, _("The errand is closed."),
                      lambda f: {"reason": f.reason.data})


@bp.post("/<int:errand_id>/call")
def call(errand_id: int):
    return _form_move(errand_id, "call_resident", forms.CallForm, _("Noted."), lambda f: {"note": f.note.data})


@bp.post("/<int:errand_id>/spent")
def spent(errand_id: int):
    """The volunteer records what was spent, with the receipt's photo."""
    errand = service.errand_for(current_user, errand_id)
    form = forms.SpentForm()
    if form.validate_on_submit():
        try:
            service.record_spent(errand, current_user, amount=form.amount.fen, receipt=form.receipt.data)
        except photos.TooManyPixels:
            form.receipt.errors.append(_("That picture is too large to process. Please send a normal photo from your "
                                         "phone's camera, or a screenshot of it."))
        except photos.NotAnImage:
            form.receipt.errors.append(_("That file is not a photo. Please choose a JPEG, PNG or WebP picture."))
        else:
            flash(_("Recorded. The household can see what it cost."), "success")
            return redirect(url_for("errands.detail", errand_id=errand_id))
    privacy.mark_private()
    return render_template("errands/spent.html", errand=errand, form=form), 200


@bp.get("/<int:errand_id>/receipt")
def receipt(errand_id: int):
    """The receipt photo: the volunteer who spent, the household and coordinators only; never cached."""
    errand = service.errand_for(current_user, errand_id)
    if not errand.receipt_photo or not policy.may_see_receipt(current_user, errand):
        abort(404)
    privacy.mark_private()
    return send_file(photos.path_of(errand.receipt_photo), mimetype=photos.mimetype_of(errand.receipt_photo), max_age=0)


@bp.post("/volunteers/<int:user_id>/return-all")
def return_all(user_id: int):
    """A volunteer who does not turn up: all their errands back to the queue in one action."""
    volunteer = db.session.get(User, user_id)
    if volunteer is None or volunteer.community_id != current_user.community_id:
        raise NotFound()
    count = service.return_all(current_user, volunteer)
    flash(_("%(n)s errands are back in the queue.", n=count), "success")
    return redirect(url_for("errands.desk_page"))


@bp.route("/settings", methods=["GET", "POST"])
def settings():
    """A coordinator chooses how errands are dispatched and the open-errand limit."""
    if not policy.may_dispatch(current_user, current_user.community_id):
        raise Forbidden()
    current = service.settings_for(current_user)
    form = forms.SettingsForm(data={"mode": current.mode, "open_limit": current.open_limit})
    if form.validate_on_submit():
        service.save_settings(current_user, mode=form.mode.data, open_limit=form.open_limit.data)
        flash(_("Saved."), "success")
        return redirect(url_for("errands.desk_page"))
    return render_template("errands/settings.html", form=form)


