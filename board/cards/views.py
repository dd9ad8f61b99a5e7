"""The board and a card's pages. Views parse, call the service, render."""
from flask import Blueprint, abort, flash, g, redirect, render_template, request, send_file, url_for
from flask_babel import get_locale, gettext as _
from flask_login import current_user, login_required
from markupsafe import Markup

from board import frame, photos, policy
from board.cache import app_cache
from board.auth.forms import LoginForm
from board.cards import handoffs, history, labels, privacy, public, service, transitions
from board.cards.forms import CardForm, FilterForm, LeaveAtDoorForm, ThanksForm
from board.cards.service import EDITABLE, BoardFilters
from board.errors import Conflict, Forbidden
from board.households import service as households
from board.i18n import local
from board.htmx import is_htmx, page_or_partial
from board.inputs import page_shown_on, safe_next
from board.models import Card

bp = Blueprint("cards", __name__)


@bp.app_context_processor
def card_helpers() -> dict:
    """Labels and the `can(card, move)` test every card template uses."""
    # The resident itself, not the current_user proxy: a card page asks these a few dozen times, and
    # every attribute read through the proxy looks the user up again.
    me = current_user._get_current_object
    return {
        "public_card": public.render,
        "can": lambda card, move: me().is_authenticated and transitions.allowed(
            card, move, me(), handoffs=handoffs_read(card)
        ),
        "can_handoff": lambda handoff, move: (
            me().is_authenticated and transitions.handoff_allowed(handoff, move, me())
        ),
        "handoff_moves": lambda handoff: (
            transitions.handoff_moves(handoff, me()) if me().is_authenticated else frozenset()
        ),
        "handoffs_for": lambda card: handoffs.visible_handoffs(card, me(), card_handoffs(card).handoffs),
        "history_of": lambda card: history.history(card, me(), card_handoffs(card).handoffs),
        "receiver_door": lambda handoff: privacy.receiver_door(me(), handoff),
        "giver_door": lambda handoff: privacy.giver_door(me(), handoff),
        "doorstep_of": lambda handoff: privacy.doorstep_of(me(), handoff),
        "own_door_note": lambda card: privacy.own_door_note(me(), card),
        "lapses_of": lambda user_id: (
            card_handoffs_lapses(user_id) if policy.may_see_lapses(me(), me().community_id) else 0
        ),
        "handoff_label": lambda status: labels.HANDOFF_LABELS.get(status, status),
        "can_ask_for_someone": lambda card: (
            me().is_authenticated and transitions.can_ask_for_someone(card, me())
        ),
        "return_to": return_to,
        "status_label": lambda status: labels.STATUS_LABELS.get(status, status),
        "category_labels": labels.CATEGORY_LABELS,
        "tag_labels": labels.TAG_LABELS,
    }


def card_handoffs(card: Card) -> handoffs.CardHandoffs:
    """A card's handoffs, read once per request for its buttons, doors and history (one statement)."""
    known = g.setdefault("card_handoffs", {})
    if card.id not in known:
        coordinator = policy.may_see_lapses(current_user, card.community_id)
        known[card.id] = handoffs.card_handoffs(card, with_lapses=coordinator)
    return known[card.id]


def read_handoffs_of(cards: list[Card]) -> None:
    """The handoffs of cards drawn in full together (My activity), in one statement for them all
    instead of one per card as each is drawn."""
    known = g.setdefault("card_handoffs", {})
    by_lapses = {False: [], True: []}
    for card in cards:
        if card.id not in known:
            by_lapses[policy.may_see_lapses(current_user, card.community_id)].append(card.id)
    for with_lapses, ids in by_lapses.items():
        known.update(handoffs.cards_handoffs(ids, with_lapses=with_lapses))


def handoffs_read(card: Card) -> list | None:
    """The card's handoffs if this request has read them already (its buttons need not ask again)."""
    known = g.get("card_handoffs", {}).get(card.id)
    return known.handoffs if known is not None else None


def card_handoffs_lapses(user_id: int) -> int:
    """Lapsed matches of a helper shown on a card drawn in this request (read with its handoffs)."""
    return next((h.lapses[user_id] for h in g.get("card_handoffs", {}).values() if user_id in h.lapses), 0)


def return_to() -> str:
    """Where a button should bring a resident back to: the page it was on (for a fragment fetched by
    htmx or the live stream, the page the browser shows, not the fragment's own URL)."""
    if request.method != "GET":
        return safe_next(request.form.get("next")) or ""
    if is_htmx():
        return page_shown_on() or ""
    return request.full_path.rstrip("?")


def filters_from(form: FilterForm) -> BoardFilters:
    """The query string's valid filters: one bad value (an old bookmark, a mistyped address) drops only itself."""
    form.validate()

    def valid(field):
        return None if field.errors else field.data

    return BoardFilters(
        kind=valid(form.kind) or None,
        category=valid(form.category) or None,
        building_id=valid(form.building) or None,
        urgent_only=bool(valid(form.urgent)),
        text=valid(form.q) or "",
    )


