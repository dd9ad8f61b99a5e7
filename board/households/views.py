"""Household pages, the members page and the phone intake. Views parse, call the service, render."""
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from board import policy
from board.cards import intake as intake_service
from board.errors import Forbidden, NotFound
from board.households import service
from board.households.forms import HouseholdForm, IntakeForm, PersonForm, SearchForm
from board.i18n import local
from board.households.labels import AGE_LABELS, INTAKE_LABELS, ROLE_LABELS
from board.models import Role

bp = Blueprint("households", __name__)


@bp.app_context_processor
def household_helpers() -> dict:
    return {"age_labels": AGE_LABELS, "intake_labels": INTAKE_LABELS, "role_labels": ROLE_LABELS}


def building_choices(blank=None):
    buildings = [(b.id, local(b.name)) for b in current_user.membership.community.buildings]
    return ([("", blank)] if blank else []) + buildings


def building_of(building_id):
    building = next((b for b in current_user.membership.community.buildings if b.id == building_id), None)
    if building is None:
        raise NotFound()
    return building


def searched() -> SearchForm:
    """The search box from the address: text past its 100 characters is dropped, not echoed back."""
    search = SearchForm(request.args)
    search.q.data = (search.q.data or "")[:100] if isinstance(search.q.data, str) else ""
    return search


def require(allowed: bool) -> None:
    if not allowed:
        raise Forbidden()


@bp.get("/household")
@login_required
def mine():
    """My household: who lives there, as the board knows it."""
    household = current_user.household
    if household is None:
        raise NotFound()
    return render_template("households/household.html", household=household,
                           people=service.current_people(household), form=None)


@bp.route("/households", methods=["GET", "POST"])
@login_required
def index():
    """Every household of the community, searchable; a coordinator opens a new one (nobody there has a phone)."""
    require(policy.may_manage_households(current_user, current_user.community_id))
    search = searched()
    form = HouseholdForm()
    form.building.choices = building_choices()
    if form.validate_on_submit():
        household = service.new_household(current_user, building_of(form.building.data), form.unit.data)
        return redirect(url_for("households.detail", household_id=household.id))
    found = service.households(current_user.community_id, search.q.data)
    return render_template("households/index.html", households=found, search=search, form=form)


@bp.route("/households/<int:household_id>", methods=["GET", "POST"])
@login_required
def detail(household_id: int):
    """One household's record; a coordinator adds someone without a login."""
    household = service.household_for(current_user, household_id)
    form = PersonForm() if policy.may_manage_households(current_user, household.community_id) else None
    if form is not None and form.validate_on_submit():
        service.add_person(current_user, household, name=form.name.data, contact=form.contact.data,
                           age_group=form.age_group.data, language=form.language.data)
        flash(_("%(name)s is recorded in this household.", name=form.name.data), "success")
        return redirect(url_for("households.detail", household_id=household.id))
    return render_template("households/household.html", household=household,
                           people=service.current_people(household), form=form)


@bp.route("/people/<int:person_id>/edit", methods=["GET", "POST"])
@login_required
def edit_person(person_id: int):
    """Correct how a person is recorded (a new phone number, the dialect they speak)."""
    person = service.person_for(current_user, person_id)
    require(policy.may_manage_households(current_user, person.community_id))
    form = PersonForm(obj=person)
    if form.validate_on_submit():
        service.update_person(current_user, person, name=form.name.data, contact=form.contact.data,
                              age_group=form.age_group.data, language=form.language.data)
        flash(_("Saved."), "success")
        return redirect(url_for("households.detail", household_id=person.household_id))
    return render_template("households/person.html", form=form, person=person)


@bp.get("/members")
@login_required
def members():
    """The community's members and their roles, searchable: coordinators grant and remove roles here."""
    require(policy.may_grant_roles(current_user, current_user.community_id))
    search = searched()
    found = service.members(current_user.community_id, search.q.data)
    return render_template("households/members.html", members=found, search=search, roles=list(Role))


@bp.post("/members/<int:user_id>/roles/<any(resident, volunteer, coordinator, moderator, merchant):role>")
@login_required
def set_role(user_id: int, role: str):
    """Grant (on=1) or remove (on=0) one role."""
    target = service.member_for(current_user, user_id)
    on = request.form.get("on") == "1"
    changed = service.set_role(current_user, target, Role(role), on)
    if changed:
        label = ROLE_LABELS[role]
        message = (_("%(name)s is now %(role)s.", name=target.display_name, role=label) if on
                   else _("%(name)s is no longer %(role)s.", name=target.display_name, role=label))
        flash(message, "success")
    return redirect(url_for("households.members", q=(request.form.get("q") or "")[:100] or None))


@bp.route("/intake", methods=["GET", "POST"])
@login_required
def intake():
    """The phone intake: post a need for someone without a phone, in under a minute."""
    require(policy.may_post_on_behalf(current_user, current_user.community_id))
    form = IntakeForm()
    people = service.people_without_login(current_user.community_id)
    form.person.choices = [("", _("Someone new"))] + [
        # A door only where the poster may see that household's record (coordinators), not to every volunteer.
        (p.id, f"{local(p.name)} · {local(p.household.building.name)}"
               + (f" {p.household.unit}" if policy.may_see_household(current_user, p.household) else ""))
        for p in people
    ]
    form.building.choices = building_choices(blank=_("Choose a building"))
    if request.method == "GET" and request.args.get("person", "").isdigit():
        form.person.data = int(request.args["person"])
    if form.validate_on_submit():
        person = service.person_for(current_user, form.person.data) if form.person.data else None
        building = building_of(form.building.data) if person is None else None
        card = intake_service.take_call(
            current_user, person=person, building=building, unit=form.unit.data or "",
            new_person={"name": form.name.data, "contact": form.contact.data, "age_group": form.age_group.data,
                        "language": form.language.data},
            card_fields={"category": form.category.data, "title": form.title.data, "details": form.details.data or "",
                         "urgency": form.urgency.data, "for_elderly": form.for_elderly.data},
            intake=form.intake.data, caller=form.caller.data or "",
        )
        flash(_("Posted for %(name)s. You will be told when a neighbour helps.", name=local(card.for_person.name)), "success")
        return redirect(url_for("cards.detail", card_id=card.id))
    return render_template("households/intake.html", form=form)
