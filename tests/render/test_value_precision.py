"""A value shown next to its target never reads on the wrong side of it: digits are added
where the usual display would round onto a limit the value does not meet (or meets). Worked
out by hand; then the same hand-built result through every format that shows values."""

from __future__ import annotations

import csv
import io
import json
import re
import xml.etree.ElementTree as ET

import pytest

from csaudit.metrics.base import Unit
from csaudit.profile.model import Standard, Statistic, Status, Target
from csaudit.render import FORMATS
from csaudit.result import AuditResult, GroupResult, StandardResult, format_target, format_value


@pytest.mark.parametrize(
    "value, unit, target, usual, shown",
    [
        # Ratios (2 decimals): 1.004 rounds to 1.00, which meets ≤ 1; 1.004 fails it.
        (1.004, Unit.RATIO, Target("at_most", 1.0), "1.00", "1.004"),
        (0.996, Unit.RATIO, Target("below", 1.0), "1.00", "0.996"),  # passes < 1, "1.00 < 1" would not
        (1.0004, Unit.RATIO, Target("at_most", 1.0), "1.00", "1.0004"),  # one digit more than 1.000
        (1.004, Unit.RATIO, Target("at_least", 1.0), "1.00", "1.00"),  # 1.00 ≥ 1 reads right: no digits added
        (1.0, Unit.RATIO, Target("below", 1.0), "1", "1"),  # equal: "1 < 1" fails, as it does
        (4.004, Unit.COUNT, Target("between", (2.0, 4.0)), "4.00", "4.004"),
        # Percentages (1 decimal): 74.996% is 75.0% at one decimal, 75.00% at two, 74.996% at three.
        (0.74996, Unit.FRACTION, Target("at_least", 0.75), "75.0%", "74.996%"),
        (0.7504, Unit.FRACTION, Target("at_least", 0.75), "75.0%", "75.0%"),  # meets it, reads as meeting it
        (0.75, Unit.FRACTION, Target("at_least", 0.75), "75.0%", "75.0%"),
        # The warn level counts too: 79.96% warns against ≥ 80% (fail < 75%), "80.0%" would pass.
        (0.7996, Unit.FRACTION, Target("at_least", 0.75, warn=0.80), "80.0%", "79.96%"),
        (0.0504, Unit.FRACTION, Target("at_most", 0.08, warn=0.05), "5.0%", "5.04%"),
        # Durations: whole seconds from 10 s; 119.6 s rounds to 2m, which is not < 2m.
        (119.6, Unit.SECONDS, Target("below", 120.0), "2m", "1m 59.6s"),
        (120.4, Unit.SECONDS, Target("at_most", 120.0), "2m", "2m 0.4s"),
        (120.04, Unit.SECONDS, Target("at_most", 120.0), "2m", "2m 0.04s"),
        # From a day on, seconds are not shown at all: 1d 0h 0m 30s reads "1d".
        (86430.0, Unit.SECONDS, Target("at_most", 86400.0), "1d", "1d 30s"),
        (86399.7, Unit.SECONDS, Target("below", 86400.0), "1d", "23h 59m 59.7s"),
        (9.96, Unit.SECONDS, Target("below", 10.0), "10.0s", "9.96s"),
        (1530.0, Unit.SECONDS, Target("below", 3600.0), "25m 30s", "25m 30s"),
        # NPS points (1 decimal), sigma (2), DPMO (whole).
        (29.96, Unit.POINTS, Target("at_least", 30.0), "30", "29.96"),
        (3.999, Unit.SIGMA, Target("at_least", 4.0), "4.00σ", "3.999σ"),
        (1000.4, Unit.DPMO, Target("at_most", 1000.0), "1,000", "1,000.4"),
    ],
)
def test_digits_are_added_only_where_the_value_would_read_wrong(value, unit, target, usual, shown):
    assert format_value(value, unit) == usual
    assert format_value(value, unit, target) == shown


def test_no_display_reads_past_its_limit_when_the_limit_is_closer_than_the_finest_digit():
    # 70% - 2e-16 fails ≥ 70% (the status says so); even 7 decimals round it to 70.0000000%,
    # so the display is the nearest number on the failing side.
    value = 0.7 - 2e-16
    assert Target("at_least", 0.7).evaluate(value) is Status.FAIL
    assert format_value(value, Unit.FRACTION, Target("at_least", 0.7)) == "69.9999999%"


def test_targets_show_their_limits_exactly():
    assert format_target(Target("at_most", 1.0), Unit.RATIO) == "≤ 1"
    assert format_target(Target("at_most", 1.004), Unit.RATIO) == "≤ 1.004"  # not "≤ 1.00"
    assert format_target(Target("at_least", 0.7525), Unit.FRACTION) == "≥ 75.25%"
    assert format_target(Target("at_most", 86430.0), Unit.SECONDS) == "≤ 1d 30s"  # not "≤ 1d"
    assert format_target(Target("below", 120.0, warn=90.0), Unit.SECONDS) == "< 1m 30s (fail ≥ 2m)"
    assert format_target(Target("between", (0.6, 0.8)), Unit.FRACTION) == "60.0% – 80.0%"
    # Against such a limit the usual display already reads right: 75.2% fails ≥ 75.25%, as
    # 75.24% does, and 75.3% meets it, as 75.26% does (rounding keeps the order; only a tie with
    # the limit can read wrong, and only then are digits added).
    assert format_value(0.7524, Unit.FRACTION, Target("at_least", 0.7525)) == "75.2%"
    assert format_value(0.7526, Unit.FRACTION, Target("at_least", 0.7525)) == "75.3%"


