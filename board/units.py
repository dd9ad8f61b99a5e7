"""Amounts as people say them: "1 box", "3 bags left" in English, "3盒", "还剩3袋" in Chinese.

A card's or an item's unit is free text. The units residents use most are recognised whatever
language or number they were typed in ("box", "boxes", "盒") and shown with the reader's plural or
measure word; any other unit is shown as typed.
"""
from flask_babel import gettext, ngettext


def _box(n):
    return ngettext("%(num)s box", "%(num)s boxes", n)


def _bottle(n):
    return ngettext("%(num)s bottle", "%(num)s bottles", n)


def _bag(n):
    return ngettext("%(num)s bag", "%(num)s bags", n)


def _pack(n):
    return ngettext("%(num)s pack", "%(num)s packs", n)


def _test(n):
    return ngettext("%(num)s test", "%(num)s tests", n)


def _piece(n):
    return ngettext("%(num)s piece", "%(num)s pieces", n)


def _portion(n):
    return ngettext("%(num)s portion", "%(num)s portions", n)


def _kg(n):
    return gettext("%(num)s kg", num=n)


def _item(n):
    return ngettext("%(num)s item", "%(num)s items", n)


KNOWN = {
    _box: ("box", "boxes", "盒"),
    _bottle: ("bottle", "bottles", "瓶"),
    _bag: ("bag", "bags", "袋"),
    _pack: ("pack", "packs", "packet", "packets", "包"),
    _test: ("test", "tests", "人份"),
    _piece: ("piece", "pieces", "pcs", "个", "件"),
    _portion: ("portion", "portions", "share", "shares", "份"),
    _kg: ("kg", "kilo", "kilos", "公斤", "千克"),
}
_BY_NAME = {name: form for form, names in KNOWN.items() for name in names}


def amount(n: int, unit: str | None) -> str:
    """n of a unit in the reader's language; no unit reads as items (件)."""
    if not unit:
        return _item(n)
    form = _BY_NAME.get(unit.strip().lower())
    if form is None:
        return gettext("%(num)s %(unit)s", num=n, unit=unit)
    return form(n)


def left(n: int, total: int | None, unit: str | None) -> str:
    """What is left of an offer: "3 bags left" while none has gone, then "1 of 3 bags left"."""
    if total is None or n == total:
        return gettext("%(amount)s left", amount=amount(n, unit))
    return gettext("%(left)s of %(amount)s left", left=n, amount=amount(total, unit))
