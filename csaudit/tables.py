"""What an audit reads: the table of the profile's kind, and the second tables that feed it.

An interactions profile reads an interactions export, optionally with message events
(``--events``) and agent activity (``--agents``); message events alone can stand in for the
export. An orders profile reads an orders table (STANDARDS.md §4). Every file is opened lazily,
checked to be the kind of table expected (a wrong kind is an error that names what is missing),
and joined into the one frame the engine audits. Findings and notes about the second tables are
lazy queries the engine collects with the rest of its plan.

Columns of a second table are mapped like the export's, with the table's name in front:
``--map events.at=Timestamp``, ``--map agents.agent="Agent name"`` (or in a profile's ``mapping:``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import polars as pl

from csaudit import activity, events as message_events
from csaudit.errors import InputError
from csaudit.fields import ACTIVITY_FIELDS, EVENT_FIELDS, KINDS, ORDER_FIELDS, SECOND_TABLES, Field, raw_column
from csaudit.ingest import OFFSET, ROW, Export, ReadOptions, header_key, open_export, reads_naive
from csaudit.metrics import REGISTRY
from csaudit.readers import STDIN, read_table
from csaudit.metrics.base import Check, local_clock, unreadable
from csaudit.profile.model import Profile
from csaudit.result import Finding

FINDING_ROWS, FINDING_EXAMPLES = 5, 3  # as the engine shows its own findings
PERIOD = "period"  # the derived field orders are grouped by (each: period)
EVERY_ROW = pl.col(ROW).is_not_null()  # a finding about every row of its frame

#: Columns that tell one kind of table from another (matched like headers are).
SIGNATURES: dict[str, tuple[str, ...]] = {
    "interactions": ("created_at", "first_response_at", "resolved_at", "queued_at", "abandoned_at",
                     "handle_seconds", "first_contact_resolution", "csat", "nps", "reopens"),
    "orders": ("order_id", "ordered_at", "promised_at", "shipped_at", "delivered_at", "quantity_ordered",
               "quantity_shipped", "invoice_correct", "stockout_notified"),
    "events": ("interaction_id", "author"),
    "agents": ("available_seconds", "interval_start", "interval_end"),
}
_WHAT = {
    "interactions": "an interactions export (one row per ticket, chat or call)",
    "orders": "an orders table (one row per order)",
    "events": "message events (one row per message): give them with --events",
    "agents": "agent activity (available time per agent): give it with --agents",
}

_NEEDS = {
    "events": "message events (one row per message) need",
    "agents": "agent activity needs",
    "orders": "an orders table needs",
}


@dataclass
class TableFinding:
    """A data-quality finding on any frame: rows where ``hit`` holds, shown by ``example``."""

    key: str
    message: str
    frame: pl.LazyFrame
    hit: pl.Expr
    example: pl.Expr

    def query(self) -> pl.LazyFrame:
        hit = self.hit.fill_null(False)
        return self.frame.select(
            hit.cast(pl.Int64).sum().alias("count"),
            pl.col(ROW).filter(hit).head(FINDING_ROWS).implode().alias("rows"),
            self.example.cast(pl.String).filter(hit).head(FINDING_EXAMPLES).implode().alias("examples"),
        )


@dataclass
class Attached:
    """What the second tables add to an audit: fields (and markers such as
    :data:`~csaudit.activity.AGENT_ACTIVITY`) beyond the export's own, tables for the metrics'
    :class:`~csaudit.metrics.base.BuildContext`, and the queries behind their findings and notes."""

    id_field: str = "id"
    present: frozenset[str] = frozenset()
    tables: dict[str, Any] = field(default_factory=dict)
    findings: list[TableFinding] = field(default_factory=list)
    #: One-row queries and what to say about their row.
    summaries: list[tuple[pl.LazyFrame, Callable[[dict], list[str]]]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def queries(self) -> list[pl.LazyFrame]:
        return [f.query() for f in self.findings] + [query for query, _ in self.summaries]

    def results(self, frames: list[pl.DataFrame]) -> tuple[list[Finding], list[str]]:
        """Findings and notes from the collected :meth:`queries`."""
        found = []
        for finding, frame in zip(self.findings, frames):
            if frame["count"][0]:
                found.append(
                    Finding(
                        key=finding.key,
                        message=finding.message,
                        count=frame["count"][0],
                        rows=frame["rows"][0].to_list(),
                        examples=[v for v in frame["examples"][0].to_list() if v is not None],
                    )
                )
        notes = list(self.notes)
        for (_, write), frame in zip(self.summaries, frames[len(self.findings):]):
            notes += write(frame.row(0, named=True))
        return found, notes


def open_tables(
    profile: Profile,
    export_path: str | Path | None,
    mapping: dict[str, tuple[str, str]],
    wanted: set[str],
    events: str | Path | None = None,
    agents: str | Path | None = None,
    read: ReadOptions | None = None,
    timezone: str | None = None,
) -> tuple[Export, Attached]:
    """Open what ``profile`` audits: the export (or, with no export, the interactions the
    message ``events`` describe) and the second tables, joined into one lazy frame.

    ``mapping`` is field → (column, origin); second-table fields are prefixed (``events.at``).
    ``read`` (source, sheet, encoding …) applies to the export; ``timezone`` to every table.
    Raises :class:`InputError` for a missing or wrong kind of file."""
    kind = KINDS[profile.kind]
    own, table_maps = _split(mapping)
    given = {"events": events, "agents": agents}
    for table, fields in table_maps.items():
        if given.get(table) is None:
            name, (column, origin) = next(iter(fields.items()))
            raise InputError(f"{origin}: maps {table}.{name} to a column of the --{table} file, but no --{table} file was given")
    if kind.name != "interactions" and (events is not None or agents is not None):
        flags = " and ".join(f"--{t}" for t, path in given.items() if path is not None)
        raise InputError(
            f"{flags} add to an audit of interactions; profile {profile.name!r} audits {kind.name} "
            f"(kind: {kind.name})"
        )
    if export_path is None and events is None:
        raise InputError("give the export to audit, or --events FILE to audit message events alone")
    attached = Attached(id_field=kind.id_field)
    if kind.name == "orders":
        export = _open_of_kind(profile, export_path, own, (wanted & set(ORDER_FIELDS)) | {"order_id"}, read, timezone)
        return _open_orders(export, attached), attached

    events_export = None
    if events is not None:
        events_export = _open_second(events, "events", table_maps.get("events", {}), EVENT_FIELDS,
                                     message_events.REQUIRED, timezone)
        _events_findings(events_export, attached)
    if export_path is None:
        if own:
            name, (column, origin) = next(iter(own.items()))
            raise InputError(f"{origin}: maps `{name}` to a column of the export, but only --events was given")
        export = message_events.interactions_from_events(events_export)
        _events_only(events_export, export, attached)
    else:
        export = _open_of_kind(profile, export_path, own, wanted, read, timezone)
        if events_export is not None:
            _attach_events(export, events_export, attached)
    attached.present |= {"response_gaps"} if events_export is not None else frozenset()
    if agents is not None:
        table = _open_second(agents, "agents", table_maps.get("agents", {}), ACTIVITY_FIELDS, activity.REQUIRED, timezone)
        _attach_activity(export, table, attached)
    attached.tables["interactions"] = export.frame
    return export, attached


def _split(mapping: dict[str, tuple[str, str]]) -> tuple[dict, dict[str, dict]]:
    """The export's mapping, and each second table's (``events.at`` → table events, field at)."""
    own: dict[str, tuple[str, str]] = {}
    tables: dict[str, dict[str, tuple[str, str]]] = {}
    for name, value in mapping.items():
        table, dot, rest = name.partition(".")
        if dot and table in SECOND_TABLES:
            tables.setdefault(table, {})[rest] = value
        else:
            own[name] = value
    return own, tables


def _looks_like(headers: list[str], besides: str) -> str | None:
    """The kind of table other than ``besides`` that these headers look like, if any."""
    keys = {header_key(h) for h in headers}
    hits = {kind: len(keys & set(names)) for kind, names in SIGNATURES.items() if kind != besides}
    best = max(hits, key=lambda k: hits[k])
    return best if hits[best] else None


def _open_of_kind(
    profile: Profile, path, mapping: dict, wanted: set[str], read: ReadOptions | None, timezone: str | None
) -> Export:
    """The export, opened with the catalogue of the profile's kind; a table of another kind is
    an error naming what is missing, also where the reader could not place its columns."""
    kind = KINDS[profile.kind]
    try:
        # Interactions: the audit caches no second copy of typed cells (Export.lean); other
        # kinds' metrics show some cells as written.
        export = open_export(path, mapping, wanted, kind.fields, read, timezone, lean=profile.kind == "interactions")
    except InputError as original:
        paths = path if isinstance(path, (list, tuple)) else [path]
        if any(str(p) == STDIN for p in paths):
            raise  # standard input cannot be read twice
        try:
            table = read_table(path, sheet=read.sheet if read else None, encoding=read.encoding if read else None)
        except InputError:
            raise original from None
        _check_kind(profile, wanted, frozenset(), table.headers, table.name)
        raise
    _check_kind(profile, wanted, export.present, export.headers, str(export.path))
    return export


def _check_kind(profile: Profile, wanted: set[str], present: frozenset[str], headers: list[str], name: str) -> None:
    """A table of another kind than the profile audits is an error naming what is missing."""
    kind = KINDS[profile.kind]
    shared = {"id", "customer_id", "agent", "team", "channel", "priority"}
    needs = set().union(*(REGISTRY[s.metric].missing_fields(frozenset(), s.options) for s in profile.standards))
    needed = sorted((needs & wanted & set(kind.fields)) - shared)
    if not needed or set(needed) & present:
        return
    other = _looks_like(headers, kind.name)
    if other is None:
        return
    advice = {
        "interactions": "audit it with an interactions profile (e.g. stanford)",
        "orders": "audit it with an orders profile (" + ", ".join(_builtins_of("orders")) + ")",
        "events": f"give it with --events {name} (the export argument may then be left out)",
        "agents": f"give it with --agents {name} next to the interactions export",
    }[other]
    shown = ", ".join(f"`{f}`" for f in needed[:10]) + (" …" if len(needed) > 10 else "")
    raise InputError(
        f"{name}: profile {profile.name!r} audits {_WHAT[kind.name]} and needs {shown}, but the file "
        f"has none of these columns; its columns ({_columns(headers)}) are those of "
        f"{_WHAT[other].split(':')[0]}. Either {advice}, or map the fields with --map FIELD=COLUMN"
    )


def _builtins_of(kind: str) -> list[str]:
    from csaudit.profile.loader import builtin_profiles, load_profile

    return [name for name in builtin_profiles() if load_profile(name).kind == kind]


def _columns(headers: list[str], most: int = 6) -> str:
    shown = ", ".join(repr(h) for h in headers[:most])
    return shown + (f", … {len(headers)} in all" if len(headers) > most else "")


def _open_second(
    path: str | Path, table: str, mapping: dict, fields: dict[str, Field], required: tuple[str, ...],
    timezone: str | None,
) -> Export:
    try:
        export = open_export(path, mapping, set(fields), fields, timezone=timezone)
    except InputError as original:
        raise not_of_kind(path, table, fields, required, original, mapping) from None
    missing = [f for f in required if f not in export.present]
    if missing:
        raise _wrong_second(export.path, table, export.headers, required, missing)
    if table == "agents" and ("interval_start" in export.present) != ("interval_end" in export.present):
        has, lacks = ("interval_start", "interval_end")[:: 1 if "interval_start" in export.present else -1]
        raise InputError(
            f"{export.path} (--agents): has `{has}` but no `{lacks}`; an interval needs both "
            f"(map it with --map agents.{lacks}=COLUMN), or give a `date` per row instead"
        )
    return export


def not_of_kind(path, table: str, fields: dict[str, Field], required: tuple[str, ...], original: InputError,
                mapping: dict | None = None, option: str | None = None) -> InputError:
    """The error to give for a file a table of ``table`` could not be opened from: for a file
    none of whose columns is one of the table's fields (an orders table given as --agents),
    what that table needs and what the file looks like, not what an interactions export would
    need; else ``original``."""
    if str(path) == STDIN or mapping:
        return original
    try:
        headers = read_table(path).headers
    except InputError:
        return original
    if {header_key(h) for h in headers} & set(fields):
        return original
    return _wrong_second(path, table, headers, required, list(required), option)


def _wrong_second(path, table: str, headers: list[str], required: tuple[str, ...], missing: list[str],
                  option: str | None = None) -> InputError:
    """What a table of ``table`` lacks, and what the file looks like instead. ``option``: how
    the file was given (default ``--TABLE``; ``--kind TABLE`` for inspect)."""
    other = _looks_like(headers, table)
    hint = f"; it looks like {_WHAT[other].split(':')[0]}" if other else ""
    prefix = f"{table}." if table in SECOND_TABLES and option is None else ""
    return InputError(
        f"{path} ({option or '--' + table}): {_NEEDS[table]} the columns "
        + ", ".join(f"`{f}`" for f in required)
        + "; missing: " + ", ".join(f"`{f}`" for f in missing)
        + f". Its columns: {_columns(headers)}{hint}. Map them with "
        + " ".join(f"--map {prefix}{f}=COLUMN" for f in missing)
    )


def _file_checks(export: Export, table: str, attached: Attached) -> None:
    """The second table's own unreadable-cell checks, as findings naming the file."""
    for check in export.checks:
        attached.findings.append(_finding(export, table, check))


