"""Speed: first response, resolution, speed of answer, customers waiting, backlog flow.

STANDARDS.md §2 "Speed". Durations are calendar seconds.
"""

from __future__ import annotations


import polars as pl

from csaudit.fields import LIVE_CHANNELS
from csaudit.metrics.base import (
    LIVE_CHANNELS_OPTION,
    BuildContext,
    Check,
    Metric,
    Option,
    RowMetric,
    UnavailableMetric,
    Unit,
    abandoned_expr,
    live_channel_filter,
    live_channels_expr,
    missing_with_queue_start,
    queue_start_expr,
    seconds_between,
)
from csaudit.metrics.options import one_of
from csaudit.profile.model import Standard


def negative_check(start: str, end: str, metric_label: str) -> Check:
    return Check(
        key=f"negative:{start}:{end}",
        message=f"`{end}` is before `{start}` (negative {metric_label}); these rows are excluded from it",
        expr=pl.col(end) < pl.col(start),
        fields=(start, end),
    )


class FirstResponseTime(RowMetric):
    name = "first_response_time"
    title = "First response time"
    family = "speed"
    unit = Unit.SECONDS
    description = (
        "first_response_at − created_at over answered interactions. Abandoned contacts have no "
        "first response time; first_response_at must be a human response, not an automated "
        "acknowledgement."
    )
    requires = ("created_at", "first_response_at")
    uses = ("abandoned", "abandoned_at")

    def sample(self, present, options):
        value = seconds_between("created_at", "first_response_at")
        return value, ~abandoned_expr(present)

    def checks(self, present, options):
        return [negative_check("created_at", "first_response_at", "first response time")]


class ResolutionTime(RowMetric):
    name = "resolution_time"
    title = "Resolution time"
    family = "speed"
    unit = Unit.SECONDS
    description = "resolved_at − created_at over resolved interactions (use each: priority)."
    requires = ("created_at", "resolved_at")

    def sample(self, present, options):
        return seconds_between("created_at", "resolved_at"), pl.lit(True)

    def checks(self, present, options):
        return [negative_check("created_at", "resolved_at", "resolution time")]


class SpeedOfAnswer(RowMetric):
    name = "speed_of_answer"
    title = "Speed of answer"
    family = "speed"
    unit = Unit.SECONDS
    description = (
        "first_response_at − queued_at (queued_at defaults to created_at) over answered live "
        "contacts. Service level is this metric with `statistic: {share_within: 20s}`."
    )
    requires = ("first_response_at",)
    uses = ("queued_at", "created_at", "abandoned", "abandoned_at", "channel")
    options = {
        "live_channels": LIVE_CHANNELS_OPTION,
    }

    def missing_fields(self, present, options):
        return missing_with_queue_start(self, present)

    def sample(self, present, options):
        return seconds_between(queue_start_expr(present), "first_response_at"), ~abandoned_expr(present)

    def checks(self, present, options):
        start = "queued_at" if "queued_at" in present else "created_at"
        if start not in present:
            return []
        check = negative_check(start, "first_response_at", "speed of answer")
        # Compare with the wait's real start: a row with an empty queued_at falls back to
        # created_at (queue_start_expr), and a response before that start is just as negative.
        # Comparing only with queued_at let such rows into the sample with negative values.
        return [
            Check(
                key=check.key,
                message=check.message,
                expr=pl.col("first_response_at") < queue_start_expr(present),
                fields=check.fields,
            )
        ]

    def build(self, ctx: BuildContext, standard: Standard) -> pl.LazyFrame:
        ctx.frame = ctx.frame.filter(live_channel_filter(ctx))
        return super().build(ctx, standard)


