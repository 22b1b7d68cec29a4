"""Generated interaction tables: what each cell says, how it is written in the CSV, and
hypothesis strategies that produce tables and profiles.

A cell is ``empty``, ``ok`` (with the value a reader must get from it) or ``bad`` (text
that is not a value of the column's type). The reference implementation works from these
meanings; the engine only ever sees the CSV text.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

from hypothesis import strategies as st

EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
ORIGIN_US = int((datetime(2024, 1, 1, tzinfo=timezone.utc) - EPOCH).total_seconds()) * 1_000_000

TIMESTAMPS = ("created_at", "queued_at", "first_response_at", "abandoned_at", "resolved_at")
BOOLS = ("abandoned", "first_contact_resolution")
#: Number fields and the range their generated values come from (beyond the valid range on
#: purpose: negative counts, CSAT 0 or 7, NPS 11 …).
NUMBERS = {
    "replies": (-1, 6),
    "reopens": (-1, 3),
    "transfers": (-1, 4),
    "contacts": (-1, 4),
    "handle_seconds": (-30, 900),
    "hold_seconds": (-10, 120),
    "wrap_seconds": (-10, 120),
    "csat": (0, 6),
    "nps": (-1, 11),
    "ces": (0, 8),
    "clicks_to_contact": (-1, 9),
    "errors": (-1, 4),
}
SURVEYS = ("csat", "nps", "ces")  # whole-number answers only: "4.5 of 5" is not defined
TEXTS = {
    "channel": ("chat", "phone", "email", "messaging", "social", "walk_in"),
    "priority": ("p1", "p2", "p3"),
}

#: Unparsable texts per kind. A cell of only spaces is unreadable too (README).
BAD_TIMESTAMPS = ("n/a", "soon", "2024-02-30 10:00:00", "   ", "2024-13-01 00:00:00", "01:02:03")
BAD_BOOLS = ("maybe", "2", "-", "   ", "yess")
BAD_NUMBERS = ("abc", "1,5", "n/a", "--", "   ", "1.2.3", "5 %")
TRUE_TEXT = ("true", "True", "TRUE", "t", "yes", "Y", "y", "1")
FALSE_TEXT = ("false", "False", "f", "no", "NO", "n", "0")

#: Time scales of one generated step: a microsecond to a year.
SCALES_US = (1, 1_000, 1_000_000, 60_000_000, 86_400_000_000, 365 * 86_400_000_000)


@dataclass(frozen=True)
class Cell:
    text: str
    state: str = "empty"  # "empty" | "ok" | "bad"
    value: Any = None  # ok: µs since the epoch (timestamps), float, bool, or the lower-case key (text)

    @property
    def ok(self) -> bool:
        return self.state == "ok"


EMPTY = Cell("")


@dataclass
class Table:
    fields: tuple[str, ...]  # canonical fields with a column, in column order ("id" first)
    rows: list[dict[str, Cell]]
    scale_us: int = 1_000_000

    def csv_text(self) -> str:
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(self.fields)
        for row in self.rows:
            writer.writerow([row[f].text for f in self.fields])
        return out.getvalue()


# -- writing values --------------------------------------------------------------------------


def timestamp_text(us: int, style: str, offset_minutes: int = 0) -> str:
    """``us`` (µs since the epoch, UTC) as an export would write it."""
    local = EPOCH + timedelta(microseconds=us + offset_minutes * 60_000_000)
    fraction = f".{local.microsecond:06d}".rstrip("0").rstrip(".") if local.microsecond else ""
    if style == "space":
        return local.strftime("%Y-%m-%d %H:%M:%S") + fraction
    if style == "iso_z":
        return local.strftime("%Y-%m-%dT%H:%M:%S") + fraction + "Z"
    sign = "+" if offset_minutes >= 0 else "-"
    hours, minutes = divmod(abs(offset_minutes), 60)
    return local.strftime("%Y-%m-%dT%H:%M:%S") + fraction + f"{sign}{hours:02d}:{minutes:02d}"


def number_text(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def pad(text: str, spaces: int) -> str:
    return " " * spaces + text + " " * spaces


# -- strategies ------------------------------------------------------------------------------

COLUMN_MODES = ("normal",) * 6 + ("all_empty", "all_bad", "clean")


@st.composite
def tables(draw, max_rows: int = 10, fields: tuple[str, ...] | None = None) -> Table:
    """A table of interactions. Timestamps are ``origin + k × scale`` with small k (so many
    ties) and scales from a microsecond to a year (so extreme durations); every column may be
    absent, all empty or all unparsable."""
    if fields is None:
        candidates = [*TIMESTAMPS, *BOOLS, *NUMBERS, *TEXTS]
        fields = tuple(f for f in candidates if draw(st.integers(0, 9)) < 8)
    order = draw(st.permutations(list(fields)))
    n_rows = draw(st.integers(0, max_rows)) if draw(st.integers(0, 19)) == 0 else draw(st.integers(1, max_rows))
    scale = draw(st.sampled_from(SCALES_US))
    origin = ORIGIN_US + draw(st.integers(-400, 400)) * 86_400_000_000 + draw(st.integers(0, 10**6))
    modes = {f: draw(st.sampled_from(COLUMN_MODES)) for f in order}
    styles = {f: draw(st.sampled_from(("space", "space", "iso_z", "offset"))) for f in TIMESTAMPS}
    rows = []
    for i in range(n_rows):
        created_k = draw(st.integers(0, 6))
        row = {"id": Cell(str(i + 1), "ok", str(i + 1))}
        for name in order:
            row[name] = draw(_cell(name, modes[name], styles.get(name), origin + created_k * scale, scale))
        rows.append(row)
    return Table(fields=("id", *order), rows=rows, scale_us=scale)


def _state(mode: str) -> st.SearchStrategy[str]:
    if mode == "all_empty":
        return st.just("empty")
    if mode == "all_bad":
        return st.sampled_from(("bad", "bad", "empty"))
    if mode == "clean":
        return st.just("ok")
    return st.sampled_from(("ok",) * 8 + ("empty", "bad"))


@st.composite
def _cell(draw, name: str, mode: str, style: str | None, created_us: int, scale: int) -> Cell:
    state = draw(_state(mode))
    if state == "empty":
        return EMPTY
    spaces = draw(st.sampled_from((0, 0, 0, 1)))
    if name in TIMESTAMPS:
        if state == "bad":
            return Cell(draw(st.sampled_from(BAD_TIMESTAMPS)), "bad")
        # Other instants lie a few steps before or after creation: negative durations, zero
        # durations and ties on purpose.
        us = created_us if name == "created_at" else created_us + draw(st.integers(-2, 8)) * scale
        offset = draw(st.sampled_from((0, 420, -300, 330))) if style == "offset" else 0
        return Cell(pad(timestamp_text(us, style, offset), spaces), "ok", us)
    if name in BOOLS:
        if state == "bad":
            return Cell(draw(st.sampled_from(BAD_BOOLS)), "bad")
        value = draw(st.booleans())
        return Cell(pad(draw(st.sampled_from(TRUE_TEXT if value else FALSE_TEXT)), spaces), "ok", value)
    if name in NUMBERS:
        if state == "bad":
            return Cell(draw(st.sampled_from(BAD_NUMBERS)), "bad")
        low, high = NUMBERS[name]
        value = float(draw(st.integers(low, high)))
        if name not in SURVEYS and draw(st.integers(0, 4)) == 0:
            value += draw(st.sampled_from((0.5, 0.25, 0.125)))
        return Cell(pad(number_text(value), spaces), "ok", value)
    # text: spelt in any case, padded; an empty or blank cell is no value
    key = draw(st.sampled_from(TEXTS[name]))
    spelling = draw(st.sampled_from((key, key.upper(), key.capitalize())))
    if state == "bad":  # text has no "unparsable": a blank cell is simply empty
        return Cell("  ", "empty")
    return Cell(pad(spelling, spaces), "ok", key)
