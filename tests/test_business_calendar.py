"""Business calendars: durations in open hours, worked out by hand, and compared with a
simple reference (a day-by-day walk over the open intervals with zoneinfo) on generated cases."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import holidays
import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from csaudit.business_calendar import (
    DAY_SECONDS,
    BusinessCalendar,
    check_holidays,
    check_timezone,
    local_to_utc,
    parse_dates,
    parse_days,
    parse_hours,
    parse_interval,
    zone_transitions,
)

H = 3600
UTC = timezone.utc
NINE_TO_FIVE = ((8 * H, 17 * H),)
WEEKDAYS_ONLY = (NINE_TO_FIVE,) * 5 + ((),) * 2

STANFORD = BusinessCalendar("stanford", "America/Los_Angeles", WEEKDAYS_ONLY, country="US")
LUNCH = BusinessCalendar(
    "lunch",
    "Europe/Berlin",
    (((8 * H, 12 * H), (13 * H, 17 * H)),) * 5 + (((9 * H, 13 * H),), ()),
    holiday_dates=frozenset({date(2024, 3, 13)}),
    closed_dates=frozenset(parse_dates("2024-12-23..2024-12-31")),
    open_dates=((date(2024, 12, 28), ((10 * H, 12 * H),)), (date(2024, 12, 29), ((10 * H, 11 * H),))),
)
ALWAYS_UTC = BusinessCalendar("always", "UTC", (((0, DAY_SECONDS),),) * 7)
ALWAYS_LA = BusinessCalendar("always-la", "America/Los_Angeles", (((0, DAY_SECONDS),),) * 7)
# Open around the American DST changes (Sunday 02:00) and over midnight.
SUNDAY_NIGHT = BusinessCalendar(
    "sunday-night",
    "America/Los_Angeles",
    (((20 * H, DAY_SECONDS),), ((0, 6 * H),), (), (), (), (), ((1 * H, 4 * H),)),
)
GAP_EDGES = BusinessCalendar(
    "gap-edges", "America/Los_Angeles", ((),) * 6 + (((int(2.5 * H), 5 * H),),)
)
FALL_EDGE = BusinessCalendar(
    "fall-edge", "America/Los_Angeles", ((),) * 6 + (((int(1.5 * H), 5 * H),),)
)


def la(text: str) -> datetime:
    """A Los Angeles wall-clock time with its offset written out, as an UTC instant."""
    return datetime.fromisoformat(text).astimezone(UTC)


def business(calendar: BusinessCalendar, pairs: list[tuple[datetime | None, datetime | None]]) -> list[float | None]:
    frame = pl.DataFrame(
        {"start": [p[0] for p in pairs], "end": [p[1] for p in pairs]},
        schema={"start": pl.Datetime("us", "UTC"), "end": pl.Datetime("us", "UTC")},
    )
    return frame.select(calendar.business_seconds(pl.col("start"), pl.col("end")).alias("b"))["b"].to_list()


def one(calendar: BusinessCalendar, start: str, end: str) -> float:
    (value,) = business(calendar, [(la(start), la(end))])
    return value


# -- hand-worked values ------------------------------------------------------------------------


def test_weekend_is_closed():
    # Fri 16:00-17:00 and Mon 08:00-09:00.
    assert one(STANFORD, "2024-01-05 16:00-08:00", "2024-01-08 09:00-08:00") == 2 * H


def test_country_holiday_is_closed():
    # Thursday 4 July 2024 is Independence Day: Wed 16-17 and Fri 08-09.
    assert one(STANFORD, "2024-07-03 16:00-07:00", "2024-07-05 09:00-07:00") == 2 * H


def test_observed_holiday_is_closed():
    # 4 July 2026 is a Saturday; Friday 3 July is the observed holiday: Thu 16-17, Mon 08-09.
    assert one(STANFORD, "2026-07-02 16:00-07:00", "2026-07-06 09:00-07:00") == 2 * H


def test_explicit_holiday_is_closed():
    # Wednesday 13 March 2024 is a holiday of the lunch calendar: Tue 16-17, Thu 08-09.
    assert one(LUNCH, "2024-03-12 16:00+01:00", "2024-03-14 09:00+01:00") == 2 * H


def test_arrival_on_a_holiday_counts_from_the_next_opening():
    assert one(STANFORD, "2024-07-04 10:00-07:00", "2024-07-05 08:30-07:00") == 1800


def test_arrival_before_and_after_hours_counts_from_the_next_opening():
    assert one(STANFORD, "2024-01-09 06:00-08:00", "2024-01-09 08:15-08:00") == 900
    assert one(STANFORD, "2024-01-09 18:00-08:00", "2024-01-10 08:10-08:00") == 600


def test_both_in_the_same_closed_span_is_zero():
    assert one(STANFORD, "2024-01-06 10:00-08:00", "2024-01-07 15:00-08:00") == 0  # Sat → Sun
    assert one(STANFORD, "2024-01-09 18:00-08:00", "2024-01-10 07:00-08:00") == 0  # night
    assert one(STANFORD, "2024-07-04 09:00-07:00", "2024-07-04 16:00-07:00") == 0  # on the holiday


def test_split_day_with_a_lunch_break():
    assert one(LUNCH, "2024-03-11 11:30+01:00", "2024-03-11 13:30+01:00") == H
    assert one(LUNCH, "2024-03-11 12:10+01:00", "2024-03-11 12:50+01:00") == 0
    # A whole week: 5 × 8 h + Saturday 4 h.
    assert one(LUNCH, "2024-03-04 00:00+01:00", "2024-03-11 00:00+01:00") == 44 * H


def test_closed_and_open_dates():
    # Fri 20 December 2024 8 h, Sat 4 h; Mon 23 … Tue 31 closed, but Sat 28 open 10-12 and
    # Sun 29 open 10-11; Wed 1 January 2025 is an ordinary day here (no country holidays): 8 h.
    assert one(LUNCH, "2024-12-20 00:00+01:00", "2025-01-02 00:00+01:00") == (8 + 4 + 2 + 1 + 8) * H
    assert one(LUNCH, "2024-12-28 09:00+01:00", "2024-12-28 11:00+01:00") == H


def test_twenty_four_seven_is_calendar_time_even_over_dst():
    # Los Angeles, 10 March 2024: 00:00 PST to 12:00 PDT is 11 real hours.
    assert one(ALWAYS_LA, "2024-03-10 00:00-08:00", "2024-03-10 12:00-07:00") == 11 * H
    # 3 November 2024: 00:00 PDT to 12:00 PST is 13 real hours.
    assert one(ALWAYS_LA, "2024-11-03 00:00-07:00", "2024-11-03 12:00-08:00") == 13 * H
    assert one(ALWAYS_UTC, "2024-01-01 00:00:00.25+00:00", "2024-03-01 00:00+00:00") == 60 * 86400 - 0.25


def test_interval_ending_at_midnight_continues_the_next_morning():
    # Monday 20:00-24:00 and Tuesday 00:00-06:00 (UTC-8 in January).
    assert one(SUNDAY_NIGHT, "2024-01-08 23:00-08:00", "2024-01-09 01:00-08:00") == 2 * H
    assert one(SUNDAY_NIGHT, "2024-01-08 00:00-08:00", "2024-01-10 00:00-08:00") == 10 * H


def test_dst_spring_forward_neither_gains_nor_loses_time():
    # Sunday 10 March 2024, open 01:00-04:00 local: 01:00 PST → 04:00 PDT is 2 real hours.
    assert one(SUNDAY_NIGHT, "2024-03-09 12:00-08:00", "2024-03-10 12:00-07:00") == 2 * H
    assert one(SUNDAY_NIGHT, "2024-03-10 01:30-08:00", "2024-03-10 03:30-07:00") == H
    # The week before: 3 hours.
    assert one(SUNDAY_NIGHT, "2024-03-02 12:00-08:00", "2024-03-03 12:00-08:00") == 3 * H
    # Opening at 02:30, a time that does not exist that day: open from 03:00 PDT to 05:00 PDT.
    assert one(GAP_EDGES, "2024-03-10 00:00-08:00", "2024-03-10 12:00-07:00") == 2 * H
    # Business hours on weekdays do not move: Fri 16-17 PST and Mon 08-09 PDT.
    assert one(STANFORD, "2024-03-08 16:00-08:00", "2024-03-11 09:00-07:00") == 2 * H


def test_dst_fall_back_neither_gains_nor_loses_time():
    # Sunday 3 November 2024, open 01:00-04:00: 01:00 PDT → 04:00 PST is 4 real hours.
    assert one(SUNDAY_NIGHT, "2024-11-02 12:00-07:00", "2024-11-03 12:00-08:00") == 4 * H
    # Inside the repeated hour: 01:30 PDT → 01:30 PST is one real hour, all open.
    assert one(SUNDAY_NIGHT, "2024-11-03 01:30-07:00", "2024-11-03 01:30-08:00") == H
    # Opening at 01:30, which happens twice: the first time (PDT) counts. 01:30 PDT → 05:00 PST.
    assert one(FALL_EDGE, "2024-11-03 00:00-07:00", "2024-11-03 12:00-08:00") == 4.5 * H
    assert one(STANFORD, "2024-11-01 16:00-07:00", "2024-11-04 09:00-08:00") == 2 * H


def test_many_weeks():
    # 1 January - 4 February 2024: 25 weekdays, less New Year's Day and Martin Luther King Day.
    assert one(STANFORD, "2024-01-01 00:00-08:00", "2024-02-05 00:00-08:00") == 23 * 9 * H
    # A year of Stanford: 262 weekdays in 2024, 11 federal holidays on weekdays (Juneteenth included).
    assert one(STANFORD, "2024-01-01 00:00-08:00", "2025-01-01 00:00-08:00") == (262 - 11) * 9 * H


def test_end_before_start_is_the_negative_of_the_reverse():
    forward = one(STANFORD, "2024-01-05 16:00-08:00", "2024-01-08 09:00-08:00")
    assert one(STANFORD, "2024-01-08 09:00-08:00", "2024-01-05 16:00-08:00") == -forward


def test_exact_to_the_microsecond():
    start = la("2024-01-09 08:00:00.000001-08:00")
    assert business(STANFORD, [(start, start + timedelta(microseconds=2))]) == [2e-6]
    assert business(STANFORD, [(la("2024-01-09 07:59:59.999999-08:00"), la("2024-01-09 08:00:00.5-08:00"))]) == [0.5]


def test_null_and_out_of_range_instants_give_null():
    inside = la("2024-01-09 09:00-08:00")
    assert business(STANFORD, [(None, inside), (inside, None)]) == [None, None]
    early, late = datetime(1969, 12, 31, 12, tzinfo=UTC), datetime(2101, 1, 2, tzinfo=UTC)
    assert business(STANFORD, [(early, inside), (inside, late)]) == [None, None]
    covered = pl.DataFrame({"t": [early, inside, late]}).select(STANFORD.covers(pl.col("t")))
    assert covered.to_series().to_list() == [False, True, False]
    # The first and last covered local days are measured (1 January 1970 is a holiday).
    first = la("1970-01-01 00:00-08:00")
    assert business(STANFORD, [(first, first + timedelta(days=2))]) == [9 * H]
    # Friday 31 December 2100 is the observed New Year holiday of 2101.
    assert one(STANFORD, "2100-12-30 08:00-08:00", "2100-12-31 23:59-08:00") == 9 * H


def test_describe():
    assert STANFORD.describe() == "Mon–Fri 08:00–17:00 America/Los_Angeles, US holidays"
    assert ALWAYS_UTC.describe() == "24/7 UTC"
    assert LUNCH.describe() == (
        "Mon–Fri 08:00–12:00, 13:00–17:00; Sat 09:00–13:00 Europe/Berlin, 1 holiday date, 9 closed dates, 2 open dates"
    )
    assert SUNDAY_NIGHT.describe() == "Mon 20:00–24:00; Tue 00:00–06:00; Sun 01:00–04:00 America/Los_Angeles"


# -- the notation --------------------------------------------------------------------------------


def test_parse_interval_and_hours():
    assert parse_interval("08:00-17:00") == (8 * H, 17 * H)
    assert parse_interval("08:00–24:00") == (8 * H, 24 * H)
    assert parse_hours(["13:00-17:00", "08:00-12:00"]) == ((8 * H, 12 * H), (13 * H, 17 * H))
    assert parse_hours("closed") == ()
    assert parse_hours("24h") == ((0, DAY_SECONDS),)
    assert parse_hours(["08:00-12:00", "12:00-17:00"]) == ((8 * H, 12 * H), (12 * H, 17 * H))


@pytest.mark.parametrize(
    "text, message",
    [
        ("8:00-17:00", "did you mean '08:00-17:00'?"),
        ("8-17", "did you mean '08:00-17:00'?"),
        ("17:00-08:00", "ends before it starts"),
        ("08:00-24:30", "24:00 only as an end"),
        ("25:00-26:00", "hours run from 00:00 to 24:00"),
    ],
)
def test_bad_intervals(text, message):
    with pytest.raises(ValueError, match=message):
        parse_interval(text)


def test_overlapping_intervals_are_refused():
    with pytest.raises(ValueError, match="08:00–12:00 and 11:30–17:00 overlap"):
        parse_hours(["08:00-12:00", "11:30-17:00"])


def test_parse_days():
    assert parse_days("mon-fri") == (0, 1, 2, 3, 4)
    assert parse_days("Sunday–Thursday") == (6, 0, 1, 2, 3)
    assert parse_days("weekend") == (5, 6)
    assert parse_days("daily") == tuple(range(7))
    with pytest.raises(ValueError, match="did you mean 'tue'"):
        parse_days("tues")


def test_parse_dates():
    assert parse_dates(date(2024, 12, 24)) == [date(2024, 12, 24)]
    assert parse_dates("2024-12-30..2025-01-02") == [date(2024, 12, 30), date(2024, 12, 31), date(2025, 1, 1), date(2025, 1, 2)]
    with pytest.raises(ValueError, match="outside the years"):
        parse_dates("1969-12-31")
    with pytest.raises(ValueError, match="ends before it starts"):
        parse_dates("2025-01-02..2024-12-30")


def test_time_zone_and_country_names_are_checked():
    assert check_timezone("Asia/Ho_Chi_Minh") == "Asia/Ho_Chi_Minh"
    with pytest.raises(ValueError, match="did you mean 'America/Los_Angeles'"):
        check_timezone("America/LosAngeles")
    with pytest.raises(ValueError, match="did you mean 'America/Los_Angeles'"):
        check_timezone("america/los_angeles")
    check_holidays("US", "CA")
    with pytest.raises(ValueError, match="no country 'XX'"):
        check_holidays("XX", None)
    with pytest.raises(ValueError, match="no subdivision 'ZZ' of US"):
        check_holidays("US", "ZZ")


def test_local_to_utc_at_dst_changes():
    def wall(text):
        return int(datetime.fromisoformat(text).replace(tzinfo=UTC).timestamp())

    walls = pl.Series([wall("2024-03-10 01:59"), wall("2024-03-10 02:30"), wall("2024-03-10 03:00"),
                       wall("2024-11-03 00:59"), wall("2024-11-03 01:30"), wall("2024-11-03 02:00")])
    got = [datetime.fromtimestamp(s, UTC).strftime("%m-%d %H:%M") for s in local_to_utc(walls, "America/Los_Angeles")]
    # 02:30 does not exist: the end of the gap (03:00 PDT = 10:00 UTC); 01:30 in November is
    # its first occurrence (PDT, 08:30 UTC).
    assert got == ["03-10 09:59", "03-10 10:00", "03-10 10:00", "11-03 07:59", "11-03 08:30", "11-03 10:00"]


def test_zone_transitions_match_zoneinfo():
    zone = ZoneInfo("Europe/London")
    changes = zone_transitions("Europe/London").filter(pl.col("at").is_between(1_577_836_800, 1_735_689_600))
    for at, before, after in changes.iter_rows():
        assert datetime.fromtimestamp(at - 1, zone).utcoffset().total_seconds() == before
        assert datetime.fromtimestamp(at, zone).utcoffset().total_seconds() == after
    assert changes.height == 10  # 2020-2024, two a year


# -- the reference: a day-by-day walk over the open intervals ----------------------------------


def reference_instant(wall: datetime, zone: ZoneInfo) -> datetime:
    """A local wall-clock time as an instant: an ambiguous one is its first occurrence (fold=0),
    one that does not exist is the end of the gap (the first existing minute after it)."""
    probe = wall
    while True:
        instant = probe.replace(tzinfo=zone, fold=0).astimezone(UTC)
        if instant.astimezone(zone).replace(tzinfo=None) == probe:
            return instant
        probe += timedelta(minutes=1)


def reference_hours(calendar: BusinessCalendar, day: date, country_days: set[date]) -> tuple:
    special = dict(calendar.open_dates)
    if day in special:
        return special[day]
    if day in calendar.holiday_dates or day in calendar.closed_dates or day in country_days:
        return ()
    return calendar.week[day.weekday()]


def reference_seconds(calendar: BusinessCalendar, start: datetime, end: datetime, country_days: set[date]) -> float:
    if end < start:
        return -reference_seconds(calendar, end, start, country_days)
    zone = ZoneInfo(calendar.timezone)
    day = start.astimezone(zone).date() - timedelta(days=1)
    last = end.astimezone(zone).date() + timedelta(days=1)
    total = timedelta(0)
    while day <= last:
        midnight = datetime.combine(day, time())
        for opens, closes in reference_hours(calendar, day, country_days):
            lo = max(start, reference_instant(midnight + timedelta(seconds=opens), zone))
            hi = min(end, reference_instant(midnight + timedelta(seconds=closes), zone))
            if hi > lo:
                total += hi - lo
        day += timedelta(days=1)
    return (total // timedelta(microseconds=1)) / 1_000_000


ODD = [
    STANFORD,
    LUNCH,
    SUNDAY_NIGHT,
    GAP_EDGES,
    FALL_EDGE,
    # Half-hour DST (Lord Howe), DST at midnight (São Paulo until 2019), a skipped day (Apia,
    # 30 December 2011), a quarter-hour offset (Kathmandu) with odd minutes.
    BusinessCalendar("howe", "Australia/Lord_Howe", (((1 * H, int(2.5 * H)), (9 * H, 17 * H)),) * 7),
    BusinessCalendar("sao-paulo", "America/Sao_Paulo", (((0, 9 * H),), ((20 * H, DAY_SECONDS),)) * 3 + (((0, DAY_SECONDS),),)),
    BusinessCalendar("apia", "Pacific/Apia", (((0, 12 * H), (12 * H, DAY_SECONDS)),) * 6 + ((),), country="WS"),
    BusinessCalendar("kathmandu", "Asia/Kathmandu", (((9 * H + 15 * 60, 13 * H + 45 * 60),),) * 5 + ((), ((10 * H, 11 * H + 60),))),
]
COUNTRY_DAYS = {
    c.name: set(holidays.country_holidays(c.country, years=range(2005, 2031))) if c.country else set() for c in ODD
}


def _instants(calendar: BusinessCalendar):
    """Instants that stress the calendar: anywhere, near its time zone's changes, near its
    local opening and closing times."""
    changes = zone_transitions(calendar.timezone).filter(pl.col("at").is_between(1_104_537_600, 1_893_456_000))["at"].to_list()
    anywhere = st.datetimes(datetime(2008, 1, 1), datetime(2029, 12, 31))
    micro = st.integers(-3 * 3600 * 10**6, 3 * 3600 * 10**6).map(lambda us: timedelta(microseconds=us))
    near_change = st.tuples(st.sampled_from(changes or [1_262_304_000]), micro).map(
        lambda p: datetime.fromtimestamp(p[0], UTC).replace(tzinfo=None) + p[1]
    )
    bounds = sorted({b for hours in calendar.week for iv in hours for b in iv} | {0})
    zone = ZoneInfo(calendar.timezone)
    near_bound = st.tuples(
        st.dates(date(2008, 1, 1), date(2029, 12, 31)),
        st.sampled_from(bounds),
        st.sampled_from([0, 0, 1, -1, 59 * 10**6, -(10**6), 1800 * 10**6]),
    ).map(lambda p: (datetime.combine(p[0], time()) + timedelta(seconds=p[1], microseconds=p[2])).replace(tzinfo=zone).astimezone(UTC).replace(tzinfo=None))
    return st.one_of(anywhere, near_change, near_bound).map(lambda d: d.replace(tzinfo=UTC))


def _spans():
    short = st.integers(0, 3 * 86400 * 10**6)
    long = st.integers(0, 70 * 86400 * 10**6)
    return st.one_of(short, short, short, long).map(lambda us: timedelta(microseconds=us))


INSTANTS = {calendar.name: _instants(calendar) for calendar in ODD}
SPANS = _spans()


@st.composite
def cases(draw):
    calendar = draw(st.sampled_from(ODD))
    pairs = []
    for _ in range(draw(st.integers(1, 40))):
        start = draw(INSTANTS[calendar.name])
        end = start + draw(SPANS)
        pairs.append((end, start) if draw(st.booleans()) else (start, end))
    return calendar, pairs


@settings(max_examples=150, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(cases())
def test_same_as_the_reference_walk(case):
    calendar, pairs = case
    # Compared in whole microseconds: polars divides by 10^6 as a multiplication, which may
    # differ from Python's division in the last bit.
    got = [round(v * 1_000_000) for v in business(calendar, pairs)]
    want = [round(reference_seconds(calendar, s, e, COUNTRY_DAYS[calendar.name]) * 1_000_000) for s, e in pairs]
    assert got == want
