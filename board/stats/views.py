"""The community's numbers page and the coordinators' CSV. Views stay thin."""
import csv
import io

from datetime import date
from functools import lru_cache

from babel.dates import format_date
from flask import Blueprint, Response, render_template, request
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required

from board import policy
from board.box.views import csv_cell
from board.care import care_level
from board.i18n import local
from board.models import Category
from board.cards.labels import CATEGORY_LABELS
from board.stats import charts, labels, service
from board.stats.facts import TIMES

bp = Blueprint("stats", __name__, url_prefix="/numbers")


@bp.before_request
@login_required
def _members_only():
    """The numbers are for the community's residents (every role), not for visitors."""
    service.require_member(current_user)


def duration(seconds: int | None) -> str:
    """A median at the resolution it was kept at: minutes within an hour, 5 minutes within a day, hours, days."""
    if seconds is None:
        return str(labels.NOTHING_TIMED)
    if seconds < 60:
        return _("under a minute")
    minutes, hours, days = seconds // 60, seconds // 3600, seconds // 86400
    if seconds < 3600:
        return ngettext("%(num)d minute", "%(num)d minutes", minutes)
    if seconds < 86400:
        return _("%(hours)d h %(minutes)d min", hours=hours, minutes=minutes % 60)
    if seconds < 7 * 86400:
        return _("%(days)d d %(hours)d h", days=days, hours=hours % 24)
    return ngettext("%(num)d day", "%(num)d days", days)


def cell_text(value) -> str:
    if value == "few":
        return str(labels.FEW)
    if value == "hidden":
        return str(labels.HIDDEN)
    return str(value)


@lru_cache(maxsize=64)
def _dates(locale: str, language: str, grain: str, period: str, days: tuple[date, ...]) -> tuple[tuple[str, str], ...]:
    """(short label on the chart, full label in the table) for each point, read once per locale and period."""
    full = MONTH_PATTERN[language] if grain == "month" else DAY_PATTERN[language]
    short = "MMM" if grain == "month" else "EEE" if period == "week" else "d" if grain == "day" else "M/d"
    return tuple((format_date(d, short, locale=locale), format_date(d, full, locale=locale)) for d in days)


FONT_OF_CARE = {0: 16, 1: 24, 2: 32, 3: 40}  # the page's text size in each care step (static/css/board.css)
DAY_PATTERN = {"zh": "M月d日", "en": "EEE d MMM"}
MONTH_PATTERN = {"zh": "yyyy年M月", "en": "MMM yyyy"}


@bp.get("/")
def page():
    """What the compound did together: this week against last week, this month, since the start."""
    period = request.args.get("period", "week")
    period = period if period in service.PERIODS else "week"
    n = service.numbers(current_user.community_id, period)
    # Every label as plain text once per request: a lazy string costs a catalogue lookup each time it is shown.
    texts = {key: str(value) for key, value in labels.METRICS.items()}
    cells = {"few": str(labels.FEW), "hidden": str(labels.HIDDEN)}
    language = "zh" if str(get_locale()).startswith("zh") else "en"
    dates = _dates(str(get_locale()), language, n.series_grain, period, tuple(d for d, _ in n.series))
    points = [(short, full, [v[m] for m in service.SERIES]) for (short, full), (_d, v) in zip(dates, n.series)]
    font = FONT_OF_CARE.get(care_level(), 16)
    over_time = charts.columns([(short, values) for short, _f, values in points], ("need", "offer"), font=font)
    names = {row.building_id: local(row.name) for row in n.buildings}
    buildings = [(names[row.building_id], [cells.get(row.cells[m], row.cells[m]) for m in service.BY_BUILDING])
                 for row in n.buildings]
    building_chart = charts.bars([
        (names[row.building_id], v if isinstance(v := row.cells["needs_met"], int) else None, str(cells.get(v, v)))
        for row in n.buildings
    ], font=font)
    category_names = {c.value: str(CATEGORY_LABELS.get(c.value, c.value)) for c in Category}
    categories = [(category_names.get(name, name), values) for name, values in n.categories]
    category_chart = charts.bars([(name, sum(v.values()), str(sum(v.values()))) for name, v in categories], font=font)
    return render_template(
        "stats/page.html", n=n, period=period, periods={k: str(v) for k, v in labels.PERIODS.items()},
        texts=texts, short={k: str(v) for k, v in labels.SHORT.items()}, explain={k: str(v) for k, v in labels.EXPLAIN.items()},
        before=str(labels.BEFORE[period]) if period in labels.BEFORE else "",
        counts=service.COUNTS, times=TIMES, by_building=service.BY_BUILDING,
        medians={m: duration(n.medians[m]) for m in TIMES}, points=points, over_time=over_time,
        buildings=buildings, building_chart=building_chart, categories=categories, category_chart=category_chart,
        may_download=policy.may_download_numbers(current_user, current_user.community_id),
    )


CSV_HEADER = ("period", "from", "metric", "building", "category", "value")


@bp.get("/numbers.csv")
def download():
    """Every count as CSV for coordinators (UTF-8 with BOM; no cell a spreadsheet would run as a formula)."""
    service.require_download(current_user)
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out)
    writer.writerow(CSV_HEADER)
    for row in service.csv_rows(current_user.community_id):
        writer.writerow([csv_cell(local(v)) if isinstance(v, str) else v for v in row])
    filename = f"numbers-{service.today().isoformat()}.csv"
    return Response(out.getvalue().encode("utf-8"), mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "no-store"})
