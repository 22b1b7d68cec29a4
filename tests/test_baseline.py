"""Baselines: writing, reading back, and comparing an audit with one (values worked out by hand)."""

from __future__ import annotations

import dataclasses
import json
import math

import pytest

from csaudit.baseline import (
    BASELINE_SCHEMA,
    BaselineError,
    Verdict,
    baseline_document,
    baseline_text,
    compare,
    format_delta,
    read_baseline,
)
from csaudit.metrics.base import Unit
from csaudit.profile.model import Profile, Standard, Statistic, Status, Target
from csaudit.result import AuditResult, GroupResult, StandardResult
from tests.render.fixtures import AHT, CSAT, FRT, NPS, REPLIES, RESOLVE_P1, fresh

TEAM = Profile(name="team", title="Team standards", standards=())

BACKLOG = Standard(
    id="backlog",
    title="Backlog flow at most 1.0",
    metric="backlog_flow",
    statistic=Statistic("ratio", text="ratio"),
    target=Target("at_most", 1.0),
)


def audit(*standards: StandardResult) -> AuditResult:
    return AuditResult("team", "Team standards", "team.yaml", "export.csv", 100, {}, {}, list(standards), [], [])


def one(standard: Standard, unit: Unit, value: float | None, status: Status, n: int = 50) -> StandardResult:
    return StandardResult(standard, unit, status, [GroupResult({}, value, n, status)])


def per_channel(values: dict[str, tuple[float, Status]]) -> StandardResult:
    groups = [GroupResult({"channel": k}, v, 20, s) for k, (v, s) in values.items()]
    worst = max((g.status for g in groups), key=lambda s: s.rank)
    return StandardResult(RESOLVE_P1, Unit.FRACTION, worst, groups)


def against(before: AuditResult, after: AuditResult, tmp_path) -> AuditResult:
    """Write ``before`` as a baseline file, read it back, compare ``after`` with it."""
    path = tmp_path / "baseline.json"
    path.write_text(baseline_text(before), encoding="utf-8")
    compare(after, read_baseline(path, TEAM))
    return after


# -- the file ----------------------------------------------------------------------------------


def test_baseline_document():
    document = baseline_document(audit(one(FRT, Unit.SECONDS, 1530.0, Status.PASS), one(BACKLOG, Unit.RATIO, math.inf, Status.FAIL)))
    assert document["schema"] == BASELINE_SCHEMA == "csaudit.baseline/1"
    assert document["profile"] == {"name": "team", "title": "Team standards"}
    assert document["input"] == {"path": "export.csv", "rows": 100}
    assert document["standards"][0] == {
        "standard_id": "frt",
        "title": "First response under 1 hour",
        "metric": "first_response_time",
        "statistic": "mean",
        "unit": "seconds",
        "status": "pass",
        "groups": [{"group": {}, "value": 1530.0, "display": "25m 30s", "status": "pass", "sample_size": 50}],
    }
    assert document["standards"][1]["groups"][0]["value"] == "inf"  # JSON has no infinity
    json.dumps(document, allow_nan=False)


def test_the_same_audit_against_its_own_baseline_is_unchanged(tmp_path):
    after = against(fresh(), fresh(), tmp_path)
    assert after.comparison.counts == {"unchanged": 6}
    assert after.comparison.removed == []
    assert after.comparison.summary == "since the baseline: 6 unchanged"
    for sr in after.standards:
        assert sr.change.verdict is Verdict.UNCHANGED, sr.standard.id
        assert sr.change.text == "unchanged"
        for g in sr.groups:
            assert g.change.verdict is Verdict.UNCHANGED and g.change.delta == 0.0


