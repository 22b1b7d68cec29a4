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
* several files, or a glob, read as one table (monthly exports);
* a folder of Parquet files, or a glob of them, Hive-partitioned (``year=2026/month=01/``) or
  not, scanned natively by polars as one dataset: the partitions are columns (text, as the
  folder names write them), and only the columns the audit uses are read;
* a URL polars reads natively (``s3://``, ``gs://``, ``az://``, ``https://`` …) to a Parquet
  file, folder or glob, or to a CSV/TSV file, handed to polars as given.

Memory never grows with the file: conversions stream through fixed-size buffers and polars
scans the result lazily. Temporary files live in one folder per table, removed when the table
is closed or garbage-collected.

Row numbers (:data:`ROW`) count records from 1, across all the files of a table in the order
given (a dataset's files in path order); :meth:`Table.locate` turns one back into a file and
its own row number (not for a remote dataset, whose files csaudit does not list).
"""

from __future__ import annotations

import codecs
import errno
import glob
import gzip
import json
import os
import re
import shutil
import sys
import tempfile
import urllib.parse
import weakref
import zipfile
import zlib
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import IO, Iterator, Sequence

import polars as pl

from csaudit.errors import InputError

ROW = "_row"
CHUNK = 1 << 20
HEAD = 65536
STDIN = "-"
PARQUET_MAGIC = b"PAR1"
#: URL schemes polars reads natively (object stores, HTTP, Hugging Face).
URL_SCHEMES = ("s3", "s3a", "gs", "gcs", "gcp", "az", "azure", "abfs", "abfss", "adl", "http", "https", "hf")
_URL = re.compile(r"(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*):/+(?P<rest>.*)", re.DOTALL)
#: What a URL is read as, by the end of its path.
URL_PARQUET_SUFFIXES = (".parquet", ".pq", ".parq")
URL_TEXT_SUFFIXES = {".csv": ",", ".tsv": "\t", ".tab": "\t"}

#: Keys under which JSON exports put their list of records, looked for first.
RECORD_KEYS = ("tickets", "conversations", "incidents", "records", "result", "results", "data", "items", "calls")
EXCEL_EPOCH_PREFIXES = ("1899-12-31 ", "1899-12-30 ")

#: Decompression limits (zip, gzip and zstd "bombs"). A real export compresses 5-20 times, a very
#: repetitive one perhaps 100 times; a 10M-row export is a few GB. Output beyond RATIO_FLOOR
#: that is more than MAX_RATIO times the compressed file is a bomb, and no export decompresses
#: beyond MAX_DECOMPRESSED. Setting LIMIT_VARIABLE (a size such as ``200GB``, or ``none``)
#: replaces both with that one limit, for a genuinely huge file.
MAX_RATIO = 1000
RATIO_FLOOR = 1 << 30
MAX_DECOMPRESSED = 64 << 30
LIMIT_VARIABLE = "CSAUDIT_MAX_DECOMPRESSED"


@dataclass
class Part:
    """One input file and how it was read."""

    name: str  # as the user gave it ("<stdin>" for standard input)
    format: str = "csv"  # csv, json, ndjson, excel, parquet
    encoding: str | None = "utf-8"  # of text formats
    bom: bool = False  # UTF-8 text that begins with a byte-order mark (Excel's "CSV UTF-8")
    compression: str | None = None  # gzip, zstd, zip
    separator: str | None = None  # of CSV
    sheet: str | None = None  # of Excel
    path: Path | None = None  # the file scanned (a temporary file after a conversion)
    rows: int | None = None  # records, known when several files are read as one
    first_row: int = 1  # table row number of this file's first record
    asked_encoding: str | None = None  # given with --encoding
    title_rows: int = 0  # lines (CSV) or sheet rows (Excel) above the header: a title, left out
    dataset: bool = False  # several Parquet files scanned by polars as one
    files: list[tuple[str, int]] = field(default_factory=list)  # a local dataset's files and their rows
    partitions: list[str] = field(default_factory=list)  # a dataset's Hive partition columns
    lacking: dict[str, list[str]] = field(default_factory=dict)  # a dataset's files → columns others have
    error_cells: tuple[int, list[str]] = (0, [])  # Excel error cells (#N/A …): how many, the first few

    def describe(self) -> str:
        """``CSV (tab-separated), UTF-16 (BOM), gzip``; ``PARQUET dataset of 12 files, partitioned by year, month``."""
        bits = [self.format.upper() if self.format != "excel" else "Excel"]
        if self.files:
            bits[0] += f" dataset of {len(self.files):,} file{'s' if len(self.files) != 1 else ''}"
        elif self.dataset:
            bits[0] += " dataset"
        if self.partitions:
            bits[0] += ", partitioned by " + ", ".join(self.partitions)
        if self.format == "csv" and self.separator and self.separator != ",":
            bits[0] += " (" + {"\t": "tab", ";": "semicolon", "|": "pipe"}.get(self.separator, repr(self.separator)) + "-separated)"
        if self.sheet:
            bits[0] += f", sheet {self.sheet!r}"
        if self.encoding and self.format in ("csv", "json", "ndjson"):
            bits.append(self.encoding + (" with BOM" if self.bom else ""))
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

    def files(self) -> list[tuple[str, int]]:
        """Every file of the table and the table row of its first record, in table order (a
        local dataset's files one by one; a remote one as one)."""
        found: list[tuple[str, int]] = []
        for part in self.parts:
            first = part.first_row
            for name, rows in part.files or [(part.name, 0)]:
                found.append((name, first))
                first += rows
        return found

    def locate(self, row: int) -> tuple[str, int]:
        """The file holding table row ``row`` and the row's number within that file."""
        name, first = self.parts[0].name, 1
        for candidate, start in self.files():
            if start <= row:
                name, first = candidate, start
        return name, row - first + 1

    def describe_rows(self, rows: Sequence[int]) -> str:
        """For a table of several files: where the given rows are (`` (rows across files:
        feb.csv 32→1, 33→2)``); empty for a single file."""
        if len(self.files()) < 2 or not rows:
            return ""
        by_file: dict[str, list[str]] = {}
        for row in rows:
            name, own = self.locate(row)
            by_file.setdefault(name, []).append(f"{row}→{own}")
        return " (rows across files: " + "; ".join(f"{name} {', '.join(r)}" for name, r in by_file.items()) + ")"

    def close(self) -> None:
        """Remove the temporary files (also done when the table is garbage-collected)."""
        if self._cleanup is not None:
            self._cleanup()


@dataclass
class Input:
    """One input as the user named it."""

    name: str  # a path, ``-``, a URL, or the folder or glob of a dataset
    kind: str = "file"  # file, stdin, url, dataset
    files: list[str] = field(default_factory=list)  # a dataset's Parquet files, in path order


def expand_inputs(inputs: str | Path | Sequence[str | Path]) -> list[Input]:
    """What ``inputs`` name: files, globs (``exports/2024-*.csv``), ``-``, URLs, and Parquet
    datasets (a folder, a glob matching folders, or a glob matching several Parquet files)."""
    if isinstance(inputs, (str, Path)):
        inputs = [inputs]
    found: list[Input] = []
    for given in inputs:
        text = str(given)
        url = as_url(text)
        if text == STDIN:
            found.append(Input(text, "stdin"))
        elif url is not None:
            found.append(Input(url, "url"))
        elif Path(text).is_dir():
            found.append(Input(text, "dataset", _dataset_files([text], text)))
        elif Path(text).exists() or not any(c in text for c in "*?["):
            found.append(Input(text))
        else:
            matches = sorted(glob.glob(text, recursive=True))
            if not matches:
                raise InputError(f"{text}: no file matches this pattern")
            found.extend(_matched(text, matches))
    if not found:
        raise InputError("no export file given")
    if sum(i.kind == "stdin" for i in found) > 1:
        raise InputError("standard input (-) can be read only once")
    return found


def as_url(text: str) -> str | None:
    """``text`` as a URL polars reads itself (``s3://bucket/exports/``), else None. A URL that
    went through ``pathlib.Path`` (``s3:/bucket/exports``) gets its ``//`` back."""
    match = _URL.fullmatch(text)
    if match is None or match["scheme"].lower() not in URL_SCHEMES:
        return None
    return f"{match['scheme']}://{match['rest']}"


def _matched(pattern: str, matches: list[str]) -> list[Input]:
    """A glob's matches: a dataset when it matches folders or only Parquet files (several),
    else the files one by one."""
    if any(Path(m).is_dir() for m in matches):
        return [Input(pattern, "dataset", _dataset_files(matches, pattern))]
    if len(matches) > 1 and all(_is_parquet(m) for m in matches):
        return [Input(pattern, "dataset", matches)]
    return [Input(m) for m in matches]


def _dataset_files(roots: list[str], name: str) -> list[str]:
    """The Parquet files of a dataset, in path order: files under the folders (at any depth),
    without hidden ones (``.crc``, ``_SUCCESS``, ``_delta_log/``) as Spark and Hive write them."""
    files: list[str] = []
    for root in roots:
        if not Path(root).is_dir():
            files.append(root)
            continue
        for folder, subfolders, names in os.walk(root):
            subfolders[:] = [d for d in subfolders if not d.startswith((".", "_"))]
            files += [os.path.join(folder, n) for n in names if not n.startswith((".", "_"))]
    files = sorted(dict.fromkeys(files))
    if not files:
        raise InputError(f"{name}: the folder holds no files; give the export file, or a folder of Parquet files")
    others = [f for f in files if not _is_parquet(f)]
    if others:
        more = f" and {len(others) - 1:,} more" if len(others) > 1 else ""
        raise InputError(
            f"{name}: a folder is read as a Parquet dataset, but {others[0]}{more} "
            f"{'is' if len(others) == 1 else 'are'} not Parquet; give the export files themselves, "
            f"or a glob that matches only them (e.g. '{name.rstrip('/')}/*.csv' or '{name.rstrip('/')}/**/*.parquet')"
        )
    return files


def _is_parquet(path: str) -> bool:
    try:
        with open(path, "rb") as handle:
            return handle.read(4) == PARQUET_MAGIC
    except OSError:
        return False


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
    given = expand_inputs(inputs)
    workdir = Path(tempfile.mkdtemp(prefix="csaudit-"))
    try:
        frames, parts, headers = [], [], []
        for index, one in enumerate(given):
            part = Part(name="<stdin>" if one.kind == "stdin" else one.name)
            if one.kind == "dataset":
                frame = _read_dataset(one.files, part)
            elif one.kind == "url":
                frame = _read_url(one.name, part, encoding)
            else:
                frame = _read_one(one.name, part, workdir / f"part{index}", sheet=sheet, encoding=encoding)
            part_headers = list(frame.collect_schema().names())
            frames.append(frame)
            parts.append(part)
            headers.append(part_headers)
        spelling_notes = _same_spelling(frames, parts, headers) if len(frames) > 1 else []
        table = _combine(frames, parts, headers)
        table.notes += [n for part, hs in zip(parts, headers) for n in _title_notes(part) + _twin_notes(part, hs) + _error_notes(part)]
        table.notes += spelling_notes
        table.notes += [note for part in parts for note in _dataset_notes(part, table)]
    except BaseException:
        shutil.rmtree(workdir, ignore_errors=True)
        raise
    # The temporary files go with the table (closed, collected, or at exit at the latest).
    table._cleanup = weakref.finalize(table, shutil.rmtree, str(workdir), True)
    return table


def _same_spelling(frames: list[pl.LazyFrame], parts: list[Part], headers: list[list[str]]) -> list[str]:
    """Files read as one table name a column alike when their headers match as canonical names
    do (``Created at`` in January, ``Created At `` in February): each file's header takes the
    first file's spelling, in place (``frames`` and ``headers``), and a note says so."""
    from csaudit.sources import header_key

    first: dict[str, str] = {}
    for names in headers:
        for name in names:
            first.setdefault(header_key(name), name)
    notes = []
    for index, names in enumerate(headers):
        keys = [header_key(n) for n in names]
        renames = {
            n: first[k] for n, k in zip(names, keys) if first[k] != n and keys.count(k) == 1 and first[k] not in names
        }
        if renames:
            frames[index] = frames[index].rename(renames)
            headers[index] = [renames.get(n, n) for n in names]
            notes.append(
                f"{parts[index].name}: read "
                + ", ".join(f"column {old!r} as {new!r}" for old, new in renames.items())
                + " (the same header as in the other files, spelt differently)"
            )
    return notes


def _twin_notes(part: Part, headers: list[str]) -> list[str]:
    """Two columns of one name: polars reads the second as ``NAME_duplicated_0``; say which is read."""
    twins = [(h, base) for h in headers if (base := re.sub(r"_duplicated_\d+$", "", h)) != h and base in headers]
    return [
        f"{part.name}: the header names {base!r} more than once; the first such column is the one read as "
        f"{base!r}, the next is named {h!r}" for h, base in twins
    ]


def _title_notes(part: Part) -> list[str]:
    if not part.title_rows:
        return []
    where = "row" if part.format == "excel" else "line"
    span = f"{where} 1" if part.title_rows == 1 else f"{where}s 1–{part.title_rows}"
    return [
        f"{part.name}: {span} above the header (a title, or blank) left out; the header is {where} "
        f"{part.title_rows + 1}, and rows are numbered from the line after it"
    ]


def _same_types(frames: list[pl.LazyFrame]) -> list[pl.LazyFrame]:
    """Files read as one table: a column typed differently in two of them (a CSV's text and
    a Parquet file's times) is text in all."""
    schemas = [frame.collect_schema() for frame in frames]
    types: dict[str, set] = {}
    for schema in schemas:
        for name, dtype in schema.items():
            types.setdefault(name, set()).add(dtype)
    mixed = {name for name, found in types.items() if len(found) > 1}
    if not mixed:
        return frames
    return [
        frame.with_columns(expr for name in mixed & set(schema) for expr in as_text(pl.col(name), name, schema[name]))
        for frame, schema in zip(frames, schemas)
    ]


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
        frames = _same_types(frames)
        combined = pl.concat(frames, how="diagonal")
        notes.append(
            f"{len(parts)} files read as one table; rows are numbered across them: "
            + ", ".join(
                f"{p.name} row {p.first_row:,}" if p.rows == 1 else f"{p.name} rows {p.first_row:,}–{p.first_row + p.rows - 1:,}"
                for p in parts if p.rows
            )
        )
        if differing:
            notes.append("the files do not have the same columns (missing cells are empty): " + "; ".join(differing))
    for part in parts:
        if part.encoding and part.encoding not in ("utf-8", "utf-8-sig") and part.format in ("csv", "json", "ndjson"):
            why = "as given with --encoding" if part.asked_encoding else "detected"
            notes.append(f"{part.name}: read as {part.encoding} ({why}); the text was converted to UTF-8")
    # Row numbers count every record. polars reads a blank line as a row of nulls: the reader
    # of the table leaves such rows out (csaudit.ingest: rows with nothing in any column it
    # reads), so that a query needing three columns reads only those three.
    records = combined.with_row_index(ROW, offset=1)
    return Table(records=records, headers=all_headers, parts=parts, notes=notes)


def drop_blank_rows(records: pl.LazyFrame, headers: list[str]) -> pl.LazyFrame:
    """``records`` without rows that are empty in every column (blank lines)."""
    return records.filter(~pl.all_horizontal([pl.col(h).is_null() for h in headers]))


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
    path = _decompress(path, part, work)
    head = _head(path, part)
    if head.startswith(b"PAR1"):
        part.format, part.encoding = "parquet", None
        return _read_parquet(path, part)
    if head.startswith(b"PK\x03\x04") or head.startswith(b"\xd0\xcf\x11\xe0"):
        part.format, part.encoding = "excel", None
        return _read_excel(path, part, sheet)
    _refuse_other_binaries(head, part)
    part.asked_encoding = encoding
    text_path = _as_utf8(path, head, part, work, encoding)
    head = _head(text_path, part) if text_path != path else head
    start = head.lstrip(b"\xef\xbb\xbf \t\r\n")[:1]
    if not start:
        raise InputError(f"{part.name}: the file is empty; there is nothing to audit")
    if start in (b"[", b"{"):
        return _read_json(text_path, part, work)
    if start == b"<":
        _refuse_markup(head, part)
    part.format = "csv"
    _refuse_nul_bytes(text_path, head, part)
    if b"\r" in head and b"\n" not in head:
        # Lines ended by CR alone (Excel for Mac's "CSV (Macintosh)"): polars splits on LF only.
        text_path = _lf_line_ends(text_path, part, work)
        head = _head(text_path, part)
    part.title_rows = _title_lines(head)
    part.separator = _sniff_separator(b"\n".join(head.split(b"\n")[part.title_rows :]))
    _refuse_cut_short(text_path, head, part)
    part.path = text_path
    return scan_text(text_path, part.separator, part.title_rows)


def scan_text(path: Path | str, separator: str, skip_lines: int = 0) -> pl.LazyFrame:
    """A UTF-8 CSV file (or URL) as text columns (the fast path: polars reads the file itself),
    after ``skip_lines`` lines above the header."""
    return pl.scan_csv(
        path,
        separator=separator,
        skip_lines=skip_lines,
        infer_schema=False,
        has_header=True,
        encoding="utf8",
        raise_if_empty=True,
        null_values=[""],  # a quoted empty cell ("") is empty like an unquoted one, not text
    )


#: Files that are not exports, by their first bytes: what they are, and what to do.
OTHER_BINARIES = (
    (b"%PDF", "a PDF document, not a data export; export the data as CSV, Excel or JSON"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive, which csaudit does not open; extract the export from it"),
    (b"Rar!\x1a\x07", "a RAR archive, which csaudit does not open; extract the export from it"),
    (b"BZh91AY&SY", "bzip2-compressed, which csaudit does not read (gzip, zstd and zip are); decompress it first"),
    (b"\xfd7zXZ\x00", "xz-compressed, which csaudit does not read (gzip, zstd and zip are); decompress it first"),
)


def _refuse_other_binaries(head: bytes, part: Part) -> None:
    """Archives and documents that are not text: a clear message rather than a read of bytes."""
    if head[257:262] == b"ustar":
        raise InputError(f"{part.name}: is a tar archive, which csaudit does not open; extract the export file from it")
    for magic, what in OTHER_BINARIES:
        if head.startswith(magic):
            raise InputError(f"{part.name}: is {what}")


def _refuse_markup(head: bytes, part: Part) -> None:
    """A file that begins with ``<`` is HTML (a login or "link expired" page saved in place of
    the export) or XML (Zendesk's XML export), neither of which is read."""
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n")[:1024].lower()
    if re.match(rb"<!doctype html|<html|<head|<body", text) or b"<html" in text:
        raise InputError(
            f"{part.name}: is a web page (HTML), not an export: a download that returned a login, error or "
            "'link expired' page instead of the file; download the export again"
        )
    raise InputError(
        f"{part.name}: is XML (or another markup); csaudit reads CSV/TSV, Excel, JSON/NDJSON and Parquet: "
        "export the data as CSV or JSON"
    )


def _refuse_nul_bytes(path: Path, head: bytes, part: Part) -> None:
    """Text holds no NUL bytes; a file padded or damaged with them (a download or copy cut short
    leaves zeros at its end) would read them as a row. Only the first and last :data:`HEAD`
    bytes are looked at, where such damage sits."""
    size = path.stat().st_size
    where = head.find(b"\x00")
    if where < 0 and size > len(head):
        with path.open("rb") as handle:
            handle.seek(max(len(head), size - HEAD))
            tail_start = handle.tell()
            found = handle.read().find(b"\x00")
        where = tail_start + found if found >= 0 else -1
    if where >= 0:
        if where < len(head):
            raise InputError(
                "{}: line {:,}, byte {:,} is a NUL byte (0x00): the file is binary (or damaged), not text as an "
                "export writes it; give the export itself (CSV, Excel, JSON or Parquet)".format(
                    part.name, head.count(b"\n", 0, where) + 1, where)
            )
        raise InputError(
            f"{part.name}: near the end, byte {where:,} is a NUL byte (0x00): the file ends in binary zeros, as a "
            "download or copy cut short leaves them, not text as an export writes it; export it again, or remove the zeros"
        )


def _cells_in_line(line: bytes, separator: str) -> int | None:
    """How many cells a CSV line holds (quoted cells counted as one); None when it has a quote
    that opens or closes a cell of several lines."""
    plain = re.sub(rb'"[^"]*"', b"x", line.rstrip(b"\r"))
    return None if b'"' in plain else plain.count(separator.encode()) + 1


def _refuse_cut_short(path: Path, head: bytes, part: Part) -> None:
    """A file whose last line has no line end and fewer cells than the header was cut short
    (an interrupted download or export): polars would read the missing cells as empty."""
    size = path.stat().st_size
    with path.open("rb") as handle:
        handle.seek(max(0, size - HEAD))
        tail = handle.read()
    if not tail or tail.endswith((b"\n", b"\r")) or b"\n" not in tail:
        return
    header = head.lstrip(codecs.BOM_UTF8).split(b"\n")[part.title_rows]
    lines = tail.split(b"\n")
    wanted, found = _cells_in_line(header, part.separator), _cells_in_line(lines[-1], part.separator)
    # The line before is a whole row (a tool that leaves out trailing empty cells writes short rows throughout).
    before = _cells_in_line(lines[-2], part.separator) if len(lines) > 2 else wanted
    if wanted and found and found < wanted and before == wanted:
        raise InputError(
            f"{part.name}: the last line has {found} of the header's {wanted} cells and no line end: the file "
            "looks cut short (an interrupted download or export); export it again, or complete or remove that line"
        )


def _lf_line_ends(path: Path, part: Part, work: Path) -> Path:
    """A copy of UTF-8 ``path`` with every CR turned into LF (CR is never part of a multibyte
    character), written in chunks."""
    target = work / "lf"
    with path.open("rb") as source, target.open("wb") as out:
        while chunk := source.read(CHUNK):
            out.write(chunk.replace(b"\r", b"\n"))
    return target


def _head(path: Path, part: Part) -> bytes:
    try:
        with path.open("rb") as handle:
            return handle.read(HEAD)
    except OSError as exc:
        raise InputError(f"{part.name}: cannot read it ({exc.strerror})") from None


def _decompress(path: Path, part: Part, work: Path) -> Path:
    """gzip, zstd and single-member zip archives, to a temporary file (nested ones too)."""
    budget: _Budget | None = None
    for depth in range(3):
        head = _head(path, part)
        target = work / f"decompressed{depth}"
        if head.startswith(b"\x1f\x8b"):
            opener, part.compression = (lambda: gzip.open(path, "rb")), "gzip"
        elif head.startswith(b"\x28\xb5\x2f\xfd"):
            opener, part.compression = (lambda: _zstd_reader(path)), "zstd"
        elif head.startswith(b"PK\x03\x04") and not _is_workbook(path):
            member = _zip_member(path, part)
            opener, part.compression = (lambda: zipfile.ZipFile(path).open(member)), "zip"
        else:
            return path
        # Nested layers are measured against the file the user gave.
        budget = budget or _Budget.for_file(path.stat().st_size)
        _copy_stream(opener, target, part, budget)
        path = target
    return path


@dataclass(frozen=True)
class _Budget:
    """How far one compressed input may expand (see :data:`MAX_RATIO`)."""

    compressed: int  # bytes of the file as given
    limit: int | None  # bytes of output at most (None: no limit)
    ratio: int | None  # output ÷ compressed at most, past RATIO_FLOOR (None: not checked)

    @classmethod
    def for_file(cls, compressed: int) -> _Budget:
        given = os.environ.get(LIMIT_VARIABLE, "").strip()
        if not given:
            return cls(compressed, MAX_DECOMPRESSED, MAX_RATIO)
        return cls(compressed, _parse_size(given), None)

    def check(self, written: int, part: Part) -> None:
        way_out = (
            f"If the export really is this large, set {LIMIT_VARIABLE} to a larger size "
            f"(e.g. {LIMIT_VARIABLE}=200GB, or {LIMIT_VARIABLE}=none for no limit), or decompress it yourself"
        )
        if self.limit is not None and written > self.limit:
            raise InputError(
                f"{part.name}: decompresses to more than {_size(self.limit)}, the limit on a decompressed export; "
                "csaudit stopped. " + way_out
            )
        if self.ratio is not None and written > RATIO_FLOOR and written > self.ratio * max(self.compressed, 1):
            raise InputError(
                f"{part.name}: {_size(self.compressed)} decompresses to more than {_size(written)} "
                f"(over {self.ratio:,} times its size): that is a decompression bomb, not an export; "
                "csaudit stopped. " + way_out
            )


_SIZE_UNITS = {"": 1, "b": 1, "k": 1000, "kb": 1000, "m": 10**6, "mb": 10**6, "g": 10**9, "gb": 10**9,
               "t": 10**12, "tb": 10**12, "kib": 1 << 10, "mib": 1 << 20, "gib": 1 << 30, "tib": 1 << 40}


def _parse_size(text: str) -> int | None:
    """``200GB``, ``1.5 TiB``, ``5000000`` → bytes; ``none`` (or ``0``, ``off``) → None."""
    if text.lower() in ("none", "off", "unlimited", "0"):
        return None
    match = re.fullmatch(r"(\d+(?:\.\d+)?)\s*([a-z]*)", text.lower())
    if match is None or match.group(2) not in _SIZE_UNITS:
        raise InputError(
            f"{LIMIT_VARIABLE}={text!r}: not a size; give e.g. 200GB, 500MB, 1TiB, a number of bytes, or none"
        )
    return int(float(match.group(1)) * _SIZE_UNITS[match.group(2)])


def _size(count: int) -> str:
    """Bytes for a message: ``1.1 GB``, ``812 kB``, ``95 bytes``."""
    for unit, scale in (("TB", 10**12), ("GB", 10**9), ("MB", 10**6), ("kB", 10**3)):
        if count >= scale:
            return f"{count / scale:,.1f} {unit}".replace(".0 ", " ")
    return f"{count:,} bytes"


def _decompression_errors() -> tuple[type[BaseException], ...]:
    """What damaged compressed data raises: zlib's and zstandard's own errors too."""
    import zstandard

    return (OSError, EOFError, zipfile.BadZipFile, ValueError, zlib.error, zstandard.ZstdError)


def _copy_stream(opener, target: Path, part: Part, budget: _Budget) -> None:
    written = 0
    try:
        with opener() as source, target.open("wb") as out:
            while chunk := source.read(CHUNK):
                written += len(chunk)
                budget.check(written, part)
                out.write(chunk)
    except _decompression_errors() as exc:
        if isinstance(exc, OSError) and exc.errno == errno.ENOSPC:
            raise InputError(
                f"{part.name}: no space left in {target.parent.parent} for its decompressed copy "
                f"({_size(written)} written); free some, or set TMPDIR to a larger disk"
            ) from None
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
    part.bom = encoding == "utf-8-sig" or (encoding == "utf-8" and head.startswith(codecs.BOM_UTF8))
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
        if exc.reason == "truncated data":
            raise InputError(
                f"{part.name}: the file ends in the middle of a {encoding} character, after byte {offset:,}: it "
                "looks cut short (an interrupted download or export); export it again"
            ) from None
        raise InputError(
            f"{part.name}: byte {offset + exc.start} cannot be read as {encoding} ({exc.reason}); "
            "give the file's encoding with --encoding, or save it as UTF-8"
        ) from None
    return target


#: How far down a header is looked for below a title.
TITLE_LINES = 20


def _filled_cells(cells: Sequence[object]) -> int:
    texts = (c.decode("utf-8", "replace") if isinstance(c, bytes) else str(c) for c in cells if c is not None)
    return sum(1 for text in texts if text.strip(' \t\r"'))


def _title_rows(rows: list[list[object]]) -> int:
    """How many rows above the header are a title: leading rows of at most one filled cell
    (``Zendesk export - March 2024``, a blank row, ``Exported 2024-04-01,,,``) followed, within
    :data:`TITLE_LINES` rows, by a row of several (the header). 0 when the first row is one.
    A leading row of two or three cells is a title too (``Tickets report, March 2024``) when the
    next row of several has at least twice as many, and four or more."""
    filled = [_filled_cells(cells) for cells in rows[:TITLE_LINES]]
    several = [index for index, count in enumerate(filled) if count >= 2]
    for index, following in zip(several, several[1:] + [None]):
        if following is None or filled[index] > 3 or filled[following] < max(4, 2 * filled[index]):
            return index
    return 0


def _title_lines(head: bytes) -> int:
    """:func:`_title_rows` of a text file's first lines (cells split on any usual separator)."""
    lines = head.lstrip(codecs.BOM_UTF8).split(b"\n")[:-1] or [head]
    # A quoted cell is one cell, whatever separators it holds.
    return _title_rows([re.split(rb"[,\t;|]", re.sub(rb'"[^"]*"', b"x", line)) for line in lines])


def _sniff_separator(head: bytes) -> str:
    first_line = head.lstrip(codecs.BOM_UTF8).split(b"\n", 1)[0]
    counts = {sep: first_line.count(sep.encode()) for sep in (",", "\t", ";", "|")}
    best = max(counts, key=lambda s: counts[s])
    return best if counts[best] else ","


# -- JSON and NDJSON --------------------------------------------------------------------------


def _read_json(path: Path, part: Part, work: Path) -> pl.LazyFrame:
    """Records streamed into a temporary NDJSON file whose values are all text."""
    target = work / "records.ndjson"
    try:
        keys, count = _write_records(path, target, part, None)
    except _Prefer as better:
        # A list under another key came first (a sideload such as Zendesk's "users"): read
        # the records' own list instead.
        keys, count = _write_records(path, target, part, better.key)
    if count == 0:
        raise InputError(f"{part.name}: the JSON holds no records; there is nothing to audit")
    part.path = target
    return pl.scan_ndjson(target, schema={key: pl.String for key in keys})


class _Prefer(Exception):
    """The JSON's records are the list under ``key``, found after another list was taken."""

    def __init__(self, key: str):
        super().__init__(key)
        self.key = key


def _write_records(path: Path, target: Path, part: Part, prefer: str | None) -> tuple[dict[str, None], int]:
    keys: dict[str, None] = {}
    count = 0
    with path.open("r", encoding="utf-8-sig") as source, target.open("w", encoding="utf-8") as out:
        part.format = "ndjson" if _looks_like_ndjson(source) else "json"
        source.seek(0)
        records = _ndjson_records(source, part) if part.format == "ndjson" else _json_records(source, part, prefer)
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
    return keys, count


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


def _json_records(source: IO[str], part: Part, prefer: str | None = None) -> Iterator[object]:
    buffer = _Buffer(source, part)
    start = buffer.peek()
    if start == "[":
        yield from _array(buffer)
        return
    found = yield from _object_records(buffer, prefer)
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


def _object_records(buffer: _Buffer, prefer: str | None = None):
    """Walk an object's members; stream the first array of objects found (at any depth of
    nested objects such as ``_embedded``), or with ``prefer`` the one under that key. Returns
    its key when one was found, else None. When the array taken is not under one of
    :data:`RECORD_KEYS` and a later member of the same object is (``{"users": [...],
    "tickets": [...]}``), raises :class:`_Prefer` to read again."""
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
        wanted = key in RECORD_KEYS if prefer is None else key == prefer
        if found is None and start == "[" and (wanted or prefer is None and _array_of_objects_ahead(buffer)):
            yield from _array(buffer)
            found = key
        elif found is None and start == "{":
            found = yield from _object_records(buffer, prefer)
        elif (found and prefer is None and found not in RECORD_KEYS and start == "[" and key in RECORD_KEYS
              and _array_of_objects_ahead(buffer)):
            raise _Prefer(key)
        elif start == "[":
            for _ in _array(buffer):  # skipped one value at a time, not held whole
                pass
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
        elif item is None or item == "":
            out[name] = None  # "" is empty, as in a CSV export
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
    return _text_columns(frame, schema)


#: Types a reader hands on as they are: the canonical fields read them without a text round
#: trip (csaudit.ingest); everything else becomes the text a CSV export would hold.
KEPT_TYPES = (pl.Datetime, pl.Date, pl.Boolean, pl.Int8, pl.Int16, pl.Int32, pl.Int64, pl.UInt8, pl.UInt16,
              pl.UInt32, pl.UInt64, pl.Float32, pl.Float64)


def is_kept(dtype: pl.DataType) -> bool:
    return isinstance(dtype, KEPT_TYPES)


def as_text(column: pl.Expr, name: str, dtype: pl.DataType, keep: bool = False) -> list[pl.Expr]:
    """Typed columns as the text a CSV export of them would hold (structs flattened); with
    ``keep``, the :data:`KEPT_TYPES` as they are."""
    if isinstance(dtype, pl.Struct):
        return [
            expr
            for item in dtype.fields
            for expr in as_text(column.struct.field(item.name), f"{name}.{item.name}", item.dtype, keep)
        ]
    if keep and is_kept(dtype):
        return [column.alias(name)]
    if isinstance(dtype, pl.Datetime):
        layout = "%Y-%m-%d %H:%M:%S%.f" + ("%:z" if dtype.time_zone else "")
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


def _read_dataset(files: list[str], part: Part) -> pl.LazyFrame:
    """Local Parquet files scanned by polars as one dataset, ``key=value`` folders as text
    columns. Each file's schema and row count come from its metadata (nothing else is read
    here); files may lack columns others have (empty there), not disagree on a column's type."""
    part.format, part.encoding, part.dataset = "parquet", None, True
    keys = [_partition_keys(f) for f in files]
    for other, its in zip(files, keys):
        if its != keys[0]:
            raise InputError(
                f"{part.name}: the files are not partitioned alike: {files[0]} is under "
                f"{_describe_keys(keys[0])} but {other} under {_describe_keys(its)}; give the files of one layout"
            )
    columns: dict[str, tuple[pl.DataType, str]] = {}
    schemas = []
    for file in files:
        try:
            scan = pl.scan_parquet(file)
            schema = scan.collect_schema()
            rows = scan.select(pl.len()).collect().item()
        except Exception as exc:  # polars raises several types for unreadable input
            raise InputError(f"{file}: cannot be read as Parquet: {_first_line(exc)}") from None
        schemas.append(schema)
        part.files.append((file, rows))
        for name, dtype in schema.items():
            if name in keys[0]:
                continue  # the folder's value is the column's (polars' rule)
            seen, where = columns.setdefault(name, (dtype, file))
            if seen != dtype:
                raise InputError(
                    f"{part.name}: column {name!r} is {seen} in {where} but {dtype} in {file}; a dataset is read "
                    "with one type per column. Give the files as separate arguments to read each on its own"
                )
    part.partitions, part.rows = keys[0], sum(rows for _, rows in part.files)
    frame = pl.scan_parquet(
        files,
        schema={name: dtype for name, (dtype, _) in columns.items()},
        missing_columns="insert",
        hive_partitioning=bool(keys[0]),
        hive_schema={key: pl.String for key in keys[0]} or None,
    )
    try:
        schema = frame.collect_schema()
    except Exception as exc:  # polars raises several types for unreadable input
        raise InputError(f"{part.name}: cannot be read as one Parquet dataset: {_first_line(exc)}") from None
    part.lacking = {f: [c for c in columns if c not in s] for f, s in zip(files, schemas) if set(columns) - set(s)}
    return _text_columns(frame, schema)


def _text_columns(frame: pl.LazyFrame, schema: pl.Schema) -> pl.LazyFrame:
    """The columns of a typed frame: times, flags and numbers as they are, the rest as text
    (:func:`as_text`)."""
    return frame.select([expr for name, dtype in schema.items() for expr in as_text(pl.col(name), name, dtype, keep=True)])


def _partition_keys(path: str) -> list[str]:
    """The Hive partition keys of a file's folders (``year=2026/month=01/`` → year, month)."""
    folders = Path(path).parent.parts
    return [folder.split("=", 1)[0] for folder in folders if "=" in folder and not folder.startswith("=")]


def _describe_keys(keys: list[str]) -> str:
    return "/".join(f"{k}=…" for k in keys) if keys else "no key=value folders"


def _dataset_notes(part: Part, table: Table) -> list[str]:
    """What a table says about a dataset read natively: its files, partitions and row numbers."""
    if not part.dataset:
        return []
    if not part.files:
        return [
            f"{part.name}: read by polars as one dataset (partition folders key=value are columns); rows are "
            "numbered across its files in the order polars lists them"
        ]
    first = dict(table.files())
    ranges = [
        f"{name} row {first[name]:,}" if rows == 1 else f"{name} rows {first[name]:,}–{first[name] + rows - 1:,}"
        for name, rows in part.files
        if rows
    ]
    if len(ranges) > 6:
        ranges = ranges[:3] + [f"… {len(ranges) - 5:,} more files …"] + ranges[-2:]
    notes = [
        f"{part.name}: {len(part.files):,} Parquet file{'s' if len(part.files) != 1 else ''} read as one dataset"
        + (f", partition columns {', '.join(part.partitions)} (from the folder names)" if part.partitions else "")
        + "; rows are numbered across the files in path order: " + ", ".join(ranges)
    ]
    if part.lacking:
        notes.append(
            f"{part.name}: the files do not have the same columns (missing cells are empty): "
            + "; ".join(f"{f} lacks " + ", ".join(repr(c) for c in cs) for f, cs in list(part.lacking.items())[:10])
            + (f"; and {len(part.lacking) - 10:,} more files" if len(part.lacking) > 10 else "")
        )
    return notes


def _read_url(url: str, part: Part, encoding: str | None) -> pl.LazyFrame:
    """A URL handed to polars as given: Parquet (a file, or a folder or glob as a dataset, Hive
    partitions read by polars) or CSV/TSV. Credentials come from polars' usual environment
    (``AWS_*``, ``GOOGLE_*``, ``AZURE_*`` …)."""
    part.path = None
    split = urllib.parse.urlsplit(url)
    where = split.path.lower()
    if split.scheme.lower() not in ("http", "https") and not where.endswith(("/", *URL_PARQUET_SUFFIXES, *URL_TEXT_SUFFIXES)):
        if not any(c in where for c in "*?["):
            # A bucket prefix without an extension is a folder (its "/" lost, e.g. through pathlib).
            url, where = url + "/", where + "/"
            part.name = url
    suffix = next((s for s in URL_TEXT_SUFFIXES if where.endswith(s)), None)
    if encoding is not None and encoding not in ("utf-8", "utf-8-sig"):
        raise InputError(f"{url}: --encoding {encoding}: a URL is read by polars as UTF-8; download the file to read it as {encoding}")
    if suffix is not None:
        part.format, part.separator = "csv", URL_TEXT_SUFFIXES[suffix]
        frame, kind = scan_text(url, part.separator), "CSV"
    elif where.endswith(URL_PARQUET_SUFFIXES) or where.endswith("/") or any(c in where for c in "*?["):
        part.format, part.encoding, kind = "parquet", None, "Parquet"
        part.dataset = where.endswith("/") or any(c in where for c in "*?[")
        frame = pl.scan_parquet(url, hive_partitioning=True if part.dataset else None)
    else:
        raise InputError(
            f"{url}: a URL is read by polars directly, as Parquet (a file ending in "
            + ", ".join(URL_PARQUET_SUFFIXES) + ", or a folder ending in / or a glob of them) or as CSV/TSV (ending in "
            + ", ".join(URL_TEXT_SUFFIXES) + "); download other files (JSON, Excel, compressed) and give the local file"
        )
    try:
        schema = frame.collect_schema()
    except Exception as exc:  # polars raises several types (network, credentials, format)
        raise InputError(f"{url}: cannot be read as {kind}: {_first_line(exc)}") from None
    if kind == "CSV":
        return frame
    return _text_columns(frame, schema)


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
        top = fastexcel.read_excel(str(path)).load_sheet(sheet, header_row=None, n_rows=TITLE_LINES, dtypes="string").to_polars()
        part.title_rows = _title_rows(top.rows())
        # Every cell as text; read by type, a column of [h]:mm:ss durations would not mix with text.
        frame = fastexcel.read_excel(str(path)).load_sheet(sheet, header_row=part.title_rows, dtypes="string").to_polars()
    except Exception as exc:  # fastexcel/polars raise several types
        raise InputError(f"{part.name}: sheet {sheet!r} cannot be read: {_first_line(exc)}") from None
    if frame.height == 0:
        raise InputError(f"{part.name}: sheet {sheet!r} has a header but no rows; there is nothing to audit")
    part.error_cells = _excel_error_cells(path, sheet)
    # Excel keeps times of day and durations as fractions of a day, which read as a
    # date-time on Excel's day zero; keep the clock part (09:12:58), as a CSV export would.
    # A duration of a day or more reads as a date in 1900 (day zero 1899-12-31): whole hours
    # then (1900-01-01 06:00:00 is 30:00:00).
    return frame.lazy().with_columns(_excel_clock(pl.col(name)).alias(name) for name in frame.columns)


def _excel_clock(text: pl.Expr) -> pl.Expr:
    prefix = "^(" + "|".join(EXCEL_EPOCH_PREFIXES) + ")"
    days = text.str.strptime(pl.Datetime("ms"), "%Y-%m-%d %H:%M:%S%.f", strict=False) - datetime(1899, 12, 31)
    hours = days.dt.total_hours().cast(pl.String)
    return (
        pl.when(text.str.contains(r"^1900-\d\d-\d\d \d\d:\d\d:\d\d"))
        .then(pl.concat_str([hours, text.str.slice(13)]))
        .otherwise(text.str.replace(prefix, ""))
    )


_ERROR_CELL = re.compile(rb'<c r="([A-Z]+[0-9]+)"[^>]*? t="e"[^>]*>(?:<f[^>]*/>|<f[^>]*>[^<]*</f>)?<v>([^<]*)</v>')


def _excel_error_cells(path: Path, sheet: str) -> tuple[int, list[str]]:
    """The cells of an .xlsx sheet holding an error (``#N/A``, ``#VALUE!`` …), which the
    workbook reader gives as empty: how many, and the first five as ``E3 #N/A``. The sheet's XML
    is streamed; (0, []) for other workbooks (.xls, .ods)."""
    import xml.etree.ElementTree as ET

    try:
        with zipfile.ZipFile(path) as book:
            ns = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
                  "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships"}
            rel = next(s.get(f"{{{ns['r']}}}id") for s in ET.fromstring(book.read("xl/workbook.xml")).iter(f"{{{ns['m']}}}sheet")
                       if s.get("name") == sheet)
            rels = ET.fromstring(book.read("xl/_rels/workbook.xml.rels"))
            target = next(r.get("Target") for r in rels if r.get("Id") == rel)
            member = target.lstrip("/") if target.startswith("/") else "xl/" + target
            count, examples, carry = 0, [], b""
            with book.open(member) as xml:
                while chunk := xml.read(CHUNK):
                    text = carry + chunk
                    last = 0
                    for match in _ERROR_CELL.finditer(text):
                        count += 1
                        last = match.end()
                        if len(examples) < 5:
                            examples.append(f"{match[1].decode()} {match[2].decode('utf-8', 'replace')}")
                    carry = text[max(last, len(text) - 4096):]
            return count, examples
    except (KeyError, StopIteration, zipfile.BadZipFile, ET.ParseError, OSError):
        return 0, []


def _error_notes(part: Part) -> list[str]:
    count, examples = part.error_cells
    if not count:
        return []
    return [
        f"{part.name}: sheet {part.sheet!r} has {count:,} cell{'s' if count != 1 else ''} holding an Excel error ("
        + ", ".join(examples) + (", …" if count > len(examples) else "")
        + f"); {'they are' if count != 1 else 'it is'} read as empty: fix the formulas, or check the results "
        "that use those columns"
    ]


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


__all__ = ["ROW", "Input", "Part", "Table", "read_table", "expand_inputs", "as_url", "describe_read_error", "scan_text", "find_invalid_utf8"]
