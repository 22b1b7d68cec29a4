"""A plain-Python reference implementation of the interaction metrics of STANDARDS.md §2.

Written from the specification (STANDARDS.md §2, docs/metrics.md, docs/profiles.md and the
README's data-quality rules), not from csaudit's code, and deliberately simple: loops over
rows, exact arithmetic with ``Fraction``, numpy's linear percentile written out by hand.

How a cell is read (README "Data quality"):
* an ``ok`` cell has its value; an empty cell has none; a ``bad`` cell (text that is not a
  value of the column's type) is *unknown*, and the row is left out of every metric that
  uses the field;
* a row is left out of a duration metric when the duration is negative;
* counts that cannot be negative, and survey answers outside their scale, are left out.

Reporting conventions the spec leaves to the report (docs/profiles.md, docs/report-json.md):
* a standard without ``each`` has one result, with no value and n = 0 when nothing is measured;
* with ``each``, row metrics report every group present among the rows the standard looks
  at (after its filter and, for live-queue metrics, the live-channel rule), even one with
  n = 0; waiting_count reports the groups that have queue contacts (live contacts whose wait
  is known, answered on arrival included: n), backlog_flow the groups that have periods;
* groups are sorted by their keys (case-folded), an empty key last, and labelled with the
  spelling the export uses most (ties: the first in code-point order), counted over the whole
  export.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from fractions import Fraction
from statistics import NormalDist
from typing import Any, Callable

from tests.properties.table import Cell, Table

LIVE_CHANNELS = ("chat", "phone", "voice", "call", "video", "walk_in")
SAMPLE = ("mean", "median", "quantile", "min", "max", "share_within")
US = 1_000_000


@dataclass(frozen=True)
class Stat:
    """A standard's statistic: ``kind`` plus the percentile (``q``, exact) or the limit."""

    kind: str
    q: Fraction | None = None
    within: Fraction | None = None
    yaml: str = ""  # how the profile writes it


@dataclass(frozen=True)
class Spec:
    """One standard to evaluate: metric, statistic, grouping, filter and options."""

    metric: str
    stat: Stat
    each: tuple[str, ...] = ()
    filter: dict[str, tuple[str, ...]] = field(default_factory=dict)
    options: dict[str, Any] = field(default_factory=dict)


@dataclass
class Expected:
    measurable: bool
    groups: list[tuple[dict[str, str | None], float | None, int]] = field(default_factory=list)


# -- reading a row -----------------------------------------------------------------------


class Row:
    """One interaction as the spec reads it. Absent columns read as empty cells."""

    def __init__(self, table: Table, cells: dict[str, Cell]):
        self.present = set(table.fields)
        self.cells = cells

    def cell(self, name: str) -> Cell:
        return self.cells.get(name, Cell(""))

    def value(self, name: str) -> Any:
        """The value of an ok cell, else None (empty, unknown or absent)."""
        cell = self.cell(name)
        return cell.value if cell.ok else None

    def key(self, name: str) -> str | None:
        return self.value(name)

    def number(self, name: str) -> Fraction | None:
        value = self.value(name)
        return None if value is None else Fraction(value)

    def abandoned(self) -> bool | None:
        """The ``abandoned`` flag; where it is empty or absent, whether ``abandoned_at`` is
        given. None: unknown (an unreadable flag, or no flag and an unreadable abandoned_at)."""
        if "abandoned" in self.present:
            cell = self.cell("abandoned")
            if cell.state == "bad":
                return None
            if cell.ok:
                return cell.value
        if "abandoned_at" in self.present:
            cell = self.cell("abandoned_at")
            return None if cell.state == "bad" else cell.ok
        return False

    def queue_start(self) -> int | None:
        """``queued_at``, defaulting to ``created_at`` where queued_at is empty or absent."""
        if "queued_at" in self.present:
            cell = self.cell("queued_at")
            if cell.state != "empty":
                return self.value("queued_at")
        return self.value("created_at")