class WaitingCount(Metric):
    name = "waiting_count"
    title = "Customers waiting"
    family = "speed"
    unit = Unit.COUNT
    description = (
        "How many live contacts wait at once. A contact waits over [queued_at, first_response_at) "
        "or, when abandoned, [queued_at, abandoned_at); at equal instants departures happen "
        "before arrivals. Statistics: max (the peak), mean (time-weighted), share_within N "
        "(share of time with at most N waiting)."
    )
    requires = ("first_response_at",)
    uses = ("queued_at", "created_at", "abandoned", "abandoned_at", "channel")
    statistics = ("max", "mean", "share_within")
    default_statistic = "max"
    options = {
        "live_channels": LIVE_CHANNELS_OPTION,
    }

    def missing_fields(self, present, options):
        return missing_with_queue_start(self, present)

    def notes(self, present, options):
        if "channel" not in present:
            return ["no `channel` column: every contact is treated as one live queue"]
        return []

    def checks(self, present, options):
        start = "queued_at" if "queued_at" in present else "created_at"
        live = live_channels_expr(present, options)
        begins = queue_start_expr(present)
        return [
            Check(
                key="waiting:no_end:" + ",".join(options.get("live_channels", LIVE_CHANNELS)),
                message=(
                    "live contacts whose wait has no end (not answered, or abandoned without "
                    "`abandoned_at`); excluded from the waiting count"
                ),
                expr=live & begins.is_not_null() & self._end(present).is_null(),
                fields=(start, "first_response_at"),
            ),
            Check(
                key=f"negative:{start}:wait_end",
                message=f"the wait ends (answer or abandon) before `{start}`; excluded from the waiting count",
                expr=live & (self._end(present) < begins),
                fields=(start, "first_response_at"),
            ),
        ]

    @staticmethod
    def _end(present: frozenset[str]) -> pl.Expr:
        abandoned_at = pl.col("abandoned_at") if "abandoned_at" in present else pl.lit(None, pl.Datetime("us", "UTC"))
        return pl.when(abandoned_expr(present)).then(abandoned_at).otherwise(pl.col("first_response_at"))

    def build(self, ctx: BuildContext, standard: Standard) -> pl.LazyFrame:
        start, end = queue_start_expr(ctx.present), self._end(ctx.present)
        keys = list(ctx.each)
        # A wait of zero length ([t, t)) is empty: the contact never waits.
        waits = ctx.frame.filter(live_channel_filter(ctx) & (end > start).fill_null(False))
        arrivals = waits.select(*keys, start.alias("t"), pl.lit(1, pl.Int32).alias("step"))
        departures = waits.select(*keys, end.alias("t"), pl.lit(-1, pl.Int32).alias("step"))
        # Sorting -1 before +1 at the same instant applies "departures before arrivals".
        events = pl.concat([arrivals, departures]).sort([*keys, "t", "step"])
        level, following = pl.col("step").cum_sum(), pl.col("t").shift(-1)
        if keys:
            level, following = level.over(keys), following.over(keys)
        # "hold": how long the level after this event lasts (zero between same-instant events).
        hold = seconds_between(pl.col("t"), following).fill_null(0.0)
        events = events.with_columns(level.alias("level"), hold.alias("hold"))
        stat = standard.statistic
        if stat.kind == "max":
            value = pl.col("level").max()
        elif stat.kind == "mean":
            value = (pl.col("level") * pl.col("hold")).sum() / pl.col("hold").sum()
        else:
            value = pl.col("hold").filter(pl.col("level") <= stat.within).sum() / pl.col("hold").sum()
        aggregations = [
            value.cast(pl.Float64).alias("value"),
            (pl.col("step") == 1).cast(pl.Int64).sum().alias("sample_size"),
        ]
        if keys:
            return events.group_by(keys).agg(aggregations)
        return events.select(aggregations)


_PERIODS = {"day": "1d", "week": "1w", "month": "1mo"}


class BacklogFlow(Metric):
    name = "backlog_flow"
    title = "Backlog inflow / outflow"
    family = "speed"
    unit = Unit.RATIO
    description = (
        "Interactions created ÷ interactions resolved per period (week by default; weeks start "
        "on Monday). Above 1.0 the backlog grows. Statistics: ratio (all created ÷ all resolved "
        "over the audited span), or mean/median/min/max over the periods; a period with no "
        "resolution has an infinite ratio. The sample size is the number of periods."
    )
    requires = ("created_at", "resolved_at")
    statistics = ("ratio", "mean", "median", "min", "max")
    default_statistic = "ratio"
    options = {"period": Option(one_of("day", "week", "month"), "week", "day, week or month")}

    def build(self, ctx: BuildContext, standard: Standard) -> pl.LazyFrame:
        keys = list(ctx.each)
        every = _PERIODS[ctx.options.get("period", "week")]
        created = ctx.frame.filter(pl.col("created_at").is_not_null()).select(
            *keys,
            pl.col("created_at").dt.truncate(every).alias("period"),
            pl.lit(1, pl.Int64).alias("created"),
            pl.lit(0, pl.Int64).alias("resolved"),
        )
        resolved = ctx.frame.filter(pl.col("resolved_at").is_not_null()).select(
            *keys,
            pl.col("resolved_at").dt.truncate(every).alias("period"),
            pl.lit(0, pl.Int64).alias("created"),
            pl.lit(1, pl.Int64).alias("resolved"),
        )
        periods = (
            pl.concat([created, resolved])
            .group_by([*keys, "period"])
            .agg(pl.col("created").sum(), pl.col("resolved").sum())
            .with_columns((pl.col("created").cast(pl.Float64) / pl.col("resolved")).alias("ratio"))
        )
        kind = standard.statistic.kind
        if kind == "ratio":
            value = pl.col("created").sum().cast(pl.Float64) / pl.col("resolved").sum()
        else:
            value = getattr(pl.col("ratio"), kind)()
        aggregations = [value.alias("value"), pl.len().cast(pl.Int64).alias("sample_size")]
        if keys:
            return periods.group_by(keys).agg(aggregations)
        return periods.select(aggregations)


class AverageResponseTime(UnavailableMetric):
    name = "average_response_time"
    title = "Average response time"
    family = "speed"
    unit = Unit.SECONDS
    description = "Mean gap between a customer message and the agent reply that follows."
    needs = "needs message events (one row per message), which this version cannot read yet"


METRICS: list[type[Metric]] = [
    FirstResponseTime,
    ResolutionTime,
    SpeedOfAnswer,
    WaitingCount,
    BacklogFlow,
    AverageResponseTime,
]
