"""The board and a card's pages. Views parse, call the service, render."""
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from board.cards import labels, service, transitions
from board.cards.forms import CardForm, FilterForm
from board.cards.service import EDITABLE, BoardFilters
from board.errors import Forbidden
from board.htmx import page_or_partial

bp = Blueprint("cards", __name__)


@bp.app_context_processor
def card_helpers() -> dict:
    """Labels and the `can(card, move)` test every card template uses."""
    return {
        "can": lambda card, move: current_user.is_authenticated and transitions.allowed(card, move, current_user),
        "status_label": lambda status: labels.STATUS_LABELS.get(status, status),
        "category_labels": labels.CATEGORY_LABELS,
        "tag_labels": labels.TAG_LABELS,
    }


def filters_from(form: FilterForm) -> BoardFilters:
    if not form.validate():
        return BoardFilters()
    return BoardFilters(
        kind=form.kind.data or None,
        category=form.category.data or None,
        building_id=form.building.data or None,
        urgent_only=bool(form.urgent.data),
        text=form.q.data or "",
    )


def card_fields(form: CardForm) -> dict:
    return {name: getattr(form, name).data for name in EDITABLE}


@bp.get("/")
def board():
    """The community's open cards; the welcome page for visitors who are not logged in."""
    if not current_user.is_authenticated:
        return render_template("welcome.html")
    membership = current_user.membership
    form = FilterForm(request.args)
    form.building.choices = [("", _("All buildings"))] + [(b.id, b.name) for b in membership.community.buildings]
    filters = filters_from(form)
    cards, next_cursor = service.board_page(membership.community_id, filters, request.args.get("after"))
    args = {k: v for k, v in request.args.items() if k != "after" and v}
    more_url = url_for("cards.board", after=next_cursor, **args) if next_cursor else None
    context = {"form": form, "cards": cards, "more_url": more_url, "community": membership.community}
    if request.args.get("after"):
        # "Show more" asks for the next page of cards alone, appended in place of the button.
        return page_or_partial("cards/board.html", "cards/_card_page.html", "more", **context)
    return page_or_partial("cards/board.html", "cards/_card_list.html", "card-list", **context)


@bp.route("/cards/new", methods=["GET", "POST"])
@login_required
def new():
    """Post a need or an offer."""
    form = CardForm(kind=request.args.get("kind", "need"))
    if form.validate_on_submit():
        card = service.post_card(current_user, kind=form.kind.data, days_up=form.days_up.data, **card_fields(form))
        flash(_("Your card is on the board."), "success")
        return redirect(url_for("cards.detail", card_id=card.id))
    return render_template("cards/form.html", form=form, card=None)


@bp.get("/cards/<int:card_id>")
@login_required
def detail(card_id: int):
    """One card with its details."""
    card = service.card_for(current_user, card_id)
    return page_or_partial("cards/detail.html", "cards/_card.html", f"card-{card.id}", card=card, full=True)


@bp.route("/cards/<int:card_id>/edit", methods=["GET", "POST"])
@login_required
def edit(card_id: int):
    """Edit an open card of one's own."""
    card = service.card_for(current_user, card_id)
    if card.author_id != current_user.id:
        raise Forbidden()
    form = CardForm(obj=card)
    form.kind.data = card.kind  # the kind of a card does not change
    if form.validate_on_submit():
        service.edit_card(
            card, current_user, seen_version=request.form.get("version", type=int),
            days_up=form.days_up.data, **card_fields(form),
        )
        flash(_("Your card is updated."), "success")
        return redirect(url_for("cards.detail", card_id=card.id))
    return render_template("cards/form.html", form=form, card=card)


@bp.post("/cards/<int:card_id>/withdraw")
@login_required
def withdraw(card_id: int):
    """Take one's card off the board."""
    card = service.card_for(current_user, card_id)
    transitions.apply(card, "withdraw", current_user, seen_version=request.form.get("version", type=int))
    flash(_("Your card is withdrawn."), "success")
    return redirect(url_for("cards.board"))