def seconds(start: int | None, end: int | None) -> Fraction | None:
    """``end - start`` in seconds, exactly; None when unknown or negative."""
    if start is None or end is None or end < start:
        return None
    return Fraction(end - start, US)


def kleene_and(*values: bool | None) -> bool | None:
    if any(v is False for v in values):
        return False
    if any(v is None for v in values):
        return None
    return True


# -- per-row samples (None: the row is not in the sample) -----------------------------------


def _answered_seconds(start: Callable[[Row], int | None]) -> Callable[[Row, dict], Fraction | None]:
    def sample(row: Row, options: dict) -> Fraction | None:
        if row.abandoned() is not False:  # abandoned contacts have no response time
            return None
        return seconds(start(row), row.value("first_response_at"))

    return sample


def _count(name: str) -> Callable[[Row, dict], Fraction | None]:
    def sample(row: Row, options: dict) -> Fraction | None:
        value = row.number(name)
        return value if value is not None and value >= 0 else None

    return sample


def _not_abandoned(sample: Callable[[Row, dict], Any]) -> Callable[[Row, dict], Any]:
    def wrapped(row: Row, options: dict) -> Any:
        return sample(row, options) if row.abandoned() is False else None

    return wrapped


def _resolved(row: Row) -> bool | None:
    cell = row.cell("resolved_at")
    return None if cell.state == "bad" else cell.ok


def _fcr(row: Row, options: dict) -> Fraction | None:
    flag = row.cell("first_contact_resolution")
    if "first_contact_resolution" in row.present and flag.state != "empty":
        return None if flag.state == "bad" else Fraction(int(flag.value))
    if not {"resolved_at", "contacts", "reopens"} <= row.present:
        return None
    contacts, reopens = row.number("contacts"), row.number("reopens")
    derived = kleene_and(
        _resolved(row),
        None if contacts is None else contacts <= 1,
        None if reopens is None else reopens == 0,
    )
    return None if derived is None else Fraction(int(derived))


def _resolution_rate(row: Row, options: dict) -> Fraction | None:
    resolved = _resolved(row)
    return None if resolved is None else Fraction(int(resolved))


def _scaled(name: str, low: int, high: Callable[[dict], int], score: Callable[[Fraction, dict], Fraction]):
    def sample(row: Row, options: dict) -> Fraction | None:
        value = row.number(name)
        if value is None or not low <= value <= high(options):
            return None
        return score(value, options)

    return sample


def _easy(value: Fraction, options: dict) -> Fraction:
    scale = options.get("scale", 5)
    return Fraction(int(value <= 2 if scale == 5 else value >= 5))


def _nps_points(value: Fraction, options: dict) -> Fraction:
    return Fraction(100 if value >= 9 else (-100 if value <= 6 else 0))


def _dpmo(row: Row, options: dict) -> Fraction | None:
    errors = _count("errors")(row, options)
    return None if errors is None else errors / Fraction(options.get("opportunities", 1)) * 10**6


def _transferred(row: Row, options: dict) -> Fraction | None:
    value = _count("transfers")(row, options)
    return None if value is None else Fraction(int(value > 0))


def _handle_total(row: Row, options: dict) -> Fraction | None:
    handle = _count("handle_seconds")(row, options)
    if handle is None or row.abandoned() is not False:
        return None
    total = handle
    for part in ("hold_seconds", "wrap_seconds"):
        if part not in row.present:
            continue
        cell = row.cell(part)
        if cell.state == "empty":
            continue  # an empty hold or wrap counts as 0
        value = _count(part)(row, options)
        if value is None:
            return None
        total += value
    return total


def _replies(row: Row, options: dict) -> Fraction | None:
    return _count("replies")(row, options) if row.value("resolved_at") is not None else None


def _abandonment(row: Row, options: dict) -> Fraction | None:
    abandoned = row.abandoned()
    if abandoned is None:
        return None
    short = options.get("short_abandon")
    if short is not None and abandoned:
        start, left = row.queue_start(), row.value("abandoned_at")
        # "within N seconds" includes N; a wait of unknown length is not shown to be short
        if start is not None and left is not None and Fraction(left - start, US) <= short:
            return None
    return Fraction(int(abandoned))


