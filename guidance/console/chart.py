"""A small server-drawn SVG chart: decisions per month, followed and overridden stacked.

No JavaScript and nothing fetched: the page carries the drawing, and a table beside it
carries the same figures for a screen reader.
"""

import math

from django.utils.html import escape
from django.utils.safestring import mark_safe

WIDTH, HEIGHT = 640, 240
LEFT, BOTTOM, TOP, RIGHT = 40, 40, 16, 12
COLOURS = {"followed": "#007f3b", "overridden": "#d5281b"}  # NHS green and red


LABEL_WIDTH = 52  # room for a month label such as "Dec 2026" at 11px


def _ticks(top):
    """Return the y axis's ticks from 0: at most five, a nice step apart (1, 2 or 5 times a
    power of ten), the last at or above `top` so that the tallest bar stays under it."""
    power = 1
    while True:
        for factor in (1, 2, 5):
            step = factor * power
            if step * 4 >= top:
                return list(range(0, -(-top // step) * step + 1, step))
        power *= 10


def _bar(x, y, width, height, colour, title):
    return (f'<rect x="{x:.1f}" y="{y:.1f}" width="{width:.1f}" height="{height:.1f}" '
            f'fill="{colour}"><title>{escape(title)}</title></rect>')


def decisions_chart(series, *, title):
    """Return an SVG of [(month, followed, overridden)] as stacked bars, safe to render."""
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    tallest = max([f + o for _, f, o in series] or [0]) or 1
    ticks = _ticks(tallest)
    top = ticks[-1]
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
             f'width="{WIDTH}" height="{HEIGHT}" role="img" class="decisions-chart">'
             f"<title>{escape(title)}</title>"]
    for tick in ticks:
        y = TOP + plot_h - plot_h * tick / top
        parts.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}" '
                     f'stroke="#d8dde0"/><text x="{LEFT - 6}" y="{y + 4:.1f}" '
                     f'text-anchor="end" font-size="11">{tick}</text>')
    slot = plot_w / max(len(series), 1)
    width = min(slot * 0.7, 48)
    every = math.ceil(LABEL_WIDTH / slot)  # label every nth month: labels never overlap
    for index, (month, followed, overridden) in enumerate(series):
        x = LEFT + slot * index + (slot - width) / 2
        base = TOP + plot_h
        name = month.strftime("%b %Y")
        for count, kind in ((followed, "followed"), (overridden, "overridden")):
            height = plot_h * count / top
            if height:
                base -= height
                parts.append(_bar(x, base, width, height, COLOURS[kind],
                                  f"{name}: {count} {kind}"))
        if index % every == 0:
            parts.append(f'<text x="{x + width / 2:.1f}" y="{HEIGHT - BOTTOM + 16}" '
                         f'text-anchor="middle" font-size="11" class="month">{escape(name)}'
                         "</text>")
    parts.append(_legend())
    parts.append("</svg>")
    return mark_safe("".join(parts))  # every text above is escaped; numbers are formatted


def _legend():
    items = []
    for index, (kind, colour) in enumerate(COLOURS.items()):
        x = LEFT + index * 120
        y = HEIGHT - 12
        items.append(f'<rect x="{x}" y="{y - 9}" width="10" height="10" fill="{colour}"/>'
                     f'<text x="{x + 14}" y="{y}" font-size="11">{kind.capitalize()}</text>')
    return "".join(items)
