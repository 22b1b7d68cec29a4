"""Breakdowns (``--by``), worked out by hand: values per group, crossing with ``each``,
periods, errors, and how text and JSON show them."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from csaudit.breakdown import parse_by
from csaudit.cli import app
from csaudit.errors import InputError
from csaudit.extras import Extras
from csaudit.profile.model import Status
from csaudit.render.json_format import report_dict
from csaudit.render.text import TextFormat, sparkline
from tests.conftest import profile_text

runner = CliRunner()

# FRT: row 1 60 s, 2 300 s, 3 180 s (week of Mon 2024-01-01); 4 120 s, 5 600 s (week of
# 01-08); 6 30 s (week of 01-29, in February).
CSV = """
id,channel,agent,team,created_at,first_response_at
1,chat,Ann,A,2024-01-01 08:00:00,2024-01-01 08:01:00
2,chat,Bo,A,2024-01-02 08:00:00,2024-01-02 08:05:00
3,email,Ann,B,2024-01-03 08:00:00,2024-01-03 08:03:00
4,chat,Ann,A,2024-01-08 08:00:00,2024-01-08 08:02:00
5,chat,bo,A,2024-01-09 08:00:00,2024-01-09 08:10:00
6,email,Ann,B,2024-02-01 08:00:00,2024-02-01 08:00:30
"""
FRT = """
- id: frt
  title: FRT at most 3 minutes
  metric: first_response_time
  compare: at_most
  fail: 3m
"""
FRT_PER_CHANNEL = """
- id: frt
  title: FRT at most 3 minutes per channel
  metric: first_response_time
  each: channel
  compare: at_most
  fail: 3m
