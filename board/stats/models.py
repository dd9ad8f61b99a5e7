"""The community's numbers, kept as events arrive: counts per period, and who was already counted in one."""
from __future__ import annotations

from datetime import date

from sqlalchemy import CheckConstraint, Date, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from board.extensions import db

# A count is kept for each grain a period can be read at: a day, a (Monday-first) week, a month, and since the start.
GRAINS = ("day", "week", "month", "all")
ALL_START = date(2000, 1, 1)  # the one period of the grain "all"


class StatCount(db.Model):
    """How many of one metric in one period, for one building and category (0 and "" where it has none).

    `bucket` is a duration's lower bound in seconds for the time metrics (a histogram the medians are read
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

    Ids only, never shown: the same ids the event log already holds.
    """

    __tablename__ = "stats_seen"

    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id", ondelete="CASCADE"), primary_key=True)
    grain: Mapped[str] = mapped_column(String(5), primary_key=True)
    start: Mapped[date] = mapped_column(Date, primary_key=True)
    metric: Mapped[str] = mapped_column(String(30), primary_key=True)
    subject_id: Mapped[int] = mapped_column(Integer, primary_key=True)
