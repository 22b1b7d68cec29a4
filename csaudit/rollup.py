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

Rules (times are the event's parsed timestamp; statuses compare ignoring case and runs of
white space):

``first_event`` / ``last_event``
    time of the case's first / last timed event;
``first: [statuses]`` / ``last: [statuses]``
    time of the first / last *change to* one of the statuses: an event whose status is in the
    list while the case's previous status (its last non-empty one) was not (empty when none
    is). In a status log a row repeating the status it follows is no change: a duplicate row
    (the Helpdesk log writes "Resolve ticket" twice, seconds apart) or an update of another
    field (ServiceNow's audit trail repeats the state on every update). So ``last: [Resolved,
    Closed]`` is when the case last became resolved, not its later closure;
``count: [statuses]`` (``minus: n``)
    number of changes to one of the statuses, less ``n``, never below 0 (reopens = times
    the case became resolved − 1; Resolved → Closed is no reopen);
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
    #: Rows are occurrences (messages of a message-event log, the author as the status), not
    #: changes of state: every row with a listed status counts, repeats included.
    each_row: bool = False


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
    untimed = at.is_null()  # unreadable or empty: either way its place in the case is unknown
    status = _comparable(pl.col(columns.status)) if columns.status else None
    aggregations: list[pl.Expr] = [
        pl.col(columns.row).min().alias(columns.row),
        pl.col(raw_column(columns.case)).first().alias(raw_column(columns.case)),
        untimed.cast(pl.Int64).sum().alias(UNTIMED),
        # The first unreadable text, or "(empty)" when the case's timeless events are all empty.
        pl.coalesce(at_raw.filter(untimed).drop_nulls().first(), pl.when(untimed.any()).then(pl.lit("(empty)")))
        .alias(raw_column(UNTIMED_FIELD)),
    ]
    for name, rule in rules.items():
        aggregations += _rule(name, rule, timed, at, at_raw, status, change_columns, columns.each_row)
    for name, take in carried.items():
        value, text = pl.col(name), pl.col(raw_column(name))
        pick = (lambda e: e.first()) if take == "first" else (lambda e: e.last())
        # From the first/last timed event that has a value; only when none has, from an event
        # without a time (its place in the case is unknown). Value and text from one event.
        from_timed = pick(text.filter(text.is_not_null() & timed)).is_not_null()
        aggregations += [
            pl.when(from_timed).then(pick(value.filter(text.is_not_null() & timed)))
            .otherwise(pick(value.filter(text.is_not_null()))).alias(name),
            pl.when(from_timed).then(pick(text.filter(text.is_not_null() & timed)))
            .otherwise(pick(text.filter(text.is_not_null()))).alias(raw_column(name)),
        ]
    # Sorted once; group_by keeps each case's rows in this order. Events without a time go
    # last in their case: they count for ``count:`` rules, and give a carried field only when
    # no timed event does; milestones and ``changes:`` ignore them.
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
    each_row: bool = False,
) -> list[pl.Expr]:
    raw = raw_column(name)
    if rule.kind in ("first", "last", "count"):
        listed = [_normal(s) for s in rule.statuses]
        entered = status.is_in(listed).fill_null(False)
        if not each_row:
            # The previous event's status (the last non-empty one) was not in the list.
            entered &= ~status.forward_fill().shift(1).is_in(listed).fill_null(False)
    if rule.kind in ("first_event", "last_event", "first", "last"):
        hit = timed & entered if rule.kind in ("first", "last") else timed
        pick = (lambda e: e.first()) if rule.kind in ("first_event", "first") else (lambda e: e.last())
        return [pick(at.filter(hit)).alias(name), pick(at_raw.filter(hit)).alias(raw)]
    if rule.kind == "count":
        value = (entered.cast(pl.Float64).sum() - rule.minus).clip(lower_bound=0.0)
    else:  # changes
        values = pl.col(change_columns[rule.column])
        present = values.filter(values.is_not_null() & timed)
        # Runs of equal consecutive values, less one, is the number of changes.
        value = present.rle_id().max().cast(pl.Float64).fill_null(0.0)
    return [value.alias(name), value.cast(pl.String).alias(raw)]


def _normal(status: str) -> str:
    """A rule's status as the events' statuses are compared (see :func:`_comparable`)."""
    return " ".join(status.split()).lower()


def _comparable(status: pl.Expr) -> pl.Expr:
    """Lower case (polars' and Python's ``lower`` agree; ``casefold`` would turn ß into ss),
    runs of white space as one space, none around."""
    return status.str.to_lowercase().str.replace_all(r"\s+", " ").str.strip_chars()
