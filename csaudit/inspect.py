"""What csaudit understood of an export, before auditing it (``csaudit inspect``).

:func:`inspect_export` reads the export exactly as ``csaudit check`` would (same readers,
sources, mappings, time zone and parsing), then measures, in one lazy plan: rows, for every
canonical field the column it came from and the share of empty and unreadable cells, the time
span, the most frequent values of its grouping fields, and - given a profile - which standards
are measurable and, for the others, which field (and which of the file's columns might hold it)
they need.

Any kind of table ``check`` reads can be inspected: an interactions export, an orders table
(profiles of ``kind: orders``), message events (``--events``) and agent activity
(``--agents``). The kind is the one asked for, else the profile's, else recognised from the
headers (:data:`csaudit.tables.SIGNATURES`); columns map as ``check`` maps them (for a second
table, ``--map events.FIELD=COLUMN`` or the profile's ``events.FIELD:``, and plain
``--map FIELD=COLUMN``). The CLI renders the :class:`Inspection`; ``to_dict()`` is the JSON form.
"""

from __future__ import annotations

import difflib
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import polars as pl

from csaudit.metrics import REGISTRY  # first: the metrics import csaudit.activity themselves
from csaudit import activity, events as message_events  # noqa: I001
from csaudit.business_calendar import zone_option
from csaudit.engine import unmeasurable
from csaudit.errors import InputError
from csaudit.fields import ACTIVITY_FIELDS, EVENT_FIELDS, FIELDS, ORDER_FIELDS, SECOND_TABLES, FieldType, raw_column
from csaudit.ingest import ReadOptions, open_export, reads_naive, timed_formats
from csaudit.metrics.base import unreadable
from csaudit.profile.model import Profile
from csaudit.readers import STDIN, read_table
from csaudit.sources import header_key
from csaudit.tables import _WHAT, SIGNATURES, Attached, _builtins_of, _open_orders, _split, not_of_kind

INSPECT_SCHEMA = "csaudit.inspect/1"
TOP_VALUES = 10

#: The kinds of table ``check`` reads, and their canonical fields.
KIND_FIELDS = {"interactions": FIELDS, "orders": ORDER_FIELDS, "events": EVENT_FIELDS, "agents": ACTIVITY_FIELDS}
#: The fields a table of each kind cannot do without (said when a file has none of them).
_REQUIRED = {"orders": ("order_id", "ordered_at"), "events": message_events.REQUIRED, "agents": activity.REQUIRED}
#: Per kind, the timestamps that give the time span (the first one present).
SPAN_FIELDS = {
    "interactions": ("created_at", "queued_at", "first_response_at", "resolved_at"),
    "orders": ("ordered_at", "shipped_at", "delivered_at"),
    "events": ("at",),
    "agents": ("date", "interval_start"),
}
#: Per kind, the fields whose most frequent values are listed.
TOP_FIELDS = {
    "interactions": ("channel", "priority"),
    "orders": ("carrier", "warehouse"),
    "events": ("author", "channel", "priority"),
    "agents": ("team",),
}
#: What ``check`` needs of a second table (it stops without these columns).
REQUIRED = {"events": message_events.REQUIRED, "agents": activity.REQUIRED}


@dataclass
class FieldReport:
    """One canonical field: where it came from and how well its cells read."""

    field: str
    type: str
    column: str  # the export's column (or "Date + Time", a roll-up rule …)
    filled: int  # rows with a readable value
    empty: int  # rows with no value (empty cell or a placeholder)
    unreadable: int  # rows whose text did not parse
    format: str | None = None  # timestamp layout
    first: str | None = None  # earliest timestamp (ISO 8601, UTC)
    last: str | None = None


@dataclass
class ValueCount:
    value: str  # canonical (lower-case) value, which profile filters compare with
    label: str  # as the export wrote it
    count: int


@dataclass
class StandardReport:
    id: str
    title: str
    metric: str
    required: bool
    measurable: bool
    reason: str = ""
    missing_fields: list[str] = field(default_factory=list)
    #: For each missing field, columns of the file whose names resemble it.
    candidates: dict[str, list[str]] = field(default_factory=dict)


