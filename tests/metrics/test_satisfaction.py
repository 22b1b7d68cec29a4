"""Satisfaction metrics (STANDARDS.md §2 "Satisfaction"): CSAT top-2-box and NPS.

Every expected value is worked out by hand in the comment beside it.
"""

from __future__ import annotations

import pytest

from csaudit.profile.model import Status


def _finding(audit, key):
    found = [f for f in audit.findings if f.key == key]
    assert len(found) == 1, [f.key for f in audit.findings]
    return found[0]


def _csv(field: str, answers) -> str:
    rows = "\n".join(f"{i},{a}" for i, a in enumerate(answers, 1))
    return f"id,{field}\n{rows}\n"


CSAT = """
- id: csat
  title: CSAT
  metric: csat
  compare: at_least
  warn: 85%
  fail: 80%
"""


# -- CSAT -----------------------------------------------------------------------------------


def test_csat_is_top_two_box_not_the_mean(run_standard):
    # Answers 5, 5, 4, 1, 1: top-2-box = 3 of 5 = 60%.
    # (The mean would be 16 / 5 = 3.2; as a fraction of 5 that is 64%, so neither matches.)
    result = run_standard(_csv("csat", [5, 5, 4, 1, 1]), CSAT)
    assert result.groups[0].value == pytest.approx(0.6)
    assert result.groups[0].sample_size == 5
    assert result.status is Status.FAIL


def test_csat_three_is_not_satisfied(run_standard):
    # 3, 3, 4, 4: top-2-box 2 of 4 = 50% (3 is neutral, not satisfied)
    result = run_standard(_csv("csat", [3, 3, 4, 4]), CSAT)
    assert result.groups[0].value == pytest.approx(0.5)


def test_csat_out_of_range_and_unanswered_excluded(run_audit):
    # 0 (row 4), 6 (row 5) and 10 (row 6) are outside 1-5: reported, excluded; row 7 unanswered.
    # Counted: 5, 4, 2 -> 2 of 3 = 66.7%
    audit = run_audit(_csv("csat", [5, 4, 2, 0, 6, 10, ""]), CSAT)
    result = audit.standards[0]
    assert result.groups[0].sample_size == 3
    assert result.groups[0].value == pytest.approx(2 / 3)
    finding = _finding(audit, "range:csat")
    assert finding.count == 3
    assert finding.rows == [4, 5, 6]
    assert finding.examples == ["0", "6", "10"]


def test_csat_non_numeric_reported_and_excluded(run_audit):
    # "great" is not a number: reported, excluded. 5, 1 -> 1 of 2 = 50%
    audit = run_audit(_csv("csat", [5, "great", 1]), CSAT)
    result = audit.standards[0]
    assert result.groups[0].sample_size == 2
    assert result.groups[0].value == pytest.approx(0.5)
    assert _finding(audit, "unparsable:csat").examples == ["great"]


@pytest.mark.parametrize(
    "answers,share,status",
    [
        ([5] * 9 + [1], 0.9, Status.PASS),  # 9/10 = 90% >= 85% -> pass
        ([5] * 17 + [2] * 3, 0.85, Status.PASS),  # 17/20 = 85%: the warn edge is inclusive -> pass
        ([4] * 5 + [3], 5 / 6, Status.WARN),  # 5/6 = 83.3%: below 85%, at least 80% -> warn
        ([5] * 4 + [1], 0.8, Status.WARN),  # 4/5 = 80%: meets the fail level -> warn
        ([5] * 3 + [1], 0.75, Status.FAIL),  # 3/4 = 75% < 80% -> fail
    ],
)
def test_csat_warn_and_fail_thresholds(run_audit, answers, share, status):
    audit = run_audit(_csv("csat", answers), CSAT)
    result = audit.standards[0]
    assert result.groups[0].value == pytest.approx(share)
    assert result.status is status
    assert audit.exit_code == (1 if status is Status.FAIL else 0)


def test_csat_each_team(run_standard):
    # a: 5, 4, 3 -> 2/3 (fail); b: 5, 5 -> 2/2 = 100% (pass)
    result = run_standard(
        """
        id,team,csat
        1,a,5
        2,b,5
        3,a,4
        4,a,3
        5,b,5
        """,
        CSAT + "  each: team\n",
    )
    got = {g.group["team"]: (g.value, g.sample_size, g.status) for g in result.groups}
    assert got == {
        "a": (pytest.approx(2 / 3), 3, Status.FAIL),
        "b": (pytest.approx(1.0), 2, Status.PASS),
    }


# -- NPS ------------------------------------------------------------------------------------

NPS = """
- id: nps
  title: NPS
  metric: nps
  compare: at_least
  fail: 30
"""


def test_nps_promoters_minus_detractors_in_points(run_standard):
    # 10 answers: promoters 9, 10, 10, 9, 10 (5 = 50%); passives 7, 8, 8 (3);
    # detractors 6, 0 (2 = 20%) -> 50 - 20 = +30 points; at_least 30 -> pass
    result = run_standard(_csv("nps", [9, 10, 7, 6, 10, 8, 9, 0, 8, 10]), NPS)
    assert result.groups[0].value == pytest.approx(30.0)
    assert result.groups[0].sample_size == 10
    assert result.status is Status.PASS


def test_nps_boundaries_6_is_detractor_7_8_passive_9_promoter(run_standard):
    # 6 -> detractor, 7 -> passive, 8 -> passive, 9 -> promoter: (1 - 1) / 4 = 0 points
    result = run_standard(_csv("nps", [6, 7, 8, 9]), NPS)
    assert result.groups[0].value == pytest.approx(0.0)
    assert result.status is Status.FAIL


def test_nps_can_be_negative(run_standard):
    # 0, 3, 5 detractors, 10 promoter -> 25% - 75% = -50 points
    result = run_standard(_csv("nps", [0, 3, 5, 10]), NPS)
    assert result.groups[0].value == pytest.approx(-50.0)


def test_nps_out_of_range_and_non_numeric_excluded(run_audit):
    # 11 (row 3) and -1 (row 4) out of 0-10, "ten" (row 5) not a number, row 6 unanswered.
    # Counted: 10, 0 -> 50% - 50% = 0 points
    audit = run_audit(_csv("nps", [10, 0, 11, -1, "ten", ""]), NPS)
    result = audit.standards[0]
    assert result.groups[0].sample_size == 2
    assert result.groups[0].value == pytest.approx(0.0)
    assert _finding(audit, "range:nps").rows == [3, 4]
    assert _finding(audit, "unparsable:nps").rows == [5]


def test_csat_without_column_is_unmeasurable(run_audit):
    audit = run_audit(_csv("nps", [10]), CSAT)
    assert audit.standards[0].status is Status.ERROR
    assert "csat" in audit.standards[0].reason
    assert audit.exit_code == 2
