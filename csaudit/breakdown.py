"""Breakdowns (``--by``): every standard evaluated again per agent, team, channel, priority,
week or month, in the audit's own ``collect_all``.

A breakdown groups by the standard's own ``each`` keys and the ``--by`` keys together (a
standard evaluated per channel, broken down by week, gives each channel's weeks). Several
``--by`` keys cross (``--by channel,week``: each channel's weeks). Every group gets the
standard's target, ``min_sample`` and status; a breakdown never changes the standard's own
status or the exit code.

Weeks and months are periods of ``created_at`` (the interaction belongs to the period it was
created in; for orders, ``ordered_at``), cut as ``backlog_flow`` cuts its periods
(:func:`csaudit.metrics.base.period_start`: weeks start on Monday). They are cut on the clock
of the audit's time zone (``--timezone``, else the profile's ``timezone:``; UTC without one):
with America/Los_Angeles, Sunday 20:00 there (Monday 04:00 UTC) is in the week before, and a
period is labelled with its local date. For ``backlog_flow`` itself each creation and each
resolution counts in its own period, on the same clock.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Callable

import polars as pl

from csaudit.errors import InputError
from csaudit.metrics.base import BuildContext, Metric, local_clock, period_start
from csaudit.profile.model import Standard
from csaudit.result import GroupResult, StandardResult

#: What ``--by`` accepts: text fields of the export, or periods of ``created_at``.
BY_FIELDS = ("agent", "team", "channel", "priority")
BY_PERIODS = ("week", "month")
BY_CHOICES = BY_FIELDS + BY_PERIODS

#: ``(standard, collected frame, labels) -> groups``: the engine's evaluation of one standard.
Evaluate = Callable[[Standard, pl.DataFrame, dict[str, dict]], list[GroupResult]]


def parse_by(values: list[str] | tuple[str, ...]) -> tuple[str, ...]:
    """``["agent", "week,channel"]`` → ``("agent", "week", "channel")``; unknown names and
    two periods at once are errors (exit 2)."""
    keys: list[str] = []
    for value in values:
        if not value.replace(",", "").strip():
            # An empty --by (a CI variable that was not set) would silently give no breakdown.
            raise InputError(f"--by {value!r}: name a grouping: " + ", ".join(BY_CHOICES))
        for part in value.split(","):
            key = part.strip().lower()
            if not key:
                continue
            if key not in BY_CHOICES:
                hint = difflib.get_close_matches(key, BY_CHOICES, n=1)
                raise InputError(
                    f"--by {part.strip()!r}: not a grouping"
                    + (f"; did you mean {hint[0]!r}?" if hint else "")
                    + " Choose from " + ", ".join(BY_CHOICES) + " (repeat --by or separate with commas)"
                )
            if key not in keys:
                keys.append(key)
    periods = [k for k in keys if k in BY_PERIODS]
    if len(periods) > 1:
        raise InputError("--by " + " and ".join(periods) + ": choose one period (week or month)")
    return tuple(keys)


#: The timestamp periods are cut from, per kind of data: when the interaction or order began.
CLOCK_START = {"interactions": "created_at", "orders": "ordered_at"}

def by_fields(by: tuple[str, ...], kind: str = "interactions") -> set[str]:
    """Canonical fields a breakdown reads."""
    periods = any(k in BY_PERIODS for k in by) and kind in CLOCK_START
    return {k for k in by if k in BY_FIELDS} | ({CLOCK_START[kind]} if periods else set())


def period_label(value: datetime | date | None, period: str) -> str | None:
    """``2024-05-06`` for the week starting that Monday; ``2024-05`` for a month."""
    if value is None:
        return None
    return value.strftime("%Y-%m" if period == "month" else "%Y-%m-%d")


@dataclass
class _Planned:
    standard: Standard
    result: StandardResult
    query: pl.LazyFrame


class BreakdownPlan:
    """The breakdown queries of an audit, and how their results are filled in."""

    def __init__(
        self, by: tuple[str, ...], present: frozenset[str], kind: str = "interactions", timezone: str | None = None
    ):
        self.by = by
        self.timezone = timezone  # whose weeks and months (None: UTC's)
        self.clock = CLOCK_START.get(kind, "created_at")
        for key in by:
            field = self.clock if key in BY_PERIODS else key
            if field not in present:
                what = f"the periods of `{self.clock}` ({key}s)" if key in BY_PERIODS else f"`{key}`"
                raise InputError(
                    f"--by {key}: the export has no column for {what}; map one with "
                    f"--map {field}=COLUMN or in the profile's mapping: block"
                )
        self.periods = {k: k for k in by if k in BY_PERIODS}
        self.planned: list[_Planned] = []

    @property
    def label_fields(self) -> set[str]:
        """Text fields whose labels (the export's spelling) the groups need."""
        return {k for k in self.by if k in BY_FIELDS}

    def add(self, metric: Metric, ctx: BuildContext, standard: Standard, result: StandardResult) -> None:
        if not self.by:
            return
        frame = ctx.frame
        if self.periods:
            frame = frame.with_columns(
                period_start(local_clock(pl.col(self.clock), self.timezone), p).alias(k) for k, p in self.periods.items()
            )
        keys = tuple(dict.fromkeys(ctx.each + self.by))
        grouped = replace(ctx, frame=frame, each=keys, time_keys={**ctx.time_keys, **self.periods}, sample_aggregations=None)
        self.planned.append(_Planned(standard, result, metric.build(grouped, standard)))

    def queries(self) -> list[pl.LazyFrame]:
        return [p.query for p in self.planned]

    def evaluate(self, frames: list[pl.DataFrame], labels: dict[str, dict], evaluate: Evaluate) -> list[list[GroupResult]]:
        """Each planned standard's groups, in order."""
        out = []
        for planned, frame in zip(self.planned, frames):
            standard = replace(planned.standard, each=tuple(dict.fromkeys(planned.standard.each + self.by)))
            periods = {k: {v: period_label(v, p) for v in frame[k].to_list()} for k, p in self.periods.items()}
            out.append(evaluate(standard, frame, {**labels, **periods}))
        return out

    def fill(self, frames: list[pl.DataFrame], labels: dict[str, dict], evaluate: Evaluate) -> None:
        for planned, groups in zip(self.planned, self.evaluate(frames, labels, evaluate)):
            planned.result.breakdown = groups
