"""Speed: first response, resolution, speed of answer, customers waiting, backlog flow.

STANDARDS.md §2 "Speed". Durations are calendar seconds, or open seconds of the standard's
business calendar, less any pause fields it subtracts (``duration_value``).
"""

from __future__ import annotations


import polars as pl

from csaudit.fields import LIVE_CHANNELS
from csaudit.metrics.base import (
    LIVE_CHANNELS_OPTION,
    SUBTRACT_OPTION,
    BuildContext,
    Check,
    Metric,
    Option,
    RowMetric,
    Unit,
    abandoned_expr,
    duration_checks,
    duration_value,
    live_channel_filter,
    live_channels_expr,
    missing_with_queue_start,
    negative_value_check,
    order_free_mean,
    pause_checks,
    parsed_or_unknown,
    local_clock,
    period_start,
    queue_start_expr,
    seconds_between,
    statistic_expr,
    subtract_pauses,
    unreadable,
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


# -- Durations an export gives instead of timestamps (issue 4) ---------------------------------
# Some exports carry a first-response or resolution time as a number (Zendesk's "First reply
# time in minutes", Freshdesk's "First response time (in hrs)") instead of, or besides, the
# two timestamps. The timestamps win whenever both are present; the export's own duration is
# used only where one of them is absent, and each result says which was used. A standard
# measured in a business calendar (options["calendar"]) can only use the vendor's
# business-time figure (``*_business_seconds``), never a calendar-time one.

#: Timestamp pair → (calendar-time duration field, vendor business-time duration field).
EXPORTED_DURATIONS = {
    ("created_at", "first_response_at"): ("first_response_seconds", "first_response_business_seconds"),
    ("created_at", "resolved_at"): ("resolution_seconds", "resolution_business_seconds"),
}


def exported_duration(present: frozenset[str], start: str, end: str, options) -> str | None:
    """The export's duration field to measure ``start → end`` with, or None when the two
    timestamps are present (they are used) or no suitable duration field is."""
    if start in present and end in present:
        return None
    calendar_time, business_time = EXPORTED_DURATIONS[(start, end)]
    name = business_time if options.get("calendar") is not None else calendar_time
    return name if name in present else None


def exported_duration_missing(metric: Metric, present, start: str, end: str, options) -> list[str]:
    """Missing fields of a metric that can use an exported duration instead of timestamps
    (pause fields it subtracts are needed either way)."""
    pauses = [f for f in options.get("subtract") or () if f not in present]
    if exported_duration(present, start, end, options):
        return pauses
    return [f for f in metric.requires if f not in present] + pauses


def exported_duration_reason(metric: Metric, present, start: str, end: str, options) -> str | None:
    missing = exported_duration_missing(metric, present, start, end, options)
    if not missing:
        return None
    calendar_time, business_time = EXPORTED_DURATIONS[(start, end)]
    instead = business_time if options.get("calendar") is not None else calendar_time
    timestamps = [f for f in missing if f in metric.requires]
    pauses = [f for f in missing if f not in metric.requires]
    parts = []
    if timestamps:
        parts.append("needs " + ", ".join(f"`{f}`" for f in timestamps) + f", or the export's own duration `{instead}`")
    if pauses:
        parts.append("needs " + ", ".join(f"`{f}`" for f in pauses) + " (to subtract)")
    return "; ".join(parts)


def exported_duration_notes(present, start: str, end: str, options, label: str) -> list[str]:
    """Which of timestamps or an exported duration the value comes from, when both exist."""
    used = exported_duration(present, start, end, options)
    if used:
        return [f"{label} read from the export's own duration (`{used}`), because `{end if start in present else start}` is absent"]
    offered = [f for f in EXPORTED_DURATIONS[(start, end)] if f in present]
    if offered:
        return [f"{label} measured from `{start}` to `{end}`; the export's own " + ", ".join(f"`{f}`" for f in offered)
                + " was not used"]
    return []


def exported_duration_sample(present, start: str, end: str, options) -> pl.Expr:
    """Seconds from ``start`` to ``end``: :func:`duration_value` on the timestamps, or the
    exported duration (less any pauses the standard subtracts)."""
    used = exported_duration(present, start, end, options)
    if used:
        return subtract_pauses(pl.col(used), options)
    return duration_value(start, end, options)


def exported_duration_checks(present, start: str, end: str, options, label: str) -> list[Check]:
    used = exported_duration(present, start, end, options)
    if used:
        # The pauses are subtracted from the export's own duration: the same checks apply.
        return [negative_value_check(used), *pause_checks(pl.col(used), used, label, options)]
    return [negative_check(start, end, label), *duration_checks(start, end, label, options)]


def not_yet(end: str, start: pl.Expr, present: frozenset[str]) -> pl.Expr | None:
    """Rows whose duration has a known start and no end yet: the `end` cell is empty (an
    unreadable one is a finding of its own). None without an `end` column."""
    if end not in present:
        return None
    return pl.col(end).is_null() & ~unreadable(end) & start.is_not_null()


class ExportedDurationMetric(RowMetric):
    """A duration between two timestamps (``pair``) for which an exported duration can stand
    in where a timestamp is absent (see :func:`exported_duration`)."""

    pair: tuple[str, str] = ("created_at", "first_response_at")
    label = ""

    def missing_fields(self, present, options):
        return exported_duration_missing(self, present, *self.pair, options)

    def unmeasurable_reason(self, present, options):
        return exported_duration_reason(self, present, *self.pair, options)

    def notes(self, present, options):
        return exported_duration_notes(present, *self.pair, options, self.label)

    def checks(self, present, options):
        return exported_duration_checks(present, *self.pair, options, self.label)


class FirstResponseTime(ExportedDurationMetric):
    name = "first_response_time"
    title = "First response time"
    family = "speed"
    unit = Unit.SECONDS
    description = (
        "first_response_at − created_at over answered interactions. Abandoned contacts have no "
        "first response time; first_response_at must be a human response, not an automated "
        "acknowledgement. Where the export lacks a timestamp, its own duration "
        "(first_response_seconds, or first_response_business_seconds in a business calendar)."
    )
    requires = ("created_at", "first_response_at")
    uses = ("abandoned", "abandoned_at", *EXPORTED_DURATIONS[("created_at", "first_response_at")])
    options = {"subtract": SUBTRACT_OPTION}
    duration_fields = ("created_at", "first_response_at")
    pair, label = ("created_at", "first_response_at"), "first response time"

    def sample(self, present, options):
        value = exported_duration_sample(present, *self.pair, options)
        return value, ~abandoned_expr(present)

    def pending(self, present, options):
        rows = not_yet("first_response_at", pl.col("created_at"), present) if "created_at" in present else None
        return None if rows is None else (rows, ("has", "have"), "no first response yet (an empty `first_response_at`)")


class ResolutionTime(ExportedDurationMetric):
    name = "resolution_time"
    title = "Resolution time"
    family = "speed"
    unit = Unit.SECONDS
    description = (
        "resolved_at − created_at over resolved interactions (use each: priority). Where the export "
        "lacks a timestamp, its own duration (resolution_seconds, or resolution_business_seconds in a "
        "business calendar)."
    )
    requires = ("created_at", "resolved_at")
    uses = EXPORTED_DURATIONS[("created_at", "resolved_at")]
    options = {"subtract": SUBTRACT_OPTION}
    duration_fields = ("created_at", "resolved_at")
    pair, label = ("created_at", "resolved_at"), "resolution time"

    def sample(self, present, options):
        return exported_duration_sample(present, *self.pair, options), pl.lit(True)

    def pending(self, present, options):
        rows = not_yet("resolved_at", pl.col("created_at"), present) if "created_at" in present else None
        return None if rows is None else (rows, ("is", "are"), "not resolved (an empty `resolved_at`)")


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
    uses = ("queued_at", "created_at", "abandoned", "abandoned_at", "channel",
            *EXPORTED_DURATIONS[("created_at", "first_response_at")])
    options = {
        "live_channels": LIVE_CHANNELS_OPTION,
        "subtract": SUBTRACT_OPTION,
    }
    duration_fields = ("queued_at", "created_at", "first_response_at")

    @staticmethod
    def _exported(present, options) -> str | None:
        # Without queue timestamps the wait starts at created_at, so an exported first-response
        # duration (a call log's "speed of answer in seconds") is the speed of answer.
        return None if "queued_at" in present else exported_duration(present, "created_at", "first_response_at", options)

    def missing_fields(self, present, options):
        if self._exported(present, options):
            return []
        return missing_with_queue_start(self, present, options)

    def notes(self, present, options):
        used = self._exported(present, options)
        return [f"speed of answer read from the export's own duration (`{used}`), the wait from arrival to answer"] if used else []

    def sample(self, present, options):
        if used := self._exported(present, options):
            return subtract_pauses(pl.col(used), options), ~abandoned_expr(present)
        return duration_value(queue_start_expr(present), "first_response_at", options), ~abandoned_expr(present)

    def pending(self, present, options):
        if self._exported(present, options) or not {"queued_at", "created_at"} & present:
            return None
        rows = not_yet("first_response_at", queue_start_expr(present), present)
        return None if rows is None else (rows, ("was", "were"), "neither answered nor abandoned (an empty `first_response_at`)")

    def checks(self, present, options):
        if used := self._exported(present, options):
            return [negative_value_check(used)]
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
            ),
            *duration_checks(queue_start_expr(present), "first_response_at", "speed of answer", options, start),
        ]

    def rows(self, ctx: BuildContext) -> pl.LazyFrame:
        return ctx.frame.filter(live_channel_filter(ctx))


