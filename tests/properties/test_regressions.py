"""Disagreements the properties found between the engine and STANDARDS.md, each worked by hand.

The README promises that a cell that does not parse is left out of every metric that uses its
field. The engine used to read an unreadable `queued_at` as "no queue time" (falling back to
`created_at`), an unreadable `abandoned_at` as "not abandoned", and a contact with an
unreadable `abandoned` flag as answered in the waiting count.
"""

from __future__ import annotations

import pytest


def _findings(audit):
    return {f.key: f for f in audit.findings}


def test_unreadable_queued_at_is_left_out_not_replaced_by_created_at(run_audit):
    audit = run_audit(
        """
        id,channel,created_at,queued_at,first_response_at
        1,chat,2024-01-01 10:00:00,2024-01-01 10:00:30,2024-01-01 10:01:00
        2,chat,2024-01-01 10:00:00,soon,2024-01-01 10:10:00
        """,
        """
        - {id: asa, title: ASA, metric: speed_of_answer, statistic: mean}
        - {id: waiting, title: Waiting, metric: waiting_count, statistic: max}
        """,
    )
    asa, waiting = audit.standards
    # Row 1: answered 30 s after queueing. Row 2's queue time is unknown: left out (it was
    # measured from created_at: 600 s, mean 315 s).
    assert (asa.groups[0].value, asa.groups[0].sample_size) == (30.0, 1)
    # Row 1 waits [10:00:30, 10:01:00) alone (row 2 used to wait [10:00, 10:10): peak 2).
    assert (waiting.groups[0].value, waiting.groups[0].sample_size) == (1.0, 1)
    found = _findings(audit)
    assert found["unparsable:queued_at"].rows == [2]
    assert not any(key.startswith("waiting:no_end") for key in found)


def test_unreadable_abandoned_at_without_a_flag_is_unknown(run_audit):
    audit = run_audit(
        """
        id,channel,created_at,first_response_at,abandoned_at
        1,chat,2024-01-01 10:00:00,,2024-01-01 10:00:40
        2,chat,2024-01-01 10:00:00,2024-01-01 10:00:20,
        3,chat,2024-01-01 10:00:00,2024-01-01 10:01:00,yesterday
        """,
        """
        - {id: abandonment, title: Abandonment, metric: abandonment_rate}
        - {id: frt, title: FRT, metric: first_response_time, statistic: mean}
        """,
    )
    abandonment, frt = audit.standards
    # Row 1 abandoned, row 2 answered; row 3 may or may not have abandoned: left out.
    # 1 of 2 = 50% (it was 1 of 3, row 3 counted as not abandoned).
    assert abandonment.groups[0].value == pytest.approx(0.5)
    assert abandonment.groups[0].sample_size == 2
    # FRT: row 2 only, 20 s (row 3's 60 s used to count: mean 40 s).
    assert (frt.groups[0].value, frt.groups[0].sample_size) == (20.0, 1)
    assert _findings(audit)["unparsable:abandoned_at"].rows == [3]


def test_unreadable_abandoned_flag_leaves_the_contact_out_of_the_waiting_count(run_audit):
    audit = run_audit(
        """
        id,channel,queued_at,first_response_at,abandoned,abandoned_at
        1,phone,2024-01-01 10:00:00,2024-01-01 10:05:00,no,
        2,phone,2024-01-01 10:01:00,2024-01-01 10:03:00,maybe,
        """,
        """
        - {id: peak, title: Peak, metric: waiting_count, statistic: max}
        - {id: mean, title: Mean, metric: waiting_count, statistic: mean}
        """,
    )
    peak, mean = audit.standards
    # Only row 1 waits, [10:00, 10:05): peak 1, mean 1 (row 2 used to count as answered at
    # 10:03, waiting [10:01, 10:03): peak 2, mean (1×1 + 2×2 + 1×2) / 5 = 1.4).
    assert (peak.groups[0].value, peak.groups[0].sample_size) == (1.0, 1)
    assert mean.groups[0].value == pytest.approx(1.0)
    found = _findings(audit)
    assert found["unparsable:abandoned"].rows == [2]
    # It is unreadable, not a wait without an end.
    assert not any(key.startswith("waiting:no_end") for key in found)


def test_nan_and_inf_in_a_number_column_are_unreadable(run_audit):
    audit = run_audit(
        """
        id,errors
        1,1
        2,nan
        3,inf
        """,
        "- {id: errors, title: Errors, metric: error_rate, statistic: mean}",
    )
    # Only row 1 is a number: mean 1.0 over n = 1; rows 2 and 3 are reported as unreadable.
    assert (audit.standards[0].groups[0].value, audit.standards[0].groups[0].sample_size) == (1.0, 1)
    assert _findings(audit)["unparsable:errors"].rows == [2, 3]
