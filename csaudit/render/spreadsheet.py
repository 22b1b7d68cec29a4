"""CSV that is safe to open in a spreadsheet.

A cell that begins with ``=``, ``+``, ``-`` or ``@`` (or a tab or carriage return) is read
by Excel, LibreOffice and Google Sheets as a formula, and so is one that begins with them after
spaces or line breaks once an import trims those (Google Sheets' default, an option in
LibreOffice): an exported ticket subject such as ``=HYPERLINK("http://evil", "click")`` would run when a lead opens the report (CSV
injection, OWASP). Such cells are written with a leading ``'``, which spreadsheets show
as text and do not display. Plain numbers (``-5``, ``+1.5e3``) are left alone: they are
data, not formulas, and stay numbers.
"""

from __future__ import annotations

import csv
import io
import math
import re
from typing import Iterable

#: What a cell that may be read as a formula begins with (:func:`safe_cell` decides): a formula
#: sign, or the whitespace an import may trim before one.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", " ")
_SIGNS = ("=", "+", "-", "@")
_TRIMMED = " \t\r\n"
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")


def safe_cell(value: object) -> str:
    """``value`` as CSV cell text that no spreadsheet runs as a formula.

    None → ""; floats in full precision (``inf``/``-inf`` for infinities, "" for NaN);
    text starting with = + - @ tab or CR, or with = + - @ after spaces or line breaks, gets a
    leading ``'`` unless it is a plain number (``-5``, `` -5``).
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if math.isnan(value):
            return ""
        return repr(value)
    text = str(value)
    trimmed = text.lstrip(_TRIMMED)
    if text.startswith(("\t", "\r")) or (trimmed.startswith(_SIGNS) and not _NUMBER.match(trimmed)):
        return "'" + text
    return text


def csv_text(header: Iterable[str], rows: Iterable[Iterable[object]]) -> str:
    """A whole CSV document, every cell through :func:`safe_cell`: RFC 4180 (CRLF line ends,
    so that a field holding a lone CR or LF is quoted), UTF-8 when written."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([safe_cell(h) for h in header])
    for row in rows:
        writer.writerow([safe_cell(cell) for cell in row])
    return buffer.getvalue()
