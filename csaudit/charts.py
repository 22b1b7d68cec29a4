"""Chart data for the HTML report, computed by the engine in the audit's own ``collect_all``.

Four charts, each a small structure on :attr:`AuditResult.charts` (None unless asked for,
e.g. by ``--format html``):

* :class:`Histogram` — first response times per channel, in fixed human bins (15 s … 1 week),
  measured as the standard that sets the channel's target measures them (its filter,
  options and exclusions), with that target's limit and how many were within it;
* :class:`LevelSeries` — customers waiting over time, per group of each ``waiting_count``
  standard, downsampled to at most :data:`WAIT_BUCKETS` buckets holding the most waiting at
  any moment of the bucket (a peak never disappears), with the standard's limit;
* :class:`Bar` — resolution within target: each ``resolution_time`` standard with a
  ``share_within`` statistic, per group (per priority in the built-in profiles);
* ``trend`` — every measured standard evaluated per week of ``created_at`` (a breakdown,
  :mod:`csaudit.breakdown`).

Nothing here draws: :mod:`csaudit.render.html` does.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

import polars as pl

from csaudit.breakdown import BreakdownPlan, Evaluate
from csaudit.metrics import REGISTRY
from csaudit.metrics.base import BuildContext, Metric, RowMetric
from csaudit.profile.model import Standard, Status
from csaudit.result import GroupResult, StandardResult

if TYPE_CHECKING:
    from csaudit.result import AuditResult

#: Bin edges of first response times, in seconds: 0, 15 s, 30 s, 1 m, 2 m, 5 m, 10 m, 30 m, 1 h,
#: 2 h, 4 h, 8 h, 1 d, 2 d, 1 w. Bin i is [edge i, edge i+1); the last is [1 w, ∞). Under a
#: limit that admits its own value (``at_most``, ``share_within``) the bins close on the right
#: instead ((edge i, edge i+1], bin 0 from 0): a response of exactly 2 m against "≤ 2m" is
#: drawn in the bar under the limit, so the bars under it add up to ``within``.
RESPONSE_EDGES = (0, 15, 30, 60, 120, 300, 600, 1800, 3600, 7200, 14400, 28800, 86400, 172800, 604800)
WAIT_BUCKETS = 240


@dataclass
class Histogram:
    """First response times of one channel, binned."""

    group: str | None  # the channel, as exported (None: no channel column, or blank)
    standard_id: str | None  # the standard that measured them and sets the target (None: none does)
    edges: list[float]  # seconds; see RESPONSE_EDGES
    counts: list[int]
    limit: float | None  # seconds: share_within's limit, or the fail threshold of a duration target
    within: int | None  # how many met the limit (under it for a ``below`` target, else at or under)
    closed_right: bool = False  # bins are (edge i, edge i+1] (an inclusive limit), not [edge i, edge i+1)

    @property
    def total(self) -> int:
        return sum(self.counts)


@dataclass
class LevelSeries:
    """Customers waiting over time in one group of a ``waiting_count`` standard."""

    standard_id: str
    group: str | None  # e.g. the channel; None for an ungrouped standard
    start: datetime  # start of the first bucket (UTC)
    step_seconds: float  # width of a bucket
    peaks: list[float]  # per bucket, the most customers waiting at any moment in it
    limit: float | None  # the standard's limit (fail threshold, or share_within's N)


@dataclass
class Bar:
    """Share of interactions resolved within their target, for one standard and group."""

    standard_id: str
    label: str  # the group (e.g. "P1") or the standard's filter
    value: float | None  # fraction
    target: float | None  # fraction (the fail level)
    status: Status
    sample_size: int


@dataclass
class Charts:
    first_response: list[Histogram] = field(default_factory=list)
    waiting: list[LevelSeries] = field(default_factory=list)
    resolution: list[Bar] = field(default_factory=list)
    #: standard id → the standard evaluated per week (group key ``week``, plus its ``each`` keys).
    trend: dict[str, list[GroupResult]] = field(default_factory=dict)


def _duration_limit(standard: Standard) -> float | None:
    """The per-interaction limit a duration standard draws: share_within's N, or its fail
    threshold when the value itself is a duration."""
    if standard.statistic.kind == "share_within":
        return standard.statistic.within
    target = standard.target
    if target is None or target.compare == "between":
        return None
    return float(target.fail)


def _within(standard: Standard | None, value: pl.Expr) -> pl.Expr:
    """Whether an interaction meets the limit :func:`_duration_limit` draws (``below``: under it)."""
    limit = _duration_limit(standard) if standard is not None else None
    if limit is None:
        return pl.lit(None, pl.Boolean)
    return value < limit if _strict(standard) else value <= limit


def _strict(standard: Standard) -> bool:
    """A ``below`` target: a value equal to the limit misses it."""
    return standard.statistic.kind != "share_within" and standard.target.compare == "below"


def _closed_right(standard: Standard | None) -> bool:
    """Whether the limit :func:`_duration_limit` draws admits a value equal to it."""
    return standard is not None and _duration_limit(standard) is not None and not _strict(standard)


def _binned(rows: pl.LazyFrame, value: pl.Expr, population: pl.Expr, keys: list[str], within: pl.Expr,
            closed_right: bool = False) -> pl.LazyFrame:
    index = pl.sum_horizontal([((value > edge) if closed_right else (value >= edge)).cast(pl.Int32) for edge in RESPONSE_EDGES[1:]])
    sums = [(index == i).cast(pl.Int64).sum().alias(f"bin{i}") for i in range(len(RESPONSE_EDGES))]
    within = within.cast(pl.Int64).sum()
    measured = rows.filter(population)
    aggregations = [*sums, within.alias("within")]
    return measured.group_by(keys).agg(aggregations) if keys else measured.select(aggregations)


class ChartPlan:
    """The chart queries of an audit, and how their results become :class:`Charts`."""

    def __init__(self, frame: pl.LazyFrame, present: frozenset[str], timezone: str | None = None):
        self.frame, self.present = frame, present
        self.histograms: list[tuple[Standard | None, list[str], pl.LazyFrame]] = []
        self.waiting: list[tuple[Standard, list[str], pl.LazyFrame]] = []
        # Weeks of the trend begin on the audit's clock, as --by week's do.
        self.trend = BreakdownPlan(("week",), present, timezone=timezone) if "created_at" in present else None

    def add(self, metric: Metric, ctx: BuildContext, standard: Standard, result: StandardResult) -> None:
        if self.trend is not None:
            self.trend.add(metric, ctx, standard, result)
        if metric.name == "first_response_time" and isinstance(metric, RowMetric) and self._per_channel(standard):
            rows, value, population = metric.measured(ctx)
            keys = ["channel"] if "channel" in self.present else []
            within = _within(standard, value)
            self.histograms.append((standard, keys, _binned(rows, value, population, keys, within, _closed_right(standard))))
        if metric.name == "waiting_count":
            self.waiting.append((standard, list(ctx.each), self._levels(metric, ctx)))

    @staticmethod
    def _per_channel(standard: Standard) -> bool:
        """A first response standard that sets a channel's target: it picks channels (filter
        or each), or it is the profile's only kind of first response standard."""
        return "channel" in standard.filter or "channel" in standard.each or not standard.filter

    def _levels(self, metric, ctx: BuildContext) -> pl.LazyFrame:
        keys = list(ctx.each)
        events = metric.waits_and_events(ctx)[1]
        t = pl.col("t")
        span = (t.max() - t.min()).dt.total_microseconds().cast(pl.Float64)
        offset = (t - t.min()).dt.total_microseconds().cast(pl.Float64)
        bucket = (offset / pl.when(span > 0).then(span).otherwise(1.0) * WAIT_BUCKETS).floor().clip(0, WAIT_BUCKETS - 1)
        events = events.with_columns(
            bucket.cast(pl.Int32).alias("bucket"), t.min().alias("first"), span.alias("span")
        )
        # Events are in time order: the last level of a bucket carries into the next ones.
        return events.group_by([*keys, "bucket"], maintain_order=True).agg(
            pl.col("level").max().alias("peak"),
            pl.col("level").last().alias("close"),
            pl.col("first").first(),
            pl.col("span").first(),
        )

    def _uncovered(self) -> list[tuple[Standard | None, list[str], pl.LazyFrame]]:
        """Channels no first response standard covers, measured as the metric's default."""
        metric = REGISTRY["first_response_time"]
        if not {"created_at", "first_response_at", "channel"} <= self.present:
            return []
        ctx = BuildContext(frame=self.frame, present=self.present, each=("channel",))
        rows, value, population = metric.measured(ctx)
        return [(None, ["channel"], _binned(rows, value, population, ["channel"], _within(None, value)))]

    def queries(self) -> list[pl.LazyFrame]:
        self.histograms += self._uncovered()
        trend = self.trend.queries() if self.trend else []
        return [q for _, _, q in self.histograms] + [q for _, _, q in self.waiting] + trend

    def fill(self, frames: list[pl.DataFrame], labels: dict[str, dict], evaluate: Evaluate, result: "AuditResult") -> Charts:
        charts = Charts()
        histograms, rest = frames[: len(self.histograms)], frames[len(self.histograms) :]
        waiting, trend = rest[: len(self.waiting)], rest[len(self.waiting) :]
        statuses = {sr.standard.id: sr for sr in result.standards}
        covered: set = set()
        for (standard, keys, _), frame in zip(self.histograms, histograms):
            if standard is not None and statuses[standard.id].status in (Status.ERROR, Status.NOT_MEASURED):
                continue
            limit = _duration_limit(standard) if standard is not None else None
            for row in frame.sort(keys, nulls_last=True).iter_rows(named=True) if keys else frame.iter_rows(named=True):
                channel = row["channel"] if keys else None
                counts = [int(row[f"bin{i}"]) for i in range(len(RESPONSE_EDGES))]
                if channel in covered or not sum(counts):
                    continue
                covered.add(channel)
                charts.first_response.append(
                    Histogram(
                        group=labels.get("channel", {}).get(channel, channel),
                        standard_id=standard.id if standard else None,
                        edges=[float(e) for e in RESPONSE_EDGES],
                        counts=counts,
                        limit=limit,
                        within=row["within"] if limit is not None else None,
                        closed_right=_closed_right(standard),
                    )
                )
        for (standard, keys, _), frame in zip(self.waiting, waiting):
            charts.waiting += _series(standard, keys, frame, labels)
        if self.trend is not None:
            weeks = self.trend.evaluate(trend, labels, evaluate)
            charts.trend = {p.standard.id: groups for p, groups in zip(self.trend.planned, weeks)}
        charts.resolution = _resolution_bars(result)
        return charts


