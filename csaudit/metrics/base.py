"""What a metric is, and the machinery shared by every metric family.

A metric turns the canonical interactions frame into, per group, one ``value`` and a
``sample_size``. Most metrics are *row metrics*: each interaction contributes one number
(a duration, a 0/1 outcome, a score) when it belongs to the metric's population, and the
standard's statistic (mean, p90, share within 2m …) summarises those numbers. Metrics that
are not per-row (waiting count, backlog flow) override :meth:`Metric.build`.

Nothing here reads files or knows about the CLI.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import Any, Callable

import polars as pl

from csaudit.fields import LIVE_CHANNELS, PAUSE_FIELDS, raw_column
from csaudit.metrics.options import channel_list
from csaudit.profile.model import Standard, Statistic


class Unit(str, Enum):
    """What a metric's values are; decides how thresholds are written and values shown."""

    SECONDS = "seconds"
    FRACTION = "fraction"
    COUNT = "count"
    SCORE = "score"
    POINTS = "points"
    RATIO = "ratio"
    DPMO = "dpmo"
    SIGMA = "sigma"
    AMOUNT = "amount"  # money, in the data's currency


#: Statistic kinds over a sample of per-row values.
SAMPLE_STATISTICS = ("mean", "median", "quantile", "min", "max", "share_within")


@dataclass(frozen=True)
class Option:
    """A metric option a profile may set under ``options:``."""

    parse: Callable[[Any], Any]  # raises ValueError with a message a user can act on
    default: Any
    help: str


@dataclass(frozen=True)
class Check:
    """A data-quality test on rows: rows where ``expr`` is true are counted and excluded.

    ``key`` identifies the finding so that several standards sharing it report it once.
    With ``excludes=False`` the rows are only reported (e.g. a pause longer than the duration
    it is subtracted from: the row still counts, as 0 s).
    """

    key: str
    message: str
    expr: pl.Expr
    fields: tuple[str, ...]
    excludes: bool = True


@dataclass
class BuildContext:
    """What a metric needs to build its part of the query plan."""

    frame: pl.LazyFrame  # canonical interactions, already narrowed by the standard's filter
    present: frozenset[str]  # canonical fields the export provides
    each: tuple[str, ...]  # grouping keys (canonical text fields)
    options: dict[str, Any] = field(default_factory=dict)
    filter_fields: frozenset[str] = frozenset()
    #: Grouping columns of ``each`` that are periods of a timestamp (``--by week``): column → period.
    time_keys: dict[str, str] = field(default_factory=dict)
    #: Second tables and facts of the audited data beyond this frame (csaudit/tables.py):
    #: the agent activity for occupancy, the unfiltered orders for an "as of" moment …
    tables: dict[str, Any] = field(default_factory=dict)
    #: More aggregations over a row metric's sample, computed with its statistic (the evidence
    #: top-k of csaudit/evidence.py): ``(value, population) -> expressions``.
    sample_aggregations: Callable[[pl.Expr, pl.Expr], list[pl.Expr]] | None = None
    #: The zone of the audit's clock (--timezone, the profile's): days, weeks and months are
    #: cut where they begin there (None: UTC).
    timezone: str | None = None


#: The option every live-queue metric takes.
LIVE_CHANNELS_OPTION = Option(channel_list, LIVE_CHANNELS, "channels with a live queue")


def negative_value_check(field: str) -> Check:
    """Rows where a count or amount that cannot be negative is; they are left out."""
    return Check(
        key=f"negative:{field}",
        message=f"`{field}` is negative; these rows are excluded",
        expr=pl.col(field) < 0,
        fields=(field,),
    )


#: Periods a timestamp can be cut into; weeks start on Monday (on the clock :func:`local_clock` gives).
PERIODS = {"day": "1d", "week": "1w", "month": "1mo"}


def local_clock(timestamp: pl.Expr, zone: str | None) -> pl.Expr:
    """A UTC instant as the wall-clock time of ``zone`` (still typed UTC), so that cutting it
    into days, weeks and months cuts them where they begin in that zone (None: UTC)."""
    if not zone:
        return timestamp
    return timestamp.dt.convert_time_zone(zone).dt.replace_time_zone("UTC")


def period_start(timestamp: pl.Expr, period: str) -> pl.Expr:
    """The start of the day, week or month ``timestamp`` falls in (one rule for every metric
    and breakdown that cuts time into periods)."""
    return timestamp.dt.truncate(PERIODS[period])


