"""Read export files as they come: one table of text columns, whatever the file format.

Every reader returns the export's cells as text (polars ``String`` columns), exactly as the
tool wrote them, so that parsing (timestamps, numbers, durations, placeholders, value maps)
happens in one place (:mod:`csaudit.ingest`) whatever the format. Supported:

* CSV and TSV (separator sniffed from the header line), UTF-8 with or without a BOM - read
  by polars directly from the file (the fast path: nothing is copied);
* UTF-16 with a BOM (Excel "Unicode text"), UTF-16 without a BOM (recognised by its zero
  bytes), and legacy single-byte text (Windows-1252, else Latin-1) - transcoded to a UTF-8
  temporary file in 1 MiB chunks, then scanned like any CSV;
* gzip and zstd compression and single-file zip archives - decompressed to a temporary file
  in chunks, then recognised again (``export.csv.gz``, ``tickets.json.zst`` …);
* Excel workbooks (.xlsx, .xls, .ods, read with fastexcel; a workbook of several sheets needs
  ``sheet=``) - read whole, as Excel files are bounded (about a million rows);
* JSON - an array of records, or an object holding one (Zendesk's ``{"tickets": [...]}``,
  Help Scout's ``{"_embedded": {"conversations": [...]}}``) - and NDJSON: streamed record by
  record into a temporary NDJSON file of text values, nested objects flattened into dotted
  names (``via.channel``, ``satisfaction_rating.score``);
* Parquet, scanned lazily (typed columns become text: timestamps in ISO 8601);
* standard input (``-``), copied to a temporary file in chunks;
* several files, or a glob, read as one table (monthly exports).

Memory never grows with the file: conversions stream through fixed-size buffers and polars
scans the result lazily. Temporary files live in one folder per table, removed when the table
is closed or garbage-collected.

Row numbers (:data:`ROW`) count records from 1, across all the files of a table in the order
given; :meth:`Table.locate` turns one back into a file and its own row number.
"""

from __future__ import annotations

import codecs
import glob
import gzip
import json
import shutil
import sys
import tempfile
import weakref
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Iterator, Sequence

import polars as pl

from csaudit.errors import InputError

ROW = "_row"
CHUNK = 1 << 20
HEAD = 65536
STDIN = "-"

#: Keys under which JSON exports put their list of records, looked for first.
RECORD_KEYS = ("tickets", "conversations", "incidents", "records", "result", "results", "data", "items", "calls")
EXCEL_EPOCH_PREFIXES = ("1899-12-31 ", "1899-12-30 ")


@dataclass
class Part:
    """One input file and how it was read."""

    name: str  # as the user gave it ("<stdin>" for standard input)
    format: str = "csv"  # csv, json, ndjson, excel, parquet
    encoding: str | None = "utf-8"  # of text formats
    compression: str | None = None  # gzip, zstd, zip
    separator: str | None = None  # of CSV
    sheet: str | None = None  # of Excel
    path: Path | None = None  # the file scanned (a temporary file after a conversion)
    rows: int | None = None  # records, known when several files are read as one
    first_row: int = 1  # table row number of this file's first record
    asked_encoding: str | None = None  # given with --encoding

    def describe(self) -> str:
        """``CSV (tab-separated), UTF-16 (BOM), gzip``."""
        bits = [self.format.upper() if self.format != "excel" else "Excel"]
        if self.format == "csv" and self.separator and self.separator != ",":
            bits[0] += " (" + {"\t": "tab", ";": "semicolon", "|": "pipe"}.get(self.separator, repr(self.separator)) + "-separated)"
        if self.sheet:
            bits[0] += f", sheet {self.sheet!r}"
        if self.encoding and self.format in ("csv", "json", "ndjson"):
            bits.append(self.encoding)
        if self.compression:
            bits.append(self.compression + "-compressed")
        return ", ".join(bits)