def _finding(export: Export, table: str, check: Check) -> TableFinding:
    return TableFinding(
        key=f"{table}:{check.key}",
        message=f"{export.path.name}: {check.message}",
        frame=export.frame,
        hit=check.expr,
        example=pl.col(raw_column(check.fields[-1])),
    )


# -- orders -----------------------------------------------------------------------------------


def _open_orders(export: Export, attached: Attached) -> Export:
    present = export.present
    frame = export.frame
    if "order_id" in present:
        # Order ids are compared as written (other text fields ignore case), and are the rows'
        # `id` for whatever shows rows by id (evidence).
        key = message_events.interaction_key(raw_column("order_id"))
        frame = frame.with_columns(key.alias("order_id"), key.alias("id"), pl.col(raw_column("order_id")).alias(raw_column("id")))
        export.columns["id"] = export.columns["order_id"]
    if "promised_at" in present:
        frame = _promises(export, frame, attached)
    if "ordered_at" in present:
        # Months begin where they begin on the audit's clock, as --by month's do.
        month = local_clock(pl.col("ordered_at"), export.timezone).dt.strftime("%Y-%m")
        frame = frame.with_columns(month.alias(PERIOD), month.alias(raw_column(PERIOD)))
        attached.present |= {PERIOD}
    if {"quantity_ordered", "quantity_shipped"} <= present:
        attached.findings.append(
            TableFinding(
                key="surplus:quantity_shipped",
                message="`quantity_shipped` exceeds `quantity_ordered`: counted as filled complete "
                "(the surplus fills no other order)",
                frame=frame,
                hit=(pl.col("quantity_shipped") > pl.col("quantity_ordered")) & (pl.col("quantity_ordered") > 0),
                example=pl.col(raw_column("quantity_shipped")),
            )
        )
    export.frame = frame
    attached.tables["orders"] = frame
    return export