@dataclass
class Inspection:
    input: str
    files: list[dict[str, Any]]
    encoding: str
    source: str | None
    source_title: str | None
    source_how: str
    rows: int
    event_rows: int | None
    excluded: list[dict[str, Any]]
    fields: list[FieldReport]
    unmapped_columns: list[str]
    time_span: dict[str, str] | None
    channels: list[ValueCount]
    priorities: list[ValueCount]
    notes: list[str]
    profile: str | None = None
    standards: list[StandardReport] = field(default_factory=list)
    #: interactions, orders, events or agents; and how it was chosen: "--kind", "profile",
    #: "headers" (recognised) or "default".
    kind: str = "interactions"
    kind_how: str = "default"
    #: Where timestamps without an offset are read: ``zone``, ``from`` ("--timezone",
    #: "profile" or "default"), and the timestamp fields without (``naive``) and with an offset.
    timezone: dict[str, Any] = field(default_factory=dict)
    #: Most frequent values of each grouping field of the kind (TOP_FIELDS).
    values: dict[str, list[ValueCount]] = field(default_factory=dict)
    #: Fields ``check`` requires of this kind of table (a second table) that no column gives.
    missing_required: list[str] = field(default_factory=list)
    #: What the standards list means for a second table ("" for an export).
    standards_scope: str = ""

    @property
    def measurable(self) -> list[StandardReport]:
        return [s for s in self.standards if s.measurable]

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        return {"schema": INSPECT_SCHEMA, **data}


def inspect_export(
    path: str | Path | list[str | Path],
    profile: Profile | None = None,
    mapping: dict[str, str] | None = None,
    read: ReadOptions | None = None,
    timezone: str | None = None,
    kind: str | None = None,
) -> Inspection:
    """Read ``path`` as ``csaudit check`` would and describe what was understood.

    ``timezone`` (an IANA name) is where timestamps without an offset are read, as with
    ``check --timezone`` (default the profile's ``timezone:``, else UTC). ``kind`` is the
    kind of table (:data:`KIND_FIELDS`); default the profile's, else recognised from the
    headers. Raises :class:`InputError` for what ``check`` would also refuse."""
    read = read or ReadOptions()
    zone = zone_option(timezone, profile.timezone if profile is not None else None)
    zone_from = "--timezone" if timezone else ("profile" if zone else "default")
    _check_kind_choice(kind, profile)
    chosen = kind or (profile.kind if profile is not None else "interactions")
    how = "--kind" if kind else ("profile" if profile is not None else "default")
    export, attached, recognised = _open_recognising(
        path, chosen, kind is None and profile is None, profile, mapping, read, zone
    )
    if recognised:
        chosen, how = recognised, "headers"
    try:
        inspection = _inspect(export, chosen)
        inspection.kind, inspection.kind_how = chosen, how
        inspection.timezone = _zone_report(export, zone, zone_from)
        inspection.missing_required = [f for f in REQUIRED.get(chosen, ()) if f not in export.present]
        if inspection.time_span and zone:
            inspection.time_span.update(zone=zone, **{
                f"{end}_local": _local(inspection.time_span[end], zone) for end in ("first", "last")
            })
        if profile is not None:
            _standards(inspection, profile, export, attached, chosen, zone)
        return inspection
    finally:
        export.close()


def _check_kind_choice(kind: str | None, profile: Profile | None) -> None:
    if kind is not None and kind not in KIND_FIELDS:
        raise InputError(f"--kind {kind!r}: choose one of " + ", ".join(KIND_FIELDS))
    if kind is None or profile is None or kind == profile.kind:
        return
    if kind in SECOND_TABLES and profile.kind == "interactions":
        return  # a second table of an interactions audit
    if kind in SECOND_TABLES:
        raise InputError(
            f"--kind {kind}: {kind} add to an audit of interactions; profile {profile.name!r} audits "
            f"{profile.kind} (kind: {profile.kind})"
        )
    raise InputError(
        f"--kind {kind}: profile {profile.name!r} audits {_WHAT[profile.kind]} (kind: {profile.kind}); "
        f"inspect the file without --profile, or with a profile of kind {kind}"
    )


