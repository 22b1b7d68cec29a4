"""The exit-code contract (csaudit.gate): --fail-on, --exit-zero, --strict and regressions."""

from __future__ import annotations

import pytest

from csaudit.baseline import Baseline, StoredGroup, StoredStandard, compare
from csaudit.gate import exit_code, failures
from csaudit.metrics.base import Unit
from csaudit.profile.model import Status
from tests.render.fixtures import ERROR_RESULT, ODD_CHANNEL, PASSING, RESULT, fresh


@pytest.mark.parametrize(
    "result, changes, code",
    [
        (PASSING, {}, 0),
        (PASSING, {"fail_on": "warn"}, 0),
        (RESULT, {}, 1),  # resolve-p1 fails
        (RESULT, {"exit_zero": True}, 0),
        (ERROR_RESULT, {}, 2),  # a required standard cannot be measured
        (ERROR_RESULT, {"exit_zero": True}, 2),
        (ERROR_RESULT, {"fail_on": "warn"}, 2),
    ],
)
def test_exit_codes(result, changes, code):
    assert exit_code(fresh(result, **changes)) == code
    assert fresh(result, **changes).exit_code == code  # the property the JSON summary reports


def _only(result, *ids):
    result.standards = [sr for sr in result.standards if sr.standard.id in ids]
    return result


def test_a_warning_fails_only_under_fail_on_warn():
    assert exit_code(_only(fresh(), "frt", "csat")) == 0
    warned = _only(fresh(fail_on="warn"), "frt", "csat")
    assert exit_code(warned) == 1
    assert [(sr.standard.id, g.status) for sr, g in failures(warned)] == [("csat", Status.WARN)]


def test_insufficient_data_fails_only_under_strict():
    assert exit_code(_only(fresh(), "fcr")) == 0
    assert exit_code(_only(fresh(strict=True), "fcr")) == 1


def _baseline(**statuses_and_values) -> Baseline:
    """A baseline holding resolve-p1 per channel: ``chat=(0.8, Status.FAIL)``…"""
    groups = tuple(StoredGroup({"channel": k}, v, s) for k, (v, s) in statuses_and_values.items())
    worst = max((g.status for g in groups), key=lambda s: s.rank)
    stored = StoredStandard(
        "resolve-p1", "P1 resolved", "resolution_time", "share within 4h", Unit.FRACTION, worst, groups
    )
    return Baseline("base.json", "team", "old.csv", 100, {"resolve-p1": stored})


def _regression(baseline: Baseline):
    result = _only(fresh(fail_on="regression"), "resolve-p1")  # chat 80.0% fail, the odd channel 95.0% pass
    compare(result, baseline)
    return result


def test_a_failure_the_baseline_had_passes_the_regression_gate():
    same = _regression(_baseline(chat=(0.8, Status.FAIL), **{ODD_CHANNEL: (0.95, Status.PASS)}))
    assert exit_code(same) == 0
    better = _regression(_baseline(chat=(0.7, Status.FAIL), **{ODD_CHANNEL: (0.95, Status.PASS)}))
    assert exit_code(better) == 0


def test_a_failure_that_got_worse_fails_the_regression_gate():
    worse = _regression(_baseline(chat=(0.85, Status.FAIL), **{ODD_CHANNEL: (0.95, Status.PASS)}))
    assert exit_code(worse) == 1
    assert [g.group for _, g in failures(worse)] == [{"channel": "chat"}]


def test_a_new_failure_fails_the_regression_gate():
    newly = _regression(_baseline(chat=(0.92, Status.PASS), **{ODD_CHANNEL: (0.95, Status.PASS)}))
    assert exit_code(newly) == 1
    new_group = _regression(_baseline(**{ODD_CHANNEL: (0.95, Status.PASS)}))  # chat was not there
    assert exit_code(new_group) == 1
    new_standard = _only(fresh(fail_on="regression"), "resolve-p1")
    compare(new_standard, Baseline("base.json", "team", "old.csv", 100, {}))
    assert exit_code(new_standard) == 1


def test_a_regression_that_does_not_fail_passes_the_gate():
    # chat fails in both, unchanged; the odd channel drops from 99% to 95% but still passes
    result = _regression(_baseline(chat=(0.8, Status.FAIL), **{ODD_CHANNEL: (0.99, Status.PASS)}))
    assert result.standards[0].groups[1].change.text == "regressed: -4.0 pp (was 99.0%)"
    assert exit_code(result) == 0


def test_the_regression_gate_keeps_exit_2_and_exit_zero():
    result = fresh(ERROR_RESULT, fail_on="regression")
    compare(result, Baseline("base.json", "team", "old.csv", 100, {}))
    assert exit_code(result) == 2
    zero = _regression(_baseline(chat=(0.92, Status.PASS)))
    zero.exit_zero = True
    assert exit_code(zero) == 0
