"""Reading what a request brings (ids, headers, `next=`, typed text) so that junk is a 400/404, never a 500.

Every helper here is total: whatever the input, it answers a safe value or None.
"""
from __future__ import annotations

import unicodedata
from datetime import date, timedelta
from urllib.parse import urlsplit

from flask import Flask, request
from werkzeug.routing import IntegerConverter
from wtforms.validators import ValidationError

MAX_ID = 2**31 - 1  # the largest INTEGER key on PostgreSQL: anything above is a mistyped address
MAX_EVENT_ID = 2**63 - 1  # the event log's BIGINT key
MAX_NEXT_LENGTH = 2000  # a longer `next=` is not one we made; it would become a header of that size


class IdConverter(IntegerConverter):
    """`<int:…>` in every route: an id above what the database can hold does not match (a 404)."""

    def __init__(self, map, fixed_digits=0, min=None, max=MAX_ID, signed=False):  # noqa: A002 (werkzeug's names)
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def safe_next(target: str | None) -> str | None:
    """Only a same-site path of ours: never `//evil.example`, `https://…`, a CR/LF or a 100 kB string."""
    if not target or not isinstance(target, str) or len(target) > MAX_NEXT_LENGTH:
        return None
    if not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    if not target.isprintable() or not target.isascii() and any(unicodedata.category(c)[0] in "CZ" for c in target):
        return None  # CR, LF, tabs, other controls and invisible characters have no place in an address
    try:
        parts = urlsplit(target)
    except ValueError:
        return None
    if parts.scheme or parts.netloc:
        return None
    return target


def page_shown_on() -> str | None:
    """The page a fragment fetched by htmx is shown on (htmx sends its address), as a same-site path."""
    header = request.headers.get("HX-Current-URL", "")
    if len(header) > MAX_NEXT_LENGTH:
        return None
    try:
        current = urlsplit(header)
    except ValueError:
        return None
    if not current.path:
        return None
    return safe_next(current.path + (f"?{current.query}" if current.query else ""))


def small_int(value: str | None, *, maximum: int = MAX_ID) -> int | None:
    """A non-negative whole number written in ASCII digits and at most `maximum`, else None ('²', 2⁶³, 5,000 digits)."""
    if not isinstance(value, str):
        return None
    value = value.strip()
    if not value or len(value) > len(str(maximum)) or not (value.isascii() and value.isdigit()):
        return None
    number = int(value)
    return number if number <= maximum else None


INVISIBLE = {"Cc", "Cf", "Co", "Cn", "Cs", "Zs", "Zl", "Zp"}  # controls, zero-width and direction marks, spaces


def _invisible(c: str) -> bool:
    return c.isspace() or unicodedata.category(c) in INVISIBLE


def strip_invisible(value):
    """A WTForms filter: spaces and invisible marks around the text go, so text of only those is no text."""
    if not isinstance(value, str):
        return value
    start, end = 0, len(value)
    while start < end and _invisible(value[start]):
        start += 1
    while end > start and _invisible(value[end - 1]):
        end -= 1
    return value[start:end]


FAR_AHEAD_YEARS = 10  # no box of medicine keeps longer; 9999-12-31 is a slip of the thumb, not an expiry date


class NotFarAhead:
    """A WTForms validator: a date at most FAR_AHEAD_YEARS from today."""

    def __init__(self, message):
        self.message = message

    def __call__(self, form, field):
        if field.data is not None and field.data > date.today() + timedelta(days=365 * FAR_AHEAD_YEARS):
            raise ValidationError(self.message)


def init_app(app: Flask) -> None:
    app.url_map.converters["int"] = IdConverter