def filter_form(form: FilterForm) -> Markup:
    """The filter form as drawn for this language, these buildings and this query string (kept per process)."""
    shown = tuple(sorted((k, v) for k, v in request.args.items(multi=True) if k != "after"))
    key = (str(get_locale()), tuple(form.building.choices), shown)
    html = app_cache("filters").get(key)
    if html is None:
        html = render_template("cards/_filters.html", form=form)
        app_cache("filters").put(key, html)
    return Markup(html)


def card_fields(form: CardForm) -> dict:
    return {name: getattr(form, name).data for name in EDITABLE}


@bp.get("/")
def board():
    """The community's open cards; the welcome page for visitors who are not logged in."""
    if not current_user.is_authenticated:
        if is_htmx():  # logged out in another tab: the whole welcome page must not land inside the list
            return redirect(url_for("auth.login"))
        return render_template("welcome.html", form=LoginForm())
    membership = current_user.membership
    frame.numbers(counts=True, lapse=True)  # the counts above the list, after any overdue match lapsed
    form = FilterForm(request.args)
    buildings = membership.community.buildings
    form.building.choices = [("", _("All buildings"))] + [(b.id, local(b.name)) for b in buildings]
    filters = filters_from(form)
    rows, next_cursor = service.board_page(membership.community_id, filters, request.args.get("after"))
    args = {k: v for k, v in request.args.items() if k != "after" and v}
    more_url = url_for("cards.board", after=next_cursor, **args) if next_cursor else None
    context = {
        "form": form, "cards": public.board_list(rows, {b.id: b.name for b in buildings}),
        "more_url": more_url, "community": membership.community,
        "filter_form": lambda: filter_form(form),
    }
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
    frame.numbers(lapse=True)
    card = service.card_for(current_user, card_id)
    return page_or_partial("cards/detail.html", "cards/_card.html", f"card-{card.id}", card=card, full=True)


@bp.route("/cards/<int:card_id>/edit", methods=["GET", "POST"])
@login_required
def edit(card_id: int):
    """Edit an open card of one's own."""
    card = service.card_for(current_user, card_id)
    if not policy.may_write_card(current_user, card):
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


@bp.after_app_request
def no_store_when_private(response):
    """Pages and fragments that show a door number are never cached (see board.cards.privacy)."""
    return privacy.no_store(response)


def going_back() -> str | None:
    """The button's page, read before anything is written: a bad `next=` is ignored, not a 500 after a commit."""
    return safe_next(request.form.get("next"))


def answer(card: Card, message: str | None = None, *, back: str | None = None):
    """After a move: the card partial for htmx, else back to where the button was (`back`, or the card)."""
    if message:
        flash(message, "success")
    if is_htmx():
        card = service.card_for(current_user, card.id)
        return render_template("cards/_card.html", card=card, full=True, compact=bool(request.form.get("compact")))
    return redirect(back or url_for("cards.detail", card_id=card.id))


@bp.post("/cards/<int:card_id>/help")
@login_required
def offer_help(card_id: int):
    """"I can help" on a need: the first neighbour to tap is matched."""
    back = going_back()
    card = service.card_for(current_user, card_id)
    handoffs.offer_help(card, current_user, seen_version=request.form.get("version", type=int))
    message = _("Thank you! %(name)s can see that you are helping.", name=card.author.display_name)
    return answer(card, message, back=back)


@bp.post("/cards/<int:card_id>/ask")
@login_required
def ask(card_id: int):
    """Ask for some of an offer: for oneself, or (a volunteer or coordinator) for someone without a phone."""
    back = going_back()
    card = service.card_for(current_user, card_id)
    quantity = request.form.get("quantity", default=1, type=int)
    person_id = request.form.get("for_person", type=int)
    for_person = households.person_for(current_user, person_id) if person_id else None
    handoff = handoffs.ask(card, current_user, quantity, for_person=for_person)
    if for_person is not None:
        message = _("Asked for %(person)s. %(name)s will leave it at their door.", person=local(for_person.name),
                    name=card.author.display_name)
    elif handoff.status == "matched":
        message = _("%(name)s will leave it at your door.", name=card.author.display_name)
    else:
        message = _("Asked. %(name)s will choose and let you know.", name=card.author.display_name)
    return answer(card, message, back=back)


@bp.get("/cards/<int:card_id>/ask-for")
@login_required
def ask_for(card_id: int):
    """A volunteer or coordinator chooses whom, without a phone, they ask for some of an offer for."""
    card = service.card_for(current_user, card_id)
    if not transitions.can_ask_for_someone(card, current_user):
        raise Forbidden()
    people = households.people_without_login(current_user.community_id)
    return render_template("cards/ask_for.html", card=card, people=people)


