"""The geometry of the numbers page's charts; templates/stats/_bars.html and _columns.html draw them as SVG.

Sizes are in the SVG's own units (a viewBox 320 wide), so a chart fills a 360 px phone and scales with care
mode's larger text around it; no script, no inline style (the CSP stays strict): colours come from classes.
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
    rects: list[Rect]
    labels: list[Label]


def columns(points: list[tuple[str, list[int]]], classes: tuple[str, ...], *, every: int = 1) -> Chart:
    """Stacked columns, one per point (a day or a month), each value its own class; a label every `every`."""
    height, top, bottom, left = 150, 14, 22, 4
    plot = height - top - bottom
    peak = max([sum(values) for _, values in points] + [1])
    slot = (WIDTH - left * 2) / max(len(points), 1)
    rects, labels = [], [Label(left, 10, f"{peak}")]
    for i, (name, values) in enumerate(points):
        x, base = left + i * slot + slot * 0.15, top + plot
        for value, cls in zip(values, classes):
            h = plot * value / peak
            if h > 0:
                base -= h
                rects.append(Rect(round(x, 1), round(base, 1), round(slot * 0.7, 1), round(h, 1), cls))
        if i % every == 0:
            labels.append(Label(round(x + slot * 0.35, 1), height - 6, name, "middle"))
    rects.append(Rect(left, top + plot, WIDTH - left * 2, 1, "axis"))
    return Chart(WIDTH, height, rects, labels)


def bars(rows: list[tuple[str, int | None, str]]) -> Chart:
    """Horizontal bars, one a row: (name, value or None when it is not shown, the text at the bar's end)."""
    row_h, name_w, gap = 30, 112, 6
    peak = max([v for _, v, _ in rows if v] + [1])
    span = WIDTH - name_w - 56
    rects, labels = [], []
    for i, (name, value, text) in enumerate(rows):
        y = i * row_h
        labels.append(Label(0, y + 19, name))
        w = span * value / peak if value else 0
        if w > 0:
            rects.append(Rect(name_w, y + gap, round(w, 1), row_h - gap * 2, "bar"))
        labels.append(Label(round(name_w + w + 4, 1), y + 19, text))
    return Chart(WIDTH, max(len(rows), 1) * row_h, rects, labels)