@dataclass
class Table:
    """An export's records as text: a lazy frame of ``String`` columns and :data:`ROW`."""

    records: pl.LazyFrame
    headers: list[str]
    parts: list[Part]
    notes: list[str] = field(default_factory=list)
    _cleanup: weakref.finalize | None = field(default=None, repr=False)

    @property
    def name(self) -> str:
        """The input as the user named it: one file, or the files joined."""
        if len(self.parts) == 1:
            return self.parts[0].name
        return ", ".join(p.name for p in self.parts)

    @property
    def encoding(self) -> str:
        encodings = sorted({p.encoding for p in self.parts if p.encoding})
        return ", ".join(encodings) or "n/a (binary format)"

    def locate(self, row: int) -> tuple[Part, int]:
        """The file holding table row ``row`` and the row's number within that file."""
        part = self.parts[0]
        for candidate in self.parts:
            if candidate.first_row <= row:
                part = candidate
        return part, row - part.first_row + 1

    def describe_rows(self, rows: Sequence[int]) -> str:
        """For a table of several files: where the given rows are (`` — rows 32, 33 are
        feb.csv rows 1, 2``); empty for a single file."""
        if len(self.parts) < 2 or not rows:
            return ""
        by_file: dict[str, list[str]] = {}
        for row in rows:
            part, own = self.locate(row)
            by_file.setdefault(part.name, []).append(f"{row}→{own}")
        return " (rows across files: " + "; ".join(f"{name} {', '.join(r)}" for name, r in by_file.items()) + ")"

    def close(self) -> None:
        """Remove the temporary files (also done when the table is garbage-collected)."""
        if self._cleanup is not None:
            self._cleanup()


def expand_inputs(inputs: str | Path | Sequence[str | Path]) -> list[str]:
    """The files named by ``inputs``: paths, globs (``exports/2024-*.csv``) or ``-``."""
    if isinstance(inputs, (str, Path)):
        inputs = [inputs]
    names: list[str] = []
    for given in inputs:
        text = str(given)
        if text == STDIN or Path(text).exists() or not any(c in text for c in "*?["):
            names.append(text)
            continue
        matches = sorted(glob.glob(text, recursive=True))
        if not matches:
            raise InputError(f"{text}: no file matches this pattern")
        names.extend(matches)
    if not names:
        raise InputError("no export file given")
    if names.count(STDIN) > 1:
        raise InputError("standard input (-) can be read only once")
    return names


def read_table(
    inputs: str | Path | Sequence[str | Path],
    *,
    sheet: str | None = None,
    encoding: str | None = None,
) -> Table:
    """Read one or several exports as one table of text columns.

    ``sheet`` picks an Excel sheet; ``encoding`` overrides the detected text encoding (any
    name Python knows, e.g. ``cp1258`` or ``gbk``). Raises :class:`InputError` for anything a
    user must fix.
    """
    if encoding is not None:
        try:
            encoding = codecs.lookup(encoding).name
        except LookupError:
            raise InputError(f"--encoding {encoding!r}: not an encoding Python knows (e.g. utf-8, utf-16, cp1252, latin-1)") from None
    names = expand_inputs(inputs)
    workdir = Path(tempfile.mkdtemp(prefix="csaudit-"))
    try:
        frames, parts, headers = [], [], []
        for index, name in enumerate(names):
            part = Part(name="<stdin>" if name == STDIN else name)
            frame = _read_one(name, part, workdir / f"part{index}", sheet=sheet, encoding=encoding)
            part_headers = list(frame.collect_schema().names())
            frames.append(frame)
            parts.append(part)
            headers.append(part_headers)
        table = _combine(frames, parts, headers)
    except BaseException:
        shutil.rmtree(workdir, ignore_errors=True)
        raise
    # The temporary files go with the table (closed, collected, or at exit at the latest).
    table._cleanup = weakref.finalize(table, shutil.rmtree, str(workdir), True)
    return table


