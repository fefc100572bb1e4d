"""The rule review's decisions chart: month labels with the full year, an axis that holds
the tallest bar, labels that never overlap."""

import datetime
import re

import pytest

from guidance.console.chart import HEIGHT, decisions_chart


def _month(year, month):
    return datetime.date(year, month, 1)


def _axis(svg):
    """Return {tick value: y} from the y axis's labels."""
    return {int(value): float(y) for y, value in
            re.findall(r'<text x="\d+" y="([\d.]+)" text-anchor="end"[^>]*>(\d+)</text>', svg)}


def _bar_tops(svg):
    return [float(y) for y in re.findall(r'<rect x="[\d.]+" y="([\d.]+)" width="[\d.]+" '
                                         r'height="[\d.]+" fill="#', svg)]


def test_months_read_with_the_full_year_across_new_year():
    svg = decisions_chart([(_month(2026, 12), 1, 0), (_month(2027, 1), 0, 2)], title="t")
    labels = re.findall(r'class="month">([^<]+)</text>', svg)
    assert labels == ["Dec 2026", "Jan 2027"]
    assert "Dec 26" not in svg.replace("Dec 2026", "")


@pytest.mark.parametrize("tallest", [1, 3, 5, 7, 9, 13, 21, 99, 101, 1234])
def test_the_top_axis_label_is_at_or_above_the_tallest_bar(tallest):
    followed = tallest // 2
    svg = decisions_chart([(_month(2026, 11), 1, 0),
                           (_month(2026, 12), followed, tallest - followed)], title="t")
    axis = _axis(svg)
    top_label = max(axis)
    assert top_label >= tallest
    assert 2 <= len(axis) <= 5  # a few round steps, 0 first
    step = sorted(axis)[1]
    assert step in (1, 2, 5) or str(step).rstrip("0") in ("1", "2", "5")
    # Drawn: the tallest bar's top is not above the top label's line (y grows downwards).
    assert min(_bar_tops(svg)) >= axis[top_label] - 4 - 0.1
    assert top_label < 2 * tallest + 2  # rounded up, not far beyond


def test_two_years_of_months_keep_their_labels_apart():
    series = [(_month(2025 + (m // 12), m % 12 + 1), 1, 1) for m in range(24)]
    svg = decisions_chart(series, title="t")
    xs = [float(x) for x in re.findall(r'<text x="([\d.]+)" y="[\d.]+" text-anchor="middle"'
                                       r'[^>]*class="month"', svg)]
    assert xs[0] < 80 and len(xs) >= 6
    assert all(b - a >= 52 for a, b in zip(xs, xs[1:], strict=False))
    assert len(re.findall(r"<title>[A-Z][a-z]{2} 20\d\d: ", svg)) == 48  # each bar says its month
    assert f'height="{HEIGHT}"' in svg


def test_no_decisions_draws_an_empty_axis():
    assert _axis(decisions_chart([], title="t")) != {}
