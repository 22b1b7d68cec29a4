"""Roll an event log up to one row per case, lazily.

Status-history and process-mining logs (ServiceNow's audit trail, the BPI 2013 Volvo
incidents, the "Helpdesk" log) have one row per change of a case: a case id, a time and a
status or activity. Audits need one row per interaction, with milestones such as
``created_at`` (the first event), ``first_response_at`` (the first change to "In Progress")
and ``resolved_at`` (the last change to "Resolved"), and counts such as reassignments.

:func:`roll_up` turns such a frame into that row with one polars group-by: events are sorted
by case, time and original row (so simultaneous events keep the file's order), and every rule
is an aggregation expression over the case's ordered events. Nothing here reads files or knows
vendors: a mapping's ``rollup:`` block (:class:`csaudit.sources.RollupRule`) says which rule
gives which field, and message-event logs (interaction id, time, author) can use the same
rules with the author as the status.

Rules (times are the event's parsed timestamp; statuses compare ignoring case):

``first_event`` / ``last_event``
    time of the case's first / last timed event;
``first: [statuses]`` / ``last: [statuses]``
    time of the first / last event whose status is one of the list (empty when none is);
``count: [statuses]`` (``minus: n``)
    number of events with one of the statuses, less ``n``, never below 0 (reopens = times
    resolved − 1);
``changes: COLUMN``
    how many times the column's value changes from one event to the next, empty values
    skipped (reassignments: the assignment group changing).

Every other field of the case is taken from its first or last event that has a value (a
mapping's ``take:``), parsed value and export text from the same event.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from csaudit.fields import raw_column
from csaudit.sources import RollupRule

#: Per case: events whose time could not be read (they take no part in the milestones).
UNTIMED = "_untimed_events"
UNTIMED_FIELD = "event_time"  # its raw column holds the first such text, for the finding


@dataclass(frozen=True)
class EventColumns:
    """Names of the columns of a parsed event frame."""

    row: str  # the event's row number in the file
    case: str  # case id (kept as the ``id`` field)
    at: str  # event time, parsed (Datetime)
    at_raw: str  # event time as written
    status: str | None = None  # status or activity, lower-cased


def roll_up(
    events: pl.LazyFrame,
    columns: EventColumns,
    rules: dict[str, RollupRule],
    carried: dict[str, str],
    change_columns: dict[str, str] | None = None,
) -> pl.LazyFrame:
    """One row per case: ``columns.row`` (the row of the case's first event), the case id and
    its raw text, one column (and its raw column) per rule and per carried field, and
    :data:`UNTIMED` with the first unreadable time in ``raw_column(UNTIMED_FIELD)``.

    ``carried`` maps a field to ``"first"`` or ``"last"``: the value at the case's first or
    last event that has one. ``change_columns`` maps a rule's ``changes:`` column name to the
    frame column holding that column's values.
    """
    change_columns = change_columns or {}
    at, at_raw = pl.col(columns.at), pl.col(columns.at_raw)
    timed = at.is_not_null()
    untimed = at.is_null() & at_raw.is_not_null()
    status = pl.col(columns.status) if columns.status else None
    aggregations: list[pl.Expr] = [
        pl.col(columns.row).min().alias(columns.row),
        pl.col(raw_column(columns.case)).first().alias(raw_column(columns.case)),
        untimed.cast(pl.Int64).sum().alias(UNTIMED),
        at_raw.filter(untimed).first().alias(raw_column(UNTIMED_FIELD)),
    ]
    for name, rule in rules.items():
        aggregations += _rule(name, rule, timed, at, at_raw, status, change_columns)
    for name, take in carried.items():
        has_text = pl.col(raw_column(name)).is_not_null()
        pick = (lambda e: e.first()) if take == "first" else (lambda e: e.last())
        aggregations += [
            pick(pl.col(name).filter(has_text)).alias(name),
            pick(pl.col(raw_column(name)).filter(has_text)).alias(raw_column(name)),
        ]
    # Sorted once; group_by keeps each case's rows in this order. Events without a time go
    # last in their case and take part only in the counts of values.
    ordered = events.sort([columns.case, columns.at, columns.row], nulls_last=True)
    return ordered.group_by(columns.case).agg(aggregations)


def _rule(
    name: str,
    rule: RollupRule,
    timed: pl.Expr,
    at: pl.Expr,
    at_raw: pl.Expr,
    status: pl.Expr | None,
    change_columns: dict[str, str],
) -> list[pl.Expr]:
    raw = raw_column(name)
    if rule.kind in ("first_event", "last_event", "first", "last"):
        hit = timed
        if rule.kind in ("first", "last"):
            hit = timed & status.is_in([s.casefold() for s in rule.statuses]).fill_null(False)
        pick = (lambda e: e.first()) if rule.kind in ("first_event", "first") else (lambda e: e.last())
        return [pick(at.filter(hit)).alias(name), pick(at_raw.filter(hit)).alias(raw)]
    if rule.kind == "count":
        hits = status.is_in([s.casefold() for s in rule.statuses]).fill_null(False).cast(pl.Float64).sum()
        value = (hits - rule.minus).clip(lower_bound=0.0)
    else:  # changes
        values = pl.col(change_columns[rule.column])
        present = values.filter(values.is_not_null())
        # Runs of equal consecutive values, less one, is the number of changes.
        value = present.rle_id().max().cast(pl.Float64).fill_null(0.0)
    return [value.alias(name), value.cast(pl.String).alias(raw)]
