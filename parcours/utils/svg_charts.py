"""Bar charts drawn on the server as inline SVG: no JavaScript, nothing to load, readable without CSS.

Each chart is an `<svg role="img">` named by its `<title>` and `<desc>` (aria-labelledby); the page puts the
table of its figures beside it (RGAA: a chart is never the only way to read the figures). The viewBox is
fixed and the width 100%, so the chart scales with its column. Colours are written as presentation
attributes (the CSP forbids inline styles) on a white background of the chart's own, so the text keeps its
contrast in the dark scheme too. Every label is escaped; text sizes are estimated (no font metrics on the
server), generously.
"""

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

Number = int | float | Decimal

WIDTH = 720
FONT = "Marianne, Arial, sans-serif"
FONT_SIZE = 13
SMALL_FONT_SIZE = 12
# DSFR colours: blue France bars (16:1 on white), grey 1000 text, grey 425 axes (≥ 3:1), a light grid.
BAR_COLOUR = "#000091"
TEXT_COLOUR = "#161616"
AXIS_COLOUR = "#666666"
GRID_COLOUR = "#dddddd"
BACKGROUND = "#ffffff"
EMPTY_TEXT = "Aucune donnée pour cette période"
BAR_CLASS = "parcours-chart-bar"
_ID = re.compile(r"^[A-Za-z][A-Za-z0-9_-]*$")
# An estimate of a character's width, as a share of the font size (Marianne and Arial are close).
_CHAR_WIDTH = 0.6


def number_label(value: Number) -> str:
    """French writing of a figure: "1 234", "3,5", "12,25" (a narrow no-break space between thousands)."""
    if isinstance(value, float) and not math.isfinite(value):
        return "–"
    if value == int(value):
        return f"{int(value):,}".replace(",", "\u202f")
    text = f"{Decimal(str(value)).quantize(Decimal('0.01')):,.2f}".rstrip("0").rstrip(".")
    return text.replace(",", "\u202f").replace(".", ",")


def _text_width(text: str, size: float) -> float:
    return len(text) * size * _CHAR_WIDTH


def _fmt(value: float) -> str:
    """Coordinates with one decimal: short markup, and the same output on every machine."""
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _nice_scale(maximum: float, *, integers: bool) -> tuple[float, float]:
    """The top of the value axis and its step: 1, 2 or 5 times a power of ten, about four steps."""
    if maximum <= 0:
        return 1.0, 1.0 if integers else 0.25
    raw = maximum / 4
    power = 10 ** math.floor(math.log10(raw))
    step = next(factor * power for factor in (1, 2, 5, 10) if factor * power >= raw)
    if integers:
        step = max(1.0, float(math.ceil(step)))
    return step * math.ceil(maximum / step - 1e-9), step


def _ticks(top: float, step: float) -> list[float]:
    count = round(top / step)
    return [step * index for index in range(count + 1)]


@dataclass(frozen=True)
class _Chart:
    chart_id: str
    title: str
    description: str
    data: list[tuple[str, Number]]
    value_format: Callable[[Number], str]
    empty_text: str

    @property
    def maximum(self) -> float:
        return max((float(value) for _, value in self.data), default=0.0)

    @property
    def integers(self) -> bool:
        return all(float(value) == int(value) for _, value in self.data)

    @property
    def is_empty(self) -> bool:
        return self.maximum <= 0


def _check(chart_id: str, data: Sequence[tuple[str, Number]]) -> list[tuple[str, Number]]:
    if not _ID.match(chart_id):
        raise ValueError(f"chart_id must be a valid id, not {chart_id!r}")
    rows = [(str(label), value) for label, value in data]
    for label, value in rows:
        if value is None or not math.isfinite(float(value)) or value < 0:
            raise ValueError(f"a bar chart shows finite values ≥ 0, not {value!r} for {label!r}")
    return rows


def _svg(chart: _Chart, height: float, body: SafeString) -> SafeString:
    title_id, desc_id = f"{chart.chart_id}-title", f"{chart.chart_id}-desc"
    return format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" class="parcours-chart" id="{}" role="img" '
        'aria-labelledby="{} {}" viewBox="0 0 {} {}" width="100%" preserveAspectRatio="xMidYMid meet" '
        'font-family="{}" font-size="{}" fill="{}">'
        '<title id="{}">{}</title><desc id="{}">{}</desc>'
        '<rect x="0" y="0" width="{}" height="{}" fill="{}"/>{}</svg>',
        chart.chart_id,
        title_id,
        desc_id,
        WIDTH,
        _fmt(height),
        FONT,
        FONT_SIZE,
        TEXT_COLOUR,
        title_id,
        chart.title,
        desc_id,
        chart.description,
        WIDTH,
        _fmt(height),
        BACKGROUND,
        body,
    )


