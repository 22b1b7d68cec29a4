"""Read an export into the canonical interactions frame, lazily.

:mod:`csaudit.readers` turns the input (CSV, TSV, Excel, JSON, Parquet, compressed, several
files, standard input) into text columns. Here we recognise where the export comes from (a
vendor mapping in :mod:`csaudit.sources`, detected from the headers or named with
``--source``, or the user's own ``--mapping-file``), resolve which column feeds each
canonical field, and describe how every value is parsed: timestamps (layout chosen from the
column's first 1,000 rows, or declared), numbers and durations (seconds, minutes, hours,
``HH:MM:SS``, "1 Day 4 Hours", epoch offsets), true/false, placeholders meaning "no value"
and value maps. Status-history logs are rolled up to one row per case (:mod:`csaudit.rollup`).

The file is scanned once by the audit's query plan; here we only read its header and a sample
of its first rows. Values that do not parse are not guessed: they become null in the canonical
column and are counted, with their row numbers, as data-quality findings.

Row numbers count data rows from 1 (the first line after the header), across the files when
several are read as one.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from pathlib import Path
import polars as pl

from csaudit.business_calendar import ambiguous_instants, local_midnights
from csaudit.errors import InputError
from csaudit.fields import FALSE_WORDS, FIELDS, TRUE_WORDS, Field, FieldType, raw_column
from csaudit.metrics.base import Check, unreadable
from csaudit.readers import ROW, Table, drop_blank_rows, find_invalid_utf8, is_kept, read_table
from csaudit.readers import as_text as typed_as_text
from csaudit.readers import describe_read_error as describe_part_error
from csaudit.rollup import UNTIMED, UNTIMED_FIELD, EventColumns, roll_up
from csaudit.sources import (
    FieldSpec,
    Source,
    builtin_sources,
    detect_source,
    did_you_mean,
    header_key,
    load_source,
    source_by_name,
)

__all__ = ["ROW", "Export", "ReadOptions", "open_export", "header_key", "describe_read_error"]

SAMPLE_ROWS = 1000

#: Timestamp layouts tried on each column's sample, most specific first. ``%.f`` accepts an
#: optional fraction; ``%#z`` accepts ``Z`` or an offset such as ``+07:00``.
TIMESTAMP_FORMATS = (
    "%Y-%m-%dT%H:%M:%S%.f%#z",
    "%Y-%m-%d %H:%M:%S%.f%#z",
    "%Y-%m-%d %H:%M:%S%.f %#z",
    "%Y-%m-%dT%H:%M:%S%.f",
    "%Y-%m-%d %H:%M:%S%.f",
    "%Y-%m-%dT%H:%M%#z",
    "%Y-%m-%dT%H:%M",
    "%Y-%m-%d %H:%M",
    "%Y/%m/%d %H:%M:%S",
    "%Y/%m/%d %H:%M",
    "%m/%d/%Y %I:%M:%S %p",
    "%m/%d/%Y %I:%M %p",
    "%d/%m/%Y %I:%M:%S %p",
    "%d/%m/%Y %I:%M %p",
    "%m/%d/%Y %H:%M:%S",
    "%m/%d/%Y %H:%M",
    "%d/%m/%Y %H:%M:%S",
    "%d/%m/%Y %H:%M",
    "%d.%m.%Y %H:%M:%S",
    "%d.%m.%Y %H:%M",
    "%Y-%m-%d",
    "%m/%d/%Y",
    "%d/%m/%Y",
    "%d.%m.%Y",
)
_DAY_MONTH_TWINS = {
    "%m/%d/%Y %I:%M:%S %p": "%d/%m/%Y %I:%M:%S %p",
    "%m/%d/%Y %I:%M %p": "%d/%m/%Y %I:%M %p",
    "%m/%d/%Y %H:%M:%S": "%d/%m/%Y %H:%M:%S",
    "%m/%d/%Y %H:%M": "%d/%m/%Y %H:%M",
    "%m/%d/%Y": "%d/%m/%Y",
}

#: Seconds per unit of a duration or number column.
_UNIT_SECONDS = {"seconds": 1.0, "minutes": 60.0, "hours": 3600.0, "days": 86400.0}


@dataclass
class ReadOptions:
    """How to read the export, beyond the field mapping (all optional)."""

    source: str | None = None  # a built-in source name (``--source``)
    mapping_file: str | Path | None = None  # a user's mapping file (``--mapping-file``)
    sheet: str | None = None  # an Excel sheet (``--sheet``)
    encoding: str | None = None  # the text encoding, when detection is not wanted (``--encoding``)


@dataclass
class Export:
    """An export ready to audit: its lazy canonical frame and what was understood of it."""

    path: Path
    frame: pl.LazyFrame
    columns: dict[str, str]  # canonical field → where it comes from (a column, "Date + Time" …)
    headers: list[str]
    separator: str | None
    timestamp_formats: dict[str, str] = field(default_factory=dict)
    checks: list[Check] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    table: Table | None = None
    source: Source | None = None
    #: How the source was chosen: "headers", "--source", "--mapping-file" or "" (canonical).
    source_how: str = ""
    #: Rows left out by the source's rules: (reason, count).
    excluded: list[tuple[str, int]] = field(default_factory=list)
    #: Whether rows are cases rolled up from an event log.
    rolled_up: bool = False
    #: IANA time zone timestamps without an offset are read in (None: UTC).
    timezone: str | None = None
    #: Typed fields whose raw column keeps the cell's text only where it did not parse (the
    #: others are null there, and shown re-formatted by :meth:`cell_text`): field → type.
    lean: dict[str, FieldType] = field(default_factory=dict)
    #: Rows left out because no column read has a value in them (blank lines among them).
    empty_rows: int = 0
    header_rows: int = 0  # rows that repeat the header line, left out
    #: Timestamp fields without a single value (their layout is a default, not the file's).
    unfilled: set[str] = field(default_factory=set)
    #: UTC offsets other than zero that the first rows' timestamps are written with (+07:00).
    offsets: set[str] = field(default_factory=set)

    @property
    def present(self) -> frozenset[str]:
        return frozenset(self.columns)

    def describe_rows(self, rows: list[int]) -> str:
        """Where rows are, for exports read from several files (else "")."""
        return self.table.describe_rows(rows) if self.table else ""

    def cell_text(self, name: str, at: pl.Expr | None = None) -> pl.Expr:
        """The text of field ``name``'s cells (at positions ``at``, else every row): as the
        export wrote them, or for a lean field's readable cells, its value written back in
        the column's own layout (a timestamp in the zone it was read in)."""
        raw = pl.col(raw_column(name))
        kind = self.lean.get(name)
        if kind is None:
            return raw if at is None else raw.gather(at)
        value = pl.col(name) if at is None else pl.col(name).gather(at)
        if kind is FieldType.TIMESTAMP:
            text = _timestamp_text(value, self.timestamp_formats.get(name, ""), self.timezone)
        elif kind is FieldType.BOOL:
            text = pl.when(value).then(pl.lit("true")).when(~value).then(pl.lit("false"))
        else:
            whole = value.is_finite() & (value == value.round(0)) & (value.abs() < 2**53)
            text = pl.when(whole).then(value.cast(pl.Int64, strict=False).cast(pl.String)).otherwise(value.cast(pl.String))
        return pl.coalesce(raw if at is None else raw.gather(at), text)

    def close(self) -> None:
        """Remove temporary files (conversions); also done when the export is collected."""
        if self.table is not None:
            self.table.close()