def _promises(export: Export, frame: pl.LazyFrame, attached: Attached) -> pl.LazyFrame:
    """``promised_at`` as the instant a promise runs out. A promised *date* means delivered any
    time that day: its end, on the audit's clock (a day is 23 or 25 hours where the clocks
    change) or, with no zone given, on the clock of the orders' own timestamps. A column whose
    every promise is at midnight holds dates too, written as timestamps."""
    present, fmt = export.present, export.timestamp_formats.get("promised_at", "")
    column = export.columns["promised_at"]
    promised = instant = pl.col("promised_at")
    zone = export.timezone or "UTC"
    aware = [f for f in _EVENT_TIMES if f in present and not reads_naive(export.timestamp_formats.get(f, ""))]
    own_clock = export.timezone is None and bool(aware)
    if not reads_naive(fmt):
        # Written with an offset: the day is the offset's (always 24 hours).
        offset = _offset_seconds(pl.col(raw_column("promised_at"))).fill_null(0)
        wall, day_end, clock = promised + pl.duration(seconds=offset), promised.dt.offset_by("1d"), "their own offset"
    else:
        wall = local_clock(promised, export.timezone)
        day_end = promised.dt.convert_time_zone(zone).dt.offset_by("1d").dt.convert_time_zone("UTC")
        clock = zone
        if own_clock:
            # No zone was given, but the orders' own timestamps carry one: a promise is on the
            # orders' clock (an order of 15:58+07:00 promised for the 6th is on time until the
            # 6th ends in +07:00), not UTC's. The wall clock stays as written.
            offset = pl.duration(seconds=pl.coalesce([_offset_seconds(pl.col(raw_column(f))) for f in aware]).fill_null(0))
            instant, day_end = promised - offset, day_end - offset
            clock = f"on each order's own clock: the offset of its `{aware[0]}`"
            if [n for n, f in export.timestamp_formats.items() if reads_naive(f)] == ["promised_at"]:
                # The promise was not read as UTC after all: drop ingest's warning that it was.
                export.notes = [n for n in export.notes if not (n.startswith("timestamps in ") and "carry a time zone" in n)]
                if "%H" in fmt or "%I" in fmt:
                    export.notes.append(f"`promised_at` (column {column!r}) has no offset: read {clock}")
    day_end = day_end.dt.offset_by("-1us")
    if "%H" not in fmt and "%I" not in fmt:
        export.notes.append(
            f"`promised_at` (column {column!r}) holds dates without a time: an order delivered by the end "
            f"of its promised day ({clock}) is on time"
        )
        return frame.with_columns(day_end.alias("promised_at"))
    midnight = wall.dt.hour().eq(0) & wall.dt.minute().eq(0) & wall.dt.second().eq(0) & wall.dt.microsecond().eq(0)
    dates = (midnight | promised.is_null()).all() & promised.is_not_null().any()

    def write(row: dict) -> list[str]:
        if not row["dates"]:
            return []
        return [f"`promised_at` (column {column!r}) is midnight on every order: read as promised dates, an "
                f"order delivered by the end of its promised day ({clock}) is on time"]

    attached.summaries.append((frame.select(dates.alias("dates")), write))
    return frame.with_columns(pl.when(dates).then(day_end).otherwise(instant).alias("promised_at"))