def _text(x: float, y: float, text: str, *, anchor: str = "middle", size: int = FONT_SIZE, rotate: float = 0):
    if rotate:
        return format_html(
            '<text x="{}" y="{}" text-anchor="{}" font-size="{}" transform="rotate({} {} {})">{}</text>',
            _fmt(x),
            _fmt(y),
            anchor,
            size,
            _fmt(rotate),
            _fmt(x),
            _fmt(y),
            text,
        )
    return format_html(
        '<text x="{}" y="{}" text-anchor="{}" font-size="{}">{}</text>', _fmt(x), _fmt(y), anchor, size, text
    )


def _line(x1: float, y1: float, x2: float, y2: float, colour: str) -> SafeString:
    return format_html(
        '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{}" stroke-width="1"/>',
        _fmt(x1),
        _fmt(y1),
        _fmt(x2),
        _fmt(y2),
        colour,
    )


def _bar(x: float, y: float, width: float, height: float, label: str, value_text: str) -> SafeString:
    # The bar's own title: a tooltip for pointer users; the table carries the same figure for everyone.
    return format_html(
        '<rect class="{}" x="{}" y="{}" width="{}" height="{}" fill="{}"><title>{} : {}</title></rect>',
        BAR_CLASS,
        _fmt(x),
        _fmt(y),
        _fmt(width),
        _fmt(height),
        BAR_COLOUR,
        label,
        value_text,
    )


def _join(parts) -> SafeString:
    return format_html_join("", "{}", ((part,) for part in parts))


def _truncate(text: str, width: float, size: float) -> str:
    fits = max(1, int(width / (size * _CHAR_WIDTH)))
    return text if len(text) <= fits else text[: max(1, fits - 1)].rstrip() + "…"


def vertical_bar_chart(
    *,
    chart_id: str,
    title: str,
    description: str,
    data: Sequence[tuple[str, Number]],
    x_label: str,
    y_label: str,
    value_format: Callable[[Number], str] = number_label,
    empty_text: str = EMPTY_TEXT,
) -> SafeString:
    """Vertical bars, one per (label, value) in order (months, scores); values ≥ 0.

    Crowded labels turn 45° and, past a point, only every few are written; crowded value labels turn upright.
    """
    chart = _Chart(chart_id, title, description, _check(chart_id, data), value_format, empty_text)
    count = len(chart.data)
    scale_top, step = _nice_scale(chart.maximum, integers=chart.integers)
    ticks = [(tick, chart.value_format(tick)) for tick in _ticks(scale_top, step)]
    # Room for the upright axis title, then the widest tick label.
    left = 34 + max(_text_width(text, SMALL_FONT_SIZE) for _, text in ticks) + 8
    right = 16.0
    plot_width = WIDTH - left - right
    slot = plot_width / count if count else plot_width
    value_texts = [chart.value_format(value) for _, value in chart.data]
    # Upright value labels side by side need a slot of about their font size: smaller in crowded charts.
    value_size = max(8, min(SMALL_FONT_SIZE, math.floor(slot * 0.85)))
    widest_value = max((_text_width(text, value_size) for text in value_texts), default=0.0)
    values_upright = widest_value > slot * 0.9
    top = 16.0 + (widest_value + 6 if values_upright else value_size + 8)
    widest_label = max((_text_width(label, SMALL_FONT_SIZE) for label, _ in chart.data), default=0.0)
    labels_slanted = widest_label > slot * 0.95
    # Slanted labels need about 1.5 line heights between them; write every `label_step`-th one.
    label_step = max(1, math.ceil(SMALL_FONT_SIZE * 1.5 / slot)) if labels_slanted else 1
    label_depth = min(widest_label * 0.71 + 8, 110) if labels_slanted else SMALL_FONT_SIZE + 6
    plot_height = 220.0
    height = top + plot_height + 8 + label_depth + 28
    baseline = top + plot_height

    parts: list[SafeString] = []
    for tick, tick_text in ticks:
        y = baseline - plot_height * tick / scale_top
        if tick:
            parts.append(_line(left, y, WIDTH - right, y, GRID_COLOUR))
        parts.append(_text(left - 8, y + 4, tick_text, anchor="end", size=SMALL_FONT_SIZE))
    parts.append(_line(left, top - 8, left, baseline, AXIS_COLOUR))
    parts.append(_line(left, baseline, WIDTH - right, baseline, AXIS_COLOUR))
    bar_width = slot * 0.7
    for index, ((label, value), value_text) in enumerate(zip(chart.data, value_texts, strict=True)):
        centre = left + slot * (index + 0.5)
        bar_height = plot_height * float(value) / scale_top
        parts.append(_bar(centre - bar_width / 2, baseline - bar_height, bar_width, bar_height, label, value_text))
        if values_upright:
            x, above = centre + value_size / 3, baseline - bar_height - 4
            parts.append(_text(x, above, value_text, anchor="start", size=value_size, rotate=-90))
        else:
            parts.append(_text(centre, baseline - bar_height - 6, value_text, size=value_size))
        if index % label_step == 0:
            if labels_slanted:
                parts.append(_text(centre + 4, baseline + 14, label, anchor="end", size=SMALL_FONT_SIZE, rotate=-45))
            else:
                parts.append(_text(centre, baseline + SMALL_FONT_SIZE + 6, label, size=SMALL_FONT_SIZE))
    if chart.is_empty:
        parts.append(_text(left + plot_width / 2, top + plot_height / 2, chart.empty_text))
    # Axis titles: the values' on the left, upright; the categories' under their labels.
    parts.append(_text(18, top + plot_height / 2, y_label, rotate=-90))
    parts.append(_text(left + plot_width / 2, height - 10, x_label))
    return _svg(chart, height, _join(parts))