# -- direction -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "standard, unit, before, after, verdict, text",
    [
        # below 1h: lower is better
        (FRT, Unit.SECONDS, 1530.0, 1590.0, Verdict.REGRESSED, "regressed: +1m (was 25m 30s)"),
        (FRT, Unit.SECONDS, 1530.0, 1500.0, Verdict.IMPROVED, "improved: -30s (was 25m 30s)"),
        # at least 85% (warn 90%): higher is better; changes in percentage points
        (CSAT, Unit.FRACTION, 0.875, 0.89, Verdict.IMPROVED, "improved: +1.5 pp (was 87.5%)"),
        (CSAT, Unit.FRACTION, 0.875, 0.86, Verdict.REGRESSED, "regressed: -1.5 pp (was 87.5%)"),
        # between 2 and 4: the distance outside the band
        (REPLIES, Unit.COUNT, 4.5, 4.2, Verdict.IMPROVED, "improved: -0.30 (was 4.50)"),
        (REPLIES, Unit.COUNT, 1.5, 1.2, Verdict.REGRESSED, "regressed: -0.30 (was 1.50)"),
        (REPLIES, Unit.COUNT, 2.5, 3.5, Verdict.UNCHANGED, "unchanged: +1 (was 2.50)"),
        # reported only: no direction
        (AHT, Unit.SECONDS, 540.0, 600.0, Verdict.CHANGED, "changed: +1m (was 9m)"),
        # infinity (nothing resolved) to a number
        (BACKLOG, Unit.RATIO, math.inf, 0.8, Verdict.IMPROVED, "improved: fail → pass, -∞ (was ∞)"),
    ],
)
def test_direction_of_a_change(tmp_path, standard, unit, before, after, verdict, text):
    def status(value):
        return Status.INFO if standard.target is None else standard.target.evaluate(value)

    result = against(audit(one(standard, unit, before, status(before))), audit(one(standard, unit, after, status(after))), tmp_path)
    change = result.standards[0].change
    assert (change.verdict, change.text) == (verdict, text)
    assert result.standards[0].groups[0].change is change


def test_unchanged_is_within_the_precision_of_the_report(tmp_path):
    def verdict(standard, unit, before, after):
        status = standard.target.evaluate
        result = against(audit(one(standard, unit, before, status(before))), audit(one(standard, unit, after, status(after))), tmp_path)
        return result.standards[0].change.verdict

    # durations: half a second (a twentieth under 10 s)
    assert verdict(FRT, Unit.SECONDS, 1530.0, 1530.4) is Verdict.UNCHANGED
    assert verdict(FRT, Unit.SECONDS, 1530.0, 1530.6) is Verdict.REGRESSED
    assert verdict(FRT, Unit.SECONDS, 4.2, 4.24) is Verdict.UNCHANGED
    assert verdict(FRT, Unit.SECONDS, 4.2, 4.3) is Verdict.REGRESSED
    # shares: 0.05 percentage point
    assert verdict(CSAT, Unit.FRACTION, 0.875, 0.8754) is Verdict.UNCHANGED
    assert verdict(CSAT, Unit.FRACTION, 0.875, 0.8744) is Verdict.REGRESSED


def test_a_status_change_decides_before_the_value(tmp_path):
    # CSAT 90.00% passes (warn at 90%), 89.99% warns: too small a change to show, but a status change
    result = against(audit(one(CSAT, Unit.FRACTION, 0.9, Status.PASS)), audit(one(CSAT, Unit.FRACTION, 0.8999, Status.WARN)), tmp_path)
    assert result.standards[0].change.text == "regressed: pass → warn (was 90.0%)"
    # a tighter target: the value improved, the status got worse
    result = against(audit(one(FRT, Unit.SECONDS, 1530.0, Status.PASS)), audit(one(FRT, Unit.SECONDS, 1500.0, Status.FAIL)), tmp_path)
    change = result.standards[0].change
    assert change.verdict is Verdict.REGRESSED
    assert change.text == "regressed: pass → fail, -30s (was 25m 30s)"
    assert (change.previous_status, change.previous_value, change.delta) == (Status.PASS, 1530.0, -30.0)


def test_a_standard_that_became_measurable(tmp_path):
    before = audit(StandardResult(NPS, Unit.POINTS, Status.NOT_MEASURED, reason="needs the `nps` column"))
    after = against(before, audit(one(NPS, Unit.POINTS, 42.0, Status.PASS)), tmp_path)
    assert after.standards[0].change.text == "improved: not measured → pass"
    assert after.standards[0].groups[0].change.verdict is Verdict.IMPROVED
    # and back
    again = against(audit(one(NPS, Unit.POINTS, 42.0, Status.PASS)), before, tmp_path)
    assert again.standards[0].change.text == "regressed: pass → not measured (was 42)"


