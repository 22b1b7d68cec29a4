"""Efficiency metrics (STANDARDS.md §2 "Efficiency"): replies, AHT, hold time, minutes per issue.

Every expected value is worked out by hand in the comment beside it.
"""

from __future__ import annotations

import pytest

from csaudit.profile.model import Status


def _finding(audit, key):
    found = [f for f in audit.findings if f.key == key]
    assert len(found) == 1, [f.key for f in audit.findings]
    return found[0]


# -- replies per issue ----------------------------------------------------------------------

REPLIES_BAND = """
- id: replies
  title: Replies per issue
  metric: replies_per_issue
  compare: between
  fail: [2, 4]
"""


def test_replies_per_issue_over_resolved_only(run_standard):
    # Resolved: rows 1 (2), 2 (4), 4 (3) -> (2 + 4 + 3) / 3 = 3.0.
    # Unresolved rows 3 (10) and 5 (0) are left out (with them: 19 / 5 = 3.8).
    result = run_standard(
        """
        id,resolved_at,replies
        1,2024-01-01 10:00:00,2
        2,2024-01-01 11:00:00,4
        3,,10
        4,2024-01-01 12:00:00,3
        5,,0
        """,
        REPLIES_BAND,
    )
    assert result.groups[0].sample_size == 3
    assert result.groups[0].value == pytest.approx(3.0)
    assert result.status is Status.PASS


@pytest.mark.parametrize(
    "replies,mean,status",
    [
        ((2, 2), 2.0, Status.PASS),  # (2 + 2) / 2 = 2.0: the low edge is inside the band
        ((1, 3), 2.0, Status.PASS),  # (1 + 3) / 2 = 2.0
        ((4, 4), 4.0, Status.PASS),  # 4.0: the high edge is inside
        ((3, 5), 4.0, Status.PASS),  # (3 + 5) / 2 = 4.0
        ((1, 2), 1.5, Status.FAIL),  # (1 + 2) / 2 = 1.5 < 2
        ((4, 5), 4.5, Status.FAIL),  # (4 + 5) / 2 = 4.5 > 4
        ((1, 1, 4), 2.0, Status.PASS),  # 6 / 3 = 2.0
    ],
)
def test_replies_band_edges_are_inclusive(run_standard, replies, mean, status):
    rows = "\n".join(f"{i},2024-01-01 10:00:00,{r}" for i, r in enumerate(replies, 1))
    result = run_standard("id,resolved_at,replies\n" + rows + "\n", REPLIES_BAND)
    assert result.groups[0].value == pytest.approx(mean)
    assert result.groups[0].sample_size == len(replies)
    assert result.status is status


def test_replies_band_with_warn_band(run_standard):
    # warn [2.5, 3.5], fail [2, 4]: mean (2 + 2 + 3) / 3 = 7/3 ~ 2.33 -> inside fail band,
    # outside warn band -> warn
    result = run_standard(
        """
        id,resolved_at,replies
        1,2024-01-01 10:00:00,2
        2,2024-01-01 10:00:00,2
        3,2024-01-01 10:00:00,3
        """,
        REPLIES_BAND + "  warn: [2.5, 3.5]\n",
    )
    assert result.groups[0].value == pytest.approx(7 / 3)
    assert result.status is Status.WARN


def test_replies_needs_resolved_at(run_audit):
    audit = run_audit(
        """
        id,replies
        1,3
        """,
        REPLIES_BAND,
    )
    assert audit.standards[0].status is Status.ERROR
    assert "resolved_at" in audit.standards[0].reason
    assert audit.exit_code == 2


def test_non_numeric_replies_reported_and_excluded(run_audit):
    # Row 2 "three": reported and left out. (2 + 4) / 2 = 3.0
    audit = run_audit(
        """
        id,resolved_at,replies
        1,2024-01-01 10:00:00,2
        2,2024-01-01 10:00:00,three
        3,2024-01-01 10:00:00,4
        """,
        REPLIES_BAND,
    )
    result = audit.standards[0]
    assert result.groups[0].value == pytest.approx(3.0)
    assert result.groups[0].sample_size == 2
    finding = _finding(audit, "unparsable:replies")
    assert finding.count == 1 and finding.rows == [2] and finding.examples == ["three"]


# -- average handle time --------------------------------------------------------------------

AHT = """
- id: aht
  title: AHT
  metric: average_handle_time
  compare: at_most
  fail: 5m
"""


def test_aht_handle_plus_hold_plus_wrap_per_handled_interaction(run_standard):
    # 1: 300 + 60 + 30 = 390
    # 2: 200 + (empty hold = 0) + 10 = 210
    # 3: 240 + 0 + (empty wrap = 0) = 240   -- "0" and empty agree
    # 4: no handle_seconds -> not handled, left out
    # 5: abandoned -> not handled, left out
    # (390 + 210 + 240) / 3 = 840 / 3 = 280 s <= 300 s -> pass
    result = run_standard(
        """
        id,abandoned,handle_seconds,hold_seconds,wrap_seconds
        1,no,300,60,30
        2,no,200,,10
        3,no,240,0,
        4,no,,60,30
        5,yes,50,0,0
        """,
        AHT,
    )
    assert result.groups[0].sample_size == 3
    assert result.groups[0].value == pytest.approx(280.0)
    assert result.status is Status.PASS
    assert result.notes == []


