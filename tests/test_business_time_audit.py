"""Business time through the whole audit: calendars in profiles, --timezone, the error when a
zone is needed, pauses, the calendar each result reports, and the loader's errors."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest
from typer.testing import CliRunner

from csaudit.cli import app
from csaudit.engine import audit
from csaudit.errors import CsauditError, ProfileError
from csaudit.profile.loader import load_profile, parse_profile

REPO = Path(__file__).resolve().parent.parent
runner = CliRunner()

# Mon–Fri 09:00–17:00 in Ho Chi Minh City (UTC+7 all year), closed on Monday 2 September 2024.
OFFICE = """
calendars:
  office:
    timezone: Asia/Ho_Chi_Minh
    hours: {mon-fri: 09:00-17:00}
    holidays: {dates: [2024-09-02]}
"""

FRT_OFFICE = """
- id: frt
  title: First response
  metric: first_response_time
  calendar: office
- id: frt-1h
  title: First response within 1 business hour
  metric: first_response_time
  statistic: {share_within: 1h}
  calendar: office
"""

# Local wall-clock times in Ho Chi Minh City. Business seconds, by hand:
#   1 Fri 16:00 → Tue 10:00: Fri 1 h, Mon a holiday, Tue 1 h         = 7200
#   2 Sat 10:00 → Tue 09:30: counts from Tuesday's opening            = 1800
#   3 Tue 08:00 → Tue 08:45: both before opening                      = 0
#   4 Tue 16:30 → Wed 09:15: 30 min + 15 min                          = 2700
FRT_LOCAL = """
id,created_at,first_response_at
1,2024-08-30 16:00:00,2024-09-03 10:00:00
2,2024-08-31 10:00:00,2024-09-03 09:30:00
3,2024-09-03 08:00:00,2024-09-03 08:45:00
4,2024-09-03 16:30:00,2024-09-04 09:15:00
"""


def values(result) -> dict[str, tuple[float, int]]:
    return {sr.standard.id: (sr.groups[0].value, sr.groups[0].sample_size) for sr in result.standards}


def finding(result, key: str):
    found = [f for f in result.findings if f.key == key]
    assert len(found) == 1, [f.key for f in result.findings]
    return found[0]


# -- business time in the audit --------------------------------------------------------------------


def test_business_time_with_timezone(run_audit):
    result = run_audit(FRT_LOCAL, FRT_OFFICE, extra=OFFICE, timezone="Asia/Ho_Chi_Minh")
    assert values(result) == {"frt": ((7200 + 1800 + 0 + 2700) / 4, 4), "frt-1h": (0.75, 4)}
    assert [sr.calendar for sr in result.standards] == ["office", "office"]
    assert any("read as Asia/Ho_Chi_Minh time" in note for note in result.notes)


def test_profile_timezone_reads_naive_timestamps(run_audit):
    result = run_audit(FRT_LOCAL, FRT_OFFICE, extra=OFFICE + "timezone: Asia/Ho_Chi_Minh\n")
    assert values(result)["frt"] == (2925.0, 4)


def test_command_line_timezone_wins_over_the_profile(run_audit):
    # Read as UTC, row 1 is Fri 23:00 → Tue 17:00 local: Tue 09:00-17:00 = 8 h.
    result = run_audit(FRT_LOCAL, FRT_OFFICE, extra=OFFICE + "timezone: Asia/Ho_Chi_Minh\n", timezone="UTC")
    assert result.standards[0].groups[0].value != 2925.0


def test_timestamps_with_offsets_need_no_timezone(run_audit):
    offsets = "\n".join(
        ",".join([row.split(",")[0]] + [f"{v.replace(' ', 'T')}+07:00" for v in row.split(",")[1:]])
        for row in FRT_LOCAL.strip().splitlines()[1:]
    )
    result = run_audit("id,created_at,first_response_at\n" + offsets + "\n", FRT_OFFICE, extra=OFFICE)
    assert values(result)["frt"] == (2925.0, 4)


def test_naive_timestamps_and_a_calendar_need_a_timezone(run_audit):
    result = run_audit(FRT_LOCAL, FRT_OFFICE, extra=OFFICE)
    frt = next(sr for sr in result.standards if sr.standard.id == "frt")
    assert frt.status.value == "error" and result.exit_code == 2  # required: the run cannot pass
    message = frt.reason
    assert "calendar 'office'" in message
    assert "`created_at` (column 'created_at') and `first_response_at` (column 'first_response_at')" in message
    assert "--timezone Asia/Ho_Chi_Minh" in message and "`timezone:` in the profile" in message


def test_without_a_calendar_naive_timestamps_stay_utc(run_audit):
    frt = "- id: frt\n  title: FRT\n  metric: first_response_time\n"
    result = run_audit(FRT_LOCAL, frt)
    # Calendar time: 3 d 18 h, 2 d 23 h 30 m, 45 m, 16 h 45 m.
    assert values(result)["frt"] == ((324000 + 257400 + 2700 + 60300) / 4, 4)
    assert result.standards[0].calendar == ""
    assert not any("read as" in note for note in result.notes)


def test_profile_default_calendar_and_calendar_none(run_audit):
    standards = """
    - id: default
      title: Uses the profile's calendar
      metric: first_response_time
    - id: calendar-time
      title: Calendar time
      metric: first_response_time
      calendar: none
    - id: fcr
      title: Not a duration
      metric: resolution_rate
    """
    result = run_audit(
        "id,created_at,first_response_at,resolved_at\n1,2024-08-30 16:00:00,2024-09-03 10:00:00,\n",
        standards,
        extra=OFFICE + "calendar: office\n",
        timezone="Asia/Ho_Chi_Minh",
    )
    assert values(result)["default"] == (7200.0, 1)
    assert values(result)["calendar-time"] == (324000.0, 1)
    assert [sr.calendar for sr in result.standards] == ["office", "", ""]


def test_resolution_time_each_priority_in_business_time(run_audit):
    standards = """
    - id: resolve
      title: Resolution by priority
      metric: resolution_time
      each: priority
      calendar: office
    """
    csv = """
    id,priority,created_at,resolved_at
    1,P1,2024-09-03 16:00:00+07:00,2024-09-04 10:00:00+07:00
    2,P1,2024-09-04 10:00:00+07:00,2024-09-04 10:30:00+07:00
    3,P2,2024-09-06 16:00:00+07:00,2024-09-16 09:00:00+07:00
    """
    result = run_audit(csv, standards, extra=OFFICE)
    groups = {g.group["priority"]: (g.value, g.sample_size) for g in result.standards[0].groups}
    # P1: 2 h and 30 min. P2: Fri 1 h + 5 days of the next week (40 h) = 41 h.
    assert groups == {"P1": (4500.0, 2), "P2": (41 * 3600.0, 1)}


def test_speed_of_answer_in_business_time(run_audit):
    standards = """
    - id: asa
      title: Speed of answer
      metric: speed_of_answer
      calendar: office
    """
    csv = """
    id,channel,created_at,queued_at,first_response_at
    1,chat,2024-09-03 16:59:00+07:00,2024-09-03 16:59:30+07:00,2024-09-04 09:00:30+07:00
    2,chat,2024-09-03 10:00:00+07:00,,2024-09-03 10:01:00+07:00
    """
    result = run_audit(csv, standards, extra=OFFICE)
    # Row 1 waits 30 s before closing and 30 s after opening; row 2 falls back to created_at.
    assert values(result)["asa"] == (60.0, 2)


def test_response_before_creation_is_a_finding_in_business_time_too(run_audit):
    csv = """
    id,created_at,first_response_at
    1,2024-09-03 10:00:00+07:00,2024-09-03 11:00:00+07:00
    2,2024-09-03 12:00:00+07:00,2024-09-03 11:00:00+07:00
    """
    result = run_audit(csv, FRT_OFFICE, extra=OFFICE)
    assert values(result)["frt"] == (3600.0, 1)
    negative = finding(result, "negative:created_at:first_response_at")
    assert (negative.count, negative.rows) == (1, [2])


def test_instants_outside_the_calendar_are_a_finding(run_audit):
    csv = """
    id,created_at,first_response_at
    1,2024-09-03 10:00:00+07:00,2024-09-03 11:00:00+07:00
    2,1969-12-31 10:00:00+07:00,2024-09-03 11:00:00+07:00
    3,2024-09-03 10:00:00+07:00,2101-01-01 11:00:00+07:00
    """
    result = run_audit(csv, FRT_OFFICE, extra=OFFICE)
    assert values(result)["frt"] == (3600.0, 1)
    early = finding(result, "calendar-range:office:created_at")
    late = finding(result, "calendar-range:office:first_response_at")
    assert (early.rows, late.rows) == ([2], [3])
    assert "1970-01-01 to 2100-12-31" in early.message


# -- daylight saving time in naive exports ----------------------------------------------------


def in_los_angeles(run_audit, csv: str, statistic: str = "mean"):
    """First response time of naive timestamps read as Los Angeles time, calendar time."""
    frt = f"- id: frt\n  title: FRT\n  metric: first_response_time\n  statistic: {statistic}\n"
    rows = textwrap.dedent(csv).strip()
    return run_audit(f"id,created_at,first_response_at\n{rows}\n", frt, timezone="America/Los_Angeles")


def test_naive_local_times_over_dst_are_real_elapsed_time(run_audit):
    csv = """
    1,2024-03-10 01:30:00,2024-03-10 03:30:00
    2,2024-11-03 00:30:00,2024-11-03 02:30:00
    """
    # Spring: 01:30 PST → 03:30 PDT is 1 hour; fall: 00:30 PDT → 02:30 PST is 3 hours.
    assert values(in_los_angeles(run_audit, csv, "max"))["frt"] == (3 * 3600.0, 2)
    assert values(in_los_angeles(run_audit, csv, "min"))["frt"] == (3600.0, 2)


def test_local_times_that_do_not_exist_are_a_finding(run_audit):
    csv = """
    1,2024-03-10 01:00:00,2024-03-10 01:10:00
    2,2024-03-10 02:30:00,2024-03-10 03:10:00
    3,2024-03-10 03:00:00,soon
    """
    result = in_los_angeles(run_audit, csv)
    assert values(result)["frt"] == (600.0, 1)
    skipped = finding(result, "nonexistent:created_at")
    assert (skipped.count, skipped.rows, skipped.examples) == (1, [2], ["2024-03-10 02:30:00"])
    assert "do not exist in America/Los_Angeles" in skipped.message
    # Only the text that is no time at all is unreadable.
    assert finding(result, "unparsable:first_response_at").rows == [3]
    assert not [f for f in result.findings if f.key == "unparsable:created_at"]


def test_ambiguous_local_times_are_their_first_occurrence_and_shown(run_audit):
    csv = """
    1,2024-11-03 00:50:00,2024-11-03 01:10:00
    2,2024-11-03 01:20:00,2024-11-03 02:20:00
    """
    result = in_los_angeles(run_audit, csv)
    # Row 1: 00:50 PDT → 01:10 PDT (the first 01:10) = 20 min. Row 2: 01:20 PDT → 02:20 PST = 2 h.
    assert values(result)["frt"] == ((1200 + 7200) / 2, 2)
    assert finding(result, "ambiguous:created_at").rows == [2]
    assert finding(result, "ambiguous:first_response_at").rows == [1]


# -- pausing ----------------------------------------------------------------------------------------

PAUSED = """
id,created_at,resolved_at,paused_seconds
1,2024-09-09 09:00:00+07:00,2024-09-09 12:00:00+07:00,3600
2,2024-09-09 09:00:00+07:00,2024-09-10 10:00:00+07:00,
3,2024-09-09 16:00:00+07:00,2024-09-09 16:30:00+07:00,7200
4,2024-09-09 10:00:00+07:00,2024-09-09 11:00:00+07:00,-5
5,2024-09-09 10:00:00+07:00,2024-09-09 11:00:00+07:00,abc
"""


def resolution(calendar: str) -> str:
    return f"""
    - id: resolve
      title: Resolution less pauses
      metric: resolution_time
      options: {{subtract: [paused_seconds]}}
      calendar: {calendar}
    """


def test_pauses_are_subtracted_from_business_time(run_audit):
    result = run_audit(PAUSED, resolution("office"), extra=OFFICE)
    # 3 h − 1 h; 9 h (Mon 8 h + Tue 1 h), no pause; 30 min − 2 h → 0. Rows 4 and 5 are left out.
    assert values(result)["resolve"] == ((7200 + 32400 + 0) / 3, 3)
    longer = finding(result, "pause-longer:created_at:resolved_at:office:paused_seconds")
    assert (longer.count, longer.rows, longer.examples) == (1, [3], ["7200"])
    assert "count as 0 s" in longer.message and "business hours of calendar 'office'" in longer.message
    assert finding(result, "negative:paused_seconds").rows == [4]
    assert finding(result, "unparsable:paused_seconds").rows == [5]
    assert any("`paused_seconds` subtracted" in note for note in result.standards[0].notes)


def test_pauses_are_subtracted_from_calendar_time(run_audit):
    result = run_audit(PAUSED, resolution("none"))
    # 3 h − 1 h; 25 h; 30 min − 2 h → 0.
    assert values(result)["resolve"] == ((7200 + 90000 + 0) / 3, 3)
    assert finding(result, "pause-longer:created_at:resolved_at::paused_seconds").rows == [3]


def test_two_pause_fields_add_up(run_audit):
    standards = """
    - id: frt
      title: FRT less pending and hold
      metric: first_response_time
      options: {subtract: [paused_seconds, hold_seconds]}
    """
    csv = """
    id,created_at,first_response_at,paused_seconds,hold_seconds
    1,2024-09-09 09:00:00+07:00,2024-09-09 10:00:00+07:00,600,60
    """
    assert values(run_audit(csv, standards))["frt"] == (3600 - 660.0, 1)


def test_a_missing_pause_column_is_an_error_naming_the_field(run_audit):
    result = run_audit("id,created_at,resolved_at\n1,2024-09-09 09:00:00Z,2024-09-09 10:00:00Z\n", resolution("none"))
    (sr,) = result.standards
    assert sr.status.value == "error" and sr.missing_fields == ["paused_seconds"]


# -- the command line and the bundled example -------------------------------------------------------


@pytest.fixture
def office_files(tmp_path):
    export = tmp_path / "export.csv"
    export.write_text(FRT_LOCAL.lstrip(), encoding="utf-8")
    profile = tmp_path / "office.yaml"
    body = "\n".join("  " + line for line in FRT_OFFICE.strip().splitlines())
    profile.write_text(f"csaudit_profile: 1\nname: office\n{OFFICE.lstrip()}standards:\n{body}\n", encoding="utf-8")
    return export, profile


def test_cli_timezone_option(office_files):
    export, profile = office_files
    result = runner.invoke(app, ["check", str(export), "-p", str(profile), "--timezone", "Asia/Ho_Chi_Minh", "-f", "json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert [r["groups"][0]["value"] if "groups" in r else r["value"] for r in report["results"]] == [2925.0, 0.75]


def test_cli_needs_a_timezone(office_files):
    export, profile = office_files
    result = runner.invoke(app, ["check", str(export), "-p", str(profile)])
    assert result.exit_code == 2
    assert "--timezone Asia/Ho_Chi_Minh" in result.stderr and "Traceback" not in result.output


def test_an_optional_business_hours_standard_is_not_measured_without_a_timezone(run_audit):
    standards = """
    - id: frt
      title: First response in business hours
      metric: first_response_time
      calendar: office
      required: false
    - id: frt-calendar-time
      title: First response in calendar time
      metric: first_response_time
      calendar: none
    """
    result = run_audit(FRT_LOCAL, standards, extra=OFFICE)
    business, calendar_time = result.standards
    assert business.status.value == "not measured" and "--timezone Asia/Ho_Chi_Minh" in business.reason
    assert calendar_time.groups[0].value == (324000 + 257400 + 2700 + 60300) / 4  # naive read as UTC
    assert result.exit_code == 0


def test_cli_refuses_an_unknown_timezone(office_files):
    export, profile = office_files
    result = runner.invoke(app, ["check", str(export), "-p", str(profile), "--timezone", "Asia/Saigonn"])
    assert result.exit_code == 2
    assert "not an IANA time zone name; did you mean 'Asia/Saigon'?" in result.stderr


def test_audit_refuses_an_unknown_timezone(office_files):
    export, profile = office_files
    with pytest.raises(CsauditError, match="did you mean 'Europe/Berlin'"):
        audit(load_profile(str(profile)), export, timezone="Europe/Berlinn")


def test_validate_describes_the_calendars(office_files):
    _, profile = office_files
    result = runner.invoke(app, ["validate", str(profile)])
    assert result.exit_code == 0
    assert "calendar 'office': Mon–Fri 09:00–17:00 Asia/Ho_Chi_Minh, 1 holiday date" in result.stdout


def test_bundled_example_uses_stanfords_calendar_without_flags():
    result = audit(load_profile("stanford"), REPO / "examples" / "helpdesk_export.csv")
    by_id = {sr.standard.id: sr for sr in result.standards}
    for kind in ("respond", "resolve"):
        for priority in ("p1", "p2", "p3", "p4"):
            assert by_id[f"{kind}-{priority}"].calendar == "stanford"
    assert by_id["frt-chat-phone"].calendar == ""
    statuses = {k: by_id[k].status.value for k in ("respond-p1", "resolve-p1", "respond-p2", "resolve-p3")}
    assert statuses == {"respond-p1": "fail", "resolve-p1": "fail", "respond-p2": "pass", "resolve-p3": "pass"}
    calendar = load_profile("stanford").calendars["stanford"]
    assert calendar.describe() == "Mon–Fri 08:00–17:00 America/Los_Angeles, US holidays"


# -- profile errors -----------------------------------------------------------------------------------


def profile_error(text: str) -> ProfileError:
    with pytest.raises(ProfileError) as info:
        parse_profile(text, "p.yaml")
    return info.value


def calendar_profile(calendar_lines: str, standard_extra: str = "    calendar: c\n", metric: str = "first_response_time") -> str:
    return (
        "csaudit_profile: 1\n"  # 1
        "name: t\n"  # 2
        "calendars:\n"  # 3
        "  c:\n"  # 4
        f"{calendar_lines}"  # 5 …
        "standards:\n"
        "  - id: a\n"
        "    title: A\n"
        f"    metric: {metric}\n"
        f"{standard_extra}"
    )


GOOD = "    timezone: America/Los_Angeles\n    hours: {mon-fri: 08:00-17:00}\n"


@pytest.mark.parametrize(
    "calendar_lines, location, words",
    [
        ("    timezone: America/LosAngeles\n    hours: {mon: 08:00-17:00}\n", "p.yaml:5:15",
         "calendar 'c': timezone: 'America/LosAngeles' is not an IANA time zone name; did you mean 'America/Los_Angeles'?"),
        ("    timezone: UTC\n    hours: {mon-fri: 8:00-17:00}\n", "p.yaml:6:22",
         "hours.mon-fri: '8:00-17:00' is not an interval of local time: write HH:MM-HH:MM with two-digit hours, "
         "e.g. '08:00-17:00'; did you mean '08:00-17:00'?"),
        ("    timezone: UTC\n    hours: {mon: [08:00-12:00, 11:00-17:00]}\n", "p.yaml:6:18",
         "hours.mon: the intervals 08:00–12:00 and 11:00–17:00 overlap"),
        ("    timezone: UTC\n    hours: {mon-fri: 08:00-17:00, fri: 09:00-12:00}\n", "p.yaml:6:35",
         "hours.fri: fri already has its hours (under 'mon-fri')"),
        ("    timezone: UTC\n    hours: {tues: 08:00-17:00}\n", "p.yaml:6:13", "'tues' is not a day or a range of days; did you mean 'tue'?"),
        ("    timezone: UTC\n    hours: {mon: closed}\n", "p.yaml:6:12", "the calendar is never open"),
        ("    timezone: UTC\n    hours: {mon: 08:00-17:00}\n    holidays: USA1\n", "p.yaml:7:15",
         "holidays: the holidays package has no country 'USA1'"),
        ("    timezone: UTC\n    hours: {mon: 08:00-17:00}\n    holidays: {country: US, subdivision: ZZ}\n", "p.yaml:7:42",
         "the holidays package has no subdivision 'ZZ' of US"),
        ("    timezone: UTC\n    hours: {mon: 08:00-17:00}\n    holidays: us\n", "p.yaml:7:15",
         "holidays: the holidays package has no country 'us' (use an ISO 3166 code such as US, GB, DE, VN, TH or CN); "
         "did you mean 'US'?"),
        ("    timezone: UTC\n    hours: {mon: 08:00-17:00}\n    holidays: {country: US, subdivision: Ca}\n", "p.yaml:7:42",
         "the holidays package has no subdivision 'Ca' of US"),
        ("    timezone: UTC\n    hours: {mon: 08:00-17:00}\n    closed: [2024-13-01]\n", "p.yaml:7:14",
         "closed: cannot read the value '2024-13-01' (month must be in 1..12)"),
        ("    hours: {mon: 08:00-17:00}\n", "p.yaml:5:5", "calendar 'c' is missing required key 'timezone'"),
        ("    timezone: UTC\n    hours: {mon: 08:00-17:00}\n    holiday: US\n", "p.yaml:7:5",
         "unknown key 'holiday'; did you mean 'holidays'?"),
    ],
)
def test_calendar_errors_point_at_the_value(calendar_lines, location, words):
    error = profile_error(calendar_profile(calendar_lines))
    assert error.location == location, str(error)
    assert words in str(error)


def test_holiday_codes_are_checked_without_importing_every_country():
    """A calendar's country is checked against the holidays package's registry (aliases such
    as UK and USA included), not by listing every country's subdivisions (0.13 s per audit).
    (A subdivision, or the holidays themselves, load the package's countries as it does.)"""
    import subprocess
    import sys

    script = (
        "import sys\n"
        "from csaudit.business_calendar import check_holidays\n"
        "check_holidays('UK', None); check_holidays('USA', None)\n"
        "print(len([m for m in sys.modules if m.startswith('holidays.countries.')]))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert int(done.stdout) < 10, done.stdout


def test_a_standard_naming_an_undefined_calendar():
    error = profile_error(calendar_profile(GOOD, "    calendar: cc\n"))
    assert error.location == "p.yaml:11:15"
    assert "no calendar named 'cc' under calendars:; did you mean 'c'?" in str(error)


def test_a_calendar_on_a_metric_that_measures_no_duration():
    error = profile_error(calendar_profile(GOOD, metric="csat"))
    assert error.location == "p.yaml:11:15"
    assert "metric csat does not measure a duration between two timestamps" in str(error)
    assert "first_response_time, resolution_time, speed_of_answer" in str(error)


def test_a_profile_default_calendar_must_exist():
    text = calendar_profile(GOOD, "").replace("standards:\n", "calendar: nope\nstandards:\n")
    error = profile_error(text)
    assert error.location == "p.yaml:7:11" and "no calendar named 'nope'" in str(error)


def test_profile_timezone_is_checked():
    error = profile_error("csaudit_profile: 1\nname: t\ntimezone: Mars/Olympus\nstandards:\n  - {id: a, title: A, metric: csat}\n")
    assert error.location == "p.yaml:3:11" and "'Mars/Olympus' is not an IANA time zone name" in str(error)


def test_subtract_names_pause_fields():
    text = calendar_profile(GOOD, "    options: {subtract: [paused]}\n")
    error = profile_error(text)
    assert "options.subtract: 'paused' is not a pause field; choose from paused_seconds, hold_seconds" in str(error)


def test_a_full_calendar_parses():
    text = calendar_profile(
        "    timezone: Europe/Berlin\n"
        "    hours:\n"
        "      mon-fri: [08:00-12:00, 13:00–17:00]\n"
        "      sat: 09:00-13:00\n"
        "    holidays: {country: DE, subdivision: BY, dates: [2024-12-24]}\n"
        "    closed: [2024-12-27, 2024-12-30..2024-12-31]\n"
        "    open: {2024-12-28: 10:00-12:00}\n",
    )
    profile = parse_profile(text, "p.yaml")
    calendar = profile.standards[0].calendar
    assert calendar is profile.calendars["c"]
    assert calendar.describe() == (
        # The package lists German holidays from 1991 on (see test_business_edges.py).
        "Mon–Fri 08:00–12:00, 13:00–17:00; Sat 09:00–13:00 Europe/Berlin, DE-BY holidays (1991–2100), 1 holiday date, "
        "3 closed dates, 1 open date"
    )
    assert calendar.hours_on(__import__("datetime").date(2024, 12, 28)) == ((36000, 43200),)
    twenty_four_seven = parse_profile(calendar_profile("    timezone: UTC\n    hours: 24/7\n"), "p.yaml")
    assert twenty_four_seven.calendars["c"].describe() == "24/7 UTC"


def test_the_documented_calendars_parse():
    import re

    doc = (REPO / "docs" / "profiles.md").read_text(encoding="utf-8")
    block = re.search(r"## Business hours.*?```yaml\n(.*?)```", doc, re.S).group(1)
    profile = parse_profile("csaudit_profile: 1\nname: doc\n" + block, "docs/profiles.md")
    assert set(profile.calendars) == {"stanford", "support", "always"}
    assert profile.standards[0].calendar.name == "support"
    top = re.search(r"```yaml\n(.*?)```", doc, re.S).group(1)
    assert parse_profile(top, "docs/profiles.md").standards[0].calendar.name == "office"


def test_country_and_subdivision_codes_are_read_as_written():
    # YAML reads NO (Norway) as false and 01 as the number 1; codes are taken as written.
    text = calendar_profile("    timezone: Europe/Oslo\n    hours: {mon-fri: 08:00-16:00}\n    holidays: NO\n")
    assert parse_profile(text, "p.yaml").calendars["c"].country == "NO"
    text = calendar_profile("    timezone: Europe/Paris\n    hours: {mon-fri: 08:00-16:00}\n    holidays: {country: FR, subdivision: 971}\n")
    assert parse_profile(text, "p.yaml").calendars["c"].subdivision == "971"