@dataclass(frozen=True)
class EvidenceDetail:
    """How evidence shows an interaction when the metric's per-row value says little (the 0/1
    outcome of a rate): a label per row and, optionally, a number worth showing with it."""

    label: pl.Expr | None = None  # text per row, e.g. "abandoned", "detractor"
    value: pl.Expr | None = None  # e.g. the CSAT answer, the wait before abandoning
    unit: Unit = Unit.COUNT
    worse_when_higher: bool = True  # among rows with the same outcome, which come first


def outcome_label(outcome: pl.Expr, when_false: str, when_true: str) -> pl.Expr:
    """A 0/1 (or boolean) outcome as words."""
    return pl.when(outcome.cast(pl.Boolean)).then(pl.lit(when_true)).otherwise(pl.lit(when_false))


def seconds_between(start: str | pl.Expr, end: str | pl.Expr) -> pl.Expr:
    """``end - start`` in seconds, exact to the microsecond."""
    start = pl.col(start) if isinstance(start, str) else start
    end = pl.col(end) if isinstance(end, str) else end
    return (end - start).dt.total_microseconds().cast(pl.Float64) / 1_000_000


# -- durations a standard measures: business calendar and pauses (STANDARDS.md §2) ------------


def pause_fields(value: Any) -> tuple[str, ...]:
    """The ``subtract`` option: pause fields, e.g. ``[paused_seconds]``."""
    names = [value] if isinstance(value, str) else value
    if not isinstance(names, list) or not names or not all(isinstance(v, str) for v in names):
        raise ValueError("expected a list of pause fields, e.g. [paused_seconds]")
    for name in names:
        if name not in PAUSE_FIELDS:
            raise ValueError(f"{name!r} is not a pause field; choose from " + ", ".join(PAUSE_FIELDS))
    if len(set(names)) != len(names):
        raise ValueError("a pause field is named twice")
    return tuple(names)


#: The option of duration metrics that subtracts paused time.
SUBTRACT_OPTION = Option(
    pause_fields, (), "pause fields subtracted from each duration (" + ", ".join(PAUSE_FIELDS) + ")"
)


def elapsed_seconds(start: str | pl.Expr, end: str | pl.Expr, options: dict[str, Any]) -> pl.Expr:
    """Seconds from ``start`` to ``end``: calendar time, or the open time of the standard's
    business calendar (``options["calendar"]``, set by the profile loader)."""
    calendar = options.get("calendar")
    if calendar is None:
        return seconds_between(start, end)
    start = pl.col(start) if isinstance(start, str) else start
    end = pl.col(end) if isinstance(end, str) else end
    return calendar.business_seconds(start, end)


def subtract_pauses(value: pl.Expr, options: dict[str, Any]) -> pl.Expr:
    """``value`` (seconds) less the pause fields of the ``subtract`` option, at least 0.

    The export records a pause as a total, not when it happened, so it is subtracted as
    recorded: in calendar time from a calendar-time duration, and from a business-time one
    as it stands (map a business-hours pause column when the export has one). An empty pause
    cell is no pause; an unreadable one leaves the row out."""
    names = options.get("subtract") or ()
    if not names:
        return value
    return (value - _pause_total(names)).clip(lower_bound=0.0)


def _pause_total(names: tuple[str, ...]) -> pl.Expr:
    pause = zero_if_empty(names[0])
    for name in names[1:]:
        pause = pause + zero_if_empty(name)
    return pause


def duration_value(start: str | pl.Expr, end: str | pl.Expr, options: dict[str, Any]) -> pl.Expr:
    """The duration a standard measures between two timestamps, in seconds: the one rule for
    every duration metric (calendar or business time, less pauses)."""
    return subtract_pauses(elapsed_seconds(start, end, options), options)


def duration_checks(
    start: str | pl.Expr, end: str, label: str, options: dict[str, Any], start_field: str | None = None
) -> list[Check]:
    """Data-quality checks of a duration between two timestamps, beside the negative one:
    instants the business calendar does not cover (excluded), negative pauses (excluded) and
    pauses longer than the duration (reported; the row counts as 0 s)."""
    start_field = start_field or (start if isinstance(start, str) else "")
    start_expr = pl.col(start) if isinstance(start, str) else start
    calendar = options.get("calendar")
    checks = []
    if calendar is not None:
        for name, instant in ((start_field, start_expr), (end, pl.col(end))):
            checks.append(
                Check(
                    key=f"calendar-range:{calendar.name}:{name}",
                    message=f"`{name}` is outside the dates calendar {calendar.name!r} covers "
                    f"({calendar.coverage}); these rows are excluded from durations measured in it",
                    expr=instant.is_not_null() & ~calendar.covers(instant),
                    fields=(name,),
                )
            )
    return checks + pause_checks(elapsed_seconds(start_expr, end, options), f"{start_field}:{end}", label, options)