def open_export(
    path: str | Path | list[str | Path],
    mapping: dict[str, tuple[str, str]],
    wanted: set[str],
    fields: dict[str, Field] = FIELDS,
    read: ReadOptions | None = None,
    timezone: str | None = None,
    lean: bool = False,
) -> Export:
    """Prepare ``path`` (a file, ``-`` for standard input, a glob, or a list of them) for
    auditing.

    ``mapping`` is field → (column, where the mapping came from, e.g. "--map"); ``wanted``
    the canonical fields the profile can use; ``fields`` the catalogue they come from (the
    interaction fields unless another kind of table is read); ``read`` the source, mapping
    file, sheet and encoding options; ``timezone`` the IANA zone timestamps without an offset
    are read in (None: UTC; a local time that does not exist there is a finding, an ambiguous
    one is its first occurrence). With ``lean``, the raw column of a plainly read number,
    flag or timestamp keeps only the text that did not parse (:attr:`Export.lean`): the
    audit's cached frame then holds no second copy of every typed cell. Raises
    :class:`InputError` for anything a user must fix.
    """
    read = read or ReadOptions()
    table = read_table(path, sheet=read.sheet, encoding=read.encoding)
    try:
        return _prepare(table, mapping, wanted, fields, read, timezone, lean)
    except BaseException:
        table.close()  # the temporary files go with the error, not with its traceback
        raise


def _prepare(table: Table, mapping, wanted, fields, read: ReadOptions, timezone: str | None, lean: bool = False) -> Export:
    """The body of :func:`open_export` once the table is read."""
    first = table.parts[0]
    try:
        rows = table.records.head(1).select(pl.len()).collect().item()
    except Exception as exc:  # polars raises several exception types for unreadable input
        raise describe_part_error(first, exc) from None
    if rows == 0:
        raise InputError(f"{table.name}: the file has a header but no rows; there is nothing to audit")
    headers = table.headers
    export = Export(
        path=Path(table.name),
        frame=table.records,
        columns={},
        headers=headers,
        separator=first.separator,
        table=table,
        notes=list(table.notes),
        timezone=timezone,
    )
    source, export.source_how = _choose_source(headers, read, export, fields)
    export.source = source
    specs = _resolve(table.name, headers, source, mapping, wanted, fields)
    canonical = {header_key(h) for h in headers} & set(fields)
    if not specs and not mapping and source is None and not canonical:
        raise InputError(_unrecognised(table.name, headers))
    rolled = source is not None and source.events is not None
    typed = _typed_columns(table, specs, fields, source, rolled)
    records = _exclude(table, source, headers, export, typed)
    # The first rows of the columns read (other columns are never read: a Parquet dataset is
    # read column by column), to choose timestamp layouts.
    used = headers if rolled else _columns_read(specs, headers)
    try:
        sample = drop_blank_rows(table.records.select(used).head(SAMPLE_ROWS), used).collect()
    except Exception as exc:  # polars raises several exception types for unreadable input
        raise describe_part_error(first, exc) from None
    builder = _FieldParser(export, sample, source, lean and not rolled, typed, table.records)
    if rolled:
        frame = _roll_up(export, builder, records.pipe(drop_blank_rows, headers), source, specs, fields, headers)
        # One cached frame: every standard, check and label query reads it, so the file is
        # scanned and parsed once (common-subplan elimination alone leaves several scans).
        export.frame = frame.cache()
    else:
        selections = [pl.col(ROW)]
        for name, (spec, resolved) in specs.items():
            selections += builder.exprs(name, spec, resolved, fields[name], staged=True)
        read = [name for name, (spec, _) in specs.items() if spec.value is None]
        has_value = [
            pl.col(f).is_not_null() | (pl.col(_failed(f)) if f in builder.deferred else pl.col(raw_column(f)).is_not_null())
            for f in read
        ]
        empty = ~pl.any_horizontal(has_value) if has_value else pl.lit(False)
        # A line that repeats the header (two exports joined with `cat`): every text cell read
        # is its column's name. Typed columns (Parquet, Excel dates) cannot hold one.
        texts = [h for h in used if h not in typed]
        header = pl.all_horizontal([pl.col(h) == pl.lit(h) for h in texts]) if texts else pl.lit(False)
        # Text keys are their cleaned text lowered: a second step, so the cleaning is done once.
        keys = [key.alias(name) for name, key in builder.keys.items()]
        frame = records.select(*selections, header.fill_null(False).alias(_HEADER)).with_columns(keys).with_columns(
            empty.alias(_EMPTY)
        )
        export.frame = _load(export, frame, records, builder.deferred)
    _note_zones(export)
    return export


_EMPTY = "__empty"
_HEADER = "__header"  # the row repeats the header line


def _columns_read(specs: dict, headers: list[str]) -> list[str]:
    """The export's columns the fields are read from, in header order."""
    named: set[str] = set()
    for spec, resolved in specs.values():
        while spec is not None:
            named.update(resolved.get(c, c) for c in spec.column_names())
            spec = spec.fallback
    return [h for h in headers if h in named]


@dataclass
class _Deferred:
    """A lean field parsed in the one pass by the fast path only; its cells that failed are
    read again (with white space stripped, every layout) after it, by row number."""

    text: pl.Expr  # the cell text, over the export's records
    parse: object  # parse(text, fast) -> parsed expression


def _failed(name: str) -> str:
    return f"{name}__failed"


#: What polars raises when the data of a file cannot be read (said as the user's file's problem).
READ_ERRORS = (pl.exceptions.ComputeError, pl.exceptions.NoDataError, pl.exceptions.ShapeError)


def _load(export: Export, frame: pl.LazyFrame, records: pl.LazyFrame, deferred: dict[str, _Deferred]) -> pl.LazyFrame:
    """The canonical frame, read and parsed in one pass (every standard, check and label
    query then reads it from memory), without the rows that have nothing in any column read:
    blank lines, or lines whose only cells are in columns the audit does not use (left out
    and counted in a note). Reading only the columns in use is what lets a wide export, or a
    Parquet dataset, be read column by column.

    A lean field keeps no text column through the pass: the pass parses it by the fast path
    and flags the cells that failed; only those rows are read again (:func:`_retry`)."""
    try:
        loaded = frame.collect()
    except READ_ERRORS as exc:
        raise describe_read_error(export, exc) from None
    loaded = _retry(export, loaded, records, deferred)
    if _HEADER in loaded.columns:
        repeats = loaded.filter(pl.col(_HEADER)).get_column(ROW)
        if repeats.len():
            loaded = loaded.filter(~pl.col(_HEADER))
            export.header_rows = repeats.len()
            shown = ", ".join(f"{r:,}" for r in repeats.head(5).to_list()) + (" …" if repeats.len() > 5 else "")
            export.notes.append(
                f"{repeats.len():,} row{' repeats' if repeats.len() == 1 else 's repeat'} the header line "
                f"(exports joined together?): row{'s' if repeats.len() > 1 else ''} {shown}"
                f"{export.describe_rows(repeats.to_list())}; left out"
            )
        loaded = loaded.drop(_HEADER)
    empty = int(loaded[_EMPTY].sum())
    if empty:
        loaded = loaded.filter(~pl.col(_EMPTY))
        export.empty_rows = empty
        if loaded.height:
            export.notes.append(
                f"{empty:,} row{' has' if empty == 1 else 's have'} no value in any column read "
                f"({', '.join(sorted(set(export.columns.values())))}): blank lines, or cells only in other "
                "columns; left out"
            )
    return loaded.drop(_EMPTY).lazy()


