"""Chart geometry: nice ticks, bars or a line inside the plot area, stable output."""

from __future__ import annotations

import datetime as dt
import re

from hypothesis import given, settings
from hypothesis import strategies as st

from generator.site.charts import MAX_BARS, nice_step, sparkline, time_chart


def numbers(path: str) -> list[float]:
    return [float(n) for n in re.findall(r"-?\d+(?:\.\d+)?", path)]


def test_nice_steps_are_one_two_or_five_times_a_power_of_ten():
    assert [nice_step(n) for n in (1, 5, 6, 11, 37, 60, 240, 999)] == [1, 1, 2, 5, 10, 20, 50, 200]


def test_few_days_are_bars_with_a_tick_per_day_and_heights_in_proportion():
    start = dt.date(2025, 3, 3)
    chart = time_chart([(start, 10), (start + dt.timedelta(days=1), 40), (start + dt.timedelta(days=3), 20)])
    assert not chart.line and len(chart.bars) == 3
    heights = [float(bar.height) for bar in chart.bars]
    assert heights[1] == 4 * heights[0] == 2 * heights[2]
    assert [tick.label for tick in chart.x_ticks] == ["Mar 3", "Mar 4", "Mar 6"]
    assert [tick.label for tick in chart.y_ticks] == ["0", "10", "20", "30", "40"]
    assert chart.bars[0].label == "Mar 3, 2025: 10"


def test_years_of_days_are_a_line_with_a_tick_per_year():
    start = dt.date(2022, 1, 3)
    points = [(start + dt.timedelta(days=n), 40 + n % 20) for n in range(0, 1300)]
    chart = time_chart(points)
    assert not chart.bars and chart.line.startswith("M") and chart.area.endswith("Z")
    assert [tick.label for tick in chart.x_ticks] == ["2023", "2024", "2025"]
    assert len(numbers(chart.line)) == 2 * len(points)


@settings(max_examples=100, deadline=None)
@given(
    st.lists(st.tuples(st.integers(0, 2000), st.integers(0, 500)), min_size=1, max_size=200, unique_by=lambda p: p[0])
)
def test_property_every_mark_lies_inside_the_plot_area(offsets):
    start = dt.date(2023, 1, 1)
    points = sorted((start + dt.timedelta(days=offset), value) for offset, value in offsets)
    chart = time_chart(points)
    right, bottom = chart.left + chart.plot_width, chart.top + chart.plot_height
    if (points[-1][0] - points[0][0]).days < MAX_BARS:
        for bar in chart.bars:
            assert chart.left - 0.1 <= float(bar.x) and float(bar.x) + float(bar.width) <= right + 0.2
            assert chart.top - 0.1 <= float(bar.y) and float(bar.y) + float(bar.height) <= bottom + 0.2
    else:
        values = numbers(chart.line)
        assert all(chart.left - 0.1 <= x <= right + 0.1 for x in values[0::2])
        assert all(chart.top - 0.1 <= y <= bottom + 0.1 for y in values[1::2])
    assert int(chart.y_ticks[-1].label) >= max(value for _, value in points)
    assert time_chart(points) == chart


def test_sparkline_columns_scale_to_their_own_peak():
    line = sparkline([0, 5, 10, 5])
    columns = line.columns.split("M")[1:]
    assert line.peak == 10 and len(columns) == 3  # the empty month draws nothing
    tops = [numbers(column)[2] for column in columns]
    assert tops[1] == 1 and line.height - 1 - tops[0] == (line.height - 1 - tops[1]) / 2 == line.height - 1 - tops[2]
    assert sparkline([3]).columns and sparkline([]).columns == ""