def test_aht_without_hold_column_notes_it(run_standard):
    # No hold_seconds column: counted as 0 and said so.
    # (100 + 20) + (200 + 40) = 120 + 240 -> 360 / 2 = 180 s
    result = run_standard(
        """
        id,handle_seconds,wrap_seconds
        1,100,20
        2,200,40
        """,
        AHT,
    )
    assert result.groups[0].value == pytest.approx(180.0)
    assert any("hold_seconds" in note for note in result.notes)
    assert not any("wrap_seconds" in note for note in result.notes)


def test_aht_unreadable_hold_is_left_out_not_zero(run_audit):
    # Row 2's hold "x" is not a number: reported and the row left out (reading it as 0 would
    # give (100 + 200) / 2 = 150). Row 1: 100 + 0 (empty) = 100 -> 100 / 1
    audit = run_audit(
        """
        id,handle_seconds,hold_seconds,wrap_seconds
        1,100,,
        2,200,x,
        """,
        AHT,
    )
    result = audit.standards[0]
    assert result.groups[0].sample_size == 1
    assert result.groups[0].value == pytest.approx(100.0)
    assert _finding(audit, "unparsable:hold_seconds").rows == [2]


def test_aht_fails_above_target(run_standard):
    # 400 + 0 + 0 = 400 and 300 + 30 + 0 = 330 -> 730 / 2 = 365 s > 300 s -> fail
    result = run_standard(
        """
        id,handle_seconds,hold_seconds,wrap_seconds
        1,400,0,0
        2,300,30,0
        """,
        AHT,
    )
    assert result.groups[0].value == pytest.approx(365.0)
    assert result.status is Status.FAIL


def test_aht_negative_part_excluded(run_audit):
    # Row 1 has hold -5: excluded, reported. Row 2: 60 + 0 + 0 = 60
    audit = run_audit(
        """
        id,handle_seconds,hold_seconds,wrap_seconds
        1,100,-5,0
        2,60,0,0
        """,
        AHT,
    )
    assert audit.standards[0].groups[0].value == pytest.approx(60.0)
    assert audit.standards[0].groups[0].sample_size == 1
    assert _finding(audit, "negative:hold_seconds").rows == [1]


# -- hold time ------------------------------------------------------------------------------

HOLD_MAX = """
- id: hold
  title: Hold
  metric: hold_time
  statistic: max
  compare: at_most
  fail: 30s
"""


def test_hold_time_max(run_standard):
    # max(10, 45, 20) = 45 s > 30 s -> fail (one long hold is enough)
    result = run_standard(
        """
        id,hold_seconds
        1,10
        2,45
        3,20
        4,
        """,
        HOLD_MAX,
    )
    assert result.groups[0].value == pytest.approx(45.0)
    assert result.groups[0].sample_size == 3
    assert result.status is Status.FAIL


def test_hold_time_max_at_limit_passes(run_standard):
    # max(30, 5) = 30 s; at_most 30 s is inclusive -> pass
    result = run_standard(
        """
        id,hold_seconds
        1,30
        2,5
        """,
        HOLD_MAX,
    )
    assert result.groups[0].value == pytest.approx(30.0)
    assert result.status is Status.PASS


# -- minutes per issue ----------------------------------------------------------------------


MINUTES_PER_AGENT = """
- id: mpi
  title: Minutes per issue
  metric: minutes_per_issue
  each: agent
  compare: at_most
  fail: 6m
"""


def test_minutes_per_issue_leaves_out_abandoned_contacts(run_standard):
    # An abandoned call was never handled, whoever the export files it under (as in AHT).
    # ann: 300, 600 handled; row 3 abandoned (flag) with 0 s, row 4 abandoned (abandoned_at
    #      only, flag empty) with 0 s -> 900 / 2 = 450 s (with them: 900 / 4 = 225 s)
    # bob: row 6 abandoned with 60 s, row 5 handled 120 s -> 120 s
    result = run_standard(
        """
        id,agent,handle_seconds,abandoned,abandoned_at
        1,ann,300,no,
        2,ann,600,,
        3,ann,0,yes,2024-01-01 08:00:00
        4,ann,0,,2024-01-01 09:00:00
        5,bob,120,no,
        6,bob,60,yes,
        """,
        MINUTES_PER_AGENT,
    )
    got = {g.group["agent"]: (g.value, g.sample_size) for g in result.groups}
    assert got == {"ann": (pytest.approx(450.0), 2), "bob": (pytest.approx(120.0), 1)}


def test_minutes_per_issue_each_agent(run_standard):
    # ann: 300, 600 -> 450 s (7.5 min) > 6 min -> fail
    # bob: 120, 240, 180 -> 540 / 3 = 180 s (3 min) -> pass
    # "Bob" and "bob" are the same agent (text fields compare case-insensitively)
    result = run_standard(
        """
        id,agent,handle_seconds
        1,ann,300
        2,bob,120
        3,ann,600
        4,Bob,240
        5,bob,180
        """,
        MINUTES_PER_AGENT,
    )
    got = {g.group["agent"].lower(): (g.value, g.sample_size, g.status) for g in result.groups}
    assert got == {
        "ann": (pytest.approx(450.0), 2, Status.FAIL),
        "bob": (pytest.approx(180.0), 3, Status.PASS),
    }
    assert result.status is Status.FAIL