def _retry(export: Export, loaded: pl.DataFrame, records: pl.LazyFrame, deferred: dict[str, _Deferred]) -> pl.DataFrame:
    """Lean fields' failed cells, read again: stripped of white space and parsed with every
    layout; the text of those still unreadable becomes their raw column (null elsewhere)."""
    if not deferred:
        return loaded
    failing = [name for name in deferred if loaded[_failed(name)].any()]
    flags = [_failed(name) for name in deferred]
    quiet = [pl.lit(None, pl.String).alias(raw_column(name)) for name in deferred if name not in failing]
    if not failing:
        return loaded.drop(flags).with_columns(quiet)
    rows = loaded.filter(pl.any_horizontal(pl.col(_failed(n)) for n in failing)).get_column(ROW)
    texts = [deferred[name].text.alias(f"{name}__text") for name in failing]
    try:
        again = records.filter(pl.col(ROW).is_in(rows.implode())).select(pl.col(ROW), *texts).collect()
    except READ_ERRORS as exc:
        raise describe_read_error(export, exc) from None
    retried = []
    for name in failing:
        text = pl.when(pl.col(_failed(name))).then(pl.col(f"{name}__text"))
        value = deferred[name].parse(text.str.strip_chars(_WHITESPACE), False)
        retried += [value.alias(f"{name}__retry"), pl.when(value.is_null()).then(text).alias(raw_column(name))]
    joined = loaded.join(again, on=ROW, how="left", maintain_order="left").with_columns(retried)
    return joined.with_columns(
        pl.coalesce(pl.col(name), pl.col(f"{name}__retry")).alias(name) for name in failing
    ).drop(flags + [f"{n}__text" for n in failing] + [f"{n}__retry" for n in failing]).with_columns(quiet)


def describe_read_error(where: Export | Path, exc: Exception) -> InputError:
    """Turn a polars read failure during the audit into a message about the user's file."""
    if isinstance(where, Export) and where.table is not None:
        if "utf-8" in str(exc).lower() or "utf8" in str(exc).lower():
            for part in where.table.parts:
                if part.path is not None and (message := find_invalid_utf8(part.path, part.name)):
                    return InputError(message)
        return describe_part_error(where.table.parts[0], exc)
    from csaudit.readers import Part

    return describe_part_error(Part(name=str(where), path=Path(where)), exc)


# -- which source, which columns --------------------------------------------------------------


def _choose_source(headers: list[str], read: ReadOptions, export: Export, fields) -> tuple[Source | None, str]:
    if read.mapping_file is not None and read.source is not None:
        raise InputError("give either --source or --mapping-file, not both")
    if read.mapping_file is not None:
        source = load_source(read.mapping_file, builtin=False, fields=fields)
        export.notes.append(f"columns mapped by {read.mapping_file} ({source.title})")
        return source, "--mapping-file"
    if read.source is not None:
        source = source_by_name(read.source)
        if source.detect and not source.matches(headers):
            lacking = [h for h in source.detect if header_key(h) not in {header_key(x) for x in headers}]
            export.notes.append(
                f"read as {source.title} (--source {source.name}), although the file lacks its usual "
                "columns " + ", ".join(repr(h) for h in lacking)
            )
        return source, "--source"
    candidates = detect_source(headers)
    if not candidates:
        return None, ""
    best = candidates[0]
    ties = [c.name for c in candidates[1:] if len(c.detect) == len(best.detect)]
    export.notes.append(
        f"recognised as {best.title} from its headers (source {best.name!r})"
        + (f"; {', '.join(ties)} also match: choose with --source" if ties else "")
    )
    return best, "headers"


def _index(headers: list[str]) -> dict[str, list[str]]:
    by_key: dict[str, list[str]] = {}
    for header in headers:
        by_key.setdefault(header_key(header), []).append(header)
    return by_key


def _find(by_key: dict[str, list[str]], names: tuple[str, ...], name: str) -> str | None:
    """The first of ``names`` the file has (headers compared like canonical names)."""
    for candidate in names:
        matches = by_key.get(header_key(candidate), [])
        if len(matches) > 1:
            raise InputError(f"{name}: columns {matches!r} all match {candidate!r}; rename one of them")
        if matches:
            return matches[0]
    return None


def _resolve(
    name: str,
    headers: list[str],
    source: Source | None,
    mapping: dict[str, tuple[str, str]],
    wanted: set[str],
    fields: dict[str, Field],
) -> dict[str, tuple[FieldSpec, dict[str, str]]]:
    """Field → (how to read it, the spec's column names resolved to the file's headers)."""
    by_key = _index(headers)
    resolved: dict[str, tuple[FieldSpec, dict[str, str]]] = {}
    rolled = set(source.rollup) if source else set()
    if source is not None:
        for field_name, spec in source.fields.items():
            if field_name not in wanted and field_name != "id":
                continue
            columns = _resolve_spec(name, spec, by_key, headers, source, field_name)
            if columns is not None:
                resolved[field_name] = (spec, columns)
    for field_name, (column, origin) in mapping.items():
        if field_name not in fields:
            raise InputError(
                f"{origin}: {field_name!r} is not a canonical field"
                + (did_you_mean(field_name, fields) or ".")
                + " Fields: "
                + ", ".join(fields)
            )
        found = _find(by_key, (column,), name)
        if found is None:
            raise InputError(
                f"{origin}: maps `{field_name}` to column {column!r}, which {name} does not have"
                + _did_you_mean(column, headers)
                + " Its columns are: "
                + ", ".join(repr(h) for h in headers)
            )
        resolved[field_name] = (FieldSpec(columns=(column,)), {column: found})
        rolled.discard(field_name)
    for field_name in sorted(wanted - set(resolved) - rolled):
        if field_name not in fields:
            continue
        matches = by_key.get(header_key(field_name), [])
        if len(matches) > 1:
            raise InputError(
                f"{name}: columns {matches!r} all match field `{field_name}`; choose one with --map {field_name}=COLUMN"
            )
        if matches:
            resolved[field_name] = (FieldSpec(columns=(field_name,)), {field_name: matches[0]})
    return resolved


def _resolve_spec(
    name: str, spec: FieldSpec, by_key, headers: list[str], source: Source, field_name: str
) -> dict[str, str] | None:
    """The spec's columns in this file; None when a built-in (or optional) column is absent."""
    resolved: dict[str, str] = {}
    groups = [g for g in (spec.columns, spec.date, spec.time) if g] + [(c,) for c in spec.join]
    for group in groups:
        found = _find(by_key, group, name)
        if found is None:
            if source.builtin or spec.optional:
                return None
            raise InputError(
                f"{source.path}: fields.{field_name}: column "
                + " or ".join(repr(c) for c in group)
                + f" is not in {name}"
                + _did_you_mean(group[0], headers)
                + " Its columns are: "
                + ", ".join(repr(h) for h in headers)
                + " (mark the field optional: true if some exports lack it)"
            )
        for candidate in group:
            resolved[candidate] = found
    if spec.fallback is not None:
        fallback = _resolve_spec(name, spec.fallback, by_key, headers, source, field_name)
        resolved.update(fallback or {})
    return resolved


def _did_you_mean(column: str, headers: list[str]) -> str:
    """The nearest header, compared like headers are matched."""
    by_key = {header_key(h): h for h in headers}
    hint = difflib.get_close_matches(header_key(column), list(by_key), n=1, cutoff=0.5)
    return f"; did you mean {by_key[hint[0]]!r}?" if hint else "."


def _unrecognised(name: str, headers: list[str]) -> str:
    known = builtin_sources()
    examples = ", ".join(f"{s.name} ({', '.join(repr(h) for h in s.detect[:3])} …)" for s in list(known.values())[:4])
    return (
        f"{name}: its columns are not recognised. They are neither csaudit's canonical names "
        "(id, created_at, first_response_at, resolved_at, channel, priority, … see `csaudit inspect --help`) "
        f"nor those of a known export: {', '.join(known)} (e.g. {examples}). "
        "Its columns are: " + ", ".join(repr(h) for h in headers[:30]) + ("…" if len(headers) > 30 else "")
        + ". Map them with --map created_at=COLUMN (repeatable), or write a mapping file (docs/sources.md) "
        "and give it with --mapping-file FILE, or name the tool with --source NAME"
    )


