"""The shelves' pages: the stock, give, take, delivery to the door, check-in, the register. Views stay thin."""
import csv
import io

from flask import Blueprint, Response, current_app, flash, redirect, render_template, request, url_for
from flask_babel import format_datetime
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from board import policy
from board.box import forms, labels, service
from board.box.models import Item, RegisterLine
from board.errors import Conflict, NotFound
from board.extensions import db
from board.households import service as households
from board.htmx import is_htmx, page_or_partial
from board.i18n import local
from board.units import amount
from board.models import User

bp = Blueprint("box", __name__, url_prefix="/box")


@bp.before_request
@login_required
def _members_only():
    """Every shelf page is for residents of the community only."""


@bp.app_context_processor
def box_helpers() -> dict:
    return {
        "item_marks": service.marks,
        "can_keep": lambda shelf: current_user.is_authenticated and service.can_keep(current_user, shelf),
        "box_daily_limit": service.daily_limit,
        "item_category_labels": labels.ITEM_CATEGORY_LABELS,
        "line_labels": labels.LINE_LABELS,
        "reject_labels": labels.REJECT_LABELS,
    }


@bp.get("/")
def index():
    """The shelves of the resident's community."""
    return render_template("box/index.html", shelves=service.shelves(current_user.community_id))


@bp.route("/shelves/new", methods=["GET", "POST"])
def new_shelf():
    """A coordinator opens a new shelf."""
    service.require_coordinator(current_user)
    form = forms.ShelfForm()
    if form.validate_on_submit():
        shelf = service.create_shelf(current_user, name=form.name.data, location=form.location.data)
        flash(_("The shelf is open. Now name its keepers."), "success")
        return redirect(url_for("box.keepers", shelf_id=shelf.id))
    return render_template("box/shelf_form.html", form=form)


@bp.get("/shelves/<int:shelf_id>")
def shelf(shelf_id: int):
    """A shelf's stock, searchable, with low-stock and expiry marks."""
    shelf = service.shelf_for(current_user, shelf_id)
    service.lapse_overdue_reservations(shelf.community_id)
    search = forms.SearchForm(request.args)
    text = search.q.data if search.validate() else ""
    context = {"shelf": shelf, "search": search, "items": service.items(shelf, text or "")}
    if service.can_keep(current_user, shelf):
        context["pending"] = len(service.pending_gifts(shelf))
        context["expired"] = len(service.expired_items(shelf))
    return page_or_partial("box/shelf.html", "box/_item_list.html", "item-list", **context)


@bp.route("/shelves/<int:shelf_id>/keepers", methods=["GET", "POST"])
def keepers(shelf_id: int):
    """A coordinator names the residents who keep a shelf."""
    service.require_coordinator(current_user)
    shelf = service.shelf_for(current_user, shelf_id)
    form = forms.KeeperForm()
    others = [(u.id, u.display_name) for u in service.members(shelf.community_id) if not shelf.is_keeper(u)]
    form.user.choices = [("", _("Choose a resident"))] + others if others else []
    if form.validate_on_submit():
        keeper = db.session.get(User, form.user.data)
        service.add_keeper(current_user, shelf, keeper)
        flash(_("%(name)s now keeps this shelf.", name=keeper.display_name), "success")
        return redirect(url_for("box.keepers", shelf_id=shelf.id))
    return render_template("box/keepers.html", shelf=shelf, form=form)


@bp.post("/shelves/<int:shelf_id>/keepers/<int:user_id>/remove")
def remove_keeper(shelf_id: int, user_id: int):
    """A coordinator relieves a keeper."""
    shelf = service.shelf_for(current_user, shelf_id)
    keeper = db.session.get(User, user_id)
    if keeper is None:
        raise NotFound()
    service.remove_keeper(current_user, shelf, keeper)
    flash(_("%(name)s no longer keeps this shelf.", name=keeper.display_name), "success")
    return redirect(url_for("box.keepers", shelf_id=shelf.id))