"""


def breakdown(result, index: int = 0) -> dict[tuple, tuple]:
    return {tuple(g.group.values()): (g.value, g.status, g.sample_size) for g in result.standards[index].breakdown}


def test_by_agent_evaluates_each_standard_per_agent(run_audit):
    result = run_audit(CSV, FRT, extras=Extras(by=["agent"]))
    assert result.by == ("agent",)
    # The standard itself: (60+300+180+120+600+30)/6 = 215 s, fails; unchanged by --by.
    assert result.standards[0].groups[0].value == 215.0 and result.standards[0].status is Status.FAIL
    # Ann: (60+180+120+30)/4 = 97.5 s; Bo (and "bo", the same agent): (300+600)/2 = 450 s.
    assert breakdown(result) == {("Ann",): (97.5, Status.PASS, 4), ("Bo",): (450.0, Status.FAIL, 2)}


def test_by_crosses_with_the_standards_own_each(run_audit):
    result = run_audit(CSV, FRT_PER_CHANNEL, extras=Extras(by=["agent"]))
    assert breakdown(result) == {
        ("chat", "Ann"): (90.0, Status.PASS, 2),  # 60, 120
        ("chat", "Bo"): (450.0, Status.FAIL, 2),  # 300, 600
        ("email", "Ann"): (105.0, Status.PASS, 2),  # 180, 30
    }
    # By the standard's own key: one group per channel, as the standard itself.
    same = run_audit(CSV, FRT_PER_CHANNEL, extras=Extras(by=["channel"]))
    assert [g.group for g in same.standards[0].breakdown] == [{"channel": "chat"}, {"channel": "email"}]


def test_by_week_uses_monday_weeks_of_created_at_and_by_month_months(run_audit):
    weeks = run_audit(CSV, FRT, extras=Extras(by=["week"]))
    assert breakdown(weeks) == {
        ("2024-01-01",): (180.0, Status.PASS, 3),  # (60+300+180)/3, at most 3 m
        ("2024-01-08",): (360.0, Status.FAIL, 2),  # (120+600)/2
        ("2024-01-29",): (30.0, Status.PASS, 1),  # Thursday 02-01 is in the week of Monday 01-29
    }
    months = run_audit(CSV, FRT, extras=Extras(by=["month"]))
    assert breakdown(months) == {("2024-01",): (252.0, Status.FAIL, 5), ("2024-02",): (30.0, Status.PASS, 1)}


def test_several_keys_cross(run_audit):
    result = run_audit(CSV, FRT, extras=Extras(by=["agent,week"]))
    assert breakdown(result) == {
        ("Ann", "2024-01-01"): (120.0, Status.PASS, 2),
        ("Ann", "2024-01-08"): (120.0, Status.PASS, 1),
        ("Ann", "2024-01-29"): (30.0, Status.PASS, 1),
        ("Bo", "2024-01-01"): (300.0, Status.FAIL, 1),
        ("Bo", "2024-01-08"): (600.0, Status.FAIL, 1),
    }


def test_backlog_flow_by_week_counts_each_event_in_its_own_week(run_audit):
    # Week of 01-01: created 2 (rows 1, 2), resolved 1 (row 1): 2.0. Week of 01-08: created 2
    # (rows 3, 4), resolved 2 (rows 2, 4): 1.0.
    csv_text = """
    id,created_at,resolved_at
    1,2024-01-01 08:00,2024-01-01 09:00
    2,2024-01-02 08:00,2024-01-09 08:00
    3,2024-01-08 08:00,
    4,2024-01-09 08:00,2024-01-10 08:00
    """
    standard = "- {id: backlog, title: Backlog, metric: backlog_flow, compare: at_most, fail: 1.0}"
    result = run_audit(csv_text, standard, extras=Extras(by=["week"]))
    assert breakdown(result) == {("2024-01-01",): (2.0, Status.FAIL, 1), ("2024-01-08",): (1.0, Status.PASS, 1)}


def test_parse_by_accepts_repeats_and_commas():
    assert parse_by(["agent", "week, channel", "agent"]) == ("agent", "week", "channel")
    assert parse_by(["Team"]) == ("team",)


@pytest.mark.parametrize(
    "value, message",
    [
        ("agents", "did you mean 'agent'?"),
        ("week,month", "choose one period"),
        ("team", "has no column for `team`"),
        ("", "--by '': name a grouping: agent, team"),  # was silently no breakdown
        (" , ", "--by ' , ': name a grouping"),
    ],
)
def test_by_errors_are_usage_errors(tmp_path, write_csv, value, message):
    export = write_csv(CSV.replace(",team", "").replace(",A,", ",").replace(",B,", ","))
    profile = tmp_path / "p.yaml"
    profile.write_text(profile_text(FRT), encoding="utf-8")
    result = runner.invoke(app, ["check", str(export), "-p", str(profile), "--by", value])
    assert result.exit_code == 2, result.output
    assert message in result.stderr and "Traceback" not in result.output


def test_a_period_needs_created_at(run_audit):
    csv_text = "id,queued_at,first_response_at\n1,2024-01-01 08:00,2024-01-01 08:01\n"
    standard = "- {id: asa, title: ASA, metric: speed_of_answer, compare: at_most, fail: 1m}"
    with pytest.raises(InputError, match="--by week: the export has no column for the periods of `created_at`"):
        run_audit(csv_text, standard, extras=Extras(by=["week"]))


def test_text_shows_a_matrix_with_failing_groups_marked(run_audit):
    result = run_audit(CSV, FRT_PER_CHANNEL, extras=Extras(by=["agent"], samples=0))
    text = TextFormat(width=100).render(result)
    section = text[text.index("Breakdown by agent") :]
    lines = section.splitlines()
    header = next(line for line in lines if "frt channel=chat" in line)
    assert "frt channel=email" in header
    bo = next(line for line in lines if line.startswith("agent=Bo"))
    assert bo.split() == ["agent=Bo", "7m", "30s", "✗"]  # no email group for Bo
    ann = next(line for line in lines if line.startswith("agent=Ann"))
    assert ann.split() == ["agent=Ann", "1m", "30s", "1m", "45s"]


def test_text_shows_a_sparkline_per_standard_for_weeks(run_audit):
    result = run_audit(CSV, FRT, extras=Extras(by=["week"], samples=0))
    text = TextFormat(width=100).render(result)
    section = text[text.index("Breakdown by week") :]
    row = next(line for line in section.splitlines() if line.startswith("frt "))
    # 180, 360, 30 s: (180 - 30) / (360 - 30) of the 7 steps is 3.2, so the fourth bar; one of
    # three weeks failed.
    assert row.split()[:3] == ["frt", "▄█▁", "1/3"]
    assert row.split()[3:] == ["3m", "6m", "✗", "30s"]


def test_sparkline():
    assert sparkline([1.0, None, 3.0, 2.0]) == "▁ █▅"
    assert sparkline([5.0, 5.0]) == "▅▅"
    assert sparkline([None]) == " "


def test_json_lists_the_breakdown(run_audit):
    result = run_audit(CSV, FRT, extras=Extras(by=["agent"]))
    report = report_dict(result)
    assert report["by"] == ["agent"]
    assert report["breakdown"] == [
        {"standard_id": "frt", "group": {"agent": "Ann"}, "value": 97.5, "display": "1m 38s", "status": "pass", "sample_size": 4},
        {"standard_id": "frt", "group": {"agent": "Bo"}, "value": 450.0, "display": "7m 30s", "status": "fail", "sample_size": 2},
    ]
    json.dumps(report)


def test_the_cli_passes_by_and_keeps_the_exit_code(tmp_path, write_csv):
    profile = tmp_path / "p.yaml"
    profile.write_text(profile_text(FRT.replace("fail: 3m", "fail: 4m")), encoding="utf-8")
    result = runner.invoke(app, ["check", str(write_csv(CSV)), "-p", str(profile), "--by", "agent", "--format", "json"])
    # 215 s passes at 4 m; Bo's 450 s fails in the breakdown, which does not change the exit code.
    assert result.exit_code == 0, result.output
    groups = json.loads(result.stdout)["breakdown"]
    assert [(g["group"], g["status"]) for g in groups] == [({"agent": "Ann"}, "pass"), ({"agent": "Bo"}, "fail")]


# -- periods on the audit's clock, and of the orders' ordered_at --------------------------------

# FRT 60 s, 300 s, 120 s. In UTC row 1 (Monday 04:00) and row 2 are in the week of 01-08, row 3
# (Monday 07:30) in the week of 01-15. In Los Angeles (UTC-8 in January) row 1 is Sunday
# 01-07 20:00, in the week of 01-01; row 2 Monday 01-08 00:30; row 3 Sunday 01-14 23:30, the
# week of 01-08.
ZONED = """
id,created_at,first_response_at
1,2024-01-08T04:00:00Z,2024-01-08T04:01:00Z
2,2024-01-08T08:30:00Z,2024-01-08T08:35:00Z
3,2024-01-15T07:30:00Z,2024-01-15T07:32:00Z
"""


def test_weeks_are_cut_in_utc_without_a_time_zone(run_audit):
    result = run_audit(ZONED, FRT, extras=Extras(by=["week"]))
    assert breakdown(result) == {("2024-01-08",): (180.0, Status.PASS, 2), ("2024-01-15",): (120.0, Status.PASS, 1)}


def test_weeks_are_those_of_the_audits_time_zone(run_audit):
    expected = {("2024-01-01",): (60.0, Status.PASS, 1), ("2024-01-08",): (210.0, Status.FAIL, 2)}
    assert breakdown(run_audit(ZONED, FRT, extras=Extras(by=["week"]), timezone="America/Los_Angeles")) == expected
    # The profile's timezone: does the same as --timezone.
    profile_zone = run_audit(ZONED, FRT, extra="timezone: America/Los_Angeles\n", extras=Extras(by=["week"]))
    assert breakdown(profile_zone) == expected
    # The same instants written as Los Angeles wall-clock times and read with --timezone: a
    # Monday 00:30 there is in that Monday's week, a Sunday 20:00 in the week before.
    naive = ZONED.replace("2024-01-08T04:00:00Z,2024-01-08T04:01:00Z", "2024-01-07 20:00:00,2024-01-07 20:01:00")
    naive = naive.replace("2024-01-08T08:30:00Z,2024-01-08T08:35:00Z", "2024-01-08 00:30:00,2024-01-08 00:35:00")
    naive = naive.replace("2024-01-15T07:30:00Z,2024-01-15T07:32:00Z", "2024-01-14 23:30:00,2024-01-14 23:32:00")
    assert breakdown(run_audit(naive, FRT, extras=Extras(by=["week"]), timezone="America/Los_Angeles")) == expected


def test_months_east_of_utc(run_audit):
    # 2024-01-31 22:00 UTC is 2024-02-01 05:00 in Ho Chi Minh City (UTC+7): February there;
    # 16:00 UTC is 23:00 on January 31.
    csv_text = """
    id,created_at,first_response_at
    1,2024-01-31T16:00:00Z,2024-01-31T16:01:00Z
    2,2024-01-31T22:00:00Z,2024-01-31T22:05:00Z
    """
    utc = run_audit(csv_text, FRT, extras=Extras(by=["month"]))
    assert breakdown(utc) == {("2024-01",): (180.0, Status.PASS, 2)}
    local = run_audit(csv_text, FRT, extras=Extras(by=["month"]), timezone="Asia/Ho_Chi_Minh")
    assert breakdown(local) == {("2024-01",): (60.0, Status.PASS, 1), ("2024-02",): (300.0, Status.FAIL, 1)}


def test_backlog_flow_counts_creations_and_resolutions_in_local_weeks(run_audit):
    # Los Angeles: row 1 created Sunday 01-07 20:00 and resolved 22:00 (week of 01-01); row 2
    # created Monday 01-08 02:00, resolved Tuesday; row 3 created Tuesday, open. Weeks there:
    # 01-01 created 1 ÷ resolved 1 = 1.0; 01-08 created 2 ÷ resolved 1 = 2.0. In UTC all three
    # creations and both resolutions are in the week of 01-08: 3 ÷ 2 = 1.5.
    csv_text = """
    id,created_at,resolved_at
    1,2024-01-08T04:00:00Z,2024-01-08T06:00:00Z
    2,2024-01-08T10:00:00Z,2024-01-09T10:00:00Z
    3,2024-01-09T10:00:00Z,
    """
    standard = "- {id: backlog, title: Backlog, metric: backlog_flow, compare: at_most, fail: 1.0}"
    utc = run_audit(csv_text, standard, extras=Extras(by=["week"]))
    assert breakdown(utc) == {("2024-01-08",): (1.5, Status.FAIL, 1)}
    local = run_audit(csv_text, standard, extras=Extras(by=["week"]), timezone="America/Los_Angeles")
    assert breakdown(local) == {("2024-01-01",): (1.0, Status.PASS, 1), ("2024-01-08",): (2.0, Status.FAIL, 1)}
    # The standard's own value (all created ÷ all resolved) does not depend on the clock.
    assert local.standards[0].groups[0].value == utc.standards[0].groups[0].value == 1.5


ORDERS = """
order_id,customer_id,ordered_at,invoice_correct
A1,C1,2024-01-07 20:00:00,yes
A2,C2,2024-01-08 00:30:00,no
A3,C1,2024-01-09 12:00:00,yes
A4,C3,2024-02-01 03:00:00,yes
"""
INVOICES = "- {id: invoices, title: Invoices correct, metric: invoice_accuracy, compare: at_least, fail: 90%}"


def test_orders_are_cut_by_ordered_at(run_audit):
    weeks = run_audit(ORDERS, INVOICES, extra="kind: orders\n", extras=Extras(by=["week"]))
    # Week of 01-01: A1 (1 of 1 correct); of 01-08: A2, A3 (1 of 2); of 01-29: A4 (Thursday 02-01).
    assert breakdown(weeks) == {
        ("2024-01-01",): (1.0, Status.PASS, 1),
        ("2024-01-08",): (0.5, Status.FAIL, 2),
        ("2024-01-29",): (1.0, Status.PASS, 1),
    }
    months = run_audit(ORDERS, INVOICES, extra="kind: orders\n", extras=Extras(by=["month"]))
    assert breakdown(months) == {("2024-01",): (2 / 3, Status.FAIL, 3), ("2024-02",): (1.0, Status.PASS, 1)}


def test_orders_weeks_follow_the_time_zone(run_audit):
    # Read in Ho Chi Minh City time (UTC+7) and cut there, the wall-clock dates keep their weeks
    # and months; read as UTC but cut in Los Angeles, A1 (Sunday 20:00 UTC, Sunday 12:00 there)
    # stays in 01-01, A2 (Monday 00:30 UTC) is Sunday 16:30 there: the week of 01-01; A4
    # (Thursday 03:00 UTC) is Wednesday 01-31 in Los Angeles: January.
    local = run_audit(ORDERS, INVOICES, extra="kind: orders\n", extras=Extras(by=["week"]), timezone="Asia/Ho_Chi_Minh")
    assert [g[0] for g in breakdown(local)] == ["2024-01-01", "2024-01-08", "2024-01-29"]
    west = ORDERS.replace(" 20:00:00", "T20:00:00Z").replace(" 00:30:00", "T00:30:00Z")
    west = west.replace(" 12:00:00", "T12:00:00Z").replace(" 03:00:00", "T03:00:00Z")
    weeks = run_audit(west, INVOICES, extra="kind: orders\n", extras=Extras(by=["week"]), timezone="America/Los_Angeles")
    assert breakdown(weeks) == {("2024-01-01",): (0.5, Status.FAIL, 2), ("2024-01-08",): (1.0, Status.PASS, 1),
                                ("2024-01-29",): (1.0, Status.PASS, 1)}
    months = run_audit(west, INVOICES, extra="kind: orders\n", extras=Extras(by=["month"]), timezone="America/Los_Angeles")
    assert breakdown(months) == {("2024-01",): (0.75, Status.FAIL, 4)}
