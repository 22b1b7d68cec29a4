"""CSV that is safe to open in a spreadsheet.

A cell that begins with ``=``, ``+``, ``-`` or ``@`` (or a tab or carriage return) is read
by Excel, LibreOffice and Google Sheets as a formula: an exported ticket subject such as
``=HYPERLINK("http://evil", "click")`` would run when a lead opens the report (CSV
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

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")


def safe_cell(value: object) -> str:
    """``value`` as CSV cell text that no spreadsheet runs as a formula.

    None → ""; floats in full precision (``inf``/``-inf`` for infinities, "" for NaN);
    text starting with = + - @ tab or CR gets a leading ``'`` unless it is a plain number.
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
    if text.startswith(FORMULA_STARTS) and not _NUMBER.match(text):
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