@bp.route("/shelves/<int:shelf_id>/items/new", methods=["GET", "POST"])
def new_item(shelf_id: int):
    """A keeper puts a new item on the shelf, e.g. a purchased batch."""
    shelf = service.shelf_for(current_user, shelf_id)
    service.require_keeper(current_user, shelf)
    form = forms.ItemForm()
    if form.validate_on_submit():
        fields = {name: getattr(form, name).data for name in service.ITEM_FIELDS}
        item = service.add_item(
            current_user, shelf, quantity=form.quantity.data, daily_limit=form.daily_limit.data,
            low_at=form.low_at.data, note=form.note.data or "", **fields,
        )
        flash(_("%(name)s is on the shelf.", name=item.name), "success")
        return redirect(url_for("box.shelf", shelf_id=shelf.id))
    return render_template("box/item_form.html", form=form, shelf=shelf)


@bp.get("/items/<int:item_id>")
def item(item_id: int):
    """One item: take it, ask for it at the door; keepers add stock and correct the count."""
    item = service.item_for(current_user, item_id)
    return page_or_partial("box/item.html", "box/_item.html", f"item-{item.id}", **item_context(item))


def item_context(item: Item, **extra) -> dict:
    context = {
        "item": item,
        "shelf": item.shelf,
        "full": True,
        "my_deliveries": service.deliveries_for(current_user, item),
        "stock_form": forms.StockForm(formdata=None, prefix="stock"),
        "correction_form": forms.CorrectionForm(formdata=None, prefix="count", counted=item.quantity),
        "settings_form": forms.ItemSettingsForm(formdata=None, prefix="settings", obj=item),
    }
    context.update(extra)
    return context


def item_answer(item: Item, *, status: int = 200, **extra):
    """After an action on an item: its card alone for htmx, else the item's page (with any error beside its form)."""
    db.session.refresh(item)
    full = request.form.get("full") == "1" or not is_htmx()
    context = item_context(item, **extra)
    context["full"] = full
    template = "box/_item_card.html" if is_htmx() else "box/item.html"
    return render_template(template, **context), status


@bp.post("/items/<int:item_id>/take")
def take(item_id: int):
    """Take units from the shelf; the register writes the line in the same transaction."""
    item = service.item_for(current_user, item_id)
    form = forms.TakeForm()
    if not form.validate_on_submit():
        return item_answer(item, take_form=form)
    try:
        line = service.take(current_user, item.id, form.quantity.data)
    except (Conflict, service.BadRequest) as error:
        # The resident's own card says why, beside the button (the page's flash region is far away on a phone).
        form.quantity.errors = [str(error.message)]
        return item_answer(db.session.get(Item, item_id), status=error.status, take_form=form)
    flash(_("You took %(amount)s of %(name)s. The register has it.", amount=amount(line.units, line.unit),
            name=local(line.item_name)), "success")
    if is_htmx():
        return item_answer(item)
    return redirect(url_for("box.shelf", shelf_id=item.shelf_id, _anchor=f"item-card-{item.id}"))


@bp.route("/items/<int:item_id>/deliver", methods=["GET", "POST"])
def deliver(item_id: int):
    """Ask for units to be brought to the door: they are set aside at once, and a need goes on the board."""
    item = service.item_for(current_user, item_id)
    form = forms.DeliveryForm()
    for_others = policy.may_post_on_behalf(current_user, item.community_id)
    people = households.people_without_login(item.community_id) if for_others else []
    form.for_person.choices = [("", _("Myself"))] + [
        (p.id, f"{local(p.name)} · {local(p.household.building.name)}") for p in people
    ]
    error = None
    if form.validate_on_submit():
        for_person = households.person_for(current_user, form.for_person.data) if form.for_person.data else None
        try:
            delivery = service.request_delivery(current_user, item.id, form.quantity.data,
                                                urgency=form.urgency.data, note=form.note.data or "",
                                                for_person=for_person)
        except (Conflict, service.BadRequest) as exc:
            error = exc
            form.quantity.errors = [str(exc.message)]
            item = db.session.get(Item, item_id)
        else:
            if for_person is not None:
                flash(_("%(amount)s set aside for %(name)s. A neighbour will bring it to their door.",
                        amount=amount(delivery.quantity, item.unit), name=local(for_person.name)), "success")
            else:
                flash(_("%(amount)s set aside for you. A neighbour will bring it; you will see it on the board.",
                        amount=amount(delivery.quantity, item.unit)), "success")
            return redirect(url_for("cards.detail", card_id=delivery.card_id))
    status = error.status if error else 200
    return render_template("box/deliver.html", form=form, item=item, shelf=item.shelf, for_others=bool(people)), status