_EVENT_TIMES = ("ordered_at", "delivered_at", "shipped_at")  # whose offset dates a promise


def _offset_seconds(raw: pl.Expr) -> pl.Expr:
    """The UTC offset a timestamp's text ends with (+07:00, -0500, +05, Z), in seconds; null
    when it ends with none."""
    text = raw.str.strip_chars().str.extract(OFFSET, 1)  # the offset after the time of day
    sign = pl.when(text.str.starts_with("-")).then(-1).otherwise(1)
    digits = text.str.replace_all(r"[^0-9]", "")
    hours = digits.str.slice(0, 2).cast(pl.Int64, strict=False).fill_null(0)
    minutes = digits.str.slice(2, 2).cast(pl.Int64, strict=False).fill_null(0)
    return pl.when(text.is_not_null()).then(sign * (hours * 3600 + minutes * 60))


# -- message events ---------------------------------------------------------------------------


def _events_findings(events: Export, attached: Attached) -> None:
    _file_checks(events, "events", attached)
    msgs = message_events.messages(events)
    key, role = pl.col(message_events.KEY), pl.col(message_events.ROLE)
    readable_at = ~unreadable("at")
    name = events.path.name
    attached.findings += [
        TableFinding(
            key="events:incomplete",
            message=f"{name}: messages without an `interaction_id` or a time (`at`); they are ignored",
            frame=msgs,
            hit=key.is_null() | (pl.col("at").is_null() & readable_at),
            example=pl.col(raw_column("author")),
        ),
        TableFinding(
            key="events:author",
            message=f"{name}: messages whose `author` is not a customer, an agent or a bot ("
            + ", ".join(f"{role}: {'/'.join(words[:4])} …" for role, words in message_events.AUTHORS.items())
            + "); they are ignored",
            frame=msgs,
            hit=key.is_not_null() & pl.col("at").is_not_null() & role.is_null()
            & (pl.col("author").is_null() | ~pl.col("author").is_in([w for ws in message_events.AUTHORS.values() for w in ws])),
            example=pl.col(raw_column("author")),
        ),
    ]
    attached.notes += [f"{name}: {note}" for note in events.notes]


