"""Business calendars: open hours, holidays and time zones, and durations measured in them.

A :class:`BusinessCalendar` says when a service desk is open: intervals of local wall-clock
time per weekday (several a day, 24/7, an interval may end at 24:00) in an IANA time zone,
closed on holidays (explicit dates and/or a country and subdivision of the ``holidays``
package) and on extra closed dates, and open with their own hours on extra open dates.

The business duration between two instants is the open time lying between them
(STANDARDS.md §2 "Durations"). It is computed by :meth:`BusinessCalendar.business_seconds`,
a lazy polars expression with no per-row Python:

* Every open interval from 1970-01-01 to 2100-12-31 (local dates) is turned into UTC instants
  once per calendar. A local time that does not exist (skipped when clocks go forward) maps to
  the end of the gap, an ambiguous one (repeated when clocks go back) to its first occurrence:
  open time is real elapsed time, so a daylight-saving change neither gains nor loses time.
* The intervals are cut into days (24-hour spans from midnight at the zone's offset of
  1 January 2000, so a day's hours are usually one piece). Per day the table holds the open time before the
  day (``C``) and the day's open pieces (offset ``P`` and length ``L``, at most ``M`` a day).
  For an instant ``t`` in day ``d``, ``cum(t) = C[d] + Σ clip(t − day start − P[d], 0, L[d])``
  — a few gathers by an index computed arithmetically from ``t``. (A binary search over the
  intervals would do the same, but polars cannot share a sub-expression over a large literal,
  so every reuse would repeat the search.)
* business = ``cum(end) − cum(start)``, in microseconds, then seconds: exact to the microsecond,
  negative when ``end`` is before ``start``, null when either is null or outside the table.

Outside 1970–2100 the table has no answer, nor outside the years the ``holidays`` package
knows the calendar's country's holidays for (:func:`country_holidays`):
:meth:`BusinessCalendar.covers` tells which instants are inside, and callers report the others
as a data-quality finding.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from functools import cached_property, lru_cache

import polars as pl

#: The local dates every calendar table covers (inclusive).
FIRST_YEAR, LAST_YEAR = 1970, 2100

DAY_SECONDS = 86_400
_DAY_US = DAY_SECONDS * 1_000_000
_EPOCH = date(1970, 1, 1)  # a Thursday
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_FULL_DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_DAY_GROUPS = {
    "daily": tuple(range(7)),
    "weekdays": tuple(range(5)),
    "weekend": (5, 6),
    "weekends": (5, 6),
}
_SHOWN_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")

Interval = tuple[int, int]  # seconds after local midnight; the end may be 86400 (24:00)
Hours = tuple[Interval, ...]


# -- reading the profile's notation ----------------------------------------------------------

_INTERVAL = re.compile(r"^(\d{2}):(\d{2})\s*[-–—]\s*(\d{2}):(\d{2})$")
_LOOSE_INTERVAL = re.compile(r"^(\d{1,2})(?:[:.h](\d{2}))?\s*(?:[-–—]|to)\s*(\d{1,2})(?:[:.h](\d{2}))?$", re.I)
_TWELVE_HOUR = re.compile(
    r"^(\d{1,2})(?::(\d{2}))?\s*([ap])\.?m\.?\s*(?:[-–—]|to)\s*(\d{1,2})(?::(\d{2}))?\s*([ap])\.?m\.?$", re.I
)


def _loose_hint(text: str) -> str:
    """A suggestion for an interval written another way: ``8-17``, ``9am-5pm``, ``24/7``."""
    if text.strip() == "24/7":
        return "; a whole day is '24h' (hours: 24/7 is the whole week)"
    twelve = _TWELVE_HOUR.match(text.strip())
    if twelve:
        h1, m1, p1, h2, m2, p2 = twelve.groups()
        hours = [int(h) % 12 + (12 if p.lower() == "p" else 0) for h, p in ((h1, p1), (h2, p2))]
        end = "24:00" if hours[1] == 0 and not m2 else f"{hours[1]:02d}:{m2 or '00'}"
        return f"; did you mean '{hours[0]:02d}:{m1 or '00'}-{end}'?"
    loose = _LOOSE_INTERVAL.match(text.strip())
    if loose:
        h1, m1, h2, m2 = loose.groups()
        return f"; did you mean '{int(h1):02d}:{m1 or '00'}-{int(h2):02d}:{m2 or '00'}'?"
    return ""


def parse_interval(text: str) -> Interval:
    """``"08:00-17:00"`` (or with an en dash) → ``(28800, 61200)``; ``24:00`` may end an interval."""
    match = _INTERVAL.match(text.strip())
    if not match:
        raise ValueError(
            f"{text!r} is not an interval of local time: write HH:MM-HH:MM with two-digit hours, "
            f"e.g. '08:00-17:00'{_loose_hint(text)}"
        )
    h1, m1, h2, m2 = (int(g) for g in match.groups())
    if h1 > 23 or m1 > 59 or h2 > 24 or m2 > 59 or (h2 == 24 and m2 != 0):
        raise ValueError(f"{text!r}: hours run from 00:00 to 24:00 (24:00 only as an end)")
    start, end = (h1 * 60 + m1) * 60, (h2 * 60 + m2) * 60
    if end == start == 0:
        raise ValueError(f"{text!r} is empty; a whole day is '24h' or '00:00-24:00'")
    if end <= start:
        raise ValueError(
            f"{text!r} ends before it starts; an interval lies within one day - for a night shift "
            "write 22:00-24:00 on one day and 00:00-06:00 on the next"
        )
    return start, end


def parse_hours(value: str | list) -> Hours:
    """A day's open hours: ``"closed"``, ``"24h"``, one interval or a list of intervals.

    Intervals may touch (``08:00-12:00, 12:00-17:00``) but not overlap."""
    items = value if isinstance(value, list) else [value]
    if not items or not all(isinstance(v, str) for v in items):
        raise ValueError("write an interval such as '08:00-17:00', a list of them, 'closed' or '24h'")
    words = [v.strip().lower() for v in items]
    if words == ["closed"]:
        return ()
    if words == ["24h"]:
        return ((0, DAY_SECONDS),)
    if "closed" in words or "24h" in words:
        raise ValueError("'closed' and '24h' stand alone, not in a list of intervals")
    intervals = sorted(parse_interval(v) for v in items)
    for (s1, e1), (s2, e2) in zip(intervals, intervals[1:]):
        if s2 < e1:
            raise ValueError(f"the intervals {_span(s1, e1)} and {_span(s2, e2)} overlap")
    return tuple(intervals)


def parse_days(key: str) -> tuple[int, ...]:
    """Weekdays (0 = Monday) named by ``mon``, ``monday``, a range ``mon-fri`` (wrapping
    ``sun-thu`` too), ``weekdays``, ``weekend`` or ``daily``."""
    word = key.strip().lower()
    if word in _DAY_GROUPS:
        return _DAY_GROUPS[word]
    parts = re.split(r"\s*[-–—]\s*", word)
    if len(parts) in (1, 2) and all(_day_number(p) is not None for p in parts):
        first, last = _day_number(parts[0]), _day_number(parts[-1])
        return tuple((first + i) % 7 for i in range((last - first) % 7 + 1))
    choices = [*WEEKDAYS, *_FULL_DAYS, *_DAY_GROUPS, "mon-fri", "sat-sun"]
    hint = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    raise ValueError(
        f"{key!r} is not a day or a range of days"
        + (f"; did you mean {hint[0]!r}?" if hint else "")
        + " Write mon … sun, a range such as mon-fri, weekdays, weekend or daily"
    )


def _day_number(word: str) -> int | None:
    if word in WEEKDAYS:
        return WEEKDAYS.index(word)
    if word in _FULL_DAYS:
        return _FULL_DAYS.index(word)
    return None


def parse_date(value: object) -> date:
    """A date written ``2024-12-24`` (YAML reads it as a date) within 1970–2100."""
    if isinstance(value, datetime) or not isinstance(value, (date, str)):
        raise ValueError(f"expected a date such as 2024-12-24, got {value!r}")
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value.strip())
        except ValueError:
            raise ValueError(f"expected a date such as 2024-12-24, got {value!r}") from None
    if not FIRST_YEAR <= value.year <= LAST_YEAR:
        raise ValueError(f"{value.isoformat()} is outside the years calendars cover ({FIRST_YEAR}–{LAST_YEAR})")
    return value


def parse_dates(value: object) -> list[date]:
    """One date, or an inclusive range ``2024-12-23..2025-01-01``."""
    if isinstance(value, str) and ".." in value:
        first, _, last = value.partition("..")
        start, end = parse_date(first), parse_date(last)
        if end < start:
            raise ValueError(f"the range {value!r} ends before it starts")
        return [start + timedelta(days=i) for i in range((end - start).days + 1)]
    return [parse_date(value)]


def check_timezone(name: str) -> str:
    """``name`` when it is an IANA time zone polars knows, else ValueError with a suggestion."""
    try:
        pl.Series([datetime(2000, 1, 1)]).dt.replace_time_zone(name)
    except pl.exceptions.PolarsError:
        raise ValueError(f"{name!r} is not an IANA time zone name{_zone_hint(name)}") from None
    return name


def zone_option(timezone: str | None, fallback: str | None) -> str | None:
    """The zone naive timestamps are read in: ``--timezone`` when given (checked: a user
    error names the option), else ``fallback`` (the profile's ``timezone:``), else None (UTC)."""
    if timezone is None:
        return fallback
    from csaudit.errors import CsauditError

    try:
        return check_timezone(timezone)
    except ValueError as exc:
        raise CsauditError(f"--timezone: {exc}") from None


def _zone_hint(name: str) -> str:
    import zoneinfo

    if re.fullmatch(r"(UTC|GMT)?\s*[+-]\d{1,2}(:?\d{2})?", name.strip(), re.I):
        return (
            ": write the zone of the place whose clock it is (its daylight saving included), "
            "e.g. Asia/Kolkata for +05:30, America/New_York for -05:00"
        )
    zones = sorted(zoneinfo.available_timezones())
    folded = {z.casefold(): z for z in zones}
    found = folded.get(name.casefold()) or next(
        iter(difflib.get_close_matches(name, zones, n=1, cutoff=0.6)), None
    )
    if found and found != name:
        return f"; did you mean {found!r}?"
    return " (e.g. America/Los_Angeles, Europe/Berlin, Asia/Ho_Chi_Minh, UTC)"


def check_holidays(country: str, subdivision: str | None) -> None:
    """ValueError unless the ``holidays`` package knows the country and subdivision."""
    import holidays

    supported = _holiday_countries()
    if country not in supported:
        upper = country.upper()
        hint = upper if upper in supported else next(iter(difflib.get_close_matches(upper, sorted(supported), n=1)), None)
        raise ValueError(
            f"the holidays package has no country {country!r} (use an ISO 3166 code such as US, GB, DE, "
            "VN, TH or CN)" + (f"; did you mean {hint!r}?" if hint else "")
        )
    if subdivision is not None:
        known = [str(s) for s in getattr(holidays, country).subdivisions]
        if subdivision not in known:
            hint = next(iter(difflib.get_close_matches(subdivision.upper(), known, n=1, cutoff=0.5)), None)
            listing = ", ".join(known[:60]) + (" …" if len(known) > 60 else "")
            raise ValueError(
                f"the holidays package has no subdivision {subdivision!r} of {country}"
                + (f" (its subdivisions: {listing})" if known else f" ({country} has no subdivisions)")
                + (f"; did you mean {hint!r}?" if hint else "")
            )


def _holiday_countries() -> set[str]:
    """The country codes (aliases such as UK and USA included) the ``holidays`` package knows,
    from its registry: ``list_supported_countries`` builds every country's class to list its
    subdivisions (0.1 s on every load of a profile whose calendar names a country)."""
    try:
        from holidays.registry import EntityLoader

        return set(EntityLoader.get_country_codes(include_aliases=True))
    except (ImportError, AttributeError):  # a holidays release without that registry
        import holidays

        return set(holidays.list_supported_countries(include_aliases=True))


@lru_cache(maxsize=32)
def country_holidays(country: str, subdivision: str | None) -> tuple[frozenset[date], tuple[int, int]]:
    """The holidays of a country (and subdivision) of the ``holidays`` package within 1970–2100,
    and the years ``(first, last)`` the package lists them in full: its own first and last
    year for the country (Germany's list starts in 1991), less the years it warns about (India's
    Hindu holidays are only known for 2001–2035; the package warns for other years and leaves
    them out). A date outside those years would be measured as if it had no holiday, so
    calendars do not cover them."""
    import warnings

    import holidays

    def listed(years: range) -> tuple[set[date], bool]:
        """The holidays of ``years``, and whether the package listed them without a warning."""
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            found = holidays.country_holidays(country, subdiv=subdivision, years=years)
        return set(found), not any(issubclass(w.category, UserWarning) for w in caught)

    known = holidays.country_holidays(country, subdiv=subdivision)
    first, last = max(FIRST_YEAR, known.start_year), min(LAST_YEAR, known.end_year)
    days, complete = listed(range(first, last + 1))
    full = list(range(first, last + 1))
    if not complete:  # find the years it warned about, one year at a time
        days, full = set(), []
        for year in range(first, last + 1):
            found, complete = listed(range(year, year + 1))
            if complete:
                days |= found
                full.append(year)
    # The longest run of consecutive years listed in full.
    runs: list[list[int]] = []
    for year in full:
        if runs and runs[-1][-1] == year - 1:
            runs[-1].append(year)
        else:
            runs.append([year])
    best = max(runs, key=len, default=[first])
    years = (best[0], best[-1]) if full else (first, first - 1)
    return frozenset(d for d in days if years[0] <= d.year <= years[1]), years


# -- time zones: transitions and local wall time → instants ---------------------------------


_GRID = (datetime(1969, 12, 1, tzinfo=timezone.utc), datetime(2101, 2, 1, tzinfo=timezone.utc))


@lru_cache(maxsize=32)
def zone_transitions(zone: str) -> pl.DataFrame:
    """UTC-offset changes of ``zone`` from 1969 to 2101: ``at`` (UTC seconds since the epoch,
    the first second of the new offset), ``before`` and ``after`` (offsets in seconds).

    Found by sampling the offset every 6 hours and refining each change to the second; two
    changes less than 6 hours apart (none in the IANA data of these years) would be missed."""
    grid = pl.datetime_range(_GRID[0], _GRID[1], "6h", time_zone="UTC", eager=True).dt.epoch("s")
    offsets = _offsets(grid, zone)
    changed = (offsets != offsets.shift(1)).fill_null(False)
    lo, hi = grid.shift(1).filter(changed), grid.filter(changed)
    before, after = offsets.shift(1).filter(changed), offsets.filter(changed)
    while len(lo) and (hi - lo).max() > 1:
        mid = (lo + hi) // 2
        moved = _offsets(mid, zone) != before
        hi, lo = mid.zip_with(moved, hi), lo.zip_with(moved, mid)
    return pl.DataFrame({"at": hi, "before": before, "after": after}, schema={"at": pl.Int64, "before": pl.Int64, "after": pl.Int64})


def _offsets(seconds: pl.Series, zone: str) -> pl.Series:
    local = (seconds * 1_000_000).cast(pl.Datetime("us", "UTC")).dt.convert_time_zone(zone)
    return (local.dt.base_utc_offset() + local.dt.dst_offset()).dt.total_seconds().cast(pl.Int64)


def local_to_utc(wall: pl.Series, zone: str) -> pl.Series:
    """Local wall-clock times of ``zone`` (seconds since 1970-01-01 00:00 local, Int64) as UTC
    seconds since the epoch. An ambiguous time (clocks went back) is its first occurrence; a time
    that does not exist (clocks went forward) is the end of the gap, the first instant after it."""
    changes = zone_transitions(zone)
    at = changes["at"]
    first = _offsets(pl.Series([int(_GRID[0].timestamp())]), zone)
    offsets = pl.concat([first, changes["after"]])  # offset of segment j (segment 0: before the first change)
    bounds = pl.concat([pl.Series([-(2**62)]), at, pl.Series([2**62])])  # segment j is [bounds[j], bounds[j+1])
    frame = pl.DataFrame({"wall": wall.cast(pl.Int64)}).with_columns(
        pl.lit(at + changes["after"]).search_sorted(pl.col("wall"), side="right").cast(pl.Int64).alias("j")
    )
    j = pl.col("j")
    own = pl.col("wall") - pl.lit(offsets).gather(j)
    segment_end = pl.lit(bounds).gather(j + 1)
    previous = (j - 1).clip(lower_bound=0)
    repeated = (j >= 1) & (pl.col("wall") < pl.lit(bounds).gather(j) + pl.lit(offsets).gather(previous))
    return frame.select(
        pl.when(repeated)
        .then(pl.col("wall") - pl.lit(offsets).gather(previous))
        .when(own >= segment_end)
        .then(segment_end)
        .otherwise(own)
        .alias("utc")
    )["utc"]


def _day_start_after_gap(midnight: pl.Expr, zone: str) -> pl.Expr:
    """Where the clock of ``zone`` skips a local midnight (``midnight``: naive datetimes, local
    dates at 00:00), the first instant of that date: the end of the skipped span (Africa/Cairo
    goes from 00:00 to 01:00 on the last Friday of April), as a UTC datetime. Null where
    midnight exists, and where the zone skips the whole date (Pacific/Apia, 30 December 2011)."""
    gaps = zone_transitions(zone).filter(pl.col("after") > pl.col("before"))
    if gaps.height == 0:
        return pl.lit(None, pl.Datetime("us", "UTC"))
    us = 1_000_000
    opens = (gaps["at"] + gaps["before"]) * us  # the wall clock jumps from here ...
    closes = (gaps["at"] + gaps["after"]) * us  # ... to here (local microseconds since 1970)
    wall = midnight.dt.epoch("us")
    k = pl.lit(closes).search_sorted(wall, side="right")  # the first gap that ends after it
    at = k.clip(upper_bound=gaps.height - 1)
    inside = (k < gaps.height) & (pl.lit(opens).gather(at) <= wall) & (pl.lit(closes).gather(at) < wall + _DAY_US)
    return pl.when(inside).then((pl.lit(gaps["at"]).gather(at) * us).cast(pl.Datetime("us", "UTC")))


def local_midnights(midnight: pl.Expr, zone: str) -> pl.Expr:
    """Local dates of ``zone`` (naive datetimes at 00:00) as the UTC instants they begin:
    their midnight (its first occurrence when the clock shows it twice) or, where the clock
    skips midnight, the end of the skipped span; null where the zone skips the whole date.
    The end of a date is the start of the next one (23 or 25 hours later where clocks change)."""
    instant = midnight.dt.replace_time_zone(zone, ambiguous="earliest", non_existent="null").dt.convert_time_zone("UTC")
    return pl.coalesce(instant, _day_start_after_gap(midnight, zone))


def ambiguous_instants(t: pl.Expr, zone: str) -> pl.Expr:
    """Instants that are the first reading of an ambiguous local time of ``zone`` (the wall
    clock shows the same time again after clocks go back)."""
    changes = zone_transitions(zone).filter(pl.col("after") < pl.col("before"))
    if changes.height == 0:
        return pl.lit(False)
    starts = (changes["at"] - (changes["before"] - changes["after"])) * 1_000_000
    ends = pl.concat([pl.Series([-(2**62)]), changes["at"] * 1_000_000])
    us = t.dt.epoch("us")
    return pl.lit(ends).gather(pl.lit(starts).search_sorted(us, side="right")) > us


# -- the calendar ----------------------------------------------------------------------------


@dataclass(frozen=True)
class BusinessCalendar:
    """When a service desk is open. ``week`` has 7 entries, Monday first, each the day's open
    intervals in seconds after local midnight. On a date of ``open_dates`` the desk keeps those
    hours whatever the weekday or holiday; otherwise it is closed on ``holiday_dates``,
    ``closed_dates`` and the holidays of ``country`` (``subdivision``) - observed days included,
    as the ``holidays`` package lists them."""

    name: str
    timezone: str
    week: tuple[Hours, ...]
    country: str | None = None
    subdivision: str | None = None
    holiday_dates: frozenset[date] = frozenset()
    closed_dates: frozenset[date] = frozenset()
    open_dates: tuple[tuple[date, Hours], ...] = ()

    def __post_init__(self) -> None:
        if len(self.week) != 7:
            raise ValueError("week needs the hours of 7 days, Monday first")

    # -- what the calendar says ------------------------------------------------------------
    @cached_property
    def _country_holidays(self) -> tuple[frozenset[date], tuple[int, int]]:
        """The country's holidays and the years (first, last) the calendar covers: 1970–2100, or
        fewer when the ``holidays`` package lists the country's holidays in full for fewer years."""
        if not self.country:
            return frozenset(), (FIRST_YEAR, LAST_YEAR)
        return country_holidays(self.country, self.subdivision)

    @property
    def years(self) -> tuple[int, int]:
        """The first and last year (of local dates) the calendar can measure durations in."""
        return self._country_holidays[1]

    @cached_property
    def closed_days(self) -> frozenset[date]:
        """Every date closed by a holiday or an extra closed date (before open dates apply)."""
        return frozenset(set(self.holiday_dates) | set(self.closed_dates) | self._country_holidays[0])

    def hours_on(self, day: date) -> Hours:
        """The open intervals of one local date."""
        special = dict(self.open_dates)
        if day in special:
            return special[day]
        if day in self.closed_days:
            return ()
        return self.week[day.weekday()]

    def describe(self) -> str:
        """Short text, e.g. ``Mon–Fri 08:00–17:00 America/Los_Angeles, US holidays``."""
        if all(hours == ((0, DAY_SECONDS),) for hours in self.week):
            text = "24/7"
        else:
            groups: list[tuple[int, int, Hours]] = []
            for day, hours in enumerate(self.week):
                if groups and groups[-1][2] == hours and groups[-1][1] == day - 1:
                    groups[-1] = (groups[-1][0], day, hours)
                else:
                    groups.append((day, day, hours))
            parts = []
            for first, last, hours in groups:
                if not hours:
                    continue
                days = _SHOWN_DAYS[first] if first == last else f"{_SHOWN_DAYS[first]}–{_SHOWN_DAYS[last]}"
                parts.append(days + " " + ", ".join(_span(s, e) for s, e in hours))
            text = "; ".join(parts) or "never open"
        extras = []
        if self.country:
            first, last = self.years
            narrowed = f" ({first}–{last})" if (first, last) != (FIRST_YEAR, LAST_YEAR) else ""
            extras.append(f"{self._holiday_label} holidays{narrowed}")
        for count, what in (
            (len(self.holiday_dates), "holiday"),
            (len(self.closed_dates), "closed"),
            (len(self.open_dates), "open"),
        ):
            if count:
                extras.append(f"{count} {what} date{'s' if count > 1 else ''}")
        return f"{text} {self.timezone}" + "".join(", " + e for e in extras)

    # -- durations ---------------------------------------------------------------------------
    @property
    def coverage(self) -> str:
        """The dates the calendar covers, in words (for the data-quality finding)."""
        first, last = self.years
        text = f"local dates {first}-01-01 to {last}-12-31"
        if (first, last) != (FIRST_YEAR, LAST_YEAR):
            text += f", the years the holidays package lists {self._holiday_label} holidays for"
        return text

    @property
    def _holiday_label(self) -> str:
        return f"{self.country}{'-' + self.subdivision if self.subdivision else ''}"

    def covers(self, t: pl.Expr) -> pl.Expr:
        """Whether instants fall within the calendar's table (local dates 1970–2100)."""
        us = t.dt.epoch("us")
        return (us >= self._table.lo) & (us < self._table.hi)

    def business_seconds(self, start: pl.Expr, end: pl.Expr) -> pl.Expr:
        """Open time between the instants ``start`` and ``end`` (UTC datetimes), in seconds as
        Float64, exact to the microsecond. Negative when ``end`` is before ``start`` (the negative
        of the reverse); null where either is null or outside :meth:`covers`."""
        table = self._table
        inside = self.covers(start) & self.covers(end)
        elapsed = table.cumulative(end) - table.cumulative(start)
        return pl.when(inside).then(elapsed.cast(pl.Float64) / 1_000_000)

    @cached_property
    def _table(self) -> "_Table":
        return _Table.build(self)


def _span(start: int, end: int) -> str:
    return f"{_clock(start)}–{_clock(end)}"


def _clock(seconds: int) -> str:
    return f"{seconds // 3600:02d}:{seconds % 3600 // 60:02d}"


@dataclass(frozen=True)
class _Table:
    """Open time per day (see the module docstring). Instants are microseconds. The days are
    cut at midnight of the zone's offset on 1 January 2000 (``shift``) rather than at UTC
    midnight, so that a day's open hours are usually one piece: fewer gathers per instant."""

    lo: int  # first instant covered (local midnight starting FIRST_YEAR)
    hi: int  # first instant not covered (local midnight after LAST_YEAR)
    shift: int  # added to an instant before cutting days
    first_day: int  # day number (days since the epoch, after the shift) of index 0
    days: int
    before: pl.Series  # open time before each day
    starts: tuple[pl.Series, ...]  # per rank r: start of the r-th open piece of the day, after the day's start
    lengths: tuple[pl.Series, ...]  # per rank r: its length (0 where the day has fewer pieces)

    def cumulative(self, t: pl.Expr) -> pl.Expr:
        """Open time from the table's start to ``t``, in microseconds (Int64)."""
        us = t.dt.epoch("us") + self.shift
        index = (us // _DAY_US - self.first_day).clip(0, self.days - 1)
        into_day = us - (index + self.first_day) * _DAY_US
        total = pl.lit(self.before).gather(index)
        for starts, lengths in zip(self.starts, self.lengths):
            total = total + (into_day - pl.lit(starts).gather(index)).clip(0, pl.lit(lengths).gather(index))
        return total

    @classmethod
    def build(cls, calendar: BusinessCalendar) -> "_Table":
        first, last = (date(FIRST_YEAR, 1, 1) - _EPOCH).days, (date(LAST_YEAR, 12, 31) - _EPOCH).days
        days = pl.int_range(first, last + 1, dtype=pl.Int64, eager=True)
        special = dict(calendar.open_dates)
        skip = pl.Series([(d - _EPOCH).days for d in calendar.closed_days | set(special)], dtype=pl.Int64)
        regular = days.filter(~days.is_in(skip.implode()))
        weekday = (regular + 3) % 7  # 1970-01-01 was a Thursday
        walls_start, walls_end = [], []
        for number, hours in enumerate(calendar.week):
            on_day = regular.filter(weekday == number) * DAY_SECONDS
            for start, end in hours:
                walls_start.append(on_day + start)
                walls_end.append(on_day + end)
        for day, hours in special.items():
            midnight = (day - _EPOCH).days * DAY_SECONDS
            for start, end in hours:
                walls_start.append(pl.Series([midnight + start], dtype=pl.Int64))
                walls_end.append(pl.Series([midnight + end], dtype=pl.Int64))
        zone = calendar.timezone
        empty = pl.Series([], dtype=pl.Int64)
        intervals = (
            pl.DataFrame(
                {
                    "s": local_to_utc(pl.concat([empty, *walls_start]), zone) * 1_000_000,
                    "e": local_to_utc(pl.concat([empty, *walls_end]), zone) * 1_000_000,
                }
            )
            .filter(pl.col("e") > pl.col("s"))  # wholly inside a skipped hour
            .sort("s")
        )
        # Touching intervals (24/7, 12:00-12:00 splits, across midnight) become one.
        intervals = (
            intervals.with_columns((pl.col("s") > pl.col("e").shift(1)).fill_null(True).cum_sum().alias("run"))
            .group_by("run", maintain_order=True)
            .agg(pl.col("s").first(), pl.col("e").last())
        )
        # Durations are measured within the years the calendar covers (its holidays' years).
        years = calendar.years
        covered = [(date(years[0], 1, 1) - _EPOCH).days, (date(years[1], 12, 31) - _EPOCH).days + 1]
        bounds = local_to_utc(pl.Series(covered, dtype=pl.Int64) * DAY_SECONDS, zone) * 1_000_000
        lo, hi = bounds[0], bounds[1]
        shift = _offsets(pl.Series([946_684_800]), zone)[0] * 1_000_000
        intervals = intervals.with_columns(pl.col("s") + shift, pl.col("e") + shift)
        first_day, last_day = (lo + shift) // _DAY_US, (hi + shift - 1) // _DAY_US
        pieces = (
            intervals.with_columns(pl.int_ranges(pl.col("s") // _DAY_US, (pl.col("e") - 1) // _DAY_US + 1).alias("day"))
            .explode("day")
            .with_columns(
                pl.max_horizontal("s", pl.col("day") * _DAY_US).alias("ps"),
                pl.min_horizontal("e", (pl.col("day") + 1) * _DAY_US).alias("pe"),
            )
            .select(
                (pl.col("day") - first_day).alias("index"),
                (pl.col("ps") - pl.col("day") * _DAY_US).alias("start"),
                (pl.col("pe") - pl.col("ps")).alias("length"),
            )
            .with_columns(pl.int_range(pl.len()).over("index").alias("rank"))
        )
        count = last_day - first_day + 1
        grid = pl.DataFrame({"index": pl.int_range(0, count, dtype=pl.Int64, eager=True)})

        def per_day(frame: pl.DataFrame, column: str) -> pl.Series:
            return grid.join(frame.select("index", column), on="index", how="left").sort("index")[column].fill_null(0)

        ranks = int(pieces["rank"].max() or 0) + 1 if pieces.height else 0
        totals = per_day(pieces.group_by("index").agg(pl.col("length").sum()), "length")
        return cls(
            lo=lo,
            hi=hi,
            shift=shift,
            first_day=first_day,
            days=count,
            before=(totals.cum_sum() - totals).rename("before"),
            starts=tuple(per_day(pieces.filter(pl.col("rank") == r), "start") for r in range(ranks)),
            lengths=tuple(per_day(pieces.filter(pl.col("rank") == r), "length") for r in range(ranks)),
        )