@bp.post("/items/<int:item_id>/stock")
def add_stock(item_id: int):
    """A keeper adds units of an item already on the shelf."""
    item = service.item_for(current_user, item_id)
    service.require_keeper(current_user, item.shelf)
    form = forms.StockForm(prefix="stock")
    if not form.validate_on_submit():
        return item_answer(item, stock_form=form)
    line = service.add_stock(current_user, item.id, form.quantity.data, note=form.note.data or "")
    flash(_("%(amount)s added.", amount=amount(line.units, line.unit)), "success")
    return item_answer(item) if is_htmx() else redirect(url_for("box.item", item_id=item.id))


@bp.post("/items/<int:item_id>/correct")
def correct(item_id: int):
    """A keeper records what was counted on the shelf; the difference becomes a correction line."""
    item = service.item_for(current_user, item_id)
    service.require_keeper(current_user, item.shelf)
    form = forms.CorrectionForm(prefix="count")
    if not form.validate_on_submit():
        return item_answer(item, correction_form=form)
    try:
        service.correct(current_user, item.id, form.counted.data, note=form.note.data)
    except (Conflict, service.BadRequest) as error:
        form.counted.errors = [str(error.message)]
        return item_answer(db.session.get(Item, item_id), status=error.status, correction_form=form)
    flash(_("The count is corrected; the register has a new line."), "success")
    return item_answer(item) if is_htmx() else redirect(url_for("box.item", item_id=item.id))


@bp.post("/items/<int:item_id>/settings")
def settings(item_id: int):
    """A keeper changes an item's household limit, low-stock mark or place."""
    item = service.item_for(current_user, item_id)
    service.require_keeper(current_user, item.shelf)
    form = forms.ItemSettingsForm(prefix="settings")
    if not form.validate_on_submit():
        return item_answer(item, settings_form=form)
    service.update_item(current_user, item.id, daily_limit=form.daily_limit.data, low_at=form.low_at.data,
                        location=form.location.data or "")
    flash(_("Saved."), "success")
    return item_answer(item) if is_htmx() else redirect(url_for("box.item", item_id=item.id))


@bp.post("/items/<int:item_id>/remove-expired")
def remove_expired(item_id: int):
    """A keeper takes expired stock off the shelf."""
    item = service.item_for(current_user, item_id)
    service.remove_expired(current_user, item.id)
    flash(_("Expired %(name)s removed from the shelf.", name=item.name), "success")
    return redirect(url_for("box.check_in", shelf_id=item.shelf_id))


@bp.route("/shelves/<int:shelf_id>/give", methods=["GET", "POST"])
def give(shelf_id: int):
    """A resident gives something; a keeper checks it before it can be taken."""
    shelf = service.shelf_for(current_user, shelf_id)
    form = forms.GiftForm()
    if form.validate_on_submit():
        fields = {name: getattr(form, name).data for name in service.GIFT_FIELDS}
        service.offer_gift(current_user, shelf, quantity=form.quantity.data, **fields)
        flash(_("Thank you! Please bring it to %(place)s; a keeper will check it in.",
                place=shelf.location or shelf.name), "success")
        return redirect(url_for("box.shelf", shelf_id=shelf.id))
    return render_template("box/give.html", form=form, shelf=shelf)


@bp.get("/shelves/<int:shelf_id>/check-in")
def check_in(shelf_id: int):
    """The keepers' queue: gifts to check in, expired stock to remove."""
    shelf = service.shelf_for(current_user, shelf_id)
    service.require_keeper(current_user, shelf)
    return page_or_partial(
        "box/check_in.html", "box/_gifts.html", f"gifts-{shelf.id}", shelf=shelf, gifts=service.pending_gifts(shelf),
        expired=service.expired_items(shelf), reject_form=forms.RejectForm(formdata=None),
    )