def _conversation_note(name: str) -> Callable[[dict], list[str]]:
    def write(row: dict) -> list[str]:
        notes = [
            f"{name}: {row['messages']:,} messages in {row['conversations']:,} conversations; "
            f"{row['bots']:,} from bots or automated (not responses) are ignored"
        ]
        if row["awaiting"]:
            notes.append(
                f"{name}: {row['awaiting']:,} conversations end with customer messages that have no "
                "reply yet; those messages make no response gap (average response time counts answered ones)"
            )
        return notes

    return write


def _conversation_summary(facts: message_events.Facts) -> pl.LazyFrame:
    return facts.frame.select(
        pl.len().alias("conversations"),
        pl.col("_messages").sum().alias("messages"),
        pl.col("_bots").sum().alias("bots"),
        pl.col("_awaiting").sum().alias("awaiting"),
    )


def _events_only(events: Export, export: Export, attached: Attached) -> None:
    facts = message_events.conversation_facts(message_events.messages(events), events.present)
    attached.summaries.append((_conversation_summary(facts), _conversation_note(events.path.name)))
    attached.notes.append(
        f"interactions are derived from {events.path.name} alone: created_at is the first customer "
        "message, first_response_at the first human agent message after it, replies the human agent "
        "messages" + (", agent the first agent who wrote" if "agent" in export.present else "")
    )