# -- every format that shows values -------------------------------------------------------------

BACKLOG = Standard(
    id="backlog", title="Backlog flow at most 1", metric="backlog_flow",
    statistic=Statistic("ratio", text="ratio"), target=Target("at_most", 1.0), location="p.yaml:4:5",
)
FCR = Standard(
    id="fcr", title="FCR at least 75%", metric="first_contact_resolution",
    statistic=Statistic("rate", text="rate"), target=Target("at_least", 0.75), location="p.yaml:8:5",
)
FRT = Standard(
    id="frt", title="FRT under 2 minutes", metric="first_response_time",
    statistic=Statistic("mean", text="mean"), target=Target("below", 120.0), location="p.yaml:12:5",
)
RESULT = AuditResult(
    profile_name="p", profile_title="P", profile_path="p.yaml", input_path="export.csv", input_rows=10,
    columns={}, timestamp_formats={}, findings=[], notes=[], by=("week",),
    standards=[
        StandardResult(BACKLOG, Unit.RATIO, Status.FAIL, [GroupResult({}, 1.004, 4, Status.FAIL)]),
        StandardResult(
            FCR, Unit.FRACTION, Status.FAIL, [GroupResult({}, 0.74996, 5000, Status.FAIL)],
            breakdown=[
                GroupResult({"week": "2024-01-01"}, 0.7496, 2500, Status.FAIL),
                GroupResult({"week": "2024-01-08"}, 0.7504, 2500, Status.PASS),
            ],
        ),
        StandardResult(FRT, Unit.SECONDS, Status.PASS, [GroupResult({}, 119.6, 5, Status.PASS)]),
    ],
)


def render(name: str) -> str:
    return FORMATS[name]().render(RESULT)


def test_text():
    lines = FORMATS["text"](width=120).render(RESULT).splitlines()
    row = {s.id: next(line for line in lines if line.startswith(s.title)).split() for s in (BACKLOG, FCR, FRT)}
    assert row["backlog"][-6:] == ["all", "1.004", "≤", "1", "fail", "4"]
    assert row["fcr"][-6:] == ["all", "74.996%", "≥", "75.0%", "fail", "5,000"]
    assert row["frt"][-7:] == ["all", "1m", "59.6s", "<", "2m", "pass", "5"]
    matrix = next(line for line in lines if line.startswith("fcr ") and "✗" in line)
    assert matrix.split()[-3:] == ["74.96%", "✗", "75.0%"]


def test_markdown():
    rows = [[c.strip() for c in line.split("|")[1:-1]] for line in render("markdown").splitlines() if line.startswith("| ")]
    assert [r[3:5] for r in rows if r[2] == "all"] == [["1.004", "≤ 1"], ["74.996%", "≥ 75.0%"], ["1m 59.6s", "\\< 2m"]]
    assert [r[2:4] for r in rows if r[2].startswith("week=")] == [["week=2024-01-01", "74.96%"], ["week=2024-01-08", "75.0%"]]


def test_html():
    cells = re.findall(r"<td class='num[^']*'>([^<]*)</td>", render("html"))
    assert [c for c in cells if not c.replace(",", "").isdigit()] == ["1.004", "74.996%", "1m 59.6s", "74.96%", "75.0%"]


def test_csv():
    rows = list(csv.DictReader(io.StringIO(render("csv"))))
    assert [(r["standard_id"], r["group"], r["value"], r["value_display"], r["target"]) for r in rows] == [
        ("backlog", "", "1.004", "1.004", "≤ 1"),
        ("fcr", "", "0.74996", "74.996%", "≥ 75.0%"),
        ("fcr", "week=2024-01-01", "0.7496", "74.96%", "≥ 75.0%"),
        ("fcr", "week=2024-01-08", "0.7504", "75.0%", "≥ 75.0%"),
        ("frt", "", "119.6", "1m 59.6s", "< 2m"),
    ]


def test_junit():
    cases = ET.fromstring(render("junit")).iter("testcase")
    shown = {c.get("classname"): {p.get("name"): p.get("value") for p in c.iter("property")}["value"] for c in cases}
    assert shown == {"p.backlog": "1.004", "p.fcr": "74.996%", "p.frt": "1m 59.6s"}
    assert 'message="fail: 1.004 (target ≤ 1, n=4)"' in render("junit")


def test_github():
    text = render("github")
    assert "::fail, 1.004 (target ≤ 1, n=4)\n" in text
    assert "::fail, 74.996%25 (target ≥ 75.0%25, n=5,000)\n" in text


def test_json_keeps_raw_numbers_and_shows_the_same_display():
    report = json.loads(render("json"))
    assert [(r["value"], r["display"]) for r in report["results"]] == [
        (1.004, "1.004"), (0.74996, "74.996%"), (119.6, "1m 59.6s"),
    ]
    assert [(g["value"], g["display"]) for g in report["breakdown"]] == [(0.7496, "74.96%"), (0.7504, "75.0%")]
