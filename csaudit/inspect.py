"""What csaudit understood of an export, before auditing it (``csaudit inspect``).

:func:`inspect_export` reads the export exactly as ``csaudit check`` would (same readers,
sources, mappings and parsing), then measures, in one lazy plan: rows, for every canonical
field the column it came from and the share of empty and unreadable cells, the time span, the
channels and priorities seen, and - given a profile - which standards are measurable and,
for the others, which field (and which of the file's columns might hold it) they need.
The CLI renders the :class:`Inspection`; ``to_dict()`` is the JSON form.
"""

from __future__ import annotations

import difflib
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import polars as pl

from csaudit.fields import FIELDS, FieldType, raw_column
from csaudit.ingest import ReadOptions, open_export
from csaudit.metrics import REGISTRY
from csaudit.metrics.base import unreadable
from csaudit.profile.model import Profile
from csaudit.sources import header_key

INSPECT_SCHEMA = "csaudit.inspect/1"
TOP_VALUES = 10
SPAN_FIELDS = ("created_at", "queued_at", "first_response_at", "resolved_at")


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
) -> Inspection:
    """Read ``path`` as ``csaudit check`` would and describe what was understood."""
    combined = {}
    if profile is not None:
        combined = {f: (c, f"profile {profile.name!r} mapping") for f, c in profile.mapping.items()}
    combined.update({f: (c, f"--map {f}={c}") for f, c in (mapping or {}).items()})
    export = open_export(path, combined, set(FIELDS), read=read)
    try:
        return _inspect(export, profile)
    finally:
        export.close()


def _inspect(export, profile: Profile | None) -> Inspection:
    frame = export.frame
    names = [n for n in FIELDS if n in export.columns]
    stats = [pl.len().alias("rows")]
    for name in names:
        raw = pl.col(raw_column(name))
        stats += [
            pl.col(name).is_not_null().sum().alias(f"{name}:filled"),
            raw.is_null().sum().alias(f"{name}:empty"),
            unreadable(name).fill_null(False).sum().alias(f"{name}:bad"),
        ]
        if FIELDS[name].type is FieldType.TIMESTAMP:
            stats += [pl.col(name).min().alias(f"{name}:min"), pl.col(name).max().alias(f"{name}:max")]
    queries = [frame.select(stats)]
    tops = [n for n in ("channel", "priority") if n in export.columns]
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
        kind = FIELDS[name].type
        report = FieldReport(
            field=name,
            type=kind.value,
            column=export.columns[name],
            filled=row[f"{name}:filled"],
            empty=row[f"{name}:empty"],
            unreadable=row[f"{name}:bad"],
        )
        if kind is FieldType.TIMESTAMP:
            report.format = export.timestamp_formats.get(name)
            report.first = _iso(row[f"{name}:min"])
            report.last = _iso(row[f"{name}:max"])
        reports.append(report)
    counts = {
        name: [ValueCount(value=v, label=label or v, count=c) for v, c, label in df.select(name, "count", "label").iter_rows()]
        for name, df in zip(tops, results[1 : 1 + len(tops)])
    }
    span = None
    for name in SPAN_FIELDS:
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
    )
    if profile is not None:
        inspection.profile = profile.name
        inspection.standards = [_standard(s, export, used) for s in profile.standards]
    return inspection


def _iso(value) -> str | None:
    return value.isoformat() if value is not None else None


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


def _standard(standard, export, used: set[str]) -> StandardReport:
    metric = REGISTRY[standard.metric]
    present = export.present
    reason = metric.unmeasurable_reason(present, standard.options) or ""
    missing = list(metric.missing_fields(present, standard.options))
    grouping = sorted((set(standard.filter) | set(standard.each)) - present)
    if grouping:
        reason = "; ".join(filter(None, [reason, "its filter/each needs " + ", ".join(f"`{f}`" for f in grouping)]))
        missing += grouping
    return StandardReport(
        id=standard.id,
        title=standard.title,
        metric=standard.metric,
        required=standard.required,
        measurable=not reason,
        reason=reason,
        missing_fields=missing,
        candidates={f: _candidates(f, export, used) for f in missing},
    )


def _candidates(field_name: str, export, used: set[str]) -> list[str]:
    """Unused columns whose names resemble a field (``First reply`` for first_response_at)."""
    keys = {header_key(h): h for h in export.headers if h not in used}
    words = field_name.replace("_at", "").replace("_", " ")
    hits = difflib.get_close_matches(field_name, list(keys), n=3, cutoff=0.5)
    hits += [k for k in keys if all(w in k for w in words.split()) and k not in hits]
    return [keys[k] for k in hits[:3]]