def _attach_events(export: Export, events: Export, attached: Attached) -> None:
    had = {f: export.columns[f] for f in ("first_response_at", "replies") if f in export.present}
    frame, columns, facts = message_events.attach_to_tickets(export, events)
    name = events.path.name
    export.frame = frame.cache()
    export.columns.update(columns)
    msgs = message_events.messages(events).filter(pl.col(message_events.KEY).is_not_null())
    ids = export.frame.select(pl.col("id").alias(message_events.KEY)).unique()
    attached.findings.append(
        TableFinding(
            key="events:unknown_interaction",
            message=f"{name}: messages of interactions that are not in {export.path.name}; they are ignored",
            frame=msgs.join(ids, on=message_events.KEY, how="anti"),
            hit=EVERY_ROW,
            example=pl.col(message_events.KEY),
        )
    )
    attached.summaries.append((_conversation_summary(facts), _conversation_note(name)))
    counts = [pl.len().alias("interactions"), pl.col("_has_events").sum().alias("covered")]
    if "first_response_at" in had:
        counts.append(pl.col("_disagrees").sum().alias("disagree"))

    def write(row: dict) -> list[str]:
        text = (
            f"first_response_at, replies and response gaps come from {name} (bots and automated "
            f"messages excluded) for the {row['covered']:,} of {row['interactions']:,} interactions it "
            "has messages for: the messages win because they tell human replies from automated ones"
        )
        if had:
            text += "; the others keep the export's own " + " and ".join(f"{f} ({c!r})" for f, c in had.items())
        notes = [text]
        if row.get("disagree"):
            notes.append(
                f"the export's own first_response_at ({had['first_response_at']!r}) differs from the first "
                f"human agent message in {name} on {row['disagree']:,} interactions (an automated "
                "acknowledgement counted as a response, or a clock that differs)"
            )
        return notes

    attached.summaries.append((export.frame.select(counts), write))


# -- agent activity ---------------------------------------------------------------------------