def pause_checks(elapsed: pl.Expr, key: str, label: str, options: dict[str, Any]) -> list[Check]:
    """The checks of the pauses a duration standard subtracts (``options["subtract"]``) from
    ``elapsed`` (seconds; the timestamps' duration or an export's own): negative pauses
    (excluded) and pauses longer than the duration (reported; the row counts as 0 s)."""
    names = options.get("subtract") or ()
    if not names:
        return []
    calendar = options.get("calendar")
    clock = f"business hours of calendar {calendar.name!r}" if calendar is not None else "calendar time"
    return [
        *(negative_value_check(name) for name in names),
        Check(
            key=f"pause-longer:{key}:{calendar.name if calendar else ''}:{'+'.join(names)}",
            message=" + ".join(f"`{n}`" for n in names) + f" is longer than the {label} ({clock}) it is "
            "subtracted from; these rows count as 0 s",
            expr=(elapsed >= 0) & (_pause_total(names) > elapsed),
            fields=names,
            excludes=False,
        ),
    ]


#: ``order_free_mean`` rounds values to this (10⁻¹²) and sums them exactly; values beyond
#: ±_EXACT_LIMIT, or not finite, are averaged as floats.
_EXACT_SCALE = 1e12
_EXACT_LIMIT = 1e12


def order_free_mean(values: pl.Expr) -> pl.Expr:
    """The mean of ``values``, the same to the last bit whatever the order of the rows.

    A floating-point sum depends on the order it adds in: a reordered export changed means
    (0.1, 0.2, 0.3 s: 0.20000000000000004 or 0.19999999999999998) and with them the JSON
    report. Each value is rounded to 10⁻¹² and the sum taken exactly, in 128-bit integers."""
    values = values.cast(pl.Float64)
    bounded = values.clip(-_EXACT_LIMIT, _EXACT_LIMIT).fill_nan(0.0)
    total = (bounded * _EXACT_SCALE).round().cast(pl.Int128).sum()
    exact = total.cast(pl.Float64) / (values.count() * _EXACT_SCALE)
    usable = values.is_finite().all() & (values.abs().max() <= _EXACT_LIMIT)
    return pl.when(usable).then(exact).otherwise(values.mean())


SAMPLE = "__sample"


def statistic_expr(stat: Statistic, values: pl.Expr) -> pl.Expr:
    """The aggregation expression of ``stat`` over ``values``; nulls are not part of the
    sample (every statistic skips them)."""
    kind = stat.kind
    if kind == "mean":
        return order_free_mean(values)
    if kind == "rate":  # a mean of 0s and 1s: its float sum is exact in any order
        return values.cast(pl.Float64).mean()
    if kind == "median":
        return values.median()
    if kind == "quantile":
        return values.quantile(stat.q, interpolation="linear")
    if kind == "min":
        return values.min()
    if kind == "max":
        return values.max()
    if kind == "share_within":
        return (values <= stat.within).cast(pl.Float64).mean()
    raise ValueError(f"statistic {kind!r} is not a sample statistic")


def is_true(name: str, present: frozenset[str]) -> pl.Expr:
    """A boolean field, false where the export lacks the column or the cell is empty."""
    if name in present:
        return pl.col(name).fill_null(False)
    return pl.lit(False)


def unreadable(name: str) -> pl.Expr:
    """The field's cell held text that did not parse."""
    return pl.col(raw_column(name)).is_not_null() & pl.col(name).is_null()


def parsed_or_unknown(name: str, value: pl.Expr) -> pl.Expr:
    """``value`` where the field's cell was empty or readable; null (unknown) where the export
    had text that did not parse. Ingest turns such text into null, which would otherwise read
    as "empty" (an unreadable `resolved_at` as unresolved); its finding promises those rows
    are left out of every metric that uses the field."""
    return pl.when(~unreadable(name)).then(value)


def zero_if_empty(name: str) -> pl.Expr:
    """A number field where an empty cell counts as 0 but an unreadable one stays unknown."""
    return parsed_or_unknown(name, pl.col(name).fill_null(0.0))