def _typed_columns(table: Table, specs: dict, fields, source: Source | None, rolled: bool) -> dict[str, pl.DataType]:
    """Typed columns (a Parquet file's times, flags, numbers) that a field reads as they are:
    column → type. Every other typed column is read as the text a CSV export would hold."""
    schema = table.records.collect_schema()
    if rolled or (source and source.missing):
        return {}
    fits = {FieldType.TIMESTAMP: (pl.Datetime, pl.Date), FieldType.BOOL: (pl.Boolean,)}
    # A column a field reads in another way too (joined, combined, mapped) stays text.
    shared = {resolved.get(c, c) for spec, resolved in specs.values() if not spec.plain for c in spec.column_names()}
    typed = {}
    for name, (spec, resolved) in specs.items():
        column = resolved.get(spec.columns[0], spec.columns[0]) if spec.columns else None
        dtype = schema.get(column) if spec.plain and column else None
        kind = fields[name].type
        if dtype is None or not is_kept(dtype) or column in shared:
            continue
        if isinstance(dtype, fits.get(kind, ())) or (kind is FieldType.NUMBER and dtype.is_numeric()):
            typed[column] = dtype
    return typed


def _exclude(table: Table, source: Source | None, headers: list[str], export: Export, typed: dict) -> pl.LazyFrame:
    """The records without the rows the source's rules leave out (counted, with the reason);
    typed columns no field reads as they are become text."""
    schema = table.records.collect_schema()
    as_text = [e for name, dtype in schema.items() if is_kept(dtype) and name not in typed and name != ROW
               for e in typed_as_text(pl.col(name), name, dtype)]
    records = table.records.with_columns(as_text) if as_text else table.records
    if source is None or not source.exclude:
        return records
    by_key = _index(headers)
    conditions = []
    for rule in source.exclude:
        columns = {c: _find(by_key, (c,), table.name) for c in rule.where}
        if any(found is None for found in columns.values()):
            if not source.builtin:
                missing = [c for c, found in columns.items() if found is None]
                raise InputError(f"{source.path}: exclude: column(s) {missing!r} are not in {table.name}")
            continue
        condition = pl.all_horizontal(
            [_clean(pl.col(columns[c])).str.to_lowercase().is_in([v.casefold() for v in values])
             for c, values in rule.where.items()]
        ).fill_null(False)
        conditions.append((rule.reason, condition))
    if not conditions:
        return records
    counts = records.select([cond.cast(pl.Int64).sum().alias(str(i)) for i, (_, cond) in enumerate(conditions)])
    try:
        row = counts.collect().row(0)
    except Exception as exc:  # polars raises several exception types for unreadable input
        raise describe_part_error(table.parts[0], exc) from None
    for (reason, _), count in zip(conditions, row):
        export.excluded.append((reason, int(count)))
        if count:
            export.notes.append(f"{count:,} row{'' if count == 1 else 's'} left out by the {source.name} mapping: {reason}")
    return records.filter(~pl.any_horizontal([cond for _, cond in conditions]))


# -- parsing values ---------------------------------------------------------------------------

# Rust's whitespace set, spelled out: strip_chars() with no argument strips the same, but in
# polars 2.1 it stops the expression from being shared between columns.
_WHITESPACE = " \t\n\x0b\x0c\r\x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"


def _clean(text: pl.Expr) -> pl.Expr:
    """Surrounding white space removed; an empty cell is null."""
    text = text.str.strip_chars(_WHITESPACE)
    return pl.when(text != "").then(text)


