"""Agent activity: available time per agent and day or interval (``--agents``), for occupancy.

Occupancy (STANDARDS.md §2) = the work of the agents' interactions (handle + hold + wrap) ÷ the
time they were available. Rules, each chosen so that the two sides cover the same time:

* The activity table gives ``available_seconds`` per ``agent`` and ``date`` (from its midnight
  to the next, read in ``--timezone`` like every timestamp without an offset) or
  ``interval_start``/``interval_end`` (the end excluded); without either, a row is the agent's
  availability over the whole audited span.
* An interaction's work counts where it was taken up: at ``first_response_at``, else
  ``created_at``, and only inside one of its agent's days or intervals (others are a finding).
* Records that lie wholly outside the interactions' time span are left out, so a month of
  activity does not dilute a week of interactions.
* Agents are matched ignoring case and surrounding spaces, like every text field.
* An agent with no available time (0 s on every record) has no occupancy: the agent and the
  agent's work are left out, with a finding, rather than divided by zero.
* Per team, each record counts in its own ``team`` (with the work attributed to it): an agent
  who moved from one team to another counts in both, each with the days spent in it.
* A standard without a filter counts every agent of the activity table (an idle agent's
  available time counts); with a filter (e.g. voice only) only agents with at least one
  interaction that passes it, each with all of their available time.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

import polars as pl

from csaudit.metrics.base import unreadable

if TYPE_CHECKING:
    from csaudit.ingest import Export

#: Marks, among an audit's present fields, that agent activity was given (and is dated).
AGENT_ACTIVITY = "@agent_activity"
DATED_ACTIVITY = "@agent_activity:dated"
REQUIRED = ("agent", "available_seconds")
ROW = "_row"  # csaudit.ingest.ROW (not imported: ingest imports the metrics, which import this)


@dataclass(frozen=True)
class ActivityTable:
    """Agent activity ready for occupancy. ``frame`` holds every record with ``start``, ``end``
    (null when ``dated`` is false) and ``available``; :meth:`usable` keeps the valid ones."""

    frame: pl.LazyFrame
    dated: bool
    has_team: bool
    name: str  # the file's name, for messages

    def usable(self) -> pl.LazyFrame:
        return self.frame.filter(usable_record(self.dated).fill_null(False))


def activity_table(export: Export) -> ActivityTable:
    """The activity ``export`` (opened with :data:`~csaudit.fields.ACTIVITY_FIELDS`) as an
    :class:`ActivityTable`."""
    present = export.present
    if "interval_start" in present and "interval_end" in present:
        start, end, dated = pl.col("interval_start"), pl.col("interval_end"), True
    elif "date" in present:
        # A date is read as its midnight (in --timezone, or the profile's, else UTC) and runs to
        # the next midnight there: 23 or 25 hours on the days the clocks change.
        start = pl.col("date")
        end = start.dt.convert_time_zone(export.timezone).dt.offset_by("1d").dt.convert_time_zone("UTC") \
            if export.timezone else start + timedelta(days=1)
        dated = True
    else:
        start = end = pl.lit(None, pl.Datetime("us", "UTC"))
        dated = False
    frame = export.frame.with_columns(
        start.alias("start"), end.alias("end"), pl.col("available_seconds").alias("available")
    )
    return ActivityTable(frame, dated, "team" in present, export.path.name)


def usable_record(dated: bool) -> pl.Expr:
    """A record with an agent, a readable non-negative available time and, when the table is
    dated, a day or an interval that ends after it starts."""
    ok = pl.col("agent").is_not_null() & (pl.col("available") >= 0)
    if dated:
        ok = ok & (pl.col("end") > pl.col("start"))
    return ok


def incomplete_record(present: frozenset[str], dated: bool) -> pl.Expr:
    """No agent, no available time or (dated) no day or interval. Cells that hold unreadable
    text have their own finding."""
    missing = pl.col("agent").is_null() | (pl.col("available").is_null() & ~unreadable("available_seconds"))
    if dated:
        readable = [~unreadable(f) for f in ("date", "interval_start", "interval_end") if f in present]
        missing = missing | ((pl.col("start").is_null() | pl.col("end").is_null()) & pl.all_horizontal(readable))
    return missing


def longer_than_its_record() -> pl.Expr:
    """More available time than the day or interval the record covers: another unit
    (milliseconds, minutes) or a wrong date."""
    return pl.col("available") > (pl.col("end") - pl.col("start")).dt.total_seconds()


def backwards_interval() -> pl.Expr:
    """An interval that ends when or before it starts."""
    return pl.col("end") <= pl.col("start")


def overlapping(table: ActivityTable) -> pl.LazyFrame:
    """Usable records that start before an earlier record of the same agent has ended
    (``_overlaps``), in agent and time order."""
    ordered = table.usable().sort(["agent", "start", ROW])
    earlier_end = pl.col("end").cum_max().shift(1).over("agent")
    return ordered.with_columns((pl.col("start") < earlier_end).fill_null(False).alias("_overlaps"))


def idle_agents(table: ActivityTable) -> pl.LazyFrame:
    """Usable records of agents whose available time adds up to zero."""
    usable = table.usable()
    zero = usable.group_by("agent").agg(pl.col("available").sum().alias("_total")).filter(pl.col("_total") == 0)
    return usable.join(zero.select("agent"), on="agent", how="semi").sort(ROW)


def work_moment(present: frozenset[str]) -> pl.Expr | None:
    """When an interaction's work happened: ``first_response_at``, else ``created_at``."""
    names = [f for f in ("first_response_at", "created_at") if f in present]
    return pl.coalesce([pl.col(f) for f in names]) if names else None