def _open_recognising(path, kind: str, recognise: bool, profile, mapping, read: ReadOptions, zone):
    """The table opened as ``kind``; when ``recognise`` (no --kind, no profile) and its headers
    are those of another kind, opened as that one. Returns (export, attached, recognised kind)."""
    paths = path if isinstance(path, (list, tuple)) else [path]
    stdin = any(str(p) == STDIN for p in paths)
    try:
        export, attached = _open_kind(path, kind, profile, mapping, read, zone)
    except InputError as original:
        if stdin:
            raise
        try:
            table = read_table(path, sheet=read.sheet, encoding=read.encoding)
        except InputError:
            raise original from None
        headers = table.headers
        table.close()
        other = _other_kind(headers, kind)
        if other is None:
            raise
        if not recognise:
            raise InputError(f"{original}. {_advice(other, profile)}") from None
        return (*_open_kind(path, other, profile, mapping, read, zone), other)
    other = _other_kind(export.headers, kind) if export.source is None else None
    if other is not None and recognise and not stdin:
        export.close()
        return (*_open_kind(path, other, profile, mapping, read, zone), other)
    if other is not None:
        export.notes.append(_advice(other, profile))
    return export, attached, None


def _advice(other: str, profile: Profile | None) -> str:
    """How to inspect a table that looks like ``other``, with or without ``profile``."""
    text = f"Its columns look like {_WHAT[other].split(':')[0]}: inspect it with --kind {other}"
    audited_by = "interactions" if other in SECOND_TABLES else other
    if profile is not None and profile.kind != audited_by:
        text += f" and no --profile, or with a profile of kind: {audited_by} (" + ", ".join(_builtins_of(audited_by)) + ")"
    return text


def _other_kind(headers: list[str], kind: str) -> str | None:
    """The kind of table these headers look like more than ``kind`` (most signature columns)."""
    keys = {header_key(h) for h in headers}
    hits = {name: len(keys & set(columns)) for name, columns in SIGNATURES.items()}
    best = max(hits, key=lambda name: hits[name])
    return best if best != kind and hits[best] > hits.get(kind, 0) else None


def _open_kind(path, kind: str, profile: Profile | None, mapping, read: ReadOptions, zone):
    """Open ``path`` as ``check`` opens a table of ``kind``: with its fields and mapping, the
    export's read options (a second table: its sheet and encoding only) and, for orders,
    the same derived columns and notes."""
    fields = KIND_FIELDS[kind]
    if kind in SECOND_TABLES:
        if read.source or read.mapping_file:
            flag = "--source" if read.source else "--mapping-file"
            raise InputError(
                f"{flag} describes an export; check reads --{kind} files by their column names: "
                f"map them with --map {kind}.FIELD=COLUMN (or --map FIELD=COLUMN here)"
            )
        read = ReadOptions(sheet=read.sheet, encoding=read.encoding)
    own = _mapping(kind, profile, mapping)
    try:
        export = open_export(path, own, set(fields), fields, read, zone)
    except InputError as original:
        if kind == "interactions":
            raise
        # A file with none of the kind's columns: what that kind needs, as check says it.
        raise not_of_kind(path, kind, fields, _REQUIRED[kind], original, own, f"--kind {kind}") from None
    attached = Attached()
    if kind == "orders":
        export = _open_orders(export, attached)
    return export, attached