def _combine(frames: list[pl.LazyFrame], parts: list[Part], headers: list[list[str]]) -> Table:
    notes: list[str] = []
    if len(frames) == 1:
        combined, all_headers = frames[0], headers[0]
    else:
        all_headers = list(dict.fromkeys(h for hs in headers for h in hs))
        first_row = 1
        for part, frame in zip(parts, frames):
            try:
                part.rows = frame.select(pl.len()).collect().item()
            except Exception as exc:  # polars raises several types for unreadable input
                raise describe_read_error(part, exc) from None
            part.first_row = first_row
            first_row += part.rows
        differing = [
            f"{p.name} lacks " + ", ".join(repr(h) for h in all_headers if h not in hs)
            for p, hs in zip(parts, headers)
            if set(hs) != set(all_headers)
        ]
        combined = pl.concat(frames, how="diagonal")
        notes.append(
            f"{len(parts)} files read as one table; rows are numbered across them: "
            + ", ".join(f"{p.name} rows {p.first_row}–{p.first_row + p.rows - 1}" for p in parts if p.rows)
        )
        if differing:
            notes.append("the files do not have the same columns (missing cells are empty): " + "; ".join(differing))
    for part in parts:
        if part.encoding and part.encoding not in ("utf-8", "utf-8-sig") and part.format in ("csv", "json", "ndjson"):
            why = "as given with --encoding" if part.asked_encoding else "detected"
            notes.append(f"{part.name}: read as {part.encoding} ({why}); the text was converted to UTF-8")
    # polars reads a blank line as a row of nulls; such rows are not records (a trailing blank
    # line would otherwise count as an interaction). Row numbers are assigned first, so they
    # still count the file's records.
    records = combined.with_row_index(ROW, offset=1).filter(
        ~pl.all_horizontal([pl.col(h).is_null() for h in all_headers])
    )
    return Table(records=records, headers=all_headers, parts=parts, notes=notes)


# -- one input --------------------------------------------------------------------------------


def _read_one(name: str, part: Part, work: Path, *, sheet: str | None, encoding: str | None) -> pl.LazyFrame:
    work.mkdir()
    if name == STDIN:
        path = work / "stdin"
        with path.open("wb") as out:
            shutil.copyfileobj(sys.stdin.buffer, out, CHUNK)
    else:
        path = Path(name)
        if not path.exists():
            raise InputError(f"{name}: no such file")
        if path.is_dir():
            raise InputError(f"{name}: is a folder; give the export file")
    path = _decompress(path, part, work)
    head = _head(path, part)
    if head.startswith(b"PAR1"):
        part.format, part.encoding = "parquet", None
        return _read_parquet(path, part)
    if head.startswith(b"PK\x03\x04") or head.startswith(b"\xd0\xcf\x11\xe0"):
        part.format, part.encoding = "excel", None
        return _read_excel(path, part, sheet)
    part.asked_encoding = encoding
    text_path = _as_utf8(path, head, part, work, encoding)
    head = _head(text_path, part) if text_path != path else head
    start = head.lstrip(b"\xef\xbb\xbf \t\r\n")[:1]
    if not start:
        raise InputError(f"{part.name}: the file is empty; there is nothing to audit")
    if start in (b"[", b"{"):
        return _read_json(text_path, part, work)
    part.format = "csv"
    part.separator = _sniff_separator(head)
    part.path = text_path
    return scan_text(text_path, part.separator)


def scan_text(path: Path, separator: str) -> pl.LazyFrame:
    """A UTF-8 CSV file as text columns (the fast path: polars reads the file itself)."""
    return pl.scan_csv(
        path,
        separator=separator,
        infer_schema=False,
        has_header=True,
        encoding="utf8",
        raise_if_empty=True,
    )


def _head(path: Path, part: Part) -> bytes:
    try:
        with path.open("rb") as handle:
            return handle.read(HEAD)
    except OSError as exc:
        raise InputError(f"{part.name}: cannot read it ({exc.strerror})") from None