class _FieldParser:
    """Builds each field's parsed and raw expressions, recording formats and checks."""

    def __init__(self, export: Export, sample: pl.DataFrame, source: Source | None, lean: bool = False,
                 typed: dict[str, pl.DataType] | None = None, records: pl.LazyFrame | None = None):
        self.export, self.sample, self.source, self.lean = export, sample, source, lean
        #: The export's records, for a column the sample has no value in (see _values).
        self.records = records
        #: Typed columns read as they are (see _typed_columns): column → type.
        self.typed = typed or {}
        #: Per timestamp field read in a local zone: cells that name a local time the zone skips.
        self.skipped: dict[str, pl.Expr] = {}
        #: Lean fields whose failed cells are read again after the pass (see _load).
        self.deferred: dict[str, _Deferred] = {}
        #: Text fields' keys, computed from their raw column after the pass's select.
        self.keys: dict[str, pl.Expr] = {}
        self.name = export.table.name if export.table else str(export.path)

    def exprs(self, name: str, spec: FieldSpec, resolved: dict[str, str], target: Field, check: bool = True,
              staged: bool = False) -> list[pl.Expr]:
        """``[parsed.alias(name), raw.alias(name__raw)]``, and the field's unreadable check.
        ``staged``: a plainly read text field gives only its raw column; its key is computed
        from that in a second step (:attr:`keys`)."""
        self.export.columns[name] = _describe_spec(spec, resolved)
        if staged and target.type is FieldType.TEXT and spec.plain and not (self.source and self.source.missing):
            column = pl.col(resolved.get(spec.columns[0], spec.columns[0]))
            raw = pl.col(raw_column(name))
            self.keys[name] = raw if name == "id" else raw.str.to_lowercase()
            return [_clean(column).alias(raw_column(name))]
        parsed, raw, expected = self.parse(name, spec, resolved, target)
        skipped = self.skipped.get(name)
        if check and expected is not None:
            self.export.checks.append(
                Check(
                    key=f"unparsable:{name}",
                    message=f"`{name}` (column {self.export.columns[name]!r}): values that are not {expected}; "
                    "they are left out of every metric that uses the field",
                    expr=unreadable(name) if skipped is None else unreadable(name) & ~skipped,
                    fields=(name,),
                )
            )
        if check and skipped is not None:
            self.export.checks += _local_time_checks(name, self.export.columns[name], self.export.timezone, skipped)
        if name in self.deferred:
            self.export.lean[name] = target.type
            failed = parsed.is_null() & self.deferred[name].text.is_not_null()
            return [parsed.alias(name), failed.alias(_failed(name))]
        return [parsed.alias(name), raw.alias(raw_column(name))]

    def _writes_back(self, name: str, spec: FieldSpec, kind: FieldType) -> bool:
        """Whether a readable cell of this field can be shown from its value alone (a column
        read as it is; a timestamp in layouts without an offset, which the instant does not
        keep): see :meth:`Export.cell_text`."""
        if kind is FieldType.TIMESTAMP:
            formats = self.export.timestamp_formats.get(name, "")
            naive = all(reads_naive(f) for f in formats.split(" | "))
            return naive and spec.epoch is None and not spec.values and spec.fallback is None
        return kind in (FieldType.NUMBER, FieldType.BOOL) and spec.plain and not (self.source and self.source.missing)

    def parse(self, name: str, spec: FieldSpec, resolved: dict[str, str], target: Field):
        """(parsed, raw, what a readable value looks like or None for text)."""
        kind = target.type
        description = repr(_describe_spec(spec, resolved))
        if spec.plain and not (self.source and self.source.missing):
            header = resolved.get(spec.columns[0], spec.columns[0])
            if header in self.typed:
                return self._parse_typed(name, header, self.typed[header], kind)
            column = pl.col(header)
            return self._parse_text(name, column, column, kind, spec, description, self.lean)
        text, _ = self._text(spec, resolved)
        parsed, raw, expected = self._parse_text(name, text, text, kind, spec, description, self.lean and spec.fallback is None)
        if spec.fallback is not None:
            parsed_b, raw_b, _ = self.parse(name, spec.fallback, resolved, target)
            parsed = pl.when(raw.is_null()).then(parsed_b).otherwise(parsed)
            raw = pl.coalesce(raw, raw_b)
        return parsed, raw, expected

    def _parse_typed(self, name: str, header: str, dtype: pl.DataType, kind: FieldType):
        """A typed column read as it is: times to UTC instants (without a zone, wall-clock
        time in the export's zone, like text without an offset), numbers to floats."""
        column = pl.col(header)
        if kind is FieldType.TIMESTAMP:
            moment = column.cast(pl.Datetime("us")) if isinstance(dtype, pl.Date) else column.dt.cast_time_unit("us")
            if getattr(dtype, "time_zone", None):
                parsed = moment.dt.convert_time_zone("UTC")
                self.export.timestamp_formats[name] = "%Y-%m-%dT%H:%M:%S%.f%z"
            else:
                zone = self.export.timezone if _has_clock_changes(self.export.timezone) else "UTC"
                parsed = _local_instants(moment, zone, dates=isinstance(dtype, pl.Date))
                self.export.timestamp_formats[name] = "%Y-%m-%d %H:%M:%S%.f"
                if zone != "UTC":
                    # The only cells that fail: wall-clock times the zone skips.
                    self.skipped[name] = unreadable(name)
            expected = "a date and time"
        elif kind is FieldType.NUMBER:
            parsed, expected = _finite(column.cast(pl.Float64)), "a number"
        else:
            parsed, expected = column, "true/false"
        text = typed_as_text(column, header, dtype)[0]
        if self.lean:
            # Only a time the zone skips, or a number that is not finite, fails: its text.
            self.export.lean[name] = kind
            failing = kind is not FieldType.BOOL and not (kind is FieldType.TIMESTAMP and name not in self.skipped)
            raw = pl.when(parsed.is_null() & column.is_not_null()).then(text) if failing else pl.lit(None, pl.String)
        else:
            raw = text
        return parsed, raw, expected

    def _text(self, spec: FieldSpec, resolved: dict[str, str]) -> tuple[pl.Expr, str]:
        """The cell text after placeholders and value maps' "no value" entries are blanked."""
        blanks = {m.strip().casefold() for m in (*(self.source.missing if self.source else ()), *spec.missing)}
        blanks |= {k.strip().casefold() for k, v in spec.values.items() if v is None}

        def blanked(column: pl.Expr) -> pl.Expr:
            if not blanks:
                return column
            key = column.str.strip_chars(_WHITESPACE).str.to_lowercase()
            return pl.when(~key.is_in(sorted(blanks))).then(column)

        if spec.value is not None:
            return pl.lit(spec.value, pl.String), f"(constant {spec.value!r})"
        if spec.join:
            parts = [blanked(_clean(pl.col(resolved[c]))) for c in spec.join]
            return pl.concat_str(parts, separator="/"), " / ".join(resolved[c] for c in spec.join)
        if spec.date:
            date = blanked(_clean(pl.col(resolved[spec.date[0]])))
            clock = blanked(_clean(pl.col(resolved[spec.time[0]])))
            text = pl.when(date.is_not_null() & clock.is_not_null()).then(
                pl.concat_str([date, clock], separator=" ")
            )
            return text, f"{resolved[spec.date[0]]} + {resolved[spec.time[0]]}"
        column = resolved[spec.columns[0]]
        return blanked(pl.col(column)), column

    def _parse_text(self, name, text: pl.Expr, raw: pl.Expr, kind: FieldType, spec: FieldSpec, description, lean=False):
        if spec.values:
            mapped = {k.strip().casefold(): v for k, v in spec.values.items() if v is not None}
            key = text.str.strip_chars(_WHITESPACE).str.to_lowercase()
            as_text = [
                ("true" if v else "false") if isinstance(v, bool) else (str(v).lower() if kind is FieldType.TEXT else str(v))
                for v in mapped.values()
            ]
            # Mapped cells take the canonical value; the others keep their own text.
            value_text = pl.when(key.is_in(list(mapped))).then(key.replace(list(mapped), as_text)).otherwise(text)
        else:
            value_text = text
        if kind is FieldType.TEXT:
            cleaned = _clean(value_text)
            key = cleaned if name == "id" else cleaned.str.to_lowercase()
            return key, (_clean(raw) if spec.plain else raw), None
        if kind is FieldType.TIMESTAMP:
            parse, expected = self._timestamp(name, spec, value_text, description)
        elif kind is FieldType.BOOL:
            parse, expected = _bool_parser, "true/false, yes/no, y/n or 1/0"
        else:
            parse, expected = _number_parser(spec.units, self.export.separator == ";"), _describe_units(spec.units)
        # Parse every cell as read, then strip and parse again only the cells that failed:
        # the common case keeps polars' fast path. The raw column is the export's own text
        # (no copy), so a cell is unreadable where it has text but no parsed value; a cell of
        # only spaces counts as unreadable too, and is shown as such.
        first = parse(value_text, fast=True)
        if lean and self._writes_back(name, spec, kind):
            # The failed cells are read again after the one pass, by row number (see _load):
            # no text column is built for the few cells that need it.
            self.deferred[name] = _Deferred(text=value_text, parse=parse)
            return first, None, expected
        retry = pl.when(first.is_null()).then(value_text).str.strip_chars(_WHITESPACE)
        parsed = pl.coalesce(first, parse(retry, fast=False))
        if kind is FieldType.NUMBER and (spec.offset or spec.floor is not None):
            parsed = parsed + spec.offset
            if spec.floor is not None:
                parsed = parsed.clip(lower_bound=spec.floor)
        return parsed, raw, expected

    def _timestamp(self, name: str, spec: FieldSpec, text: pl.Expr, source: str):
        if spec.epoch:
            scale = 1_000_000 if spec.epoch == "s" else 1_000
            self.export.timestamp_formats[name] = f"Unix time ({'seconds' if spec.epoch == 's' else 'milliseconds'})"

            def parse_epoch(value: pl.Expr, fast: bool) -> pl.Expr:
                return (value.cast(pl.Float64, strict=False) * scale).cast(pl.Int64, strict=False).cast(pl.Datetime("us", "UTC"))

            return parse_epoch, "a Unix time in " + ("seconds" if spec.epoch == "s" else "milliseconds")
        values = self._values(text)
        stripped = values.str.strip_chars(_WHITESPACE)
        if not stripped.ne("").any():
            self.export.unfilled.add(name)
        offsets = stripped.str.extract(OFFSET, 1).drop_nulls().unique().to_list()
        self.export.offsets |= {o for o in offsets if o.strip("+-:0Zz")}
        if spec.formats:
            formats = list(spec.formats)
            self.export.timestamp_formats[name] = " | ".join(formats)
        else:
            formats = [_choose_format(self.name, name, source, values, self.export, spec.day_first, self._day_order)]
            self.export.timestamp_formats[name] = formats[0]
        parsers = [_timestamp_parser(fmt, self.export.timezone, _fractions_usual(values, fmt)) for fmt in formats]
        if _has_clock_changes(self.export.timezone) and any(reads_naive(fmt) for fmt in formats):
            # Cells that did not parse but read as a wall-clock time: the zone skips that time.
            suspect = pl.when(unreadable(name)).then(pl.col(raw_column(name))).str.strip_chars(_WHITESPACE)
            as_utc = [_timestamp_parser(fmt)(suspect, False) for fmt in formats if reads_naive(fmt)]
            self.skipped[name] = pl.coalesce(as_utc).is_not_null()

        def parse(value: pl.Expr, fast: bool) -> pl.Expr:
            return pl.coalesce([p(value, fast) for p in parsers]) if len(parsers) > 1 else parsers[0](value, fast)

        expected = "a timestamp like the rest of the column (" + " or ".join(_describe_format(f) for f in formats) + ")"
        mixed = _other_layouts(values, formats)
        if mixed:
            count, example, other = mixed
            expected += (
                f"; the column mixes date layouts: {count} of its first {SAMPLE_ROWS:,} rows are written like "
                f"{_quote(example)} ({_describe_format(other)}), which is not read: declare every layout under format: "
                "in a mapping file (--mapping-file, docs/sources.md) to read them"
            )
        return parse, expected

    @property
    def _day_order(self) -> tuple[str, str] | None:
        """How the file's own dates settle day/month order, from every text column of the
        sample (an export writes its dates one way): ``("day", evidence)`` when some column
        has a date only day/month reads (``13/03/2024``) and none has one only month/day
        reads; ``("month", evidence)`` the other way round; None when nothing settles it, or
        columns disagree. A column whose own first rows fit both orders follows it."""
        if "_day_order_cache" not in self.__dict__:
            found: dict[str, str] = {}
            for column in self.sample.columns:
                values = self.sample[column]
                if values.dtype != pl.String:
                    continue
                values = values.str.strip_chars(_WHITESPACE)
                values = values.filter(values.str.contains(r"^\d{1,2}/\d{1,2}/\d{4}"))
                if values.len() == 0:
                    continue
                for month_first, day_first in _DAY_MONTH_TWINS.items():
                    reads = [values.str.to_datetime(f, strict=False, time_unit="us").is_not_null() for f in (month_first, day_first)]
                    for order, only in (("month", reads[0] & ~reads[1]), ("day", reads[1] & ~reads[0])):
                        if only.any() and order not in found:
                            found[order] = f"column {column!r} has {_quote(values.filter(only)[0])}"
            self.__dict__["_day_order_cache"] = next(iter(found.items())) if len(found) == 1 else None
        return self.__dict__["_day_order_cache"]

    def _values(self, text: pl.Expr) -> pl.Series:
        """A column's first values, to choose its layout: from the sample (the first rows), or,
        when the sample has none (a column empty in its first rows, such as `abandoned_at`),
        from the first rows where it has one (a scan of that column, stopping there)."""
        values = self.sample.select(text.alias("v"))["v"]
        if self.records is None or values.str.strip_chars(_WHITESPACE).ne("").any():
            return values
        filled = pl.col("v").str.strip_chars(_WHITESPACE) != ""
        try:
            return self.records.select(text.alias("v")).filter(filled).head(SAMPLE_ROWS).collect()["v"]
        except Exception as exc:  # polars raises several exception types for unreadable input
            raise describe_part_error(self.export.table.parts[0], exc) from None

    # -- event logs ---------------------------------------------------------------------------