def test_a_standard_measured_differently_is_only_compared_by_status(tmp_path):
    p90 = dataclasses.replace(FRT, statistic=Statistic("quantile", q=0.9, text="p90"))
    result = against(audit(one(FRT, Unit.SECONDS, 1530.0, Status.PASS)), audit(one(p90, Unit.SECONDS, 3000.0, Status.PASS)), tmp_path)
    assert result.standards[0].change.verdict is Verdict.CHANGED
    assert result.standards[0].change.text == "changed: measured differently from the baseline"
    assert result.standards[0].change.delta is None


# -- new and removed -----------------------------------------------------------------------------


def test_new_and_removed_standards(tmp_path):
    before = audit(one(FRT, Unit.SECONDS, 1530.0, Status.PASS), one(AHT, Unit.SECONDS, 540.0, Status.INFO))
    after = against(before, audit(one(FRT, Unit.SECONDS, 1530.0, Status.PASS), one(CSAT, Unit.FRACTION, 0.8, Status.FAIL)), tmp_path)
    csat = after.standards[1]
    assert csat.change.verdict is Verdict.NEW and csat.change.text == "new since the baseline"
    assert csat.groups[0].change.verdict is Verdict.NEW
    assert csat.change.previous_status is None
    (gone,) = after.comparison.removed
    assert (gone.standard_id, gone.title, gone.group, gone.status, gone.value, gone.unit) == (
        "aht", "Average handle time", None, Status.INFO, 540.0, Unit.SECONDS
    )
    assert gone.text == "removed (was info, 9m)"
    assert after.comparison.counts == {"unchanged": 1, "new": 1}
    assert after.comparison.summary == "since the baseline: 1 unchanged, 1 new, 1 removed"


def test_groups_are_compared_one_by_one(tmp_path):
    before = audit(per_channel({"chat": (0.92, Status.PASS), "email": (0.95, Status.PASS)}))
    after = against(before, audit(per_channel({"chat": (0.91, Status.PASS), "phone": (0.85, Status.FAIL)})), tmp_path)
    sr = after.standards[0]
    chat, phone = sr.groups
    assert chat.change.text == "regressed: -1.0 pp (was 92.0%)"
    assert phone.change.verdict is Verdict.NEW
    assert sr.change.verdict is Verdict.REGRESSED
    assert sr.change.text == "regressed: pass → fail (1 regressed, 1 new, 1 removed of 2 groups)"
    (gone,) = after.comparison.removed
    assert (gone.standard_id, gone.group, gone.value) == ("resolve-p1", {"channel": "email"}, 0.95)
    assert after.comparison.summary == "since the baseline: 1 regressed"  # a removed group is not a removed standard


def test_a_grouped_standard_with_the_same_status_is_judged_by_its_groups(tmp_path):
    before = audit(per_channel({"chat": (0.80, Status.FAIL), "email": (0.95, Status.PASS)}))
    after = against(before, audit(per_channel({"chat": (0.85, Status.FAIL), "email": (0.95, Status.PASS)})), tmp_path)
    assert after.standards[0].change.text == "improved (1 improved of 2 groups)"
    assert after.standards[0].groups[1].change.text == "unchanged"


def test_format_delta():
    assert format_delta(12.0, Unit.SECONDS) == "+12s"
    assert format_delta(-90.0, Unit.SECONDS) == "-1m 30s"
    assert format_delta(-0.021, Unit.FRACTION) == "-2.1 pp"
    assert format_delta(0.25, Unit.COUNT) == "+0.25"
    assert format_delta(1.5, Unit.POINTS) == "+1.5"
    assert format_delta(97200.0, Unit.SECONDS) == "+1d 3h"
    assert format_delta(97200.0, Unit.SECONDS, open_hours=True) == "+27h"


