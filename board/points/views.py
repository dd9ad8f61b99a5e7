"""Points pages: mine (balance, gifts, codes), my record and certificate, the merchant's counter, the rules."""
import segno
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required
from markupsafe import Markup

from board import policy
from board.errors import Conflict, Forbidden, NotFound
from board.extensions import db
from board.i18n import html_lang, local
from board.models import User
from board.points import forms, labels, record, service
from board.points.models import Entry
from board.points.service import local_now

bp = Blueprint("points", __name__, url_prefix="/points")


@bp.before_request
@login_required
def _members_only():
    """Points are for residents of the community only."""


@bp.after_request
def _private(response):
    """Every points page is one person's (a balance, a code): never kept by a cache."""
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.app_context_processor
def points_helpers() -> dict:
    return {"reason_labels": labels.REASON_LABELS, "entry_labels": labels.ENTRY_LABELS,
            "code_labels": labels.CODE_LABELS, "show_code": service.show_code}


def qr_svg(url: str, title: str) -> Markup:
    """The code as a QR code, inline SVG (no script, no image request: the CSP stays strict)."""
    svg = segno.make(url, error="m").svg_inline(scale=4, border=2, omitsize=True, dark="#000", light="#fff",
                                                title=title, svgclass="qr-code")
    return Markup(svg.replace("<svg ", '<svg role="img" ', 1))


@bp.get("/")
def mine():
    """My points, the gifts I can spend them on, and my gift codes."""
    community_id = current_user.community_id
    return render_template("points/mine.html", balance=service.balance_of(current_user),
                           gifts=service.gifts(community_id), codes=service.my_codes(current_user),
                           rules=service.settings_for(community_id))


@bp.post("/gifts/<int:gift_id>/redeem")
def redeem(gift_id: int):
    """Spend points on a gift: a code is issued, the stock goes down, the points move — or a friendly 409."""
    try:
        redemption = service.redeem(current_user, gift_id)
    except Conflict as error:
        community_id = current_user.community_id
        return render_template("points/mine.html", balance=service.balance_of(current_user),
                               gifts=service.gifts(community_id), codes=service.my_codes(current_user),
                               rules=service.settings_for(community_id), error=error.message,
                               error_gift=gift_id), error.status
    flash(_("Your code is ready. Show it at the counter."), "success")
    return redirect(url_for("points.code", redemption_id=redemption.id))


@bp.get("/codes/<int:redemption_id>")
def code(redemption_id: int):
    """One gift code, large, with its QR code: the merchant types it or scans it."""
    redemption = service.code_for_owner(current_user, redemption_id)
    url = url_for("points.counter", code=redemption.code, _external=True)
    qr = qr_svg(url, _("QR code for gift code %(code)s", code=service.show_code(redemption.code)))
    return render_template("points/code.html", redemption=redemption, qr=qr, past=service.is_past(redemption))


def _volunteer(user_id: int | None) -> User:
    user = current_user if user_id is None else db.session.get(User, user_id)
    if user is None or not policy.may_see_points(current_user, user):
        raise NotFound()
    return user


@bp.get("/record", defaults={"user_id": None})
@bp.get("/record/<int:user_id>")
def volunteer_record(user_id: int | None):
    """A volunteer's record: hours and points, and every line of what for (themselves and coordinators)."""
    user = _volunteer(user_id)
    result = record.record_of(user, current_user.community_id)
    return render_template("points/record.html", record=result, reverse_form=forms.ReverseForm(formdata=None))


@bp.get("/certificate", defaults={"user_id": None})
@bp.get("/certificate/<int:user_id>")
def certificate(user_id: int | None):
    """A printable certificate of service, in Chinese and English on one page."""
    user = _volunteer(user_id)
    result = record.record_of(user, current_user.community_id)
    community = current_user.membership.community
    today = local_now().date()
    texts = []
    for locale in ("zh_CN", "en"):  # Chinese first, then English, whatever the reader's language
        with force_locale(locale):
            texts.append(Markup(render_template("points/_certificate_text.html", record=result, community=community,
                                                today=today, lang=html_lang(locale))))
    return render_template("points/certificate.html", record=result, texts=texts)


# The merchant's counter.

def _counter(**extra):
    context = {"gifts": service.merchant_gifts(current_user), "gift_form": forms.GiftForm(formdata=None),
               "code_form": forms.CodeForm(formdata=None)}
    context.update(extra)
    return render_template("points/counter.html", **context)


@bp.get("/counter")
def counter():
    """The merchant's phone at the counter: look a code up (typed, or opened from its QR code), and the gifts."""
    if not policy.may_list_gifts(current_user, current_user.community_id):
        raise Forbidden()
    if "code" not in request.args:
        return _counter()
    form = forms.CodeForm(request.args)
    if not form.validate():
        return _counter(code_form=form)
    try:
        found = service.code_at_counter(current_user, form.code.data)
    except NotFound as error:
        form.code.errors = [str(error.message)]
        return _counter(code_form=form), 404
    return _counter(code_form=form, found=found, past=service.is_past(found))