def _attach_activity(export: Export, activity_export: Export, attached: Attached) -> None:
    table = activity.activity_table(activity_export)
    name = table.name
    attached.present |= {activity.AGENT_ACTIVITY} | ({activity.DATED_ACTIVITY} if table.dated else set())
    attached.tables[activity.AGENT_ACTIVITY] = table
    _file_checks(activity_export, "agents", attached)
    agent_raw = pl.col(raw_column("agent"))
    attached.findings += [
        TableFinding(
            key="agents:incomplete",
            message=f"{name}: records without an `agent`, `available_seconds`"
            + (" or a date or interval" if table.dated else "") + "; they are ignored",
            frame=table.frame,
            hit=activity.incomplete_record(activity_export.present, table.dated),
            example=agent_raw,
        ),
        TableFinding(
            key="agents:negative",
            message=f"{name}: `available_seconds` is negative; these records are ignored",
            frame=table.frame,
            hit=pl.col("available") < 0,
            example=pl.col(raw_column("available_seconds")),
        ),
        TableFinding(
            key="agents:overlap",
            message=f"{name}: records that overlap an earlier record of the same agent; their available "
            "time is counted twice",
            frame=activity.overlapping(table),
            hit=pl.col("_overlaps"),
            example=agent_raw,
        ),
        TableFinding(
            key="agents:no_available_time",
            message=f"{name}: agents with no available time (0 s on every record): they have no "
            "occupancy, and their work is left out of it",
            frame=activity.idle_agents(table),
            hit=EVERY_ROW,
            example=agent_raw,
        ),
    ]
    if table.dated:
        attached.findings.append(
            TableFinding(
                key="agents:longer_than_record",
                message=f"{name}: `available_seconds` is longer than the day or interval the record covers "
                "(is it in milliseconds or minutes?); counted as given, so occupancy is too low",
                frame=table.frame,
                hit=activity.longer_than_its_record(),
                example=pl.col(raw_column("available_seconds")),
            )
        )
    if table.dated and {"interval_start", "interval_end"} <= activity_export.present:
        attached.findings.append(
            TableFinding(
                key="agents:backwards",
                message=f"{name}: intervals that end when or before they start; they are ignored",
                frame=table.frame,
                hit=activity.backwards_interval(),
                example=pl.col(raw_column("interval_end")),
            )
        )
    present = export.present
    if "agent" not in present:
        return
    handled = activity.handled(present)
    known = table.usable().select("agent").unique()
    attached.findings.append(
        TableFinding(
            key="agents:unknown_agent",
            message=f"interactions whose `agent` is not in {name}; they are left out of occupancy",
            frame=export.frame.filter(handled).join(known, on="agent", how="anti").sort(ROW),
            hit=EVERY_ROW,
            example=pl.col(raw_column("agent")),
        )
    )
    moment = activity.work_moment(present)
    if table.dated and moment is not None:
        work = export.frame.filter(handled).with_columns(moment.alias("_t"))
        placed = activity.attribute(work.select(ROW, "agent", "_t"), table.usable(), dated=True)
        attached.findings.append(
            TableFinding(
                key="agents:outside",
                message=f"interactions taken up (first_response_at, else created_at) outside every day or "
                f"interval of their agent in {name}; they are left out of occupancy",
                frame=work.join(known, on="agent", how="semi").join(placed.select(ROW), on=ROW, how="anti").sort(ROW),
                hit=EVERY_ROW,
                example=pl.col(raw_column("agent")),
            )
        )
        counted = activity.in_span(table, activity.moments(export.frame, present))
        outside = table.usable().join(counted.select(ROW), on=ROW, how="anti")

        def write(row: dict) -> list[str]:
            if not row["outside"]:
                return []
            return [f"{name}: {row['outside']:,} records lie outside the interactions' time span and "
                    "are not counted in occupancy"]

        attached.summaries.append((outside.select(pl.len().alias("outside")), write))
    elif not table.dated:
        attached.notes.append(
            f"{name} has no date or interval: each agent's available time is related to all of their work"
        )