def _roll_up(export, builder: _FieldParser, records, source: Source, specs, fields, headers) -> pl.LazyFrame:
    """Parse the events, then roll them up to one row per case (see csaudit.rollup)."""
    events = source.events
    by_key = _index(headers)
    name = builder.name

    def column(names: tuple[str, ...], what: str) -> str:
        found = _find(by_key, names, name)
        if found is None:
            raise InputError(
                f"{source.path}: events.{what}: column " + " or ".join(repr(n) for n in names) + f" is not in {name}"
                + _did_you_mean(names[0], headers) + " Its columns are: " + ", ".join(repr(h) for h in headers)
            )
        return found

    case_column = column(events.case, "case")
    at_resolved = {n: column((n,), "at") for n in events.at.column_names()}
    if events.at.fallback is not None:
        at_resolved.update(_resolve_spec(name, events.at.fallback, by_key, headers, source, "at") or {})
    status_column = column(events.status, "status") if events.status else None
    export.rolled_up = True
    at_field = Field("event_time", FieldType.TIMESTAMP, "event time")
    at_parsed, at_raw, _ = builder.parse("event_time", events.at, at_resolved, at_field)
    selections = [
        pl.col(ROW),
        _clean(pl.col(case_column)).alias("id"),
        _clean(pl.col(case_column)).alias(raw_column("id")),
        at_parsed.alias("_at"),
        at_raw.alias("_at_raw"),
    ]
    if status_column:
        selections.append(_clean(pl.col(status_column)).str.to_lowercase().alias("_status"))
    carried: dict[str, str] = {}
    for field_name, (spec, resolved) in specs.items():
        if field_name == "id":
            continue
        selections += builder.exprs(field_name, spec, resolved, fields[field_name], check=True)
        carried[field_name] = spec.take
    change_columns: dict[str, str] = {}
    for field_name, rule in source.rollup.items():
        if rule.kind == "changes":
            found = column((rule.column,), f"rollup.{field_name}.changes")
            change_columns[rule.column] = f"_changes_{len(change_columns)}"
            selections.append(_clean(pl.col(found)).str.to_lowercase().alias(change_columns[rule.column]))
        export.columns[field_name] = rule.describe(status_column) + " (rolled up per case)"
        if rule.kind not in ("count", "changes"):
            export.timestamp_formats[field_name] = export.timestamp_formats.get("event_time", "")
    export.columns["id"] = case_column
    events_read = records.select(selections)
    # An event without a case id belongs to no case: left out, and its rows said (one scan of
    # the case column; rolled up, such events would make one made-up case).
    try:
        orphans = events_read.filter(pl.col("id").is_null()).select(ROW).collect().get_column(ROW)
    except READ_ERRORS as exc:
        raise describe_read_error(export, exc) from None
    if orphans.len():
        rows = orphans.head(5).to_list()
        export.notes.append(
            f"{orphans.len():,} event{'s have' if orphans.len() != 1 else ' has'} no case id (column {case_column!r}): "
            f"row{'s' if orphans.len() != 1 else ''} {', '.join(f'{r:,}' for r in rows)}"
            f"{' …' if orphans.len() > 5 else ''}{export.describe_rows(rows)}; left out"
        )
        events_read = events_read.filter(pl.col("id").is_not_null())
    rolled = roll_up(
        events_read,
        EventColumns(row=ROW, case="id", at="_at", at_raw="_at_raw", status="_status" if status_column else None),
        {f: r for f, r in source.rollup.items() if f in fields},
        carried,
        change_columns,
    )
    export.checks.append(
        Check(
            key="unparsable:event_time",
            message=f"cases with events whose time (column {_describe_spec(events.at, at_resolved)!r}) is not a timestamp "
            f"like the rest of the column ({export.timestamp_formats.get('event_time', '')}); "
            "those events take no part in the case's milestones",
            expr=pl.col(UNTIMED) > 0,
            fields=(UNTIMED_FIELD,),
        )
    )
    export.notes.append(
        f"status-history log rolled up to one row per case ({case_column!r}) by the {source.name} mapping's "
        "milestone rules; a row number is the file row of the case's first event"
    )
    return rolled


def _describe_spec(spec: FieldSpec, resolved: dict[str, str]) -> str:
    """Where a field comes from, in the file's own words: ``Created at``, ``date + q_start``."""
    if spec.value is not None:
        return f"(constant {spec.value!r})"
    if spec.join:
        return " / ".join(resolved.get(c, c) for c in spec.join)
    if spec.date:
        text = f"{resolved.get(spec.date[0], spec.date[0])} + {resolved.get(spec.time[0], spec.time[0])}"
    else:
        text = resolved.get(spec.columns[0], spec.columns[0])
    if spec.fallback is not None:
        text += ", else " + _describe_spec(spec.fallback, resolved)
    return text


def reads_naive(fmt: str) -> bool:
    """Whether a timestamp layout (or "A | B" list of them) reads wall-clock times without an offset."""
    return any(f and "%#z" not in f and "%z" not in f and "Unix" not in f for f in fmt.split(" | "))


def timed_formats(export: Export) -> dict[str, str]:
    """The layouts of the timestamp fields that have a time of day to read in a zone: not a
    column without a value (its layout is a default), nor dates (no time, no offset to lack)."""
    return {n: f for n, f in export.timestamp_formats.items()
            if n not in export.unfilled and any(t in f for t in ("%H", "%I", "Unix"))}


