"""Efficiency: replies per issue, handle time, hold time, minutes per issue, occupancy.

STANDARDS.md §2 "Efficiency".
"""

from __future__ import annotations

import polars as pl

from csaudit import activity
from csaudit.activity import AGENT_ACTIVITY, DATED_ACTIVITY
from csaudit.metrics.base import (
    negative_value_check,
    BuildContext,
    Metric,
    RowMetric,
    Unit,
    abandoned_expr,
    zero_if_empty,
)
from csaudit.profile.model import Standard



class RepliesPerIssue(RowMetric):
    name = "replies_per_issue"
    title = "Replies per issue"
    family = "efficiency"
    unit = Unit.COUNT
    description = "Mean agent `replies` over resolved interactions (seed 000: a band of 2–4)."
    requires = ("replies", "resolved_at")

    def sample(self, present, options):
        return pl.col("replies"), pl.col("resolved_at").is_not_null()

    def checks(self, present, options):
        return [negative_value_check("replies")]


class AverageHandleTime(RowMetric):
    name = "average_handle_time"
    title = "Average handle time"
    family = "efficiency"
    unit = Unit.SECONDS
    description = (
        "(handle + hold + wrap) per handled interaction (one with `handle_seconds`); an empty "
        "hold or wrap counts as 0."
    )
    requires = ("handle_seconds",)
    uses = ("hold_seconds", "wrap_seconds", "abandoned", "abandoned_at")

    def sample(self, present, options):
        total = pl.col("handle_seconds")
        for part in ("hold_seconds", "wrap_seconds"):
            if part in present:
                # Only an empty cell counts as 0; an unreadable one ("x") leaves the row out.
                total = total + zero_if_empty(part)
        return total, ~abandoned_expr(present)

    def checks(self, present, options):
        return [negative_value_check(f) for f in ("handle_seconds", "hold_seconds", "wrap_seconds") if f in present]

    def notes(self, present, options):
        absent = [f for f in ("hold_seconds", "wrap_seconds") if f not in present]
        return [f"no `{f}` column: counted as 0" for f in absent]


class HoldTime(RowMetric):
    name = "hold_time"
    title = "Hold time"
    family = "efficiency"
    unit = Unit.SECONDS
    description = "`hold_seconds` per interaction (Forbes: max 30 s, so use statistic max)."
    requires = ("hold_seconds",)

    def sample(self, present, options):
        return pl.col("hold_seconds"), pl.lit(True)

    def checks(self, present, options):
        return [negative_value_check("hold_seconds")]


class MinutesPerIssue(RowMetric):
    name = "minutes_per_issue"
    title = "Minutes per issue"
    family = "efficiency"
    unit = Unit.SECONDS
    description = (
        "Handle time per handled interaction (abandoned contacts left out, as in AHT), to "
        "compare agents (use each: agent)."
    )
    requires = ("handle_seconds",)
    uses = ("abandoned", "abandoned_at")

    def sample(self, present, options):
        # An abandoned contact was never handled: its 0 s (or empty) handle time would pull
        # down the average of whichever agent the export files it under.
        return pl.col("handle_seconds"), ~abandoned_expr(present)

    def checks(self, present, options):
        return [negative_value_check("handle_seconds")]


class Occupancy(Metric):
    name = "occupancy"
    title = "Occupancy"
    family = "efficiency"
    unit = Unit.FRACTION
    description = (
        "(handle + hold + wrap) ÷ available time from agent activity (--agents): statistic `ratio` "
        "is the group's work ÷ its agents' available time; mean, median, min, max summarise its "
        "agents' occupancies. Per agent (each: agent) or team. Work counts in the agent's day or "
        "interval it was taken up in (first_response_at, else created_at); agents with no "
        "available time are left out (a finding). The sample size is the interactions counted."
    )
    requires = ("handle_seconds", "agent")
    uses = ("hold_seconds", "wrap_seconds", "abandoned", "abandoned_at", "created_at", "first_response_at", "team")
    statistics = ("ratio", "mean", "median", "min", "max")
    default_statistic = "ratio"
    needs = "agent activity (--agents)"
    second_table = "agents"

    def missing_fields(self, present, options):
        missing = super().missing_fields(present, options)
        if DATED_ACTIVITY in present and activity.work_moment(present) is None:
            missing.append("created_at")
        return missing

    def unmeasurable_reason(self, present, options):
        reasons = [] if AGENT_ACTIVITY in present else [
            "needs agent activity (available time per agent and day): give it with --agents activity.csv"
        ]
        missing = self.missing_fields(present, options)
        if missing:
            reasons.append("needs " + ", ".join(f"`{f}`" for f in missing)
                           + (" (or `first_response_at`) to place the work in the agents' days"
                              if "created_at" in missing else ""))
        return "; ".join(reasons) or None

    def checks(self, present, options):
        return AverageHandleTime().checks(present, options)

    def notes(self, present, options):
        return AverageHandleTime().notes(present, options)

    def build(self, ctx: BuildContext, standard: Standard) -> pl.LazyFrame:
        handle = AverageHandleTime()
        work, population = handle.sample(ctx.present, ctx.options)
        for check in handle.checks(ctx.present, ctx.options):
            population = population & ~check.expr.fill_null(False)
        population = (population & work.is_not_null() & pl.col("agent").is_not_null()).fill_null(False)
        moment = activity.work_moment(ctx.present)
        keys = list(ctx.each)
        rows = ctx.frame.filter(population).select(
            *dict.fromkeys(["agent", *keys]),
            (moment if moment is not None else pl.lit(None, pl.Datetime("us", "UTC"))).alias("_t"),
            work.alias("_work"),
        )
        table = ctx.tables[AGENT_ACTIVITY]
        span = activity.moments(ctx.tables["interactions"], ctx.present) if table.dated else None
        return activity.occupancy(
            rows, table, span, keys, standard.statistic.kind, every_agent=not ctx.filter_fields
        )


METRICS: list[type[Metric]] = [RepliesPerIssue, AverageHandleTime, HoldTime, MinutesPerIssue, Occupancy]