def _decompress(path: Path, part: Part, work: Path) -> Path:
    """gzip, zstd and single-member zip archives, to a temporary file (nested ones too)."""
    for depth in range(3):
        head = _head(path, part)
        target = work / f"decompressed{depth}"
        if head.startswith(b"\x1f\x8b"):
            part.compression = "gzip"
            _copy_stream(lambda: gzip.open(path, "rb"), target, part)
        elif head.startswith(b"\x28\xb5\x2f\xfd"):
            part.compression = "zstd"
            _copy_stream(lambda: _zstd_reader(path), target, part)
        elif head.startswith(b"PK\x03\x04") and not _is_workbook(path):
            member = _zip_member(path, part)
            part.compression = "zip"
            _copy_stream(lambda: zipfile.ZipFile(path).open(member), target, part)
        else:
            return path
        path = target
    return path


def _copy_stream(opener, target: Path, part: Part) -> None:
    try:
        with opener() as source, target.open("wb") as out:
            shutil.copyfileobj(source, out, CHUNK)
    except (OSError, EOFError, zipfile.BadZipFile, ValueError) as exc:
        raise InputError(f"{part.name}: the compressed data is damaged or cut short ({exc})") from None


def _zstd_reader(path: Path) -> IO[bytes]:
    import zstandard

    handle = path.open("rb")
    reader = zstandard.ZstdDecompressor().stream_reader(handle, closefd=True)
    return reader


def _is_workbook(path: Path) -> bool:
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
    except zipfile.BadZipFile:
        return False
    return "xl/workbook.xml" in names or "content.xml" in names and "mimetype" in names


def _zip_member(path: Path, part: Part) -> str:
    try:
        with zipfile.ZipFile(path) as archive:
            members = [
                info.filename
                for info in archive.infolist()
                if not info.is_dir()
                and not info.filename.startswith("__MACOSX/")
                and not Path(info.filename).name.startswith(".")
            ]
    except zipfile.BadZipFile as exc:
        raise InputError(f"{part.name}: not a readable zip archive ({exc})") from None
    if len(members) != 1:
        listed = ", ".join(repr(m) for m in members) or "none"
        raise InputError(
            f"{part.name}: a zip archive needs exactly one data file to be read; it holds {listed}. "
            "Extract the one to audit and give it instead"
        )
    return members[0]


# -- text: encodings, separators --------------------------------------------------------------


def _detect_encoding(head: bytes) -> str:
    """UTF-8 (with or without BOM), UTF-16 by BOM or zero bytes, else cp1252 or Latin-1."""
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    sample = head[:4096]
    if len(sample) >= 4:
        even, odd = sample[0::2], sample[1::2]
        if odd.count(0) > 0.3 * len(odd) and even.count(0) < 0.05 * len(even):
            return "utf-16-le"
        if even.count(0) > 0.3 * len(even) and odd.count(0) < 0.05 * len(odd):
            return "utf-16-be"
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
        return "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        head.decode("cp1252")
        return "cp1252"
    except UnicodeDecodeError:
        return "latin-1"


def _as_utf8(path: Path, head: bytes, part: Part, work: Path, asked: str | None) -> Path:
    """``path`` itself when it is UTF-8, else a UTF-8 copy written in chunks."""
    encoding = asked or _detect_encoding(head)
    part.encoding = "utf-8" if encoding == "utf-8-sig" else encoding
    if encoding in ("utf-8", "utf-8-sig"):
        return path
    target = work / "utf8"
    decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
    offset = 0
    try:
        with path.open("rb") as source, target.open("w", encoding="utf-8", newline="") as out:
            while chunk := source.read(CHUNK):
                out.write(decoder.decode(chunk))
                offset += len(chunk)
            out.write(decoder.decode(b"", final=True))
    except UnicodeDecodeError as exc:
        raise InputError(
            f"{part.name}: byte {offset + exc.start} cannot be read as {encoding} ({exc.reason}); "
            "give the file's encoding with --encoding, or save it as UTF-8"
        ) from None
    return target