@dataclass(frozen=True)
class MetricRef:
    kind: str  # "row", "waiting" or "backlog"
    statistics: tuple[str, ...]
    unit: str  # "seconds", "number", "fraction"
    needs: Callable[[set[str], dict], bool]
    sample: Callable[[Row, dict], Any] | None = None
    live: bool = False


def _all(*names: str) -> Callable[[set[str], dict], bool]:
    return lambda present, options: set(names) <= present


def _queue_needs(present: set[str], options: dict) -> bool:
    return "first_response_at" in present and bool({"queued_at", "created_at"} & present)


def _fcr_needs(present: set[str], options: dict) -> bool:
    return "first_contact_resolution" in present or {"resolved_at", "contacts", "reopens"} <= present


def _abandonment_needs(present: set[str], options: dict) -> bool:
    if not {"abandoned", "abandoned_at"} & present:
        return False
    if options.get("short_abandon") is None:
        return True
    return "abandoned_at" in present and bool({"queued_at", "created_at"} & present)


_RATE = ("rate",)

#: The catalogue of docs/metrics.md, minus the metrics that need a second table.
METRICS: dict[str, MetricRef] = {
    "first_response_time": MetricRef(
        "row", SAMPLE, "seconds", _all("created_at", "first_response_at"),
        _answered_seconds(lambda row: row.value("created_at")),
    ),
    "resolution_time": MetricRef(
        "row", SAMPLE, "seconds", _all("created_at", "resolved_at"),
        lambda row, o: seconds(row.value("created_at"), row.value("resolved_at")),
    ),
    "speed_of_answer": MetricRef(
        "row", SAMPLE, "seconds", _queue_needs, _answered_seconds(Row.queue_start), live=True
    ),
    "waiting_count": MetricRef("waiting", ("max", "mean", "share_within"), "number", _queue_needs, live=True),
    "backlog_flow": MetricRef("backlog", ("ratio", "mean", "median", "min", "max"), "number", _all("created_at", "resolved_at")),
    "first_contact_resolution": MetricRef("row", _RATE, "fraction", _fcr_needs, _not_abandoned(_fcr)),
    "resolution_rate": MetricRef("row", _RATE, "fraction", _all("resolved_at"), _not_abandoned(_resolution_rate)),
    "error_rate": MetricRef("row", SAMPLE, "number", _all("errors"), _count("errors")),
    "dpmo": MetricRef("row", ("mean",), "number", _all("errors"), _dpmo),
    "sigma_level": MetricRef("row", ("mean",), "number", _all("errors"), _dpmo),
    "customer_effort_score": MetricRef(
        "row", SAMPLE, "number", _all("ces"),
        _scaled("ces", 1, lambda o: o.get("scale", 5), lambda v, o: v),
    ),
    "ces_easy_share": MetricRef(
        "row", _RATE, "fraction", _all("ces"), _scaled("ces", 1, lambda o: o.get("scale", 5), _easy)
    ),
    "transfers_per_issue": MetricRef("row", SAMPLE, "number", _all("transfers"), _count("transfers")),
    "transfer_rate": MetricRef("row", _RATE, "fraction", _all("transfers"), _transferred),
    "abandonment_rate": MetricRef("row", _RATE, "fraction", _abandonment_needs, _abandonment, live=True),
    "clicks_to_contact": MetricRef("row", SAMPLE, "number", _all("clicks_to_contact"), _count("clicks_to_contact")),
    "replies_per_issue": MetricRef("row", SAMPLE, "number", _all("replies", "resolved_at"), _replies),
    "average_handle_time": MetricRef("row", SAMPLE, "seconds", _all("handle_seconds"), _handle_total),
    "hold_time": MetricRef("row", SAMPLE, "seconds", _all("hold_seconds"), _count("hold_seconds")),
    "minutes_per_issue": MetricRef(
        "row", SAMPLE, "seconds", _all("handle_seconds"), _not_abandoned(_count("handle_seconds"))
    ),
    "csat": MetricRef(
        "row", _RATE, "fraction", _all("csat"), _scaled("csat", 1, lambda o: 5, lambda v, o: Fraction(int(v >= 4)))
    ),
    "nps": MetricRef("row", ("mean",), "number", _all("nps"), _scaled("nps", 0, lambda o: 10, _nps_points)),
}