HANDOFF_MESSAGES = {
    "accept": lambda: _("Accepted. Please leave it at their door."),
    "decline": lambda: _("Declined. They have been told."),
    "confirm_received": lambda: _("Received. Thank you for telling your neighbour!"),
    "receive_in_person": lambda: _("Received. Thank you for telling your neighbour!"),
    "report_not_there": lambda: _("Your neighbour has been told it is not there."),
    "helper_withdraw": lambda: _("You stepped back; it is open to neighbours again."),
    "cancel": lambda: _("Cancelled. Your neighbour has been told."),
    "release": lambda: _("Back on the board for another neighbour. The helper has been told."),
}


@bp.post("/handoffs/<int:handoff_id>/<any(accept, decline, confirm_received, receive_in_person, "
         "report_not_there, helper_withdraw, cancel, release):name>")
@login_required
def handoff_move(handoff_id: int, name: str):
    """One tap on a handoff: accept, decline, received, not there, step back, helper can't come, cancel."""
    back = going_back()
    handoff = handoffs.handoff_for(current_user, handoff_id)
    if transitions.needs_confirmation(handoff, name) and request.form.get("confirmed") != "1":
        # Not confirmed yet (an old page, a form sent by hand): ask first, change nothing.
        return redirect(url_for("cards.confirm_cancel", handoff_id=handoff.id, next=back))
    handoffs.move(handoff, name, current_user, seen_version=request.form.get("version", type=int))
    if name == "cancel" and handoff.card.kind == "need":
        return answer(handoff.card, _("Your request is closed. Your neighbour has been told."), back=back)
    return answer(handoff.card, HANDOFF_MESSAGES[name](), back=back)


@bp.get("/handoffs/<int:handoff_id>/cancel/confirm")
@login_required
def confirm_cancel(handoff_id: int):
    """"I don't need it any more": the request closes only after this page's "yes"."""
    handoff = handoffs.handoff_for(current_user, handoff_id)
    if not transitions.handoff_allowed(handoff, "cancel", current_user):
        may_ever = transitions.HANDOFF_MOVES["cancel"].parties & transitions.handoff_parties(handoff, current_user)
        raise Conflict(transitions.CONFLICT_MESSAGE) if may_ever else Forbidden()
    return render_template("cards/confirm_cancel.html", handoff=handoff, card=handoff.card,
                           back=safe_next(request.args.get("next")) or url_for("cards.detail", card_id=handoff.card_id))


@bp.post("/handoffs/<int:handoff_id>/thank")
@login_required
def thank(handoff_id: int):
    """The receiver's short thank-you, shown to the helper."""
    back = going_back()
    handoff = handoffs.handoff_for(current_user, handoff_id)
    form = ThanksForm()
    if not form.validate():
        flash(form.thanks.errors[0], "error")
        return answer(handoff.card, back=back)
    handoffs.move(handoff, "thank", current_user, thanks=form.thanks.data.strip())
    return answer(handoff.card, _("Your thanks are sent."), back=back)


@bp.route("/handoffs/<int:handoff_id>/leave", methods=["GET", "POST"])
@login_required
def leave_at_door(handoff_id: int):
    """Mark it left on the door handle, with a short note and optionally a photo."""
    handoff = handoffs.handoff_for(current_user, handoff_id)
    if not policy.on_giving_side(current_user, handoff):
        raise Forbidden()
    form = LeaveAtDoorForm()
    back = going_back()
    if form.validate_on_submit():
        try:
            handoffs.leave_at_door(
                handoff, current_user, note=form.note.data or "", photo=form.photo.data,
                seen_version=request.form.get("version", type=int),
            )
        except photos.TooManyPixels:
            form.photo.errors.append(_("That picture is too large to process. Please send a normal photo from your "
                                       "phone's camera, or a screenshot of it."))
        except photos.NotAnImage:
            form.photo.errors.append(_("That file is not a photo. Please choose a JPEG, PNG or WebP picture."))
        else:
            flash(_("Marked as left at the door. %(name)s has been told.", name=handoff.receiver.display_name), "success")
            return redirect(back or url_for("cards.detail", card_id=handoff.card_id))
    return render_template("cards/leave.html", form=form, handoff=handoff, card=handoff.card)


@bp.get("/handoffs/<int:handoff_id>/photo")
@login_required
def photo(handoff_id: int):
    """The doorstep photo: only for the two neighbours and coordinators, never cached."""
    handoff = handoffs.handoff_for(current_user, handoff_id)
    if not handoff.photo_name or not policy.may_see_doorstep(current_user, handoff):
        abort(404)
    privacy.mark_private()
    return send_file(photos.path_of(handoff.photo_name), mimetype=photos.mimetype_of(handoff.photo_name), max_age=0)
