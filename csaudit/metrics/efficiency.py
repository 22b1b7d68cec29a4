"""Efficiency: replies per issue, handle time, hold time, minutes per issue, occupancy.

STANDARDS.md §2 "Efficiency".
"""

from __future__ import annotations

import polars as pl

from csaudit.metrics.base import (
    negative_value_check,
    Metric,
    RowMetric,
    UnavailableMetric,
    Unit,
    abandoned_expr,
    zero_if_empty,
)



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
    description = "Handle time per interaction, to compare agents (use each: agent)."
    requires = ("handle_seconds",)

    def sample(self, present, options):
        return pl.col("handle_seconds"), pl.lit(True)

    def checks(self, present, options):
        return [negative_value_check("handle_seconds")]


class Occupancy(UnavailableMetric):
    name = "occupancy"
    title = "Occupancy"
    family = "efficiency"
    unit = Unit.FRACTION
    description = "(handle + hold + wrap) ÷ available time, per agent or team."
    needs = "needs an agent-activity table (available time per agent), which this version cannot read yet"


METRICS: list[type[Metric]] = [RepliesPerIssue, AverageHandleTime, HoldTime, MinutesPerIssue, Occupancy]