def abandoned_expr(present: frozenset[str]) -> pl.Expr:
    """Whether a contact was abandoned: the flag when given, else the presence of abandoned_at.

    Unknown (null, so the row is left out) where the flag's cell is unreadable, or where the
    flag is empty or absent and the `abandoned_at` cell is unreadable."""
    left_at = parsed_or_unknown("abandoned_at", pl.col("abandoned_at").is_not_null()) if "abandoned_at" in present else None
    if "abandoned" in present:
        fallback = left_at if left_at is not None else pl.lit(False)
        return parsed_or_unknown("abandoned", pl.col("abandoned").fill_null(fallback))
    if left_at is not None:
        return left_at
    return pl.lit(False)


def queue_start_expr(present: frozenset[str]) -> pl.Expr:
    """When a live contact entered the queue: ``queued_at``, defaulting to ``created_at`` where
    it is empty. Unknown (null) where its cell is unreadable: that row is left out, as the
    finding promises, not measured from ``created_at``."""
    if "queued_at" in present and "created_at" in present:
        return parsed_or_unknown("queued_at", pl.coalesce(pl.col("queued_at"), pl.col("created_at")))
    return pl.col("queued_at" if "queued_at" in present else "created_at")


def missing_with_queue_start(metric: "Metric", present: frozenset[str], options: dict[str, Any] | None = None) -> list[str]:
    """Missing fields of a live-queue metric, which also needs ``queued_at`` or ``created_at``."""
    missing = Metric.missing_fields(metric, present, options or {})
    if "queued_at" not in present and "created_at" not in present:
        missing.append("queued_at")
    return missing


def live_channels_expr(
    present: frozenset[str], options: dict[str, Any], filter_fields: frozenset[str] = frozenset()
) -> pl.Expr:
    """Rows on a live channel (the ``live_channels`` option), unless the standard's own filter
    already chose channels or the export has no channel column."""
    if "channel" in filter_fields or "channel" not in present:
        return pl.lit(True)
    return pl.col("channel").is_in(list(options.get("live_channels", LIVE_CHANNELS)))


def live_channel_filter(ctx: BuildContext) -> pl.Expr:
    """:func:`live_channels_expr` for a standard being built."""
    return live_channels_expr(ctx.present, ctx.options, ctx.filter_fields)


class Metric:
    """A measurable quantity of the catalogue. Subclasses set the class attributes."""

    name: str = ""
    title: str = ""
    family: str = ""
    kind: str = "interactions"  # the data it reads: interactions or orders (fields.KINDS)
    unit: Unit = Unit.COUNT
    description: str = ""
    requires: tuple[str, ...] = ()  # every one of these fields is needed
    uses: tuple[str, ...] = ()  # read when present
    #: A second table the metric cannot be measured without ("agents": --agents), or None.
    second_table: str | None = None
    statistics: tuple[str, ...] = SAMPLE_STATISTICS
    default_statistic: str = "mean"
    options: dict[str, Option] = {}
    #: For a duration between two timestamps (which a business calendar can measure, see
    #: ``calendar:``): the timestamp fields it is measured between. Empty for other metrics.
    duration_fields: tuple[str, ...] = ()

    def fields(self, options: dict[str, Any]) -> set[str]:
        """Every canonical field this metric may read."""
        return set(self.requires) | set(self.uses) | set(options.get("subtract") or ())

    def missing_fields(self, present: frozenset[str], options: dict[str, Any]) -> list[str]:
        """Fields the export lacks that this metric needs (pause fields to subtract included)."""
        return [f for f in (*self.requires, *(options.get("subtract") or ())) if f not in present]

    def unmeasurable_reason(self, present: frozenset[str], options: dict[str, Any]) -> str | None:
        """Why the metric cannot be computed from these fields, or None when it can."""
        missing = self.missing_fields(present, options)
        return ("needs " + ", ".join(f"`{f}`" for f in missing)) if missing else None

    def checks(self, present: frozenset[str], options: dict[str, Any]) -> list[Check]:
        """Data-quality exclusions this metric applies (counted once per export)."""
        return []

    def notes(self, present: frozenset[str], options: dict[str, Any]) -> list[str]:
        """Assumptions the result depends on, shown with the result."""
        return []

    def build(self, ctx: BuildContext, standard: Standard) -> pl.LazyFrame:
        """A lazy frame with the ``each`` keys, ``value`` and ``sample_size``."""
        raise NotImplementedError

    def finalize(self, value: float | None, options: dict[str, Any]) -> float | None:
        """Transform the aggregated value (e.g. DPMO into a sigma level)."""
        return value

    #: Unit of the ``value`` column of :meth:`evidence_frame`.
    evidence_unit: Unit | None = None

    def evidence_frame(
        self, ctx: BuildContext, standard: Standard, exhaustive: bool = False, measured: pl.DataFrame | None = None
    ) -> pl.LazyFrame | None:
        """For metrics that are not per-row: the interactions behind a bad value (see
        csaudit/evidence.py), or None when there are none to show. Columns: the ``each`` keys,
        the row number, ``side`` ("high"/"low": the value is off that way), ``key`` (larger is
        worse), ``value`` (in :attr:`evidence_unit`) and ``label`` (text or null).
        ``exhaustive``: every such interaction (``--violations-dir``), not just the telling ones.
        ``measured``: the standard's own collected query, when there is one."""
        return None


