"""Inline SVG charts for the HTML report, drawn from :class:`csaudit.charts.Charts`.

Plain SVG written as text: no script, no fonts or images to fetch, every label escaped.
Each chart is an ``<svg class="chart KIND">`` whose series are ``<g data-series="…">``
elements, so the report can be checked without a browser.
"""

from __future__ import annotations

import math
from datetime import timedelta
from html import escape

from csaudit.charts import Bar, Histogram, LevelSeries
from csaudit.metrics.base import Unit
from csaudit.profile.model import Status, Target
from csaudit.result import GroupResult, StandardResult, format_target, format_value
from csaudit.units import format_duration

STATUS_COLOR = {
    Status.PASS: "#1a7f37",
    Status.INFO: "#0969da",
    Status.WARN: "#bf8700",
    Status.INSUFFICIENT: "#8c959f",
    Status.NOT_MEASURED: "#8c959f",
    Status.FAIL: "#cf222e",
    Status.ERROR: "#82071e",
}
PALETTE = ("#0969da", "#bc4c00", "#8250df", "#1a7f37", "#bf3989", "#57606a", "#0a7b83")
WITHIN, OVER = "#54aeff", "#ff8182"


def _e(text: object) -> str:
    return escape(str(text), quote=True)


def _n(x: float) -> str:
    return f"{x:.1f}".rstrip("0").rstrip(".")


def _svg(kind: str, width: int, height: int, body: list[str], label: str) -> str:
    return (
        f'<svg class="chart {kind}" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'role="img" aria-label="{_e(label)}">' + "".join(body) + "</svg>"
    )


def _text(x: float, y: float, text: str, anchor: str = "start", cls: str = "") -> str:
    klass = f' class="{cls}"' if cls else ""
    return f'<text x="{_n(x)}" y="{_n(y)}" text-anchor="{anchor}"{klass}>{_e(text)}</text>'


# ---------------------------------------------------------------------------------------
# First response time per channel
# ---------------------------------------------------------------------------------------


def _edge_label(seconds: float) -> str:
    return "0" if seconds == 0 else format_duration(seconds)


def _limit_x(edges: list[float], limit: float, x0: float, bin_width: float) -> float:
    """Where ``limit`` sits on the binned axis (log scale within a bin)."""
    for i in range(len(edges) - 1):
        low, high = edges[i], edges[i + 1]
        if low <= limit < high:
            if low == 0:
                share = limit / high
            else:
                share = math.log(limit / low) / math.log(high / low)
            return x0 + (i + share) * bin_width
    return x0 + (len(edges) - 1) * bin_width


def response_histograms(histograms: list[Histogram], targets: dict[str, str]) -> str:
    """Small multiples: one row of bars per channel, the target's limit as a dashed line;
    bins past the limit in red. ``targets``: standard id → target text."""
    width, row_height, left, top = 1000, 74, 150, 8
    bins = len(histograms[0].edges) if histograms else 0
    bin_width = (width - left - 10) / max(bins, 1)
    height = top + row_height * len(histograms) + 30
    body = []
    for index, h in enumerate(histograms):
        y0 = top + index * row_height
        base = y0 + row_height - 22
        tallest = max(h.counts) or 1
        name = h.group if h.group is not None else "all"
        body.append(f'<g data-series="{_e(name)}" data-standard="{_e(h.standard_id or "")}">')
        body.append(_text(4, y0 + 18, name, cls="series"))
        body.append(_text(4, y0 + 34, f"n={h.total:,}", cls="muted"))
        if h.limit is not None and h.within is not None and h.total:
            # Judged against "all within" so that 465 of 466 never reads 100%.
            share = format_value(h.within / h.total, Unit.FRACTION, Target("at_least", 1.0))
            body.append(_text(4, y0 + 48, f"{share} within {format_duration(h.limit)}", cls="muted"))
        for i, count in enumerate(h.counts):
            bar = (base - y0 - 6) * count / tallest
            x = left + i * bin_width
            over = h.limit is not None and h.edges[i] >= h.limit
            colour = OVER if over else WITHIN
            high = _edge_label(h.edges[i + 1]) if i + 1 < len(h.edges) else "∞"
            body.append(
                f'<rect x="{_n(x + 1)}" y="{_n(base - bar)}" width="{_n(bin_width - 2)}" height="{_n(bar)}" '
                f'fill="{colour}"><title>{_e(f"{_edge_label(h.edges[i])} – {high}: {count:,}")}</title></rect>'
            )
        body.append(f'<line x1="{left}" y1="{_n(base)}" x2="{width - 10}" y2="{_n(base)}" class="axis"/>')
        if h.limit is not None:
            x = _limit_x(h.edges, h.limit, left, bin_width)
            target = targets.get(h.standard_id or "", "")
            body.append(f'<line x1="{_n(x)}" y1="{y0 + 2}" x2="{_n(x)}" y2="{_n(base)}" class="limit"/>')
            body.append(_text(x + 3, y0 + 10, f"target {target}".strip(), cls="limit-label"))
        body.append("</g>")
    axis = top + row_height * len(histograms) - 8
    for i, edge in enumerate(histograms[0].edges if histograms else []):
        body.append(_text(left + i * bin_width, axis + 12, _edge_label(edge), anchor="middle", cls="tick"))
    return _svg("frt", width, height, body, "First response time per channel against the target")


