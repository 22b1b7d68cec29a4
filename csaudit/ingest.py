"""Read an export into the canonical interactions frame, lazily.

The file is scanned once by the audit's query plan; here we only read its header and a
sample of its first rows (to choose each timestamp column's format), resolve which column
feeds each canonical field, and describe how every value is parsed. Values that do not
parse are not guessed: they become null in the canonical column and are counted, with
their row numbers, as data-quality findings.

Row numbers count data rows from 1 (the first line after the header).
"""

from __future__ import annotations

import codecs
import difflib
import re
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from csaudit.errors import InputError
from csaudit.fields import FALSE_WORDS, FIELDS, TRUE_WORDS, Field, FieldType, raw_column
from csaudit.metrics.base import Check, unreadable

ROW = "_row"
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
    "%m/%d/%Y %H:%M:%S",
    "%m/%d/%Y %H:%M",
    "%d/%m/%Y %H:%M:%S",
    "%d/%m/%Y %H:%M",
    "%d.%m.%Y %H:%M:%S",
    "%d.%m.%Y %H:%M",
    "%Y-%m-%d",
)
_DAY_MONTH_TWINS = {
    "%m/%d/%Y %H:%M:%S": "%d/%m/%Y %H:%M:%S",
    "%m/%d/%Y %H:%M": "%d/%m/%Y %H:%M",
}


def header_key(name: str) -> str:
    """How headers are matched: BOM and surrounding spaces dropped, case folded, and inner
    runs of spaces, hyphens or dots read as one underscore ("First Response At")."""
    return re.sub(r"[\s\-.]+", "_", name.replace("\ufeff", "").strip().casefold())


@dataclass
class Export:
    """An export ready to audit: its lazy canonical frame and what was understood of it."""

    path: Path
    frame: pl.LazyFrame
    columns: dict[str, str]  # canonical field → column in the file
    headers: list[str]
    separator: str
    timestamp_formats: dict[str, str] = field(default_factory=dict)
    checks: list[Check] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def present(self) -> frozenset[str]:
        return frozenset(self.columns)


