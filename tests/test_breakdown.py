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