PEAK, PEAK_AT = "__peak", "__peak_at"


class WaitingCount(Metric):
    name = "waiting_count"
    title = "Customers waiting"
    family = "speed"
    unit = Unit.COUNT
    description = (
        "How many live contacts wait at once. A contact waits over [queued_at, first_response_at) "
        "or, when abandoned, [queued_at, abandoned_at); at equal instants departures happen "
        "before arrivals. Statistics: max (the peak), mean (time-weighted), share_within N "
        "(share of time with at most N waiting). The sample size is the live contacts whose wait "
        "is known, answered on arrival included: where none of them waited, the peak and the mean "
        "are 0 and all the time is within any limit."
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
                expr=live & begins.is_not_null() & abandoned_expr(present).is_not_null() & self._end(present).is_null(),
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
        abandoned = abandoned_expr(present)
        # Unknown (null) when it is not known whether the contact abandoned: left out.
        return pl.when(abandoned).then(abandoned_at).when(~abandoned).then(pl.col("first_response_at"))

    def known(self, ctx: BuildContext) -> pl.LazyFrame:
        """The queue's contacts: live ones whose wait is known (answered on arrival included),
        with the ``each`` keys, row number, ``start`` and ``end``."""
        from csaudit.ingest import ROW  # ingest imports the metrics

        start, end = queue_start_expr(ctx.present), self._end(ctx.present)
        known = ctx.frame.filter(live_channel_filter(ctx) & (end >= start).fill_null(False))
        return known.select(*ctx.each, ROW, start.alias("start"), end.alias("end"))

    @staticmethod
    def _waited(known: pl.LazyFrame) -> pl.LazyFrame:
        # A wait of zero length ([t, t)) is empty: the contact never waits.
        return known.filter(pl.col("end") > pl.col("start"))

    def waits(self, ctx: BuildContext) -> pl.LazyFrame:
        """The live contacts' waits: the ``each`` keys, row number, ``start`` and ``end``."""
        return self._waited(self.known(ctx))

    def events(self, ctx: BuildContext, waits: pl.LazyFrame) -> pl.LazyFrame:
        """Arrivals (+1) and departures (−1) in time order (each group's together) with the
        ``level`` (customers waiting) after each. :meth:`with_hold` adds how long it lasts."""
        keys = list(ctx.each)
        arrivals = waits.select(*keys, pl.col("start").alias("t"), pl.lit(1, pl.Int32).alias("step"))
        departures = waits.select(*keys, pl.col("end").alias("t"), pl.lit(-1, pl.Int32).alias("step"))
        # One integer sort key: the instant in microseconds, departures (-1) before arrivals
        # (+1) at the same instant ("departures before arrivals").
        order = pl.col("t").dt.epoch("us") * 2 + (pl.col("step") > 0).cast(pl.Int64)
        events = pl.concat([arrivals, departures])
        if keys:
            # Each group's events sorted by time within the group, the groups one after the
            # other (cheaper than a sort on the text keys, or windows over them). Every wait
            # adds one arrival and one departure, so each group's steps sum to zero: the running
            # sum over all groups is each group's own level.
            events = (
                events.with_columns(order.alias("__order"))
                .group_by(keys)
                .agg(pl.struct("t", "step").sort_by("__order").alias("__events"))
                .explode("__events")
                .unnest("__events")
            )
        else:
            events = events.sort(order)
        return events.with_columns(pl.col("step").cum_sum().alias("level"))

    @staticmethod
    def with_hold(events: pl.LazyFrame, keys: list[str]) -> pl.LazyFrame:
        """:meth:`events` with ``hold``: how long the level after each event lasts, in seconds
        (zero between same-instant events; null after a group's last event). Only the mean and
        the share of time within N need it: at 10M rows, comparing each event's keys with the
        next event's cost a third of the events' own sort."""
        following = pl.col("t").shift(-1)
        if keys:
            same = pl.all_horizontal([pl.col(k).eq_missing(pl.col(k).shift(-1)) for k in keys])
            following = pl.when(same).then(following)
        return events.with_columns(seconds_between(pl.col("t"), following).fill_null(0.0).alias("hold"))

    def waits_and_events(self, ctx: BuildContext) -> tuple[pl.LazyFrame, pl.LazyFrame]:
        """Waits and events of this context, built once and cached, so that the standard and
        its evidence share one sort of the events."""
        return self._queue(ctx)[1:]

    def _queue(self, ctx: BuildContext) -> tuple[pl.LazyFrame, pl.LazyFrame, pl.LazyFrame]:
        """:meth:`known`, :meth:`waits` and :meth:`events`, built once per context: the waits
        are the known contacts that waited, one plan polars shares (caching the known contacts
        too would hold 5.5M more rows at 10M for no gain in time)."""
        if "_waiting" not in ctx.__dict__:
            known = self.known(ctx)
            waits = self._waited(known)
            ctx.__dict__["_waiting"] = (known, waits, self.events(ctx, waits).cache())
        return ctx.__dict__["_waiting"]

    def build(self, ctx: BuildContext, standard: Standard) -> pl.LazyFrame:
        keys = list(ctx.each)
        known, _, events = self._queue(ctx)
        stat = standard.statistic
        if stat.kind != "max":
            events = self.with_hold(events, keys)
        if stat.kind == "max":
            value, nobody = pl.col("level").max(), 0.0
        elif stat.kind == "mean":
            value, nobody = (pl.col("level") * pl.col("hold")).sum() / pl.col("hold").sum(), 0.0
        else:
            within = pl.col("hold").filter(pl.col("level") <= stat.within).sum()
            value, nobody = within / pl.col("hold").sum(), 1.0
        level = pl.col("level")
        aggregations = [
            value.cast(pl.Float64).alias("value"),
            # The peak and its first instant, for the evidence (who was waiting then).
            level.max().alias(PEAK),
            pl.col("t").filter(level == level.max()).min().alias(PEAK_AT),
        ]
        # The sample is the queue's contacts (:meth:`known`), answered on arrival included. A
        # group of them where nobody waited has a peak of 0, not no value.
        size = pl.len().cast(pl.Int64).alias("sample_size")
        if keys:
            population = known.group_by(keys).agg(size)
            measured = population.join(events.group_by(keys).agg(aggregations), on=keys, how="left", nulls_equal=True)
        else:
            measured = known.select(size).join(events.select(aggregations), how="cross")
        quiet = pl.col(PEAK).is_null() & (pl.col("sample_size") > 0)  # no waits (0 / 0 is NaN)
        return measured.with_columns(
            pl.when(quiet).then(pl.lit(nobody)).otherwise(pl.col("value")).alias("value"),
            pl.when(quiet).then(pl.lit(0, pl.Int32)).otherwise(pl.col(PEAK)).alias(PEAK),
        )

    evidence_unit = Unit.SECONDS

    def evidence_frame(self, ctx, standard, exhaustive=False, measured=None):
        """Contacts waiting when too many waited, longest wait first: those waiting at the
        peak (its first instant) as samples; with ``exhaustive``, every contact that waited
        while more than the limit were waiting (the fail level; ``share_within``'s N)."""
        stat, target = standard.statistic, standard.target
        keys = list(ctx.each)
        waits, events = self.waits_and_events(ctx)
        instant = "%Y-%m-%d %H:%M:%S UTC"
        if not exhaustive:
            if measured is None:
                return None
            # The standard's own query found each group's peak: the waits alone tell who
            # waited then (no second sort of the events).
            peaks = measured.lazy().select(*keys, pl.col(PEAK_AT).alias("at"), pl.col(PEAK).alias("peak"))
            waits = self.waits(ctx)
            rows = waits.join(peaks, on=keys, nulls_equal=True) if keys else waits.join(peaks, how="cross")
            rows = rows.filter((pl.col("start") <= pl.col("at")) & (pl.col("end") > pl.col("at")))
            label = pl.format("waiting at the peak: {} at {}", pl.col("peak"), pl.col("at").dt.strftime(instant))
        else:
            if stat.kind == "share_within":
                over = pl.col("level") > stat.within
            elif target is None or target.compare in ("at_least", "above"):
                return None
            elif target.compare == "below":
                over = pl.col("level") >= target.fail
            else:
                over = pl.col("level") > (target.fail[1] if target.compare == "between" else target.fail)
            # The level after the last event of an instant is the real one (departures come
            # first, so levels in between are transient).
            last = (pl.col("t") != pl.col("t").shift(-1).over(keys) if keys else pl.col("t") != pl.col("t").shift(-1))
            crowded = events.filter(last.fill_null(True) & over).select(*keys, pl.col("t").alias("over_at"))
            rows = waits.sort("start").join_asof(
                crowded.sort("over_at"), left_on="start", right_on="over_at", by=keys or None, strategy="forward",
                check_sortedness=False,  # sorted by start above, so within every group too
            ).filter(pl.col("over_at") < pl.col("end"))
            label = pl.format("waited while over the limit, from {}", pl.col("over_at").dt.strftime(instant))
        from csaudit.ingest import ROW

        wait = seconds_between(pl.col("start"), pl.col("end"))
        # Too many waiting is a high max or mean, or a low share of time within N.
        side = "low" if stat.kind == "share_within" else "high"
        return rows.select(*keys, ROW, pl.lit(side).alias("side"), wait.alias("key"), wait.alias("value"),
                           label.alias("label"))


class BacklogFlow(Metric):
    name = "backlog_flow"
    title = "Backlog inflow / outflow"
    family = "speed"
    unit = Unit.RATIO
    description = (
        "Interactions created ÷ interactions resolved per period (week by default; weeks start "
        "on Monday, days at midnight on the audit's clock: --timezone or the profile's timezone, "
        "else UTC). Above 1.0 the backlog grows. Statistics: ratio (all created ÷ all resolved "
        "over the audited span), or mean/median/min/max over the periods; a period with no "
        "resolution has an infinite ratio. The sample size is the number of periods. A row "
        "resolved before it was created (a placeholder date such as 1900-01-01) counts in "
        "neither, and is reported."
    )
    requires = ("created_at", "resolved_at")
    statistics = ("ratio", "mean", "median", "min", "max")
    default_statistic = "ratio"
    options = {"period": Option(one_of("day", "week", "month"), "week", "day, week or month")}

    #: A resolution before its creation: one of the two dates is wrong, and which is unknown,
    #: so the row is left out of both counts (else a placeholder date adds a period of its own).
    _IMPOSSIBLE = pl.col("resolved_at") < pl.col("created_at")

    def checks(self, present, options):
        return [
            Check(
                key="backlog:resolved_before_created",
                message="`resolved_at` is before `created_at`; these rows are left out of backlog flow "
                "(neither their creation nor their resolution is counted)",
                expr=self._IMPOSSIBLE,
                fields=("created_at", "resolved_at"),
            )
        ]

    def build(self, ctx: BuildContext, standard: Standard) -> pl.LazyFrame:
        keys = list(ctx.each)
        every = ctx.options.get("period", "week")
        frame = ctx.frame.filter(~self._IMPOSSIBLE.fill_null(False))

        def grouping(timestamp: str) -> list[pl.Expr]:
            # A period key (--by week) counts each creation and resolution in its own period.
            return [period_start(clock(timestamp), ctx.time_keys[k]).alias(k) if k in ctx.time_keys
                    else pl.col(k) for k in keys]

        def clock(timestamp: str) -> pl.Expr:  # periods begin on the audit's local clock
            return local_clock(pl.col(timestamp), ctx.timezone)

        created = frame.filter(pl.col("created_at").is_not_null()).select(
            *grouping("created_at"),
            period_start(clock("created_at"), every).alias("period"),
            pl.lit(1, pl.Int64).alias("created"),
            pl.lit(0, pl.Int64).alias("resolved"),
        )
        resolved = frame.filter(pl.col("resolved_at").is_not_null()).select(
            *grouping("resolved_at"),
            period_start(clock("resolved_at"), every).alias("period"),
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
            # Periods come out of a group-by in no set order: their mean must not depend on it.
            value = order_free_mean(pl.col("ratio")) if kind == "mean" else getattr(pl.col("ratio"), kind)()
        aggregations = [value.alias("value"), pl.len().cast(pl.Int64).alias("sample_size")]
        if keys:
            return periods.group_by(keys).agg(aggregations)
        return periods.select(aggregations)

    evidence_unit = Unit.SECONDS

    def evidence_frame(self, ctx, standard, exhaustive=False, measured=None):
        """When more came in than was resolved: the backlog itself, i.e. the interactions still
        open at the end of the data (its last creation or resolution), oldest first."""
        from csaudit.ingest import ROW

        end = pl.max_horizontal("created_at", "resolved_at").max()
        age = seconds_between(pl.col("created_at"), pl.col("end"))
        open_ = pl.col("created_at").is_not_null() & parsed_or_unknown("resolved_at", pl.col("resolved_at").is_null())
        return ctx.frame.with_columns(end.alias("end")).filter(open_.fill_null(False)).select(
            *ctx.each, ROW, pl.lit("high").alias("side"), age.alias("key"), age.alias("value"),
            pl.format("open at {}", pl.col("end").dt.strftime("%Y-%m-%d %H:%M UTC")).alias("label"),
        )


class AverageResponseTime(Metric):
    name = "average_response_time"
    title = "Average response time"
    family = "speed"
    unit = Unit.SECONDS
    description = (
        "Mean gap between a customer message and the agent reply that follows, from message "
        "events (--events): one gap per agent reply that follows customer messages, measured from "
        "the first of them; bot and automated messages are not replies, and customer messages not "
        "answered yet make no gap. The sample size is the number of gaps."
    )
    requires = ("response_gaps",)  # derived from message events (csaudit/events.py)
    needs = "message events (--events)"

    def fields(self, options):
        return set()  # reads no column of the export: the events give the gaps

    def missing_fields(self, present, options):
        return []  # not a column to map: the events give it

    def unmeasurable_reason(self, present, options):
        if "response_gaps" in present:
            return None
        return "needs message events (one row per message): give them with --events messages.csv"

    def build(self, ctx: BuildContext, standard: Standard) -> pl.LazyFrame:
        keys = list(ctx.each)
        gaps = ctx.frame.select(*keys, pl.col("response_gaps").alias("gap")).explode("gap")
        gap = pl.col("gap").drop_nulls()
        aggregations = [
            statistic_expr(standard.statistic, gap).cast(pl.Float64).alias("value"),
            gap.len().cast(pl.Int64).alias("sample_size"),
        ]
        return gaps.group_by(keys).agg(aggregations) if keys else gaps.select(aggregations)


METRICS: list[type[Metric]] = [
    FirstResponseTime,
    ResolutionTime,
    SpeedOfAnswer,
    WaitingCount,
    BacklogFlow,
    AverageResponseTime,
]