def open_export(
    path: str | Path,
    mapping: dict[str, tuple[str, str]],
    wanted: set[str],
    fields: dict[str, Field] = FIELDS,
) -> Export:
    """Prepare ``path`` for auditing.

    ``mapping`` is field → (column, where the mapping came from, e.g. "--map"); ``wanted``
    the canonical fields the profile can use; ``fields`` the catalogue they come from (the
    interaction fields unless another kind of table is read). Raises :class:`InputError` for
    anything a user must fix.
    """
    path = Path(path)
    if not path.exists():
        raise InputError(f"{path}: no such file")
    if path.is_dir():
        raise InputError(f"{path}: is a folder; give the export file")
    try:
        with path.open("rb") as handle:
            head = handle.read(65536)
    except OSError as exc:
        raise InputError(f"{path}: cannot read it ({exc.strerror})") from None
    if not head.strip(b"\xef\xbb\xbf \t\r\n"):
        raise InputError(f"{path}: the file is empty; there is nothing to audit")
    try:
        # polars silently replaces invalid bytes in the header line; check the head ourselves
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
    except UnicodeDecodeError:
        raise InputError(_locate_invalid_utf8(path)) from None
    separator = _sniff_separator(head)
    scan = _scan(path, separator)
    try:
        headers = list(scan.collect_schema().names())
        # polars reads a blank line as a row of nulls; such rows are not interactions (a
        # trailing blank line would otherwise count as an unresolved one). Row numbers are
        # assigned first, so they still count the file's records.
        records = scan.with_row_index(ROW, offset=1).filter(
            ~pl.all_horizontal([pl.col(h).is_null() for h in headers])
        )
        sample = records.head(SAMPLE_ROWS).collect()
    except Exception as exc:  # polars raises several exception types for unreadable input
        raise describe_read_error(path, exc) from None
    if sample.height == 0:
        raise InputError(f"{path}: the file has a header but no rows; there is nothing to audit")

    columns = _resolve_columns(path, headers, mapping, wanted, fields)
    export = Export(path=path, frame=scan, columns=columns, headers=headers, separator=separator)
    selections = [pl.col(ROW)]
    aware: list[str] = []
    naive: list[str] = []
    for name, source in columns.items():
        kind, column = fields[name].type, pl.col(source)
        if kind is FieldType.TEXT:
            text = _clean(column)
            key = text if name == "id" else text.str.to_lowercase()
            selections += [key.alias(name), text.alias(raw_column(name))]
            continue
        if kind is FieldType.TIMESTAMP:
            fmt = _choose_format(path, name, source, sample[source], export)
            export.timestamp_formats[name] = fmt
            (aware if "%#z" in fmt else naive).append(name)
            parse = _timestamp_parser(fmt)
            expected = f"a timestamp like the rest of the column ({_describe_format(fmt)})"
        elif kind is FieldType.BOOL:
            parse = _bool_parser
            expected = "true/false, yes/no, y/n or 1/0"
        else:
            parse = _number_parser
            expected = "a number"
        # Parse every cell as read, then strip and parse again only the cells that failed:
        # the common case keeps polars' fast path. The raw column is the export's own text
        # (no copy), so a cell is unreadable where it has text but no parsed value; a cell of
        # only spaces counts as unreadable too, and is shown as such.
        first = parse(column, fast=True)
        retry = pl.when(first.is_null()).then(column).str.strip_chars(_WHITESPACE)
        parsed = pl.coalesce(first, parse(retry, fast=False))
        selections += [parsed.alias(name), column.alias(raw_column(name))]
        export.checks.append(
            Check(
                key=f"unparsable:{name}",
                message=f"`{name}` (column {source!r}): values that are not {expected}; "
                "they are left out of every metric that uses the field",
                expr=unreadable(name),
                fields=(name,),
            )
        )
    if aware and naive:
        export.notes.append(
            "timestamps in " + ", ".join(f"`{n}`" for n in aware) + " carry a time zone but "
            + ", ".join(f"`{n}`" for n in naive)
            + " do not; the latter were read as UTC, so durations between them may be off by the offset"
        )
    # One cached frame: every standard, check and label query reads it, so the file is
    # scanned and parsed once (common-subplan elimination alone leaves several scans).
    export.frame = records.select(selections).cache()
    return export


# Rust's whitespace set, spelled out: strip_chars() with no argument strips the same, but in
# polars 2.1 it stops the expression from being shared between columns.
_WHITESPACE = " \t\n\x0b\x0c\r\x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"


def _clean(text: pl.Expr) -> pl.Expr:
    """Surrounding white space removed; an empty cell is null."""
    text = text.str.strip_chars(_WHITESPACE)
    return pl.when(text != "").then(text)


def _timestamp_parser(fmt: str):
    def parse(text: pl.Expr, fast: bool) -> pl.Expr:
        # Without the optional fraction the layout hits polars' fast path.
        layout = fmt.replace("%.f", "") if fast else fmt
        return text.str.to_datetime(layout, strict=False, time_unit="us", time_zone="UTC")

    return parse


def _bool_parser(text: pl.Expr, fast: bool) -> pl.Expr:
    lowered = text.str.to_lowercase()
    return pl.when(lowered.is_in(TRUE_WORDS)).then(True).when(lowered.is_in(FALSE_WORDS)).then(False)


def _number_parser(text: pl.Expr, fast: bool) -> pl.Expr:
    return text.cast(pl.Float64, strict=False)


def _scan(path: Path, separator: str) -> pl.LazyFrame:
    return pl.scan_csv(
        path,
        separator=separator,
        infer_schema=False,
        has_header=True,
        encoding="utf8",
        raise_if_empty=True,
    )


def _sniff_separator(head: bytes) -> str:
    first_line = head.split(b"\n", 1)[0]
    counts = {sep: first_line.count(sep.encode()) for sep in (",", "\t", ";", "|")}
    best = max(counts, key=lambda s: counts[s])
    return best if counts[best] else ","


