"""Chart geometry for static SVG figures: scales, ticks and paths, no drawing.

The statistics page's templates turn these into inline SVG, so the figures need no
JavaScript, no chart library and no network, and print as they show. Coordinates are
rounded to 0.1 px: the same data always gives the same bytes.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass

from ..analysis.stats import archive_months
from .escaping import MONTH_ABBR

# A chart spanning fewer days than this shows one bar per day; a longer one, a line.
MAX_BARS = 90
MAX_X_LABELS = 10


# Coordinates are strings, written as they go into the SVG.
@dataclass(frozen=True)
class Tick:
    position: str
    label: str


@dataclass(frozen=True)
class Bar:
    x: str
    y: str
    width: str
    height: str
    label: str


@dataclass(frozen=True)
class TimeChart:
    """A value per date on a plot area of ``width`` x ``height`` inside ``margin``."""

    width: int
    height: int
    left: int
    top: int
    plot_width: int
    plot_height: int
    x_ticks: tuple[Tick, ...]
    y_ticks: tuple[Tick, ...]
    bars: tuple[Bar, ...]
    line: str
    area: str


@dataclass(frozen=True)
class Sparkline:
    width: int
    height: int
    columns: str
    baseline: str
    peak: int


def _r(value: float) -> str:
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def nice_step(largest: float, most_ticks: int = 5) -> int:
    """A step of 1, 2 or 5 times a power of ten giving at most ``most_ticks`` steps up to ``largest``."""
    if largest <= most_ticks:
        return 1
    raw = largest / most_ticks
    power = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 5, 10):
        if factor * power >= raw:
            return int(factor * power)
    return int(10 * power)  # pragma: no cover (the loop always returns)


def _date_ticks(first: dt.date, last: dt.date, dates: Sequence[dt.date]) -> list[tuple[dt.date, str]]:
    span = (last - first).days
    if span <= 45:
        candidates = [(date, f"{MONTH_ABBR[date.month - 1]} {date.day}") for date in dates]
    elif span <= 2 * 366:
        candidates = []
        for year, month in archive_months(first, last):
            start = dt.date(year, month, 1)
            if first <= start:
                label = f"{MONTH_ABBR[month - 1]} {year}" if month == 1 or not candidates else MONTH_ABBR[month - 1]
                candidates.append((start, label))
    else:
        candidates = [(dt.date(year, 1, 1), str(year)) for year in range(first.year + 1, last.year + 1)]
    every = max(1, math.ceil(len(candidates) / MAX_X_LABELS))
    return candidates[::every]


def time_chart(points: Sequence[tuple[dt.date, int]], width: int = 720, height: int = 240) -> TimeChart:
    """Geometry of a chart of ``points`` (date, value), in date order."""
    left, top, right, bottom = 40, 10, 10, 26
    plot_width, plot_height = width - left - right, height - top - bottom
    if not points:
        return TimeChart(width, height, left, top, plot_width, plot_height, (), (), (), "", "")
    first, last = points[0][0], points[-1][0]
    span = max(1, (last - first).days)
    largest = max(value for _, value in points) or 1
    step = nice_step(largest)
    ceiling = math.ceil(largest / step) * step

    def x_of(date: dt.date) -> float:
        return left + (date - first).days / span * plot_width if len(points) > 1 else left + plot_width / 2

    def y_of(value: float) -> float:
        return top + plot_height - value / ceiling * plot_height

    y_ticks = tuple(Tick(_r(y_of(value)), str(value)) for value in range(0, ceiling + 1, step))
    bars: tuple[Bar, ...] = ()
    line = area = ""
    if span < MAX_BARS:
        slot = plot_width / (span + 1)
        bar_width = max(1.0, slot * 0.8)

        def x_of(date: dt.date) -> float:  # noqa: F811 (bars sit in day slots)
            return left + ((date - first).days + 0.5) * slot

        bars = tuple(
            Bar(
                _r(x_of(date) - bar_width / 2),
                _r(y_of(value)),
                _r(bar_width),
                _r(plot_height - (y_of(value) - top)),
                f"{MONTH_ABBR[date.month - 1]} {date.day}, {date.year}: {value}",
            )
            for date, value in points
        )
    else:
        coordinates = [f"{_r(x_of(date))},{_r(y_of(value))}" for date, value in points]
        line = "M" + " L".join(coordinates)
        baseline = _r(y_of(0))
        area = f"{line} L{_r(x_of(last))},{baseline} L{_r(x_of(first))},{baseline} Z"
    x_ticks = tuple(Tick(_r(x_of(date)), label) for date, label in _date_ticks(first, last, [d for d, _ in points]))
    return TimeChart(width, height, left, top, plot_width, plot_height, x_ticks, y_ticks, bars, line, area)


def sparkline(values: Sequence[int], width: int = 240, height: int = 36) -> Sparkline:
    """Geometry of a small column chart of ``values`` (one per month), scaled to its peak.

    ``columns`` is one path of all the columns (a month with nothing draws nothing);
    ``baseline`` the line under them.
    """
    peak = max(values, default=0)
    if not values:
        return Sparkline(width, height, "", "", 0)
    slot = width / len(values)
    column = max(1.0, slot * 0.8)
    columns = []
    for index, value in enumerate(values):
        if value:
            top = height - 1 - value / peak * (height - 2)
            x = index * slot + (slot - column) / 2
            columns.append(f"M{_r(x)},{_r(height - 1)} V{_r(top)} h{_r(column)} V{_r(height - 1)} Z")
    baseline = f"M0,{_r(height - 0.5)} H{width}"
    return Sparkline(width, height, " ".join(columns), baseline, peak)
