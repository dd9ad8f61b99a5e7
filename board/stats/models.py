"""The community's numbers, kept as events arrive: counts per period, and who was already counted in one."""
from __future__ import annotations

from datetime import date

from sqlalchemy import CheckConstraint, Date, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from board.extensions import db

# A count is kept for each grain a period can be read at: a day, a (Monday-first) week, a month, and since the start.
GRAINS = ("day", "week", "month", "all")
ALL_START = date(2000, 1, 1)  # the one period of the grain "all"
# Rows summed over every building and/or every category, kept beside each fact's own row so that the page reads
# a metric's total, its buildings and its categories without adding up the (building × category) rows.
ANY_BUILDING = -1
ANY_CATEGORY = "*"


class StatCount(db.Model):
    """How many of one metric in one period, for one building and category (0 and "" where it has none).

    Beside each fact's own row, the same count is kept summed over buildings and categories: (ANY_BUILDING,
    ANY_CATEGORY) is the metric's total, (a building, ANY_CATEGORY) a building's, (ANY_BUILDING, a category) a
    category's (board.stats.keeping.levels). `bucket` is a duration's lower bound in seconds for the time metrics (a histogram the medians are read
    from), -1 for plain counts. The page reads one period's rows by the primary key's prefix.
    """

    __tablename__ = "stats_counts"
    __table_args__ = (CheckConstraint("n >= 0", name="n_not_negative"),)

    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id", ondelete="CASCADE"), primary_key=True)
    grain: Mapped[str] = mapped_column(String(5), primary_key=True)
    start: Mapped[date] = mapped_column(Date, primary_key=True)
    metric: Mapped[str] = mapped_column(String(30), primary_key=True)
    building_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    category: Mapped[str] = mapped_column(String(20), primary_key=True)
    bucket: Mapped[int] = mapped_column(Integer, primary_key=True)
    n: Mapped[int] = mapped_column(Integer, default=0)


class StatSeen(db.Model):
    """Someone or some home already counted in a period of a distinct metric (volunteers active, elders served).

    Ids only, never shown: the same ids the event log already holds. An erased account's id goes, and a home's
    once nobody is left in it (board.stats.keeping.forget); the counts stay.
    """

    __tablename__ = "stats_seen"

    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id", ondelete="CASCADE"), primary_key=True)
    grain: Mapped[str] = mapped_column(String(5), primary_key=True)
    start: Mapped[date] = mapped_column(Date, primary_key=True)
    metric: Mapped[str] = mapped_column(String(30), primary_key=True)
    subject_id: Mapped[int] = mapped_column(Integer, primary_key=True)