def _resolve_columns(
    path: Path,
    headers: list[str],
    mapping: dict[str, tuple[str, str]],
    wanted: set[str],
    fields: dict[str, Field],
) -> dict[str, str]:
    by_key: dict[str, list[str]] = {}
    for header in headers:
        by_key.setdefault(header_key(header), []).append(header)
    columns: dict[str, str] = {}
    for name, (column, origin) in mapping.items():
        if name not in fields:
            hint = difflib.get_close_matches(name, list(fields), n=1)
            raise InputError(
                f"{origin}: {name!r} is not a canonical field"
                + (f"; did you mean {hint[0]!r}?" if hint else ".")
                + " Fields: "
                + ", ".join(fields)
            )
        matches = by_key.get(header_key(column), [])
        if not matches:
            hint = difflib.get_close_matches(column, headers, n=1, cutoff=0.5)
            raise InputError(
                f"{origin}: maps `{name}` to column {column!r}, which {path} does not have"
                + (f"; did you mean {hint[0]!r}?" if hint else ".")
                + " Its columns are: "
                + ", ".join(repr(h) for h in headers)
            )
        if len(matches) > 1:
            raise InputError(f"{path}: columns {matches!r} all match {column!r}; rename one of them")
        columns[name] = matches[0]
    for name in sorted(wanted - set(columns)):
        matches = by_key.get(header_key(name), [])
        if len(matches) > 1:
            raise InputError(
                f"{path}: columns {matches!r} all match field `{name}`; choose one with --map {name}=COLUMN"
            )
        if matches:
            columns[name] = matches[0]
    return columns


def _choose_format(path: Path, name: str, source: str, sample: pl.Series, export: Export) -> str:
    """The one layout that reads the most of this column's sample (ISO layouts win ties)."""
    values = sample.str.strip_chars()
    values = values.filter(values.is_not_null() & (values != ""))
    if values.len() == 0:
        return TIMESTAMP_FORMATS[0]
    best, best_count = None, 0
    counts = {}
    for fmt in TIMESTAMP_FORMATS:
        parsed = values.str.to_datetime(fmt, strict=False, time_unit="us", time_zone="UTC")
        counts[fmt] = values.len() - parsed.null_count()
        if counts[fmt] > best_count:
            best, best_count = fmt, counts[fmt]
    if best is None:
        examples = ", ".join(repr(v) for v in values.head(3).to_list())
        raise InputError(
            f"{path}: column {source!r} (field `{name}`): none of the first {values.len()} values "
            f"reads as a date and time (e.g. {examples}); expected ISO 8601 such as "
            "2024-05-01 13:45:00 or 2024-05-01T13:45:00+07:00"
        )
    twin = _DAY_MONTH_TWINS.get(best)
    if twin and counts.get(twin) == best_count:
        export.notes.append(
            f"`{name}` (column {source!r}): dates such as {values[0]!r} could be month/day or "
            "day/month; the first rows fit both, and they were read as month/day"
        )
    return best


def _describe_format(fmt: str) -> str:
    example = (
        fmt.replace("%Y", "2024").replace("%m", "05").replace("%d", "31").replace("%H", "13")
        .replace("%I", "01").replace("%M", "45").replace("%S", "00").replace("%.f", "")
        .replace("%#z", "+07:00").replace("%p", "PM")
    )
    return f"e.g. {example}"


def describe_read_error(path: Path, exc: Exception) -> InputError:
    """Turn a polars read failure into a message about the file."""
    text = str(exc)
    if "utf-8" in text.lower() or "utf8" in text.lower():
        return InputError(_locate_invalid_utf8(path))
    if isinstance(exc, pl.exceptions.NoDataError):
        return InputError(f"{path}: the file is empty; there is nothing to audit")
    first = text.strip().splitlines()[0] if text.strip() else type(exc).__name__
    return InputError(f"{path}: cannot be read as CSV: {first}")


def _locate_invalid_utf8(path: Path) -> str:
    """Where the first byte that is not UTF-8 sits (line and byte offset)."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    offset, line = 0, 1
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError as exc:
                position = offset + exc.start
                line += chunk[: exc.start].count(b"\n")
                bad = chunk[exc.start : exc.start + 4].hex(" ")
                return (
                    f"{path}: line {line} (byte {position}) is not UTF-8 (bytes {bad}); "
                    "save the export as UTF-8 and run again"
                )
            line += chunk.count(b"\n")
            offset += len(chunk)
    return f"{path}: the file is not valid UTF-8; save the export as UTF-8 and run again"