def _mapping(kind: str, profile: Profile | None, mapping: dict[str, str] | None) -> dict[str, tuple[str, str]]:
    """field → (column, origin) for a table of ``kind``: the profile's mapping and ``--map``, a
    second table's with its prefix (``events.at``) or, given with --map, without it."""
    own, tables = _split({f: (c, f"profile {profile.name!r} mapping") for f, c in profile.mapping.items()}
                         if profile is not None else {})
    given, given_tables = _split({f: (c, f"--map {f}={c}") for f, c in (mapping or {}).items()})
    if kind in SECOND_TABLES:
        return {**tables.get(kind, {}), **given, **given_tables.get(kind, {})}
    for table, fields in given_tables.items():
        name, (column, origin) = next(iter(fields.items()))
        raise InputError(f"{origin}: maps a column of the --{table} file; inspect that file with --kind {table}")
    return {**own, **given}


def _zone_report(export, zone: str | None, zone_from: str) -> dict[str, Any]:
    formats = timed_formats(export)  # as check's notes see them
    naive = sorted(n for n, f in formats.items() if reads_naive(f))
    return {
        "zone": zone or "UTC",
        "from": zone_from,
        "naive": naive,
        "offset": sorted(n for n in formats if n not in naive),
    }


def _inspect(export, kind: str = "interactions") -> Inspection:
    catalogue = KIND_FIELDS[kind]
    frame = export.frame
    names = [n for n in catalogue if n in export.columns]
    stats = [pl.len().alias("rows")]
    for name in names:
        raw = pl.col(raw_column(name))
        stats += [
            pl.col(name).is_not_null().sum().alias(f"{name}:filled"),
            raw.is_null().sum().alias(f"{name}:empty"),
            unreadable(name).fill_null(False).sum().alias(f"{name}:bad"),
        ]
        if catalogue[name].type is FieldType.TIMESTAMP:
            stats += [pl.col(name).min().alias(f"{name}:min"), pl.col(name).max().alias(f"{name}:max")]
    queries = [frame.select(stats)]
    tops = [n for n in TOP_FIELDS[kind] if n in export.columns]
    for name in tops:
        queries.append(
            frame.filter(pl.col(name).is_not_null())
            .group_by(name)
            .agg(pl.len().alias("count"), pl.col(raw_column(name)).mode().sort().first().alias("label"))
            .sort(["count", name], descending=[True, False])
            .head(TOP_VALUES)
        )
    if export.rolled_up:
        queries.append(export.table.records.select(pl.len().alias("events")))
    results = pl.collect_all(queries)
    row = results[0].row(0, named=True)
    reports = []
    for name in names:
        ftype = catalogue[name].type
        report = FieldReport(
            field=name,
            type=ftype.value,
            column=export.columns[name],
            filled=row[f"{name}:filled"],
            empty=row[f"{name}:empty"],
            unreadable=row[f"{name}:bad"],
        )
        if ftype is FieldType.TIMESTAMP:
            report.format = export.timestamp_formats.get(name)
            report.first = _iso(row[f"{name}:min"])
            report.last = _iso(row[f"{name}:max"])
        reports.append(report)
    counts = {
        name: [ValueCount(value=v, label=label or v, count=c) for v, c, label in df.select(name, "count", "label").iter_rows()]
        for name, df in zip(tops, results[1 : 1 + len(tops)])
    }
    span = None
    for name in SPAN_FIELDS[kind]:
        if name in export.columns and row.get(f"{name}:min") is not None:
            span = {"field": name, "first": _iso(row[f"{name}:min"]), "last": _iso(row[f"{name}:max"])}
            break
    used = _used_columns(export)
    source = export.source
    inspection = Inspection(
        input=str(export.path),
        files=[
            {"name": p.name, "format": p.describe(), "rows": p.rows, "sheet": p.sheet}
            for p in export.table.parts
        ],
        encoding=export.table.encoding,
        source=source.name if source else None,
        source_title=source.title if source else None,
        source_how=export.source_how,
        rows=row["rows"],
        event_rows=results[-1]["events"][0] if export.rolled_up else None,
        excluded=[{"reason": r, "rows": c} for r, c in export.excluded],
        fields=reports,
        unmapped_columns=[h for h in export.headers if h not in used],
        time_span=span,
        channels=counts.get("channel", []),
        priorities=counts.get("priority", []),
        notes=list(export.notes),
        values=counts,
    )
    return inspection