# ---------------------------------------------------------------------------------------
# Customers waiting over time
# ---------------------------------------------------------------------------------------


def _time_ticks(series: LevelSeries, count: int = 6) -> list[tuple[float, str]]:
    span = series.step_seconds * len(series.peaks)
    layout = "%Y-%m-%d" if span > 3 * 86400 else "%m-%d %H:%M"
    return [(i / count, (series.start + timedelta(seconds=span * i / count)).strftime(layout)) for i in range(count + 1)]


def waiting_chart(standard_id: str, title: str, series: list[LevelSeries]) -> str:
    """One lane per group: the most customers waiting per interval as a filled step area,
    the limit dashed across every lane, one time axis below."""
    width, lane, left, right, top, bottom = 1000, 78, 150, 60, 8, 28
    plot_w = width - left - right
    height = top + lane * len(series) + bottom
    limit = next((s.limit for s in series if s.limit is not None), None)
    highest = max([max(s.peaks) for s in series] + [limit or 0, 1])
    body = []
    for index, s in enumerate(series):
        colour = PALETTE[index % len(PALETTE)]
        base, room = top + lane * (index + 1) - 10, lane - 22
        scale = room / highest
        buckets = len(s.peaks)
        points = [f"{left},{_n(base)}"]
        for b, peak in enumerate(s.peaks):
            x0, x1 = left + plot_w * b / buckets, left + plot_w * (b + 1) / buckets
            y = base - peak * scale
            points += [f"{_n(x0)},{_n(y)}", f"{_n(x1)},{_n(y)}"]
        points.append(f"{left + plot_w},{_n(base)}")
        name = s.group or "all live channels"
        body.append(f'<g data-series="{_e(name)}">')
        body.append(_text(4, base - room + 10, name, cls="series"))
        body.append(_text(4, base - room + 25, f"peak {max(s.peaks):g}", cls="muted"))
        body.append(
            f'<polygon points="{" ".join(points)}" fill="{colour}" fill-opacity="0.35" stroke="{colour}" stroke-width="1">'
            f"<title>{_e(f'{name}: peak {max(s.peaks):g}')}</title></polygon>"
        )
        body.append(f'<line x1="{left}" y1="{_n(base)}" x2="{left + plot_w}" y2="{_n(base)}" class="axis"/>')
        body.append(_text(left - 6, base, "0", anchor="end", cls="tick"))
        body.append(_text(left - 6, base - highest * scale + 8, f"{highest:g}", anchor="end", cls="tick"))
        if limit is not None:
            y = base - limit * scale
            body.append(f'<line x1="{left}" y1="{_n(y)}" x2="{left + plot_w}" y2="{_n(y)}" class="limit"/>')
            body.append(_text(left + plot_w + 4, y + 4, f"limit {limit:g}", cls="limit-label"))
        body.append("</g>")
    for share, label in _time_ticks(series[0]):
        body.append(_text(left + plot_w * share, height - 8, label, anchor="middle", cls="tick"))
    return _svg("waiting", width, height, body, f"{standard_id}: {title}")


# ---------------------------------------------------------------------------------------
# Resolution within target per priority
# ---------------------------------------------------------------------------------------