def _note_zones(export: Export) -> None:
    formats = timed_formats(export)
    naive = [n for n, f in formats.items() if reads_naive(f)]
    aware = [n for n in formats if n not in naive]
    zone = export.timezone or "UTC"
    if aware and naive:
        export.notes.append(
            "timestamps in " + ", ".join(f"`{n}`" for n in aware) + " carry a time zone but "
            + ", ".join(f"`{n}`" for n in naive)
            + f" {'does' if len(naive) == 1 else 'do'} not; the latter {'was' if len(naive) == 1 else 'were'} "
            f"read as {zone} time, so durations between them may be off by the offset"
        )
    elif naive and export.timezone:
        export.notes.append(
            "timestamps without an offset (" + ", ".join(f"`{n}`" for n in naive) + f") were read as {zone} time"
        )
    if export.offsets and not export.timezone:
        export.notes.append(
            "timestamps are written with the UTC offset " + ", ".join(sorted(export.offsets))
            + ": instants are exact, but days, weeks and months (backlog flow, --by week or month, orders' "
            "periods) are cut in UTC; give --timezone (the IANA name of your clock) to cut them where they begin there"
        )


#: A UTC offset ending a timestamp's text after its time of day: +07:00, -0500, +05, Z (the
#: "-06" of a date is not one).
OFFSET = r"\d:\d{2}(?::\d{2}(?:[.,]\d+)?)?\s*([+-]\d{2}(?::?\d{2})?|Z)$"

#: Names of UTC itself: wall-clock time there is UTC, so it is read on the fast path.
_UTC_NAMES = frozenset(
    ("utc", "uct", "gmt", "gmt0", "gmt+0", "gmt-0", "zulu", "universal", "greenwich")
    + tuple(f"etc/{n}" for n in ("utc", "uct", "gmt", "gmt0", "gmt+0", "gmt-0", "zulu", "universal", "greenwich"))
)


def _has_clock_changes(zone: str | None) -> bool:
    """Whether wall-clock time in ``zone`` needs localising (None and UTC do not)."""
    return bool(zone) and zone.casefold() not in _UTC_NAMES


def _fractions_usual(sample: pl.Series, fmt: str) -> bool:
    """Whether most of the sample's cells have the layout's optional fraction of a second (then
    the first pass reads it: most cells would otherwise be read twice; without it, the pass
    takes polars' faster path and the few cells with a fraction are read again)."""
    if "%.f" not in fmt or sample.len() == 0:
        return False
    values = sample.str.strip_chars()
    whole = values.str.to_datetime(fmt.replace("%.f", ""), strict=False, time_unit="us").is_not_null().sum()
    fractions = values.str.to_datetime(fmt, strict=False, time_unit="us").is_not_null().sum() - whole
    return fractions > whole


def _timestamp_parser(fmt: str, zone: str | None = None, fractions: bool = False):
    """Parse cells of one layout into UTC instants. A layout without an offset is wall-clock
    time in ``zone`` (None: UTC): a time the zone skips (clocks going forward) is null, an
    ambiguous one (clocks going back) is its first occurrence; a date without a time is its
    first instant there (see :func:`_local_instants`). The fast pass reads the layout without
    its optional fraction of a second unless ``fractions`` are usual."""
    local = zone if _has_clock_changes(zone) and reads_naive(fmt) else None

    def parse(text: pl.Expr, fast: bool) -> pl.Expr:
        # Without the optional fraction the layout hits polars' fast path.
        layout = fmt.replace("%.f", "") if fast and not fractions else fmt
        if local is None:
            return text.str.to_datetime(layout, strict=False, time_unit="us", time_zone="UTC")
        wall = text.str.to_datetime(layout, strict=False, time_unit="us")
        return _local_instants(wall, local, dates=not _has_time_of_day(fmt))

    return parse


def _has_time_of_day(fmt: str) -> bool:
    """Whether a layout reads a time of day (else it reads dates)."""
    return any(d in fmt for d in ("%H", "%I", "%k", "%l", "%M", "%S", "%T", "%R", "%X", "%c", "%s"))


def _local_instants(wall: pl.Expr, zone: str, dates: bool) -> pl.Expr:
    """Naive wall-clock datetimes of ``zone`` as UTC instants: a time the zone skips is null,
    an ambiguous one its first occurrence. With ``dates`` (local dates, read as midnight) a
    date whose midnight the zone skips (Africa/Cairo on the last Friday of April) starts where
    the skipped span ends: the date exists, only its first hour does not."""
    if dates and _has_clock_changes(zone):
        return local_midnights(wall, zone)
    return wall.dt.replace_time_zone(zone, ambiguous="earliest", non_existent="null").dt.convert_time_zone("UTC")


def _timestamp_text(value: pl.Expr, formats: str, zone: str | None) -> pl.Expr:
    """Instants written in the first of ``formats`` (layouts without an offset, as recorded
    in ``Export.timestamp_formats``) on the wall clock of ``zone``; fractions of a second only
    where there are any."""
    fmt = formats.split(" | ")[0]
    if _has_clock_changes(zone):
        value = value.dt.convert_time_zone(zone)
    whole = fmt.replace("%.f", "")
    if whole == fmt:
        return value.dt.strftime(fmt)
    return pl.when(value.dt.microsecond() == 0).then(value.dt.strftime(whole)).otherwise(value.dt.strftime(fmt))


def _local_time_checks(name: str, column: str, zone: str, skipped: pl.Expr) -> list[Check]:
    """Findings of a timestamp read in a local zone: times the zone skips (left out) and
    times it repeats (read as their first occurrence, and shown so)."""
    return [
        Check(
            key=f"nonexistent:{name}",
            message=f"`{name}` (column {column!r}): local times that do not exist in {zone} (the clock "
            "skipped them when it went forward); they are left out of every metric that uses the field",
            expr=skipped,
            fields=(name,),
        ),
        Check(
            key=f"ambiguous:{name}",
            message=f"`{name}` (column {column!r}): local times that occur twice in {zone} (the clock "
            "went back); each was read as its first occurrence",
            expr=ambiguous_instants(pl.col(name), zone),
            fields=(name,),
            excludes=False,
        ),
    ]


_TRUE_SPELLINGS = [w for word in TRUE_WORDS for w in dict.fromkeys((word, word.capitalize(), word.upper()))]
_FALSE_SPELLINGS = [w for word in FALSE_WORDS for w in dict.fromkeys((word, word.capitalize(), word.upper()))]


def _bool_parser(text: pl.Expr, fast: bool) -> pl.Expr:
    if fast:  # the usual spellings, without lowering every cell (the rest are read again)
        return pl.when(text.is_in(_TRUE_SPELLINGS)).then(True).when(text.is_in(_FALSE_SPELLINGS)).then(False)
    lowered = text.str.to_lowercase()
    return pl.when(lowered.is_in(TRUE_WORDS)).then(True).when(lowered.is_in(FALSE_WORDS)).then(False)


def _number_parser(units: tuple[str, ...], decimal_comma: bool = False):
    """Numbers, and durations in seconds whatever the unit the export wrote them in. With
    ``decimal_comma`` (a ';'-separated export, as Excel writes CSV where the comma is the
    decimal mark), cells the usual reading fails on are read again as ``1,5`` or ``1.234,5``."""
    if not units:
        def read(text: pl.Expr) -> pl.Expr:
            return _finite(text.cast(pl.Float64, strict=False))
    else:
        readers = [_unit_reader(unit) for unit in units]

        def read(text: pl.Expr) -> pl.Expr:
            return pl.coalesce([r(text) for r in readers]) if len(readers) > 1 else readers[0](text)
    if not decimal_comma:
        return lambda text, fast: read(text)
    return lambda text, fast: read(text) if fast else pl.coalesce(read(text), read(_decimal_comma(text)))


_DECIMAL_COMMA = r"^[+-]?(?:\d{1,3}(?:\.\d{3})+|\d+),\d+$"


def _decimal_comma(text: pl.Expr) -> pl.Expr:
    """``1,5`` → ``1.5`` and ``1.234,5`` → ``1234.5``; other text unchanged."""
    comma = text.str.replace_all(".", "", literal=True).str.replace(",", ".", literal=True)
    return pl.when(text.str.contains(_DECIMAL_COMMA)).then(comma).otherwise(text)