def handled(present: frozenset[str]) -> pl.Expr:
    """An interaction with an agent (and, when the export has it, a handle time)."""
    ok = pl.col("agent").is_not_null()
    if "handle_seconds" in present:
        ok = ok & pl.col("handle_seconds").is_not_null()
    return ok.fill_null(False)


def moments(interactions: pl.LazyFrame, present: frozenset[str]) -> pl.LazyFrame:
    """When the handled interactions were taken up (``_t``), which bounds the records counted."""
    return interactions.filter(handled(present)).select(work_moment(present).alias("_t"))


def in_span(table: ActivityTable, moments: pl.LazyFrame) -> pl.LazyFrame:
    """Usable records that overlap the span of ``moments`` (column ``_t``); all of them when
    the table is not dated."""
    usable = table.usable()
    if not table.dated:
        return usable
    span = moments.select(pl.col("_t").min().alias("_first"), pl.col("_t").max().alias("_last"))
    inside = (pl.col("end") > pl.col("_first")) & (pl.col("start") <= pl.col("_last"))
    return usable.join(span, how="cross").filter(inside.fill_null(False)).drop("_first", "_last")


def attribute(work: pl.LazyFrame, records: pl.LazyFrame, dated: bool) -> pl.LazyFrame:
    """The rows of ``work`` (``agent``, ``_t``) that fall in one of their agent's ``records``,
    with that record's row as ``_record``."""
    slots = records.select("agent", pl.col(ROW).alias("_record"), "start", "end")
    if not dated:
        return work.join(slots.group_by("agent").agg(pl.col("_record").min()), on="agent", how="inner")
    timed = work.filter(pl.col("_t").is_not_null() & pl.col("agent").is_not_null()).sort("_t")
    # The record that started last at or before the moment; it must not have ended yet.
    matched = timed.join_asof(
        slots.sort("start"), left_on="_t", right_on="start", by="agent", strategy="backward",
        check_sortedness=False,
    )
    return matched.filter((pl.col("_t") < pl.col("end")).fill_null(False)).drop("start", "end")


def occupancy(
    work: pl.LazyFrame,
    table: ActivityTable,
    span_of: pl.LazyFrame,
    keys: list[str],
    statistic: str,
    every_agent: bool,
) -> pl.LazyFrame:
    """Occupancy per group of ``keys``: ``value`` and ``sample_size`` (interactions counted).

    ``work`` has ``agent``, ``_t``, ``_work`` (seconds) and the other keys; ``span_of`` the
    moments (``_t``) of all interactions, which bound the records counted. ``statistic``:
    ``ratio`` (the group's work ÷ its available time) or mean, median, min, max of its agents'
    occupancies. ``every_agent``: count agents without work in ``work`` too."""
    records = in_span(table, span_of)
    counted = attribute(work, records, table.dated)
    # Per team, the activity's team of each record: an agent who changed team counts in each
    # team with the days (and the work of the days) spent in it.
    unit = ["agent", "team"] if table.has_team and "team" in keys else ["agent"]
    if "team" in unit:
        teams = records.select(pl.col(ROW).alias("_record"), "team")
        counted = counted.drop("team", strict=False).join(teams, on="_record", how="left")
    done = counted.group_by(unit).agg(pl.col("_work").sum(), pl.len().alias("_n"))
    agents = records.group_by(unit).agg(pl.col("available").sum())
    agents = agents.join(done, on=unit, how="left" if every_agent else "inner", nulls_equal=True).with_columns(
        pl.col("_work").fill_null(0.0), pl.col("_n").fill_null(0)
    )
    # No available time: no occupancy (reported as a finding), not a division by zero.
    agents = agents.filter(pl.col("available") > 0)
    for key in keys:
        if key in unit:
            continue
        # Agents fall in the group most of their interactions are in.
        usual = work.group_by("agent").agg(pl.col(key).drop_nulls().mode().sort().first())
        agents = agents.join(usual, on="agent", how="left")
    if statistic == "ratio":
        value = pl.col("_work").sum() / pl.col("available").sum()
    else:
        value = getattr(pl.col("_work") / pl.col("available"), statistic)()
    aggregations = [value.cast(pl.Float64).alias("value"), pl.col("_n").sum().cast(pl.Int64).alias("sample_size")]
    if keys:
        return agents.group_by(keys).agg(aggregations)
    return agents.select(aggregations)