def _iso(value) -> str | None:
    return value.isoformat() if value is not None else None


def _local(iso: str, zone: str) -> str:
    """An ISO 8601 instant as the wall-clock time of ``zone``, with its offset."""
    from zoneinfo import ZoneInfo

    return datetime.fromisoformat(iso).astimezone(ZoneInfo(zone)).isoformat()


def _used_columns(export) -> set[str]:
    used = set()
    text = " | ".join(export.columns.values())
    for header in export.headers:
        if header in export.columns.values() or f"'{header}'" in text or f"{header} +" in text or f"+ {header}" in text:
            used.add(header)
    source = export.source
    if source is not None and source.events is not None:
        keys = {header_key(n) for n in (*source.events.case, *source.events.status, *source.events.at.column_names())}
        keys |= {header_key(r.column) for r in source.rollup.values() if r.column}
        used |= {h for h in export.headers if header_key(h) in keys}
    return used


def _standards(inspection: Inspection, profile: Profile, export, attached: Attached, kind: str, zone: str | None) -> None:
    """Which standards of ``profile`` the file can measure, as ``check`` would decide: an
    export by its own fields; message events as ``check --events FILE`` alone would (the
    interactions they describe); agent activity for the standards that need it, given an
    export with their fields."""
    inspection.profile = profile.name
    if kind == "events":
        present: frozenset[str] = frozenset()
        derived = None
        if not inspection.missing_required:
            derived = message_events.interactions_from_events(export)
            present = derived.present | {"response_gaps"}
        inspection.standards_scope = "from these messages alone (check --events FILE, no export)"
        inspection.standards = [_standard(s, present, zone=zone, timed=derived) for s in profile.standards]
    elif kind == "agents":
        everything = frozenset(FIELDS)
        markers = frozenset({activity.AGENT_ACTIVITY, activity.DATED_ACTIVITY})
        given: set[str] = set()
        if not inspection.missing_required:
            dated = "date" in export.present or {"interval_start", "interval_end"} <= export.present
            given = {activity.AGENT_ACTIVITY} | ({activity.DATED_ACTIVITY} if dated else set())
        users = [s for s in profile.standards if _reason(s, everything) and not _reason(s, everything | markers)]
        inspection.standards_scope = "of those that use agent activity, with an export that has their fields"
        inspection.standards = [_standard(s, everything | given) for s in users]
    else:
        used = _used_columns(export)
        inspection.standards = [
            _standard(s, export.present | attached.present, export, used, zone) for s in profile.standards
        ]


def _reason(standard, present: frozenset[str]) -> str:
    return REGISTRY[standard.metric].unmeasurable_reason(present, standard.options) or ""


def _standard(standard, present: frozenset[str], export=None, used: set[str] | None = None,
              zone: str | None = None, timed=None) -> StandardReport:
    """Whether ``standard`` is measurable with ``present``, as ``check`` decides (with the
    timestamps of ``timed``, default the ``export``, read in ``zone``); with the ``export``
    (and its ``used`` columns), the columns that might hold each missing field."""
    reason, missing = unmeasurable(standard, present, timed if timed is not None else export, zone)
    return StandardReport(
        id=standard.id,
        title=standard.title,
        metric=standard.metric,
        required=standard.required,
        measurable=not reason,
        reason=reason,
        missing_fields=missing,
        candidates={f: _candidates(f, export, used or set()) for f in missing} if export is not None else {},
    )


def _candidates(field_name: str, export, used: set[str]) -> list[str]:
    """Unused columns whose names resemble a field (``First reply`` for first_response_at)."""
    keys = {header_key(h): h for h in export.headers if h not in used}
    words = field_name.replace("_at", "").replace("_", " ")
    hits = difflib.get_close_matches(field_name, list(keys), n=3, cutoff=0.5)
    hits += [k for k in keys if all(w in k for w in words.split()) and k not in hits]
    return [keys[k] for k in hits[:3]]
