"""The community's numbers page and the coordinators' CSV. Views stay thin."""
import csv
import io

from flask import Blueprint, Response, render_template, request
from flask_babel import format_date
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required

from board.box.views import csv_cell
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


def _point_label(day, grain: str, period: str) -> str:
    if grain == "month":
        return format_date(day, "MMM")
    if period == "week":
        return format_date(day, "EEE")
    return str(day.day)


@bp.get("/")
def page():
    """What the compound did together: this week against last week, this month, since the start."""
    period = request.args.get("period", "week")
    period = period if period in service.PERIODS else "week"
    numbers = service.numbers(current_user.community_id, period)
    points = [(_point_label(d, numbers.series_grain, period), [v[m] for m in service.SERIES])
              for d, v in numbers.series]
    every = 1 if len(points) <= 12 else 5
    over_time = charts.columns(points, ("need", "offer"), every=every)
    building_chart = charts.bars([
        (local(row.name), row.cells["needs_met"] if isinstance(row.cells["needs_met"], int) else None,
         cell_text(row.cells["needs_met"])) for row in numbers.buildings
    ])
    category_names = {c.value: CATEGORY_LABELS.get(c.value, c.value) for c in Category}
    category_chart = charts.bars([
        (str(category_names.get(name, name)), sum(values.values()), str(sum(values.values())))
        for name, values in numbers.categories
    ])
    return render_template(
        "stats/page.html", n=numbers, period=period, labels=labels, counts=service.COUNTS, times=TIMES,
        by_building=service.BY_BUILDING, duration=duration, cell_text=cell_text, over_time=over_time,
        points=[(label, values, day) for (label, values), (day, _v) in zip(points, numbers.series)],
        building_chart=building_chart, category_chart=category_chart, category_names=category_names,
        may_download=service.policy.may_download_numbers(current_user, current_user.community_id),
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