@bp.post("/counter/use")
def use():
    """The merchant hands the gift over and marks the code used."""
    if not policy.may_list_gifts(current_user, current_user.community_id):
        raise Forbidden()
    form = forms.CodeForm(request.form)
    if not form.validate():
        return _counter(code_form=form), 400
    try:
        used = service.use_code(current_user, form.code.data)
    except (Conflict, NotFound) as error:
        form.code.errors = [str(error.message)]
        found = None
        if isinstance(error, Conflict):
            found = service.code_at_counter(current_user, form.code.data)
        return _counter(code_form=form, found=found), error.status
    flash(_("Code %(code)s used: please hand over %(gift)s.", code=service.show_code(used.code),
            gift=local(used.gift.name)), "success")
    return redirect(url_for("points.counter"))


@bp.post("/gifts/new")
def new_gift():
    """A merchant lists a gift with its stock and its price."""
    if not policy.may_list_gifts(current_user, current_user.community_id):
        raise Forbidden()
    form = forms.GiftForm()
    if not form.validate_on_submit():
        return _counter(gift_form=form)
    gift = service.create_gift(current_user, name=form.name.data, details=form.details.data or "",
                               price=form.price.data, stock=form.stock.data)
    flash(_("%(name)s is offered for %(price)s points.", name=gift.name, price=gift.price), "success")
    return redirect(url_for("points.counter"))


@bp.post("/gifts/<int:gift_id>")
def change_gift(gift_id: int):
    """The merchant changes a gift's price or stock, or stops offering it."""
    gift = service.gift_for(current_user, gift_id)
    if not policy.may_keep_gift(current_user, gift):
        raise NotFound()
    form = forms.GiftChangeForm()
    if not form.validate_on_submit():
        return _counter(change_form=form, change_gift=gift.id), 400
    service.update_gift(current_user, gift.id, price=form.price.data, stock=form.stock.data, active=form.active.data)
    flash(_("Saved."), "success")
    return redirect(url_for("points.counter"))


# The coordinators' page.

def _community_page(**extra):
    community_id = current_user.community_id
    rules = service.settings_for(community_id)
    context = {
        "rules_form": forms.RulesForm(formdata=None, obj=rules),
        "fund_form": forms.FundForm(formdata=None),
        "totals": record.totals(community_id),
        "pairs": record.pair_flags(community_id),
        "bursts": record.burst_flags(community_id, rules.burst_count),
        "volunteers": record.volunteers(community_id),
        "names": {u.id: u.display_name for u, _ in record.volunteers(community_id)},
    }
    context.update(extra)
    return render_template("points/community.html", **context)


@bp.get("/community")
def community():
    """Coordinators: the rules, the pool, flags for unusual patterns, every volunteer's balance."""
    if not policy.may_correct_points(current_user, current_user.community_id):
        raise Forbidden()
    return _community_page()


@bp.post("/rules")
def rules():
    """A coordinator changes how many points for what, the daily cap, the flag and how long a code lasts."""
    if not policy.may_edit_point_rules(current_user, current_user.community_id):
        raise Forbidden()
    form = forms.RulesForm()
    if not form.validate_on_submit():
        return _community_page(rules_form=form), 400
    service.update_settings(current_user, **{name: getattr(form, name).data for name in service.RULE_FIELDS})
    flash(_("The rules are saved. They count from the next confirmation."), "success")
    return redirect(url_for("points.community"))


@bp.post("/fund")
def fund():
    """A coordinator adds points to the pool volunteers earn from."""
    if not policy.may_correct_points(current_user, current_user.community_id):
        raise Forbidden()
    form = forms.FundForm()
    if not form.validate_on_submit():
        return _community_page(fund_form=form), 400
    service.fund_pool(current_user, form.amount.data, note=form.note.data or "")
    flash(_("%(amount)s points added to the pool.", amount=form.amount.data), "success")
    return redirect(url_for("points.community"))


@bp.post("/entries/<int:entry_id>/reverse")
def reverse(entry_id: int):
    """A coordinator takes back points earned by mistake: a reversing line; the first stays in the ledger."""
    entry = db.session.get(Entry, entry_id)
    if entry is None or not policy.may_correct_points(current_user, entry.community_id):
        raise NotFound()
    owner = entry.to_account.user_id
    form = forms.ReverseForm()
    if not form.validate_on_submit():
        user = _volunteer(owner) if owner else current_user
        result = record.record_of(user, current_user.community_id)
        return render_template("points/record.html", record=result, reverse_form=form, reverse_id=entry.id), 400
    try:
        service.reverse(current_user, entry.id, note=form.note.data)
    except Conflict as error:
        flash(str(error.message), "error")
    else:
        flash(_("Corrected: a reversing line is in the ledger."), "success")
    if owner:
        return redirect(url_for("points.volunteer_record", user_id=owner))
    return redirect(url_for("points.community"))