def _sniff_separator(head: bytes) -> str:
    first_line = head.lstrip(codecs.BOM_UTF8).split(b"\n", 1)[0]
    counts = {sep: first_line.count(sep.encode()) for sep in (",", "\t", ";", "|")}
    best = max(counts, key=lambda s: counts[s])
    return best if counts[best] else ","


# -- JSON and NDJSON --------------------------------------------------------------------------


def _read_json(path: Path, part: Part, work: Path) -> pl.LazyFrame:
    """Records streamed into a temporary NDJSON file whose values are all text."""
    target = work / "records.ndjson"
    keys: dict[str, None] = {}
    count = 0
    with path.open("r", encoding="utf-8-sig") as source, target.open("w", encoding="utf-8") as out:
        part.format = "ndjson" if _looks_like_ndjson(source) else "json"
        source.seek(0)
        records = _ndjson_records(source, part) if part.format == "ndjson" else _json_records(source, part)
        for record in records:
            if not isinstance(record, dict):
                raise InputError(
                    f"{part.name}: record {count + 1} is {type(record).__name__}, not an object; "
                    "expected one JSON object per interaction"
                )
            flat: dict[str, str | None] = {}
            _flatten(record, "", flat)
            keys.update(dict.fromkeys(flat))
            out.write(json.dumps(flat, ensure_ascii=False))
            out.write("\n")
            count += 1
    if count == 0:
        raise InputError(f"{part.name}: the JSON holds no records; there is nothing to audit")
    part.path = target
    return pl.scan_ndjson(target, schema={key: pl.String for key in keys})


def _looks_like_ndjson(source: IO[str]) -> bool:
    first = source.readline()
    second = source.readline()
    while second and not second.strip():
        second = source.readline()
    if not second.strip():
        return False
    try:
        json.loads(first)
    except json.JSONDecodeError:
        return False
    return second.lstrip().startswith("{")


def _ndjson_records(source: IO[str], part: Part) -> Iterator[object]:
    for number, line in enumerate(source, start=1):
        if not line.strip():
            continue
        try:
            yield json.loads(line)
        except json.JSONDecodeError as exc:
            raise InputError(f"{part.name}: line {number} is not valid JSON ({exc.msg}, column {exc.colno})") from None


class _Buffer:
    """A window over a text stream for decoding one JSON value at a time."""

    def __init__(self, source: IO[str], part: Part):
        self.source, self.part = source, part
        self.text, self.pos, self.eof, self.consumed = "", 0, False, 0
        self.decoder = json.JSONDecoder()

    def more(self) -> bool:
        if self.eof:
            return False
        chunk = self.source.read(CHUNK)
        if not chunk:
            self.eof = True
            return False
        if self.pos > CHUNK:
            self.consumed += self.pos
            self.text, self.pos = self.text[self.pos :], 0
        self.text += chunk
        return True

    def peek(self) -> str:
        """The next character that is not white space ('' at the end)."""
        while True:
            while self.pos < len(self.text) and self.text[self.pos] in " \t\r\n":
                self.pos += 1
            if self.pos < len(self.text):
                return self.text[self.pos]
            if not self.more():
                return ""

    def expect(self, chars: str) -> str:
        char = self.peek()
        if not char or char not in chars:
            self.fail(f"expected {' or '.join(repr(c) for c in chars)}")
        self.pos += 1
        return char

    def value(self) -> object:
        self.peek()
        while True:
            try:
                value, end = self.decoder.raw_decode(self.text, self.pos)
            except json.JSONDecodeError:
                if self.more():
                    continue
                self.fail("not valid JSON")
            # A number at the end of the buffer may continue in the next chunk.
            if end >= len(self.text) and not self.eof and self.more():
                continue
            self.pos = end
            return value

    def fail(self, what: str):
        offset = self.consumed + self.pos
        raise InputError(f"{self.part.name}: character {offset}: {what}; expected a JSON array of records or an object holding one")