def _finite(number: pl.Expr) -> pl.Expr:
    """A number, or null for the words a float cast also reads (nan, inf, infinity): a cell
    saying "nan" is unreadable, not a value that poisons a mean."""
    return pl.when(number.is_finite()).then(number)


def _unit_reader(unit: str):
    if unit in _UNIT_SECONDS:
        return lambda text: _finite(text.cast(pl.Float64, strict=False)) * _UNIT_SECONDS[unit]
    if unit == "hms":
        # H:MM, H:MM:SS or HHH:MM:SS(.f): Freshdesk's "125:03:10", a call log's "0:02:23".
        def hms(text: pl.Expr) -> pl.Expr:
            parts = text.str.extract_groups(r"^\s*(\d+):(\d{1,2})(?::(\d{1,2}(?:\.\d+)?))?\s*$")
            hours = parts.struct.field("1").cast(pl.Float64)
            minutes = parts.struct.field("2").cast(pl.Float64)
            seconds = parts.struct.field("3").cast(pl.Float64).fill_null(0.0)
            return pl.when(minutes < 60).then(hours * 3600 + minutes * 60 + seconds)

        return hms
    if unit == "text":
        # ServiceNow's display form: "1 Day 4 Hours 3 Minutes 20 Seconds".
        def words(text: pl.Expr) -> pl.Expr:
            total = pl.lit(0.0)
            for pattern, seconds in ((r"days?", 86400), (r"hours?", 3600), (r"minutes?", 60), (r"seconds?", 1)):
                amount = text.str.extract(rf"(?i)(\d+(?:\.\d+)?)\s*{pattern}\b", 1).cast(pl.Float64)
                total = total + amount.fill_null(0.0) * seconds
            return pl.when(text.str.contains(r"(?i)^\s*(\d+(\.\d+)?\s*(days?|hours?|minutes?|seconds?)\s*)+$")).then(total)

        return words
    # epoch_offset: a duration stored as a date-time after 1970-01-01 (ServiceNow's raw
    # duration values: 1970-01-02 04:00:00 is 1 day 4 hours).
    def offset(text: pl.Expr) -> pl.Expr:
        moment = pl.coalesce(
            text.str.to_datetime("%Y-%m-%d %H:%M:%S", strict=False, time_unit="us", time_zone="UTC"),
            text.str.to_datetime("%Y-%m-%dT%H:%M:%S%.f", strict=False, time_unit="us", time_zone="UTC"),
        )
        return moment.dt.epoch("us").cast(pl.Float64) / 1_000_000

    return offset


def _describe_units(units: tuple[str, ...]) -> str:
    if not units:
        return "a number"
    names = {
        "seconds": "a number of seconds", "minutes": "a number of minutes", "hours": "a number of hours",
        "days": "a number of days", "hms": "a duration like 1:02:03 (hours:minutes:seconds)",
        "text": "a duration like '1 Day 4 Hours 3 Minutes'",
        "epoch_offset": "a duration written as a date-time after 1970-01-01 (e.g. 1970-01-02 04:00:00)",
    }
    return " or ".join(names[u] for u in units)


def _choose_format(
    name: str, field_name: str, source: str, sample: pl.Series, export: Export, day_first: bool = False,
    file_order: tuple[str, str] | None = None,
) -> str:
    """The one layout that reads the most of this column's sample (ISO layouts win ties). Where
    the sample fits both month/day and day/month, the order the file's other dates settle
    (``file_order``, see :attr:`_FieldParser._day_order`), else month/day with a note."""
    values = sample.str.strip_chars()
    values = values.filter(values.is_not_null() & (values != ""))
    if values.len() == 0:
        return TIMESTAMP_FORMATS[0]
    best, best_count = None, 0
    counts = {}
    order = TIMESTAMP_FORMATS
    if day_first:
        order = tuple(_DAY_MONTH_TWINS.get(f, f) for f in TIMESTAMP_FORMATS)
        order = tuple(dict.fromkeys(order + TIMESTAMP_FORMATS))
    short_year = False
    for fmt in order:
        parsed = values.str.to_datetime(fmt, strict=False, time_unit="us", time_zone="UTC")
        # polars' %Y also reads "24" as the year 24: a 2-digit year is not this layout.
        plausible = parsed.dt.year() >= 1000
        short_year |= bool((~plausible).any())
        counts[fmt] = int(plausible.sum())
        if counts[fmt] > best_count:
            best, best_count = fmt, counts[fmt]
    if best is None and short_year:
        raise InputError(
            f"{name}: column {source} (field `{field_name}`): dates such as {_quote(values[0])} have a 2-digit "
            "year, whose order of day, month and year cannot be told; declare the layout under format: in a "
            'mapping file (--mapping-file, docs/sources.md), e.g. format: "%d/%m/%y %H:%M"'
        )
    if best is None:
        examples = ", ".join(_quote(v) for v in values.head(3).to_list())
        raise InputError(
            f"{name}: column {source} (field `{field_name}`): none of the first {values.len()} values "
            f"reads as a date and time (e.g. {examples}); expected ISO 8601 such as "
            "2024-05-01 13:45:00 or 2024-05-01T13:45:00+07:00, or declare its layout under format: "
            "in a mapping file (--mapping-file, docs/sources.md)"
        )
    twin = _DAY_MONTH_TWINS.get(best)
    if twin and counts.get(twin) == best_count and not day_first and file_order is not None:
        order, evidence = file_order
        export.notes.append(
            f"`{field_name}` (column {source}): dates such as {_quote(values[0])} could be month/day or "
            f"day/month; they were read as {order}/{'month' if order == 'day' else 'day'} like the file's other "
            f"dates ({evidence})"
        )
        return twin if order == "day" else best
    if twin and counts.get(twin) == best_count and not day_first:
        export.notes.append(
            f"`{field_name}` (column {source}): dates such as {_quote(values[0])} could be month/day or "
            "day/month; the first rows fit both, and they were read as month/day "
            "(declare day_first: true in a mapping file if they are day/month)"
        )
    return best


def _other_layouts(values: pl.Series, formats: list[str]) -> tuple[int, str, str] | None:
    """Sample values the chosen layouts miss but another known layout reads: (count, example,
    that layout) - a column mixing date layouts."""
    values = values.str.strip_chars()
    values = values.filter(values.is_not_null() & (values != ""))
    if values.len() == 0:
        return None
    read = pl.Series([False] * values.len())
    for fmt in formats:
        read = read | values.str.to_datetime(fmt, strict=False, time_unit="us", time_zone="UTC").is_not_null()
    missed = values.filter(~read)
    if missed.len() == 0:
        return None
    for fmt in TIMESTAMP_FORMATS:
        hits = missed.str.to_datetime(fmt, strict=False, time_unit="us", time_zone="UTC").is_not_null()
        if hits.any():
            return int(hits.sum()), missed.filter(hits)[0], fmt
    return None


def _quote(cell: str, most: int = 60) -> str:
    """A cell quoted in a message, cut short when long (a 10 MB cell makes no readable error)."""
    return repr(cell if len(cell) <= most else cell[:most] + "…") + (f" ({len(cell):,} characters)" if len(cell) > most else "")


def _describe_format(fmt: str) -> str:
    """A layout as people write one: ``YYYY-MM-DD hh:mm:ss±hh:mm`` (not an example value, which
    a reader could take for a cell of the file)."""
    layout = (
        fmt.replace("%Y", "YYYY").replace("%y", "YY").replace("%m", "MM").replace("%d", "DD").replace("%H", "hh")
        .replace("%I", "hh").replace("%M", "mm").replace("%S", "ss").replace("%.f", "")
        .replace("%#z", "±hh:mm").replace("%z", "±hhmm").replace("%p", "AM/PM")
    )
    return f"layout {layout}"

