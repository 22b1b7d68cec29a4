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

from csaudit.fields import LIVE_CHANNELS, raw_column
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
    """

    key: str
    message: str
    expr: pl.Expr
    fields: tuple[str, ...]


@dataclass
class BuildContext:
    """What a metric needs to build its part of the query plan."""

    frame: pl.LazyFrame  # canonical interactions, already narrowed by the standard's filter
    present: frozenset[str]  # canonical fields the export provides
    each: tuple[str, ...]  # grouping keys (canonical text fields)
    options: dict[str, Any] = field(default_factory=dict)
    filter_fields: frozenset[str] = frozenset()


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


def seconds_between(start: str | pl.Expr, end: str | pl.Expr) -> pl.Expr:
    """``end - start`` in seconds, exact to the microsecond."""
    start = pl.col(start) if isinstance(start, str) else start
    end = pl.col(end) if isinstance(end, str) else end
    return (end - start).dt.total_microseconds().cast(pl.Float64) / 1_000_000


def statistic_expr(stat: Statistic, values: pl.Expr) -> pl.Expr:
    """The aggregation expression of ``stat`` over ``values`` (nulls already removed)."""
    kind = stat.kind
    if kind == "mean" or kind == "rate":
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

    Unknown (null, so the row is left out) where the flag's cell is unreadable."""
    if "abandoned" in present:
        fallback = pl.col("abandoned_at").is_not_null() if "abandoned_at" in present else pl.lit(False)
        return parsed_or_unknown("abandoned", pl.col("abandoned").fill_null(fallback))
    if "abandoned_at" in present:
        return pl.col("abandoned_at").is_not_null()
    return pl.lit(False)


def queue_start_expr(present: frozenset[str]) -> pl.Expr:
    """When a live contact entered the queue: ``queued_at``, defaulting to ``created_at``."""
    if "queued_at" in present and "created_at" in present:
        return pl.coalesce(pl.col("queued_at"), pl.col("created_at"))
    return pl.col("queued_at" if "queued_at" in present else "created_at")


def missing_with_queue_start(metric: "Metric", present: frozenset[str]) -> list[str]:
    """Missing fields of a live-queue metric, which also needs ``queued_at`` or ``created_at``."""
    missing = [f for f in metric.requires if f not in present]
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
    unit: Unit = Unit.COUNT
    description: str = ""
    requires: tuple[str, ...] = ()  # every one of these fields is needed
    uses: tuple[str, ...] = ()  # read when present
    statistics: tuple[str, ...] = SAMPLE_STATISTICS
    default_statistic: str = "mean"
    options: dict[str, Option] = {}

    def fields(self, options: dict[str, Any]) -> set[str]:
        """Every canonical field this metric may read."""
        return set(self.requires) | set(self.uses)

    def missing_fields(self, present: frozenset[str], options: dict[str, Any]) -> list[str]:
        """Fields the export lacks that this metric needs."""
        return [f for f in self.requires if f not in present]

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


class RowMetric(Metric):
    """A metric where each interaction in the population contributes one value."""

    def sample(self, present: frozenset[str], options: dict[str, Any]) -> tuple[pl.Expr, pl.Expr]:
        """``(value, population)`` expressions over the canonical frame."""
        raise NotImplementedError

    def build(self, ctx: BuildContext, standard: Standard) -> pl.LazyFrame:
        value, population = self.sample(ctx.present, ctx.options)
        for check in self.checks(ctx.present, ctx.options):
            population = population & ~check.expr.fill_null(False)
        population = (population & value.is_not_null()).fill_null(False)
        aggregations = [
            statistic_expr(standard.statistic, value.filter(population)).alias("value"),
            population.cast(pl.Int64).sum().alias("sample_size"),
        ]
        if ctx.each:
            return ctx.frame.group_by(list(ctx.each)).agg(aggregations)
        return ctx.frame.select(aggregations)


class UnavailableMetric(Metric):
    """A metric of the catalogue that needs a second table this version cannot read yet."""

    needs: str = ""

    def unmeasurable_reason(self, present: frozenset[str], options: dict[str, Any]) -> str | None:
        return self.needs

    def build(self, ctx: BuildContext, standard: Standard) -> pl.LazyFrame:  # pragma: no cover
        raise RuntimeError(f"{self.name} cannot be built: {self.needs}")
