"""The JSON report from the shared result fixture: evidence, calendar, breakdown, baseline."""

from __future__ import annotations

import json

from csaudit.baseline import Change, Comparison, Verdict
from csaudit.profile.model import Status
from csaudit.render.json_format import JsonFormat, report_dict
from tests.render.fixtures import PASSING, RESULT, fresh


def test_evidence_goes_with_its_group_and_the_calendar_with_the_standard():
    report = report_dict(RESULT)
    resolve = [r for r in report["results"] if r["standard_id"] == "resolve-p1"]
    assert [r["group"]["channel"] for r in resolve][0] == "chat"
    assert resolve[0]["calendar"] == "stanford-it"
    assert resolve[0]["evidence"] == [
        {"row": 17, "id": "T-17", "value": 30600.0, "unit": "seconds", "display": "8h 30m", "label": None,
         "fields": {"channel": "chat", "agent": "=2+5"}},
        {"row": 4, "id": None, "value": 21600.0, "unit": "seconds", "display": "6h", "label": None,
         "fields": {"channel": "chat"}},
    ]
    assert resolve[1]["evidence"] == []  # the passing group
    frt = next(r for r in report["results"] if r["standard_id"] == "frt")
    assert frt["calendar"] is None and frt["evidence"] == [] and frt["change"] is None


def test_breakdown_and_by():
    report = report_dict(RESULT)
    assert report["by"] == ["agent"]
    assert report["breakdown"] == [
        {"standard_id": "resolve-p1", "group": {"agent": "Ann"}, "value": 1.0, "display": "100.0%", "status": "pass", "sample_size": 4},
        {"standard_id": "resolve-p1", "group": {"agent": "Bo"}, "value": 0.5, "display": "50.0%", "status": "fail", "sample_size": 6},
    ]
    assert report["baseline"] is None and report["violations"] == []


def test_baseline_comparison():
    result = fresh(PASSING)
    result.standards[0].groups[0].change = Change(Verdict.REGRESSED, "regressed: +15s (was 45s)", Status.PASS, 45.0, 15.0)
    result.standards[0].change = result.standards[0].groups[0].change
    result.comparison = Comparison("base.json", "last-week.csv", 3, {"regressed": 1, "unchanged": 1})
    report = json.loads(JsonFormat().render(result))
    change = {"verdict": "regressed", "text": "regressed: +15s (was 45s)", "previous_status": "pass",
              "previous_value": 45.0, "delta": 15.0}
    assert report["results"][0]["change"] == change
    assert report["standards"][0]["change"] == change
    assert report["baseline"] == {
        "path": "base.json", "input": "last-week.csv", "rows": 3,
        "summary": "since the baseline: 1 regressed, 1 unchanged", "counts": {"regressed": 1, "unchanged": 1},
        "removed": [],
    }
