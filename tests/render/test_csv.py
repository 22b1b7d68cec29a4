"""The CSV report and the spreadsheet-safe cells every csaudit CSV uses."""

from __future__ import annotations

import csv
import io

import pytest

from csaudit.baseline import Change, Comparison, RemovedResult, Verdict
from csaudit.metrics.base import Unit
from csaudit.profile.model import Status
from csaudit.render.csv_format import HEADER, CsvFormat
from csaudit.render.spreadsheet import csv_text, safe_cell
from tests.render.fixtures import PASSING, fresh

EXPECTED = (
    "standard_id,title,metric,statistic,group,by,unit,value,value_display,target,status,sample_size,"
    "calendar,reason,evidence,change,baseline_status,baseline_value,delta\r\n"
    "frt,First response under 1 hour,first_response_time,mean,,,seconds,1530.0,25m 30s,< 1h,pass,118,,,,,,,\r\n"
    "csat,CSAT at least 85% (warn under 90%),csat,rate,,,fraction,0.875,87.5%,≥ 90.0% (fail < 85.0%),warn,40,,,,,,,\r\n"
    "resolve-p1,P1 resolved within 4 business hours (90%),resolution_time,share within 4h,channel=chat,,fraction,"
    '0.8,80.0%,≥ 90.0%,fail,10,stanford-it,,"row 17, id T-17: 8h 30m (channel=chat, agent==2+5); row 4: 6h '
    '(channel=chat)",,,,\r\n'
    "resolve-p1,P1 resolved within 4 business hours (90%),resolution_time,share within 4h,"
    '"channel==HYPERLINK(""http://x"", ""a|b"") <b>50%</b>, ok:\nnext",,fraction,0.95,95.0%,≥ 90.0%,pass,20,'
    "stanford-it,,,,,,\r\n"
    "resolve-p1,P1 resolved within 4 business hours (90%),resolution_time,share within 4h,agent=Ann,agent,fraction,"
    "1.0,100.0%,≥ 90.0%,pass,4,stanford-it,,,,,,\r\n"
    "resolve-p1,P1 resolved within 4 business hours (90%),resolution_time,share within 4h,agent=Bo,agent,fraction,"
    "0.5,50.0%,≥ 90.0%,fail,6,stanford-it,,,,,,\r\n"
    "aht,Average handle time,average_handle_time,mean,,,seconds,540.0,9m,—,info,100,,,,,,,\r\n"
    "fcr,FCR at least 70%,first_contact_resolution,rate,,,fraction,0.75,75.0%,≥ 70.0%,insufficient data,12,,"
    "fewer than 50 measured interactions (the minimum sample),,,,,\r\n"
    "nps,NPS at least 30,nps,mean,,,points,,—,≥ 30,not measured,0,,needs the `nps` column,,,,,\r\n"
)


def test_csv_report():
    assert CsvFormat().render(fresh()) == EXPECTED


def test_csv_report_reads_back_with_one_row_per_standard_and_group():
    rows = list(csv.DictReader(io.StringIO(CsvFormat().render(fresh()), newline="")))
    assert [r["standard_id"] for r in rows] == ["frt", "csat", "resolve-p1", "resolve-p1", "resolve-p1", "resolve-p1", "aht", "fcr", "nps"]
    assert all(len(r) == len(HEADER) for r in rows)
    assert rows[3]["group"] == 'channel==HYPERLINK("http://x", "a|b") <b>50%</b>, ok:\nnext'
    assert float(rows[0]["value"]) == 1530.0


def test_csv_with_a_baseline_has_the_change_and_the_removed_rows():
    result = fresh(PASSING)
    result.standards[0].groups[0].change = Change(Verdict.REGRESSED, "regressed: +15s (was 45s)", Status.PASS, 45.0, 15.0)
    result.comparison = Comparison(
        "base.json", "old.csv", 3, {}, [RemovedResult("csat", "-5% CSAT", None, Status.FAIL, 0.8, Unit.FRACTION)]
    )
    rows = list(csv.DictReader(io.StringIO(CsvFormat().render(result), newline="")))
    assert (rows[0]["change"], rows[0]["baseline_status"], rows[0]["baseline_value"], rows[0]["delta"]) == (
        "regressed", "pass", "45.0", "15.0"
    )
    assert rows[1]["change"] == ""
    removed = rows[2]
    assert (removed["standard_id"], removed["title"], removed["change"], removed["baseline_status"]) == (
        "csat", "'-5% CSAT", "removed", "fail"
    )
    assert removed["baseline_value"] == "0.8" and removed["value"] == "" and removed["status"] == ""


@pytest.mark.parametrize(
    "cell, safe",
    [
        ("=1+2", "'=1+2"),
        ('=HYPERLINK("http://evil","x")', "'=HYPERLINK(\"http://evil\",\"x\")"),
        ("+1 555 0100", "'+1 555 0100"),
        ("-2+3+cmd|' /C calc'!A0", "'-2+3+cmd|' /C calc'!A0"),
        ("@SUM(A1:A2)", "'@SUM(A1:A2)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("-5", "-5"),  # plain numbers stay numbers
        ("+1.5e3", "+1.5e3"),
        ("-0.25", "-0.25"),
        ("a=b", "a=b"),
        (" =1", "' =1"),  # an import that trims spaces would run it
        ("  @SUM(A1)", "'  @SUM(A1)"),
        ("\n+cmd", "'\n+cmd"),
        (" \t-x", "' \t-x"),
        (" -5", " -5"),  # a number after a space stays a number
        ("\t-5", "'\t-5"),
        (" a=b", " a=b"),
        ("'=1", "'=1"),  # already text
        ("", ""),
        (None, ""),
        (1.5, "1.5"),
        (-3.0, "-3.0"),
        (float("inf"), "inf"),
        (float("nan"), ""),
        (7, "7"),
        (True, "true"),
    ],
)
def test_safe_cell(cell, safe):
    assert safe_cell(cell) == safe


def test_csv_text_neutralises_every_cell_and_quotes_line_breaks():
    text = csv_text(["=header"], [["=cmd"], ["a\rb"], ["-1"]])
    assert text == "'=header\r\n'=cmd\r\n\"a\rb\"\r\n-1\r\n"
    assert list(csv.reader(io.StringIO(text, newline=""))) == [["'=header"], ["'=cmd"], ["a\rb"], ["-1"]]


def test_a_title_or_reason_like_a_formula_is_neutralised_in_the_report():
    result = fresh()
    result.standards[0] = result.standards[0].__class__(
        **{**result.standards[0].__dict__, "reason": "@risk", "groups": []}
    )
    rows = list(csv.DictReader(io.StringIO(CsvFormat().render(result), newline="")))
    assert rows[0]["reason"] == "'@risk"
    assert rows[2]["evidence"].startswith("row 17")  # inside a cell, = is harmless
