"""The geometry of the numbers page's charts; templates/stats/_chart.html draws them as SVG.

Sizes are in the SVG's own units (a viewBox 320 wide, filling a 360 px phone), and the text is set at the
page's own size (16, or care mode's 24–40): at larger text the charts make room (fewer labels, wider names,
taller rows) rather than shrink it. No script, no inline style (the CSP stays strict): colours come from classes.
"""
from __future__ import annotations

from dataclasses import dataclass

WIDTH = 320


@dataclass(frozen=True)
class Rect:
    x: float
    y: float
    w: float
    h: float
    cls: str


@dataclass(frozen=True)
class Label:
    x: float
    y: float
    text: str
    anchor: str = "start"


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    font: int
    rects: list[Rect]
    labels: list[Label]


def columns(points: list[tuple[str, list[int]]], classes: tuple[str, ...], *, font: int = 16) -> Chart:
    """Stacked columns, one per point (a day, a week or a month), each value its own class; as many labels
    under them as fit at this text size."""
    top, bottom = font + 6, font + 10
    height = 150 + top + bottom
    plot = height - top - bottom
    peak = max([sum(values) for _, values in points] + [1])
    slot = WIDTH / max(len(points), 1)
    label_width = font * 2.2  # "Mon", "12/28", "25": about two ems
    every = max(1, -(-int(label_width) // max(int(slot), 1)))
    rects, labels = [], [Label(0, font, str(peak))]
    for i, (name, values) in enumerate(points):
        x, base = i * slot + slot * 0.15, top + plot
        for value, cls in zip(values, classes):
            h = plot * value / peak
            if h > 0:
                base -= h
                rects.append(Rect(round(x, 1), round(base, 1), round(slot * 0.7, 1), round(h, 1), cls))
        if i % every == 0:
            labels.append(Label(round(min(max(x + slot * 0.35, label_width / 2), WIDTH - label_width / 2), 1),
                                height - 4, name, "middle"))
    rects.append(Rect(0, top + plot, WIDTH, 1, "axis"))
    return Chart(WIDTH, height, font, rects, labels)


def bars(rows: list[tuple[str, int | None, str]], *, font: int = 16) -> Chart:
    """Horizontal bars, one a row: (name, value or None when it is not shown, the text at the bar's end). At
    larger text the name takes its own line above the bar."""
    own_line = font > 16
    row_h = font * (3.2 if own_line else 1.9)
    name_w = 0 if own_line else font * 7
    value_w = font * 3.5
    peak = max([v for _, v, _ in rows if v] + [1])
    span = WIDTH - name_w - value_w
    rects, labels = [], []
    for i, (name, value, text) in enumerate(rows):
        y = i * row_h
        bar_y = y + (font * 1.3 if own_line else font * 0.3)
        bar_h = font * 1.3
        labels.append(Label(0, round(y + font * (1.0 if own_line else 1.3), 1), name))
        w = span * value / peak if value else 0
        if w > 0:
            rects.append(Rect(name_w, round(bar_y, 1), round(w, 1), bar_h, "bar"))
        labels.append(Label(round(name_w + w + 4, 1), round(bar_y + font * 1.0, 1), text))
    return Chart(WIDTH, int(max(len(rows), 1) * row_h), font, rects, labels)