def resolution_bars(bars: list[Bar]) -> str:
    """Horizontal bars of the share resolved within target, the target as a tick."""
    width, row, left, right, top = 1000, 30, 150, 200, 8
    plot_w = width - left - right
    height = top + row * len(bars) + 24
    body = []
    for i, bar in enumerate(bars):
        y = top + i * row
        value = bar.value or 0.0
        colour = STATUS_COLOR[bar.status]
        body.append(f'<g data-series="{_e(bar.label)}" data-standard="{_e(bar.standard_id)}">')
        body.append(_text(4, y + 17, bar.label, cls="series"))
        body.append(f'<rect x="{left}" y="{y + 5}" width="{plot_w}" height="16" class="track"/>')
        body.append(
            f'<rect x="{left}" y="{y + 5}" width="{_n(plot_w * value)}" height="16" fill="{colour}">'
            f"<title>{_e(f'{bar.standard_id}: {format_value(bar.value, Unit.FRACTION)} (n={bar.sample_size:,})')}</title></rect>"
        )
        if bar.target is not None:
            x = left + plot_w * bar.target
            body.append(f'<line x1="{_n(x)}" y1="{y + 1}" x2="{_n(x)}" y2="{y + 25}" class="limit"/>')
        limit = Target("at_least", bar.target) if bar.target is not None else None  # as shown: "target ≥ …"
        text = format_value(bar.value, Unit.FRACTION, limit) + (f"  target {format_target(limit, Unit.FRACTION)}" if limit else "")
        body.append(_text(left + plot_w + 6, y + 17, text, cls="muted"))
        body.append("</g>")
    for share in (0, 0.25, 0.5, 0.75, 1):
        body.append(_text(left + plot_w * share, height - 6, f"{share:.0%}", anchor="middle", cls="tick"))
    return _svg("resolution", width, height, body, "Resolution within target per priority")


# ---------------------------------------------------------------------------------------
# Trend per week
# ---------------------------------------------------------------------------------------


def trend_chart(sr: StandardResult, weeks: list[GroupResult]) -> str:
    """One standard per week: a line per group of its own, points coloured by status, the
    target dashed."""
    width, height, left, right, top, bottom = 350, 150, 76, 10, 24, 26
    plot_w, plot_h = width - left - right, height - top - bottom
    labels = sorted({g.group.get("week") or "" for g in weeks})
    lines: dict[str, list[GroupResult]] = {}
    for g in weeks:
        name = ", ".join("(blank)" if v is None else f"{v}" for k, v in g.group.items() if k != "week") or sr.standard.id
        lines.setdefault(name, []).append(g)
    target = sr.standard.target
    marks = [g.value for g in weeks if g.value is not None and math.isfinite(g.value)]
    if target is not None:
        marks += list(target.fail) if target.compare == "between" else [target.fail]
    lowest, highest = (min(marks), max(marks)) if marks else (0.0, 1.0)
    if highest == lowest:
        lowest, highest = lowest - 1, highest + 1
    pad = (highest - lowest) * 0.1
    low, high = lowest - pad, highest + pad

    def x(label: str) -> float:
        return left + (plot_w * (labels.index(label) + 0.5) / len(labels))

    def y(value: float) -> float:
        return top + plot_h - (value - low) / (high - low) * plot_h

    legend = "".join(
        f'<tspan fill="{PALETTE[i % len(PALETTE)]}"> ■ {_e(name)}</tspan>' for i, name in enumerate(lines) if len(lines) > 1
    )
    body = [
        _text(4, 14, f"{sr.standard.id} · target {sr.shown_target()}", cls="series").replace("</text>", legend + "</text>"),
        f'<line x1="{left}" y1="{top + plot_h}" x2="{left + plot_w}" y2="{top + plot_h}" class="axis"/>',
        # The extremes themselves, not high - pad (15.000000000000002 would read "15.00").
        _text(left - 4, top + 8, format_value(highest, sr.unit, open_hours=bool(sr.calendar)), anchor="end", cls="tick"),
        _text(left - 4, top + plot_h, format_value(lowest, sr.unit, open_hours=bool(sr.calendar)), anchor="end", cls="tick"),
    ]
    if target is not None:
        for limit in (target.fail if target.compare == "between" else (target.fail,)):
            body.append(f'<line x1="{left}" y1="{_n(y(limit))}" x2="{left + plot_w}" y2="{_n(y(limit))}" class="limit"/>')
    for index, (name, groups) in enumerate(lines.items()):
        colour = PALETTE[index % len(PALETTE)]
        known = [g for g in groups if g.value is not None and math.isfinite(g.value)]
        points = " ".join(f"{_n(x(g.group.get('week') or ''))},{_n(y(g.value))}" for g in known)
        body.append(f'<g data-series="{_e(name)}"><polyline points="{points}" fill="none" stroke="{colour}" stroke-width="1.5"/>')
        for g in known:
            tip = f"{name} · week of {g.group.get('week')}: {sr.shown(g.value)} ({g.status.value}, n={g.sample_size:,})"
            body.append(
                f'<circle cx="{_n(x(g.group.get("week") or ""))}" cy="{_n(y(g.value))}" r="3.5" '
                f'fill="{STATUS_COLOR[g.status]}" stroke="{colour}"><title>{_e(tip)}</title></circle>'
            )
        body.append("</g>")
    for label in labels:
        body.append(_text(x(label), height - 8, label[5:], anchor="middle", cls="tick"))
    return _svg("trend", width, height, body, f"{sr.standard.id} per week")