def _json_records(source: IO[str], part: Part) -> Iterator[object]:
    buffer = _Buffer(source, part)
    start = buffer.peek()
    if start == "[":
        yield from _array(buffer)
        return
    found = yield from _object_records(buffer)
    if found is None:
        raise InputError(
            f"{part.name}: the JSON object holds no list of records (looked for "
            + ", ".join(RECORD_KEYS)
            + " or any list of objects)"
        )


def _array(buffer: _Buffer) -> Iterator[object]:
    buffer.expect("[")
    if buffer.peek() == "]":
        buffer.pos += 1
        return
    while True:
        yield buffer.value()
        if buffer.expect(",]") == "]":
            return


def _object_records(buffer: _Buffer):
    """Walk an object's members; stream the first array of objects found (at any depth of
    nested objects such as ``_embedded``). Returns True when one was found, else None."""
    buffer.expect("{")
    found = None
    if buffer.peek() == "}":
        buffer.pos += 1
        return None
    while True:
        key = buffer.value()
        if not isinstance(key, str):
            buffer.fail("expected a member name")
        buffer.expect(":")
        start = buffer.peek()
        if found is None and start == "[" and (key in RECORD_KEYS or _array_of_objects_ahead(buffer)):
            yield from _array(buffer)
            found = True
        elif found is None and start == "{":
            found = yield from _object_records(buffer)
        else:
            buffer.value()
        if buffer.expect(",}") == "}":
            return found


def _array_of_objects_ahead(buffer: _Buffer) -> bool:
    position = buffer.pos
    buffer.pos += 1
    ahead = buffer.peek()
    buffer.pos = position
    return ahead == "{"


def _flatten(value: dict, prefix: str, out: dict[str, str | None]) -> None:
    for key, item in value.items():
        name = f"{prefix}{key}"
        if isinstance(item, dict):
            _flatten(item, name + ".", out)
        elif isinstance(item, list):
            out[name] = json.dumps(item, ensure_ascii=False) if item else None
        elif isinstance(item, bool):
            out[name] = "true" if item else "false"
        elif item is None:
            out[name] = None
        else:
            out[name] = str(item)


# -- Parquet and Excel ------------------------------------------------------------------------


def _read_parquet(path: Path, part: Part) -> pl.LazyFrame:
    part.path = path
    frame = pl.scan_parquet(path)
    try:
        schema = frame.collect_schema()
    except Exception as exc:  # polars raises several types for unreadable input
        raise InputError(f"{part.name}: cannot be read as Parquet: {_first_line(exc)}") from None
    return frame.select([expr for name, dtype in schema.items() for expr in _as_text(pl.col(name), name, dtype)])


def _as_text(column: pl.Expr, name: str, dtype: pl.DataType) -> list[pl.Expr]:
    """Typed columns as the text a CSV export of them would hold (structs flattened)."""
    if isinstance(dtype, pl.Struct):
        return [
            expr
            for item in dtype.fields
            for expr in _as_text(column.struct.field(item.name), f"{name}.{item.name}", item.dtype)
        ]
    if isinstance(dtype, pl.Datetime):
        layout = "%Y-%m-%dT%H:%M:%S%.f" + ("%:z" if dtype.time_zone else "")
        text = column.dt.to_string(layout)
    elif isinstance(dtype, pl.Date):
        text = column.dt.to_string("%Y-%m-%d")
    elif isinstance(dtype, pl.Time):
        text = column.dt.to_string("%H:%M:%S")
    elif isinstance(dtype, pl.Duration):
        text = (column.dt.total_microseconds() / 1_000_000).cast(pl.String)
    elif isinstance(dtype, pl.Boolean):
        text = pl.when(column).then(pl.lit("true")).when(~column).then(pl.lit("false"))
    elif isinstance(dtype, (pl.List, pl.Array)):
        text = column.cast(pl.List(pl.String)).list.join(", ")
    else:
        text = column.cast(pl.String)
    return [text.alias(name)]