def test_business_time_changes_are_in_hours(tmp_path):
    # A mean resolution measured in a business calendar: 25 h -> 28 h of open time (target at
    # most 27 h) regresses by +3h, "was 25h", not "was 1d 1h".
    standard = Standard(id="resolve", title="Resolve", metric="resolution_time",
                        statistic=Statistic("mean", text="mean"), target=Target("at_most", 27 * 3600.0))

    def measured(hours: float) -> StandardResult:
        sr = one(standard, Unit.SECONDS, hours * 3600.0, standard.target.evaluate(hours * 3600.0))
        sr.calendar = "office"
        return sr

    result = against(audit(measured(25)), audit(measured(28)), tmp_path)
    assert result.standards[0].change.text == "regressed: pass → fail, +3h (was 25h)"


# -- reading -------------------------------------------------------------------------------------


def _baseline_error(tmp_path, text: str, profile: Profile = TEAM) -> str:
    path = tmp_path / "base.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(BaselineError) as info:
        read_baseline(path, profile)
    message = str(info.value)
    assert str(path) in message
    return message


def test_a_baseline_that_is_not_json(tmp_path):
    message = _baseline_error(tmp_path, '{"schema": "csaudit.baseline/1",\n  oops}')
    assert "base.json:2:3: not valid JSON" in message


def test_a_json_report_is_not_a_baseline(tmp_path):
    message = _baseline_error(tmp_path, json.dumps({"schema": "csaudit.report/1"}))
    assert "it is a JSON report, not a baseline; write a baseline with --write-baseline FILE" in message


def test_a_baseline_of_another_schema_version(tmp_path):
    message = _baseline_error(tmp_path, json.dumps({"schema": "csaudit.baseline/9"}))
    assert "'csaudit.baseline/9'" in message and "this csaudit reads csaudit.baseline/1" in message


def test_a_baseline_of_another_profile(tmp_path):
    text = baseline_text(fresh())
    message = _baseline_error(tmp_path, text, Profile(name="stanford", title="", standards=()))
    assert "was written for profile 'team', but this audit uses profile 'stanford'" in message


@pytest.mark.parametrize(
    "edit, where, what",
    [
        (lambda d: d["standards"][1]["groups"][0].update(status="ok"), "standards[1].groups[0].status", "got 'ok'"),
        (lambda d: d["standards"][0].update(unit="minutes"), "standards[0].unit", "expected one of seconds,"),
        (lambda d: d["standards"][0]["groups"][0].update(value="fast"), "standards[0].groups[0].value", "got 'fast'"),
        (lambda d: d["standards"][2].pop("groups"), "standards[2].groups", "expected a list"),
        (lambda d: d["standards"].append(d["standards"][0]), "standards[6].standard_id", "'frt' appears twice"),
        (lambda d: d["input"].update(rows=-1), "input.rows", "expected a row count"),
        (lambda d: d.pop("profile"), "profile", "expected an object"),
        (lambda d: d["standards"][2]["groups"][0].update(group={"channel": 5}), "standards[2].groups[0].group", "field → text"),
    ],
)
def test_a_malformed_baseline_names_the_entry(tmp_path, edit, where, what):
    document = baseline_document(fresh())
    edit(document)
    message = _baseline_error(tmp_path, json.dumps(document))
    assert f": {where}: " in message and what in message, message


@pytest.mark.parametrize("token", ["NaN", "Infinity", "-Infinity"])
def test_nan_and_infinity_tokens_are_not_json(tmp_path, token):
    # Python's json reads them; a NaN baseline value compared as "unchanged" with anything.
    text = baseline_text(fresh()).replace('"value": 1530.0', f'"value": {token}', 1)
    assert f'"value": {token}' in text
    message = _baseline_error(tmp_path, text)
    assert f"{token} is not JSON; a value is a number, \"inf\", \"-inf\" or null" in message


def test_a_baseline_saved_with_a_byte_order_mark_is_read(tmp_path):
    # Windows editors save UTF-8 with a BOM; json.loads refused it ("Unexpected UTF-8 BOM").
    path = tmp_path / "base.json"
    path.write_bytes(b"\xef\xbb\xbf" + baseline_text(fresh()).encode("utf-8"))
    assert read_baseline(path, TEAM).profile_name == "team"


def test_a_missing_baseline(tmp_path):
    with pytest.raises(BaselineError, match="cannot read the file"):
        read_baseline(tmp_path / "nowhere.json", TEAM)