# -- statistics ------------------------------------------------------------------------------


def quantile(values: list[Fraction], q: Fraction) -> Fraction:
    """numpy's default ("linear") percentile: interpolate between the two nearest ranks."""
    ordered = sorted(values)
    h = (len(ordered) - 1) * q
    lo = math.floor(h)
    if lo + 1 >= len(ordered):
        return ordered[lo]
    return ordered[lo] + (h - lo) * (ordered[lo + 1] - ordered[lo])


def statistic(stat: Stat, values: list[Fraction]) -> Fraction | None:
    if not values:
        return None
    if stat.kind in ("mean", "rate"):
        return sum(values, Fraction(0)) / len(values)
    if stat.kind == "median":
        return quantile(values, Fraction(1, 2))
    if stat.kind == "quantile":
        return quantile(values, stat.q)
    if stat.kind == "min":
        return min(values)
    if stat.kind == "max":
        return max(values)
    if stat.kind == "share_within":
        return Fraction(sum(1 for v in values if v <= stat.within), len(values))
    raise ValueError(stat.kind)


def sigma_level(dpmo: float) -> float:
    """Φ⁻¹(1 − DPMO/10⁶) + 1.5; no defects: +∞, every opportunity a defect or worse: −∞."""
    good = 1 - dpmo / 10**6
    if good >= 1:
        return math.inf
    if good <= 0:
        return -math.inf
    return NormalDist().inv_cdf(good) + 1.5


# -- waiting count -----------------------------------------------------------------------------


def waits(rows: list[Row]) -> list[tuple[int, int]]:
    """[start, end) of every contact of the queue: from the queue start to the answer, or to
    abandoning when abandoned. A wait whose end is unknown or before its start is left out; one
    of zero length (answered on arrival) is kept: a contact of the queue who never waits."""
    out = []
    for row in rows:
        abandoned = row.abandoned()
        if abandoned is None:
            continue
        start = row.queue_start()
        end = row.value("abandoned_at" if abandoned else "first_response_at")
        if start is not None and end is not None and end >= start:
            out.append((start, end))
    return out


def waiting_statistic(stat: Stat, contacts: list[tuple[int, int]]) -> Fraction | None:
    """The peak, the time-weighted mean or the share of time within N of the queue; where
    none of its contacts waited: 0, 0 and 1 (all of no time is within the limit)."""
    if not contacts:
        return None
    intervals = [(a, b) for a, b in contacts if b > a]  # an empty wait adds no one waiting
    if not intervals:
        return Fraction(1) if stat.kind == "share_within" else Fraction(0)
    # A contact waits at t when start <= t < end: at an instant where one leaves and another
    # arrives, the one leaving is already gone (departures before arrivals).
    if stat.kind == "max":
        return Fraction(max(sum(1 for a, b in intervals if a <= t < b) for t, _ in intervals))
    instants = sorted({t for interval in intervals for t in interval})
    area, within = Fraction(0), 0
    for lo, hi in zip(instants, instants[1:]):
        level = sum(1 for a, b in intervals if a <= lo < b)
        area += level * (hi - lo)
        within += (hi - lo) if stat.within is not None and level <= stat.within else 0
    span = instants[-1] - instants[0]
    return area / span if stat.kind == "mean" else Fraction(within, span)


# -- backlog flow ------------------------------------------------------------------------------


def period_of(us: int, period: str) -> tuple:
    day = (datetime(1970, 1, 1, tzinfo=timezone.utc) + timedelta(microseconds=us)).date()
    if period == "day":
        return (day,)
    if period == "week":
        return (day - timedelta(days=day.weekday()),)  # weeks start on Monday
    return (day.year, day.month)