def horizontal_bar_chart(
    *,
    chart_id: str,
    title: str,
    description: str,
    data: Sequence[tuple[str, Number]],
    x_label: str,
    y_label: str,
    value_format: Callable[[Number], str] = number_label,
    empty_text: str = EMPTY_TEXT,
) -> SafeString:
    """Horizontal bars, one row per (category, value) in order; the values' axis (`x_label`) below, the
    categories' title (`y_label`) above their names. Names longer than their column end with "…"."""
    chart = _Chart(chart_id, title, description, _check(chart_id, data), value_format, empty_text)
    value_texts = [chart.value_format(value) for _, value in chart.data]
    widest_label = max((_text_width(label, FONT_SIZE) for label, _ in chart.data), default=0.0)
    label_column = min(max(widest_label, _text_width(y_label, FONT_SIZE)), WIDTH * 0.4)
    left = label_column + 24
    right = max((_text_width(text, FONT_SIZE) for text in value_texts), default=0.0) + 24
    plot_width = WIDTH - left - right
    row, bar_height, top = 34.0, 22.0, 36.0
    plot_height = row * max(len(chart.data), 2)
    baseline = top + plot_height
    height = baseline + 24 + 32
    scale_top, step = _nice_scale(chart.maximum, integers=chart.integers)

    parts: list[SafeString] = []
    for tick in _ticks(scale_top, step):
        x = left + plot_width * tick / scale_top
        if tick:
            parts.append(_line(x, top, x, baseline, GRID_COLOUR))
        parts.append(_text(x, baseline + 18, chart.value_format(tick), size=SMALL_FONT_SIZE))
    parts.append(_line(left, top, left, baseline, AXIS_COLOUR))
    parts.append(_line(left, baseline, WIDTH - right, baseline, AXIS_COLOUR))
    for index, ((label, value), value_text) in enumerate(zip(chart.data, value_texts, strict=True)):
        middle = top + row * (index + 0.5)
        bar_width = plot_width * float(value) / scale_top
        parts.append(_bar(left, middle - bar_height / 2, bar_width, bar_height, label, value_text))
        parts.append(_text(left - 8, middle + 5, _truncate(label, label_column, FONT_SIZE), anchor="end"))
        parts.append(_text(left + bar_width + 6, middle + 5, value_text, anchor="start"))
    if chart.is_empty:
        parts.append(_text(left + plot_width / 2, top + plot_height / 2 + 5, chart.empty_text))
    parts.append(_text(left - 8, top - 14, y_label, anchor="end"))
    parts.append(_text(left + plot_width / 2, height - 10, x_label))
    return _svg(chart, height, _join(parts))