def _series(standard: Standard, keys: list[str], frame: pl.DataFrame, labels: dict[str, dict]) -> list[LevelSeries]:
    if frame.height == 0:
        return []
    limit = None
    if standard.statistic.kind == "share_within":
        limit = standard.statistic.within
    elif standard.target is not None and standard.target.compare != "between":
        limit = float(standard.target.fail)
    first, span = frame["first"][0], frame["span"][0] or 0.0
    step = span / 1e6 / WAIT_BUCKETS
    out = []
    groups = frame.partition_by(keys, as_dict=True, maintain_order=True) if keys else {(): frame}
    for key, part in sorted(groups.items(), key=lambda kv: tuple("" if v is None else str(v) for v in kv[0])):
        peaks, carry = [0.0] * WAIT_BUCKETS, 0.0
        by_bucket = {b: (p, c) for b, p, c in part.select("bucket", "peak", "close").iter_rows()}
        for b in range(WAIT_BUCKETS):
            if b in by_bucket:
                peak, close = by_bucket[b]
                peaks[b] = float(max(peak, carry))
                carry = float(close)
            else:
                peaks[b] = carry
        name = ", ".join(str(labels.get(k, {}).get(v, v)) for k, v in zip(keys, key)) or None
        out.append(LevelSeries(standard.id, name, first, step, peaks, limit))
    return out


def _resolution_bars(result: "AuditResult") -> list[Bar]:
    bars = []
    for sr in result.standards:
        std = sr.standard
        if std.metric != "resolution_time" or std.statistic.kind != "share_within" or not sr.groups:
            continue
        target = float(std.target.fail) if std.target is not None and std.target.compare != "between" else None
        for g in sr.groups:
            label = ", ".join(str(v) for v in g.group.values() if v is not None)
            if not label:
                label = " / ".join(v.upper() for v in std.filter.get("priority", ())[:1]) or std.id
            bars.append(Bar(std.id, label, g.value, target, g.status, g.sample_size))
    return bars


def bucket_start(series: LevelSeries, index: int) -> datetime:
    return series.start + timedelta(seconds=series.step_seconds * index)