@bp.post("/gifts/<int:gift_id>/accept")
def accept(gift_id: int):
    """A keeper checks a gift in: it joins the stock."""
    item = service.accept_gift(current_user, gift_id)
    flash(_("Checked in: %(name)s, now %(n)s on the shelf.", name=item.name, n=item.available), "success")
    return redirect(url_for("box.check_in", shelf_id=item.shelf_id))


@bp.post("/gifts/<int:gift_id>/reject")
def reject(gift_id: int):
    """A keeper refuses a gift, with the reason."""
    gift = service.gift_for(current_user, gift_id)
    service.require_keeper(current_user, gift.shelf)
    form = forms.RejectForm()
    if not form.validate_on_submit():
        return render_template(
            "box/check_in.html", shelf=gift.shelf, gifts=service.pending_gifts(gift.shelf),
            expired=service.expired_items(gift.shelf), reject_form=form, failed_gift_id=gift.id,
        )
    service.reject_gift(current_user, gift.id, form.reason.data, note=form.note.data or "")
    flash(_("Rejected: %(name)s.", name=gift.name), "success")
    return redirect(url_for("box.check_in", shelf_id=gift.shelf_id))


@bp.get("/shelves/<int:shelf_id>/register")
def register(shelf_id: int):
    """The shelf's full register: keepers and coordinators."""
    shelf = service.shelf_for(current_user, shelf_id)
    lines = service.register(current_user, shelf, limit=current_app.config["BOX_REGISTER_PAGE_SIZE"])
    return page_or_partial("box/register.html", "box/_register_region.html", f"register-{shelf.id}", shelf=shelf,
                           lines=lines)


CSV_HEADER = (
    _l("Line"), _l("Time"), _l("Kind"), _l("What happened"), _l("Item"), _l("Units"), _l("Unit"), _l("Stock change"),
    _l("Stock after"), _l("Who"), _l("Written by"), _l("Carried by"), _l("Reason"), _l("Note"),
)


def csv_cell(value) -> str:
    """Text as a spreadsheet should show it: never a formula (=, +, -, @ would be run by Excel or WPS, which
    also skip leading spaces and read the full-width ＝ ＋ － ＠ typed by Chinese input methods as formulas)."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in FORMULA_STARTS or text[:1].isspace() else text


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "＝", "＋", "－", "＠", "\u2212")


def name_of(user: User | None) -> str:
    return user.display_name if user is not None else ""


def csv_row(line: RegisterLine) -> list:
    """One register line; `Kind` stays a code for sorting and filtering, the next column says it in words."""
    reason = labels.REJECT_LABELS.get(line.reason, line.reason) if line.reason else ""
    return [
        line.id, format_datetime(line.created_at, "yyyy-MM-dd HH:mm:ss"), line.kind,
        str(labels.LINE_LABELS.get(line.kind, line.kind)), csv_cell(line.item_name), line.units, csv_cell(line.unit),
        line.delta, "" if line.balance is None else line.balance, csv_cell(name_of(line.user)),
        csv_cell(name_of(line.actor)), csv_cell(name_of(line.carried_by)), str(reason), csv_cell(line.note),
    ]


@bp.get("/shelves/<int:shelf_id>/register.csv")
def register_csv(shelf_id: int):
    """The whole register as CSV (UTF-8 with BOM, so Excel and WPS show Chinese names right)."""
    shelf = service.shelf_for(current_user, shelf_id)
    lines = service.register(current_user, shelf)
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out)
    writer.writerow([str(name) for name in CSV_HEADER])
    writer.writerows(csv_row(line) for line in reversed(lines))
    filename = f"register-shelf-{shelf.id}-{service.local_today().isoformat()}.csv"
    return Response(
        out.getvalue().encode("utf-8"),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "no-store"},
    )


@bp.get("/mine")
def mine():
    """A resident's own register lines: what they took, gave, asked for and carried."""
    return render_template("box/mine.html", lines=service.my_lines(current_user))