#: The column :meth:`RowMetric.measured` puts each row's value in.
MEASURED = "__measured"


#: The column of a row metric's query counting its :meth:`RowMetric.pending` rows.
PENDING = "__pending"


class RowMetric(Metric):
    """A metric where each interaction in the population contributes one value."""

    def sample(self, present: frozenset[str], options: dict[str, Any]) -> tuple[pl.Expr, pl.Expr]:
        """``(value, population)`` expressions over the canonical frame."""
        raise NotImplementedError

    def rows(self, ctx: BuildContext) -> pl.LazyFrame:
        """The interactions the sample is drawn from (e.g. live channels only)."""
        return ctx.frame

    def pending(
        self, present: frozenset[str], options: dict[str, Any]
    ) -> tuple[pl.Expr, tuple[str, str], str] | None:
        """``(rows, (verb for one, for several), what they are)``, e.g. ``(…, ("has", "have"),
        "no first response yet")``: rows of the population left out only because the moment
        that ends their duration has not come (an empty `first_response_at`: not answered yet).
        The metric is defined over the others, but the result says how many there were, so that
        "every email answered within a day" cannot pass quietly on the few that were answered."""
        return None

    def measured(self, ctx: BuildContext) -> tuple[pl.LazyFrame, pl.Expr, pl.Expr]:
        """``(rows, value, population)``: the population excludes the checks' rows and rows
        without a value. The statistic summarises ``value`` over it; evidence draws from it."""
        rows, value, scope = self._scope(ctx)
        return rows, value, (scope & value.is_not_null()).fill_null(False)

    def _scope(self, ctx: BuildContext) -> tuple[pl.LazyFrame, pl.Expr, pl.Expr]:
        """``(rows, value, scope)``: the sample's population without the checks' rows, before
        rows without a value are left out."""
        value, population = self.sample(ctx.present, ctx.options)
        # The value is computed once, as a column: polars does not share sub-expressions over
        # large literals (a business calendar's table), and the value is used several times.
        rows = self.rows(ctx).with_columns(value.alias(MEASURED))
        for check in self.checks(ctx.present, ctx.options):
            if check.excludes:
                population = population & ~check.expr.fill_null(False)
        return rows, pl.col(MEASURED), population

    def evidence_detail(self, present: frozenset[str], options: dict[str, Any]) -> EvidenceDetail | None:
        """How evidence shows a row; None shows the per-row value in the metric's unit."""
        return None

    def build(self, ctx: BuildContext, standard: Standard) -> pl.LazyFrame:
        rows, value, scope = self._scope(ctx)
        population = (scope & value.is_not_null()).fill_null(False)
        # One column, computed once: the value where the row is in the population, else null.
        # Every statistic skips nulls, so no aggregation filters (and copies) its group.
        columns = [pl.when(population).then(value).alias(SAMPLE)]
        pending = self.pending(ctx.present, ctx.options)
        if pending is not None:  # in the same context as the sample: the scope is computed once
            columns.append((scope & value.is_null() & pending[0]).fill_null(False).alias(PENDING))
        rows = rows.with_columns(columns)
        sample = pl.col(SAMPLE)
        aggregations = [
            statistic_expr(standard.statistic, sample).alias("value"),
            sample.count().alias("sample_size"),
        ]
        if pending is not None:
            aggregations.append(pl.col(PENDING).sum().cast(pl.Int64).alias(PENDING))
        if ctx.sample_aggregations is not None:
            aggregations += ctx.sample_aggregations(sample, sample.is_not_null())
        if ctx.each:
            return rows.group_by(list(ctx.each)).agg(aggregations)
        return rows.select(aggregations)