def _ratio(created: int, resolved: int) -> Fraction | float:
    return math.inf if resolved == 0 else Fraction(created, resolved)


def backlog_value(stat: Stat, periods: dict[tuple, list[int]]) -> Fraction | float | None:
    """created ÷ resolved per period (a period without resolutions: +∞); ``ratio`` is all
    created ÷ all resolved."""
    if not periods:
        return None
    if stat.kind == "ratio":
        return _ratio(sum(c for c, _ in periods.values()), sum(r for _, r in periods.values()))
    ratios = [_ratio(c, r) for c, r in periods.values()]
    if stat.kind == "mean":
        return math.inf if math.inf in ratios else sum(ratios, Fraction(0)) / len(ratios)
    if stat.kind == "min":
        return min(ratios)
    if stat.kind == "max":
        return max(ratios)
    ordered = sorted(ratios)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    low, high = ordered[middle - 1], ordered[middle]
    return math.inf if math.isinf(high) else (low + high) / 2


def backlog_periods(rows: list[Row], period: str) -> dict[tuple, list[int]]:
    periods: dict[tuple, list[int]] = {}
    for row in rows:
        created, resolved = row.value("created_at"), row.value("resolved_at")
        if created is not None and resolved is not None and resolved < created:
            continue  # resolved before it was created: counts in neither
        for index, name in enumerate(("created_at", "resolved_at")):
            at = row.value(name)
            if at is not None:
                periods.setdefault(period_of(at, period), [0, 0])[index] += 1
    return periods


# -- a whole standard --------------------------------------------------------------------------


def labels(table: Table, name: str) -> dict[str | None, str | None]:
    """Group key → the spelling the export uses most for it (ties: code-point order)."""
    spellings: dict[str, Counter] = {}
    for cells in table.rows:
        cell = cells.get(name)
        if cell is not None and cell.ok:
            spellings.setdefault(cell.value, Counter())[cell.text.strip()] += 1
    out: dict[str | None, str | None] = {None: None}
    for key, counts in spellings.items():
        top = max(counts.values())
        out[key] = min(text for text, n in counts.items() if n == top)
    return out


def expected(table: Table, spec: Spec) -> Expected:
    """What the standard ``spec`` must report on ``table``."""
    metric = METRICS[spec.metric]
    present = set(table.fields)
    if not metric.needs(present, spec.options) or not (set(spec.filter) | set(spec.each)) <= present:
        return Expected(measurable=False)
    rows = [Row(table, cells) for cells in table.rows]
    rows = [r for r in rows if all(r.key(f) in values for f, values in spec.filter.items())]
    if metric.live and "channel" not in spec.filter and "channel" in present:
        live = spec.options.get("live_channels", LIVE_CHANNELS)
        rows = [r for r in rows if r.key("channel") in live]

    groups: dict[tuple, list[Row]] = {}
    for row in rows:
        groups.setdefault(tuple(row.key(f) for f in spec.each), []).append(row)
    if not spec.each:
        groups = {(): rows}

    results = {}
    for key, members in groups.items():
        if metric.kind == "row":
            sample = [s for s in (metric.sample(r, spec.options) for r in members) if s is not None]
            value, size = statistic(spec.stat, sample), len(sample)
            if spec.metric == "sigma_level" and value is not None:
                value = sigma_level(float(value))
        elif metric.kind == "waiting":
            contacts = waits(members)
            if spec.each and not contacts:
                continue
            value, size = waiting_statistic(spec.stat, contacts), len(contacts)
        else:
            periods = backlog_periods(members, spec.options.get("period", "week"))
            if spec.each and not periods:
                continue
            value, size = backlog_value(spec.stat, periods), len(periods)
        results[key] = (None if value is None else float(value), size)

    names = {f: labels(table, f) for f in spec.each}
    ordered = sorted(results, key=lambda k: tuple((v is None, v or "") for v in k))
    return Expected(
        measurable=True,
        groups=[
            ({f: names[f][v] for f, v in zip(spec.each, key)}, *results[key])
            for key in ordered
        ],
    )