def _read_excel(path: Path, part: Part, sheet: str | None) -> pl.LazyFrame:
    import fastexcel

    part.path = path
    try:
        sheets = fastexcel.read_excel(str(path)).sheet_names
    except Exception as exc:  # fastexcel raises its own error types
        raise InputError(f"{part.name}: cannot be read as an Excel workbook: {_first_line(exc)}") from None
    if sheet is None:
        if len(sheets) != 1:
            raise InputError(
                f"{part.name}: the workbook has {len(sheets)} sheets ("
                + ", ".join(repr(s) for s in sheets)
                + "); choose one with --sheet NAME"
            )
        sheet = sheets[0]
    elif sheet not in sheets:
        raise InputError(
            f"{part.name}: --sheet {sheet!r}: no such sheet; the workbook has " + ", ".join(repr(s) for s in sheets)
        )
    part.sheet = sheet
    try:
        frame = pl.read_excel(path, sheet_name=sheet, engine="calamine", infer_schema_length=0)
    except Exception as exc:  # fastexcel/polars raise several types
        raise InputError(f"{part.name}: sheet {sheet!r} cannot be read: {_first_line(exc)}") from None
    if frame.height == 0:
        raise InputError(f"{part.name}: sheet {sheet!r} has a header but no rows; there is nothing to audit")
    # Excel keeps times of day and durations as fractions of a day, which read as a
    # date-time on Excel's day zero; keep the clock part (09:12:58), as a CSV export would.
    prefix = "^(" + "|".join(EXCEL_EPOCH_PREFIXES) + ")"
    return frame.lazy().with_columns(pl.all().str.replace(prefix, ""))


# -- errors -----------------------------------------------------------------------------------


def _first_line(exc: Exception) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def describe_read_error(part: Part, exc: Exception) -> InputError:
    """Turn a polars read failure into a message about the user's file."""
    text = str(exc)
    if ("utf-8" in text.lower() or "utf8" in text.lower()) and part.path is not None:
        return InputError(locate_invalid_utf8(part.path, part.name))
    if isinstance(exc, pl.exceptions.NoDataError):
        return InputError(f"{part.name}: the file is empty; there is nothing to audit")
    kind = {"csv": "CSV", "json": "JSON", "ndjson": "NDJSON"}.get(part.format, part.format)
    return InputError(f"{part.name}: cannot be read as {kind}: {_first_line(exc)}")


def locate_invalid_utf8(path: Path, name: str) -> str:
    """Where the first byte that is not UTF-8 sits (line and byte offset)."""
    return find_invalid_utf8(path, name) or (
        f"{name}: the file is not valid UTF-8; give its encoding with --encoding, or save it as UTF-8"
    )


def find_invalid_utf8(path: Path, name: str) -> str | None:
    """A message locating the first byte of ``path`` that is not UTF-8, or None."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    offset, line = 0, 1
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError as exc:
                position = offset + exc.start
                line += chunk[: exc.start].count(b"\n")
                bad = chunk[exc.start : exc.start + 4].hex(" ")
                return (
                    f"{name}: line {line} (byte {position}) is not UTF-8 (bytes {bad}) although the start of "
                    "the file is; give its encoding with --encoding (e.g. --encoding cp1252), or save it as UTF-8"
                )
            line += chunk.count(b"\n")
            offset += len(chunk)
    return None


__all__ = ["ROW", "Part", "Table", "read_table", "expand_inputs", "describe_read_error", "scan_text", "find_invalid_utf8"]
