"""Speed metrics (STANDARDS.md §2 "Speed"), every expected value worked out by hand.

Times in comments are seconds after 08:00:00 unless written otherwise.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from csaudit.profile.model import Status


def by_group(result, key="channel"):
    """Groups keyed by their (case-folded) label."""
    return {g.group[key].casefold(): g for g in result.groups}


def finding(audit_result, prefix):
    found = [f for f in audit_result.findings if f.key.startswith(prefix)]
    assert len(found) == 1, [f.key for f in audit_result.findings]
    return found[0]


# ---------------------------------------------------------------------------------------
# First response time
# ---------------------------------------------------------------------------------------

# Answered, not abandoned: FRT 30, 60, 90, 300 s (rows 1-4).
# Row 5 is abandoned but has a first_response_at (FRT would be 5 s): no FRT (Rule).
# Row 6 is unanswered: not in the sample.
FRT_CSV = """
id,channel,created_at,first_response_at,abandoned
1,chat,2024-01-01 08:00:00,2024-01-01 08:00:30,no
2,chat,2024-01-01 08:10:00,2024-01-01 08:11:00,no
3,phone,2024-01-01 08:20:00,2024-01-01 08:21:30,
4,chat,2024-01-01 08:30:00,2024-01-01 08:35:00,false
5,chat,2024-01-01 08:40:00,2024-01-01 08:40:05,yes
6,chat,2024-01-01 08:50:00,,no
"""


def frt_standard(statistic: str, extra: str = "") -> str:
    return f"""
    - id: frt
      title: FRT
      metric: first_response_time
      statistic: {statistic}
    {extra}"""


@pytest.mark.parametrize(
    "statistic, expected",
    [
        ("mean", 120.0),  # (30 + 60 + 90 + 300) / 4 = 480 / 4
        ("median", 75.0),  # (60 + 90) / 2
        ("p90", 237.0),  # pos 0.9 * (4-1) = 2.7 -> 90 + 0.7 * (300 - 90) = 90 + 147
        ("p25", 52.5),  # pos 0.25 * 3 = 0.75 -> 30 + 0.75 * (60 - 30)
        ("p50", 75.0),  # pos 1.5 -> 60 + 0.5 * 30
        ("min", 30.0),
        ("max", 300.0),  # the abandoned 5 s and the unanswered row are not in the sample
        ("{share_within: 90s}", 0.75),  # 30, 60, 90 <= 90 (inclusive) -> 3 / 4
        ("{share_within: 89s}", 0.5),  # 30, 60 -> 2 / 4
        ("{share_within: 1m}", 0.5),  # 30, 60 -> 2 / 4
        ("{share_within: 5m}", 1.0),  # all 4 (300 <= 300)
        ("{share_within: 29s}", 0.0),
    ],
)
def test_frt_statistics(run_standard, statistic, expected):
    result = run_standard(FRT_CSV, frt_standard(statistic))
    assert len(result.groups) == 1
    assert result.groups[0].value == pytest.approx(expected)
    assert result.groups[0].sample_size == 4  # rows 1-4
    assert result.status is Status.INFO  # no target


@pytest.mark.parametrize(
    "compare, fail, status",
    [
        ("below", "2m", Status.FAIL),  # 120 < 120 is false
        ("at_most", "2m", Status.PASS),  # 120 <= 120
        ("at_most", "119s", Status.FAIL),
    ],
)
def test_frt_target_boundary(run_standard, compare, fail, status):
    result = run_standard(FRT_CSV, frt_standard("mean", f"  compare: {compare}\n      fail: {fail}"))
    assert result.groups[0].value == 120.0
    assert result.status is status


def test_frt_abandoned_at_without_flag_means_abandoned(run_standard):
    # No `abandoned` column: an abandoned_at marks the contact abandoned, so row 2's
    # response (FRT 10 s) does not count. Sample: 60 s (row 1) and 200 s (row 3).
    result = run_standard(
        """
        id,created_at,first_response_at,abandoned_at
        1,2024-01-01 08:00:00,2024-01-01 08:01:00,
        2,2024-01-01 08:00:00,2024-01-01 08:00:10,2024-01-01 08:00:08
        3,2024-01-01 09:00:00,2024-01-01 09:03:20,
        """,
        frt_standard("mean"),
    )
    assert result.groups[0].value == 130.0  # (60 + 200) / 2
    assert result.groups[0].sample_size == 2


def test_frt_negative_excluded_and_reported(run_audit):
    audit_result = run_audit(
        """
        id,created_at,first_response_at
        1,2024-01-01 08:00:00,2024-01-01 08:01:00
        2,2024-01-01 08:05:00,2024-01-01 08:04:00
        3,2024-01-01 08:00:00,2024-01-01 08:03:00
        4,2024-01-01 09:00:00,2024-01-01 08:00:00
        5,2024-01-01 10:00:00,
        """,
        frt_standard("mean"),
    )
    result = audit_result.standards[0]
    # rows 2 (-60 s) and 4 (-3600 s) excluded; 5 unanswered: (60 + 180) / 2 = 120
    assert result.groups[0].value == 120.0
    assert result.groups[0].sample_size == 2
    neg = finding(audit_result, "negative:created_at:first_response_at")
    assert neg.count == 2
    assert neg.rows == [2, 4]  # data rows counted from 1
    assert all(not f.key.startswith("negative") or f is neg for f in audit_result.findings)


MIXED_CASE_CSV = """
id,channel,created_at,first_response_at
1,Chat,2024-01-01 08:00:00,2024-01-01 08:01:00
2,chat,2024-01-01 08:00:00,2024-01-01 08:02:00
3,CHAT,2024-01-01 08:00:00,2024-01-01 08:03:00
4,Phone,2024-01-01 08:00:00,2024-01-01 08:00:30
5,phone,2024-01-01 08:00:00,2024-01-01 08:01:30
6,EMAIL,2024-01-01 08:00:00,2024-01-01 09:00:00
"""


def test_frt_each_channel_case_insensitive(run_standard):
    result = run_standard(MIXED_CASE_CSV, frt_standard("mean", "  each: channel"))
    groups = by_group(result)
    assert sorted(groups) == ["chat", "email", "phone"]  # Chat/chat/CHAT are one group
    assert groups["chat"].value == 120.0  # (60 + 120 + 180) / 3
    assert groups["chat"].sample_size == 3
    assert groups["phone"].value == 60.0  # (30 + 90) / 2
    assert groups["phone"].sample_size == 2
    assert groups["email"].value == 3600.0
    assert groups["email"].sample_size == 1


@pytest.mark.parametrize("written", ["Chat", "CHAT", "chat"])
def test_frt_filter_channel_case_insensitive(run_standard, written):
    result = run_standard(MIXED_CASE_CSV, frt_standard("mean", f"  filter: {{channel: {written}}}"))
    assert result.groups[0].value == 120.0  # rows 1-3: (60 + 120 + 180) / 3
    assert result.groups[0].sample_size == 3


def test_frt_filter_channel_list(run_standard):
    result = run_standard(MIXED_CASE_CSV, frt_standard("max", "  filter: {channel: [PHONE, Email]}"))
    assert result.groups[0].value == 3600.0  # rows 4, 5, 6: max(30, 90, 3600)
    assert result.groups[0].sample_size == 3


@pytest.mark.parametrize("min_sample, status", [(4, Status.INSUFFICIENT), (3, Status.PASS)])
def test_frt_min_sample(run_standard, min_sample, status):
    # chat: 3 measured rows (60, 120, 180 -> mean 120 s, at most 2m passes)
    result = run_standard(
        MIXED_CASE_CSV,
        frt_standard(
            "mean", f"  filter: {{channel: chat}}\n      min_sample: {min_sample}\n      compare: at_most\n      fail: 2m"
        ),
    )
    assert result.groups[0].sample_size == 3
    assert result.groups[0].status is status
    assert result.status is status
    if status is Status.INSUFFICIENT:
        assert "fewer than 4" in result.reason


def test_frt_min_sample_per_group(run_standard):
    # min_sample 2: chat (3) and phone (2) are measured, email (1) is insufficient.
    result = run_standard(MIXED_CASE_CSV, frt_standard("mean", "  each: channel\n      min_sample: 2"))
    groups = by_group(result)
    assert groups["chat"].status is Status.INFO
    assert groups["phone"].status is Status.INFO
    assert groups["email"].status is Status.INSUFFICIENT
    assert result.status is Status.INSUFFICIENT
    assert "1 of 3 groups" in result.reason


def test_frt_sub_second(run_standard):
    result = run_standard(
        """
        id,created_at,first_response_at
        1,2024-01-01 08:00:00.250,2024-01-01 08:00:01
        2,2024-01-01 08:00:00.5,2024-01-01 08:00:02.125
        """,
        frt_standard("mean"),
    )
    # 1.000 - 0.250 = 0.75; 2.125 - 0.5 = 1.625; mean = 2.375 / 2 = 1.1875
    assert result.groups[0].value == pytest.approx(1.1875, abs=1e-9)
    assert result.groups[0].sample_size == 2


def test_frt_sub_second_iso_t_with_z(run_standard):
    result = run_standard(
        """
        id,created_at,first_response_at
        1,2024-01-01T08:00:00.125Z,2024-01-01T08:00:00.875Z
        """,
        frt_standard("max"),
    )
    assert result.groups[0].value == pytest.approx(0.75, abs=1e-9)  # 0.875 - 0.125


def test_frt_offsets_are_instants(run_standard):
    result = run_standard(
        """
        id,created_at,first_response_at
        1,2024-01-01T01:00:00Z,2024-01-01T08:02:00+07:00
        2,2024-01-01T10:00:00+07:00,2024-01-01T03:00:30Z
        3,2024-01-01T23:30:00-02:00,2024-01-02T02:30:45+01:00
        """,
        frt_standard("mean"),
    )
    # row 1: 08:02+07:00 = 01:02Z -> 01:02 - 01:00 = 120 s (7 h more if the offset were ignored)
    # row 2: 10:00+07:00 = 03:00Z -> 03:00:30 - 03:00 = 30 s
    # row 3: 23:30-02:00 = 01:30Z on Jan 2; 02:30:45+01:00 = 01:30:45Z -> 45 s
    # mean = (120 + 30 + 45) / 3 = 65
    assert result.groups[0].value == pytest.approx(65.0)
    assert result.groups[0].sample_size == 3


def test_frt_offsets_with_space_separator(run_standard):
    result = run_standard(
        """
        id,created_at,first_response_at
        1,2024-01-01 08:00:00+07:00,2024-01-01 01:01:00Z
        """,
        frt_standard("max"),
    )
    assert result.groups[0].value == 60.0  # 08:00+07:00 = 01:00Z; 01:01Z - 01:00Z


# ---------------------------------------------------------------------------------------
# Resolution time
# ---------------------------------------------------------------------------------------

RESOLUTION_CSV = """
id,priority,created_at,resolved_at
1,P1,2024-01-01 08:00:00,2024-01-01 09:00:00
2,p1,2024-01-01 08:00:00,2024-01-01 12:00:00
3,P1,2024-01-01 08:00:00,2024-01-01 12:00:01
4,P2,2024-01-01 08:00:00,2024-01-01 09:00:00
5,P2,2024-01-01 08:00:00,
6,P2,2024-01-01 08:00:00,2024-01-01 07:00:00
"""


# ---------------------------------------------------------------------------------------
# Interactions left out because their duration has not ended (not answered, not resolved)
# ---------------------------------------------------------------------------------------

PENDING_CSV = """
id,channel,created_at,first_response_at,abandoned,resolved_at
1,email,2024-01-01 08:00:00,2024-01-01 09:00:00,no,2024-01-01 10:00:00
2,email,2024-01-01 08:00:00,2024-01-01 10:00:00,no,
3,email,2024-01-01 08:00:00,,no,
4,email,2024-01-01 08:00:00,,,2024-01-01 12:00:00
5,email,2024-01-01 08:00:00,,yes,
6,email,2024-01-01 08:00:00,soon,no,2024-01-01 09:00:00
7,email,,,no,
8,chat,2024-01-01 08:00:00,2024-01-01 08:00:30,no,2024-01-01 08:05:00
9,chat,2024-01-01 08:00:00,,no,
"""
# First response, not abandoned (rows 1-4, 6-9): answered rows 1, 2, 8 are measured (3).
# Not answered yet: rows 3, 4 (email) and 9 (chat) = 3. Not counted as not answered: row 5
# (abandoned: no FRT), row 6 (`soon` is unreadable: a finding), row 7 (no created_at).
# Resolution time (every row): resolved rows 1, 4, 6, 8 measured (4); not resolved with a
# known creation: rows 2, 3, 5, 9 = 4 (row 7 has no created_at).


def test_unanswered_interactions_are_counted_in_a_note(run_audit):
    audit_result = run_audit(
        PENDING_CSV,
        """
        - {id: frt, title: FRT, metric: first_response_time, statistic: mean, each: channel}
        - {id: frt-email, title: FRT email, metric: first_response_time, statistic: mean, filter: {channel: email}}
        - {id: ttr, title: TTR, metric: resolution_time, statistic: mean}
        """,
    )
    grouped, email, resolution = audit_result.standards
    assert {k: g.sample_size for k, g in by_group(grouped).items()} == {"chat": 1, "email": 2}
    assert grouped.notes == [
        "3 interactions in scope have no first response yet (an empty `first_response_at`) and are "
        "left out; 3 are measured (chat 1, email 2)"
    ]
    assert email.groups[0].sample_size == 2
    assert email.groups[0].value == 5400.0  # (3600 + 7200) / 2
    assert email.notes == [
        "2 interactions in scope have no first response yet (an empty `first_response_at`) and are "
        "left out; 2 are measured"
    ]
    assert resolution.groups[0].sample_size == 4
    assert resolution.notes == [
        "4 interactions in scope are not resolved (an empty `resolved_at`) and are left out; 4 are measured"
    ]


def test_no_note_when_every_interaction_is_measured(run_standard):
    answered = "\n".join(line for line in PENDING_CSV.strip().splitlines() if line.split(",")[0] in ("id", "1", "8"))
    result = run_standard(answered, "- {id: frt, title: FRT, metric: first_response_time, statistic: mean}")
    assert result.groups[0].sample_size == 2
    assert result.notes == []


def test_live_contacts_neither_answered_nor_abandoned_are_counted_in_a_note(run_standard):
    # Speed of answer over live channels: rows 8 (answered, 30 s) and 9 (chat, no answer, not
    # abandoned); the email rows are not live.
    result = run_standard(PENDING_CSV, "- {id: asa, title: ASA, metric: speed_of_answer, statistic: mean}")
    assert (result.groups[0].value, result.groups[0].sample_size) == (30.0, 1)
    assert result.notes == [
        "1 interaction in scope was neither answered nor abandoned (an empty `first_response_at`) "
        "and is left out; 1 is measured"
    ]


def test_resolution_each_priority_share_within(run_audit):
    audit_result = run_audit(
        RESOLUTION_CSV,
        """
        - id: res
          title: Resolution
          metric: resolution_time
          statistic: {share_within: 4h}
          each: priority
          compare: at_least
          fail: 80%
        """,
    )
    result = audit_result.standards[0]
    groups = by_group(result, "priority")
    assert sorted(groups) == ["p1", "p2"]  # P1 and p1 are one group
    # P1: 3600, 14400, 14401 -> <= 14400: 2 of 3
    assert groups["p1"].value == pytest.approx(2 / 3)
    assert groups["p1"].sample_size == 3
    assert groups["p1"].status is Status.FAIL
    # P2: 3600 (row 5 unresolved, row 6 negative and excluded) -> 1 of 1
    assert groups["p2"].value == 1.0
    assert groups["p2"].sample_size == 1
    assert groups["p2"].status is Status.PASS
    assert result.status is Status.FAIL
    neg = finding(audit_result, "negative:created_at:resolved_at")
    assert (neg.count, neg.rows) == (1, [6])


def test_resolution_each_priority_mean(run_standard):
    result = run_standard(
        RESOLUTION_CSV,
        """
        - id: res
          title: Resolution
          metric: resolution_time
          statistic: mean
          each: priority
        """,
    )
    groups = by_group(result, "priority")
    assert groups["p1"].value == pytest.approx((3600 + 14400 + 14401) / 3)  # 10800.333…
    assert groups["p2"].value == 3600.0


# ---------------------------------------------------------------------------------------
# Speed of answer
# ---------------------------------------------------------------------------------------

SOA_CSV = """
id,channel,created_at,queued_at,first_response_at,abandoned
1,chat,2024-01-01 08:00:00,2024-01-01 08:00:40,2024-01-01 08:01:00,no
2,Phone,2024-01-01 08:00:00,,2024-01-01 08:00:15,no
3,phone,2024-01-01 08:00:00,2024-01-01 08:00:05,2024-01-01 08:00:30,no
4,email,2024-01-01 08:00:00,,2024-01-01 09:00:00,no
5,chat,2024-01-01 08:00:00,2024-01-01 08:00:00,,yes
6,chat,2024-01-01 08:00:00,2024-01-01 08:00:00,2024-01-01 08:00:21,no
7,chat,2024-01-01 08:00:00,2024-01-01 08:00:00,2024-01-01 08:00:02,yes
"""
# Live rows measured: 1 (queued 40 -> 60: 20 s, not 60 s from created), 2 (queued_at empty
# -> created 0 -> 15 s), 3 (5 -> 30: 25 s), 6 (21 s). Row 4 is email (not live), row 5 is
# unanswered, row 7 abandoned (no answer time even with a first_response_at).


def soa_standard(statistic: str, extra: str = "") -> str:
    return f"""
    - id: soa
      title: Speed of answer
      metric: speed_of_answer
      statistic: {statistic}
    {extra}"""


@pytest.mark.parametrize(
    "statistic, expected",
    [
        ("mean", 20.25),  # (20 + 15 + 25 + 21) / 4 = 81 / 4
        ("max", 25.0),
        ("min", 15.0),
        ("median", 20.5),  # sorted 15, 20, 21, 25 -> (20 + 21) / 2
        ("{share_within: 20s}", 0.5),  # 20 (<= 20) and 15 -> 2 / 4
        ("{share_within: 19s}", 0.25),  # 15 -> 1 / 4
        ("{share_within: 21s}", 0.75),  # 15, 20, 21 -> 3 / 4
    ],
)
def test_speed_of_answer(run_standard, statistic, expected):
    result = run_standard(SOA_CSV, soa_standard(statistic))
    assert result.groups[0].value == pytest.approx(expected)
    assert result.groups[0].sample_size == 4


def test_service_level_target(run_standard):
    result = run_standard(SOA_CSV, soa_standard("{share_within: 20s}", "  compare: at_least\n      fail: 80%"))
    assert result.groups[0].value == 0.5  # see test_speed_of_answer
    assert result.status is Status.FAIL


def test_speed_of_answer_each_channel(run_standard):
    result = run_standard(SOA_CSV, soa_standard("mean", "  each: channel"))
    groups = by_group(result)
    assert sorted(groups) == ["chat", "phone"]  # email is not a live channel
    assert groups["chat"].value == 20.5  # rows 1, 6: (20 + 21) / 2
    assert groups["phone"].value == 20.0  # rows 2, 3: (15 + 25) / 2


def test_speed_of_answer_channel_filter_overrides_live_restriction(run_standard):
    result = run_standard(SOA_CSV, soa_standard("mean", "  filter: {channel: email}"))
    assert result.groups[0].value == 3600.0  # row 4: 09:00 - 08:00 (queued_at empty -> created_at)
    assert result.groups[0].sample_size == 1


def test_speed_of_answer_live_channels_option(run_standard):
    result = run_standard(SOA_CSV, soa_standard("mean", "  options: {live_channels: [Chat]}"))
    assert result.groups[0].value == 20.5  # rows 1, 6 only
    assert result.groups[0].sample_size == 2


def test_speed_of_answer_negative_against_fallback_is_excluded(run_audit):
    # Row 2 has no queued_at, so its wait starts at created_at (08:00:30), and the answer
    # (08:00:00) is before it: -30 s, which must be excluded like any negative duration.
    audit_result = run_audit(
        """
        id,channel,created_at,queued_at,first_response_at
        1,chat,2024-01-01 08:00:00,2024-01-01 08:00:10,2024-01-01 08:00:20
        2,chat,2024-01-01 08:00:30,,2024-01-01 08:00:00
        3,chat,2024-01-01 08:00:00,2024-01-01 08:00:30,2024-01-01 08:00:20
        """,
        soa_standard("mean"),
    )
    result = audit_result.standards[0]
    assert result.groups[0].value == 10.0  # row 1 only: 20 - 10
    assert result.groups[0].sample_size == 1
    neg = finding(audit_result, "negative:queued_at:first_response_at")
    assert (neg.count, neg.rows) == (2, [2, 3])


# ---------------------------------------------------------------------------------------
# Customers waiting
# ---------------------------------------------------------------------------------------

WAITING_CSV = """
id,channel,queued_at,first_response_at,abandoned,abandoned_at
A,chat,2024-01-01 08:00:00,2024-01-01 08:01:00,no,
B,Chat,2024-01-01 08:01:00,2024-01-01 08:02:00,no,
C,CHAT,2024-01-01 08:00:30,,yes,2024-01-01 08:01:30
D,chat,2024-01-01 08:00:45,2024-01-01 08:00:45,no,
E,phone,2024-01-01 08:00:00,2024-01-01 08:00:30,no,
F,phone,2024-01-01 08:00:10,2024-01-01 08:00:40,no,
G,email,2024-01-01 08:00:00,2024-01-01 08:10:00,no,
H,chat,2024-01-01 08:01:40,,no,
"""
# Waits (seconds after 08:00): A [0,60), B [60,120), C [30,90) (abandoned: until abandoned_at),
# D [45,45) is empty, E [0,30), F [10,40). G is email (not live); H has no end (excluded,
# reported).
#
# chat:  [0,30) 1 (A) | [30,60) 2 (A,C) | at 60 A leaves before B arrives | [60,90) 2 (B,C)
#        | [90,120) 1 (B).  Peak 2 (3 if B arrived before A left, or if D counted at 45).
#        mean = (1*30 + 2*30 + 2*30 + 1*30) / 120 = 180 / 120 = 1.5
#        share of time with <= 1 waiting = (30 + 30) / 120 = 0.5
# phone: [0,10) 1 | [10,30) 2 | [30,40) 1.  Peak 2.
#        mean = (1*10 + 2*20 + 1*10) / 40 = 60 / 40 = 1.5; share <= 1 = 20 / 40 = 0.5
# all live: [0,10) 2 (A,E) | [10,30) 3 (+F) | at 30 E leaves before C arrives: [30,40) 3
#        | [40,60) 2 | [60,90) 2 | [90,120) 1.  Peak 3 (4 if C arrived before E left).
#        mean = (2*10 + 3*20 + 3*10 + 2*20 + 2*30 + 1*30) / 120 = 240 / 120 = 2.0
#        share <= 2 = (10 + 20 + 30 + 30) / 120 = 90 / 120 = 0.75


def waiting_standard(statistic: str, extra: str = "") -> str:
    return f"""
    - id: wait
      title: Waiting
      metric: waiting_count
      statistic: {statistic}
    {extra}"""


@pytest.mark.parametrize(
    "statistic, expected",
    [("max", 3.0), ("mean", 2.0), ("{share_within: 2}", 0.75), ("{share_within: 3}", 1.0), ("{share_within: 1}", 0.25)],
    # share <= 1: only [90,120) -> 30 / 120
)
def test_waiting_total(run_audit, statistic, expected):
    audit_result = run_audit(WAITING_CSV, waiting_standard(statistic))
    result = audit_result.standards[0]
    assert len(result.groups) == 1
    assert result.groups[0].value == pytest.approx(expected)
    assert result.groups[0].sample_size == 6  # A, B, C, E, F, and D, answered on arrival (an empty wait)
    no_end = finding(audit_result, "waiting:no_end")
    assert (no_end.count, no_end.rows) == (1, [8])  # H


@pytest.mark.parametrize(
    "statistic, chat, phone",
    [("max", 2.0, 2.0), ("mean", 1.5, 1.5), ("{share_within: 1}", 0.5, 0.5), ("{share_within: 2}", 1.0, 1.0)],
)
def test_waiting_each_channel(run_standard, statistic, chat, phone):
    result = run_standard(WAITING_CSV, waiting_standard(statistic, "  each: channel"))
    groups = by_group(result)
    assert sorted(groups) == ["chat", "phone"]  # Chat/CHAT/chat are one queue; email not live
    assert groups["chat"].value == pytest.approx(chat)
    assert groups["chat"].sample_size == 4  # A, B, C and D (answered on arrival)
    assert groups["phone"].value == pytest.approx(phone)
    assert groups["phone"].sample_size == 2  # E, F


def test_waiting_peak_target_per_channel_and_total(run_audit):
    # stanford-like: <= 2 per live channel and <= 2 in total (total peak is 3 -> fails)
    audit_result = run_audit(
        WAITING_CSV,
        waiting_standard("max", "  each: channel\n      compare: at_most\n      fail: 2")
        + """
    - id: wait-total
      title: Waiting total
      metric: waiting_count
      compare: at_most
      fail: 2
    """,
    )
    per_channel, total = audit_result.standards
    assert per_channel.status is Status.PASS
    assert total.groups[0].value == 3.0  # default statistic is the peak
    assert total.status is Status.FAIL


def test_waiting_touching_intervals_do_not_overlap(run_standard):
    # [0,60) and [60,120): at 08:01:00 the first leaves before the second arrives -> peak 1.
    # Third row: arrives 08:02:00 exactly when the second is answered -> still 1.
    result = run_standard(
        """
        id,channel,queued_at,first_response_at
        1,chat,2024-01-01 08:00:00,2024-01-01 08:01:00
        2,chat,2024-01-01 08:01:00,2024-01-01 08:02:00
        3,chat,2024-01-01 08:02:00,2024-01-01 08:02:30
        """,
        waiting_standard("max"),
    )
    assert result.groups[0].value == 1.0
    assert result.groups[0].sample_size == 3


def test_waiting_zero_length_waits_never_count(run_standard):
    # Row 1 waits [0,60). Rows 2 and 3 are answered the instant they arrive (at 30 and 60):
    # empty waits, which add no one waiting but are contacts of the queue (n = 3). Peak 1,
    # and the time-weighted mean over [0,60) is 1.
    csv = """
        id,channel,queued_at,first_response_at
        1,phone,2024-01-01 08:00:00,2024-01-01 08:01:00
        2,phone,2024-01-01 08:00:30,2024-01-01 08:00:30
        3,phone,2024-01-01 08:01:00,2024-01-01 08:01:00
        """
    peak = run_standard(csv, waiting_standard("max"))
    assert peak.groups[0].value == 1.0
    assert peak.groups[0].sample_size == 3
    mean = run_standard(csv, waiting_standard("mean"))
    assert mean.groups[0].value == pytest.approx(1.0)


@pytest.mark.parametrize("statistic, quiet", [("max", 0.0), ("mean", 0.0), ("{share_within: 2}", 1.0)])
def test_a_queue_where_nobody_waited_has_a_peak_of_zero(run_standard, statistic, quiet):
    # Chat: both answered the instant they arrive, so nobody ever waits: peak 0, mean 0, all
    # the time within any limit; n = 2 (its contacts), so at most 2 passes, where a quiet queue
    # used to read "insufficient data". Phone: one wait of 60 s, peak 1, mean 1, share 1.0.
    csv = """
        id,channel,queued_at,first_response_at
        1,chat,2024-01-01 08:00:00,2024-01-01 08:00:00
        2,chat,2024-01-01 08:05:00,2024-01-01 08:05:00
        3,phone,2024-01-01 08:00:00,2024-01-01 08:01:00
        4,email,2024-01-01 08:00:00,2024-01-01 08:00:00
        """
    result = run_standard(csv, waiting_standard(statistic, "  each: channel\n      min_sample: 1"))
    groups = by_group(result)
    assert sorted(groups) == ["chat", "phone"]  # email is not a live channel
    assert (groups["chat"].value, groups["chat"].sample_size) == (quiet, 2)
    assert (groups["phone"].value, groups["phone"].sample_size) == (1.0, 1)



def test_a_quiet_queue_passes_its_peak_limit(run_standard):
    # The chat queue alone, nobody waiting (both answered on arrival): peak 0 <= 2, n = 2.
    csv = """
        id,channel,queued_at,first_response_at
        1,chat,2024-01-01 08:00:00,2024-01-01 08:00:00
        2,chat,2024-01-01 08:05:00,2024-01-01 08:05:00
        """
    standard = waiting_standard("max", "  filter: {channel: chat}\n      compare: at_most\n      fail: 2\n      min_sample: 1")
    result = run_standard(csv, standard)
    assert (result.groups[0].value, result.groups[0].sample_size, result.status) == (0.0, 2, Status.PASS)


def test_waiting_queued_at_falls_back_to_created_at(run_standard):
    # Row 1 has no queued_at: its wait starts at created_at 08:00:00 and runs to 08:01:00, so
    # it overlaps row 2 ([08:00:30, 08:00:50)) -> peak 2. Mean over [0,60):
    # (1*30 + 2*20 + 1*10) / 60 = 80 / 60
    csv = """
        id,channel,created_at,queued_at,first_response_at
        1,chat,2024-01-01 08:00:00,,2024-01-01 08:01:00
        2,chat,2024-01-01 07:00:00,2024-01-01 08:00:30,2024-01-01 08:00:50
        """
    assert run_standard(csv, waiting_standard("max")).groups[0].value == 2.0
    assert run_standard(csv, waiting_standard("mean")).groups[0].value == pytest.approx(80 / 60)


def test_waiting_abandoned_waits_until_abandoned_at(run_standard):
    # Row 1 abandoned at 08:02:00 (its first_response_at is ignored: it was never answered by
    # an agent while waiting) -> waits [0,120); row 2 waits [90,100) -> overlap, peak 2.
    result = run_standard(
        """
        id,channel,queued_at,first_response_at,abandoned,abandoned_at
        1,chat,2024-01-01 08:00:00,,yes,2024-01-01 08:02:00
        2,chat,2024-01-01 08:01:30,2024-01-01 08:01:40,no,
        """,
        waiting_standard("max"),
    )
    assert result.groups[0].value == 2.0
    assert result.groups[0].sample_size == 2


def test_waiting_negative_wait_excluded_and_reported(run_audit):
    # Row 2 is answered (08:00:10) before it queued (08:00:30): excluded and reported.
    # Left: row 1 [0,60) and row 3 [20,40) -> peak 2 (row 2 counted as [10,30) would not
    # change the peak, so check the sample size: 2 contacts).
    audit_result = run_audit(
        """
        id,channel,queued_at,first_response_at
        1,chat,2024-01-01 08:00:00,2024-01-01 08:01:00
        2,chat,2024-01-01 08:00:30,2024-01-01 08:00:10
        3,chat,2024-01-01 08:00:20,2024-01-01 08:00:40
        """,
        waiting_standard("max"),
    )
    result = audit_result.standards[0]
    assert result.groups[0].value == 2.0
    assert result.groups[0].sample_size == 2
    neg = finding(audit_result, "negative:queued_at:wait_end")
    assert (neg.count, neg.rows) == (1, [2])


# ---------------------------------------------------------------------------------------
# Backlog flow
# ---------------------------------------------------------------------------------------

# 2024-01-01 is a Monday. Weeks: W1 Jan 1-7, W2 Jan 8-14, W3 Jan 15-21.
BACKLOG_CSV = """
id,created_at,resolved_at
1,2024-01-01 09:00:00,2024-01-02 09:00:00
2,2024-01-03 09:00:00,2024-01-07 23:59:59
3,2024-01-07 23:59:59,2024-01-08 00:00:00
4,2024-01-05 10:00:00,2024-01-09 10:00:00
5,2024-01-08 00:00:00,2024-01-10 12:00:00
6,2024-01-02 10:00:00,2024-01-12 12:00:00
7,2024-01-15 08:00:00,
8,2024-01-20 08:00:00,
"""
# created:  W1 rows 1,2,3,4,6 = 5 | W2 row 5 = 1 | W3 rows 7,8 = 2   (total 8)
# resolved: W1 rows 1,2 = 2 (Sunday 23:59:59 is still W1) | W2 rows 3,4,5,6 = 4 | W3 0 (total 6)
# ratios: W1 5/2 = 2.5, W2 1/4 = 0.25, W3 2/0 = inf.
# (Weeks starting Sunday would give 4 created / 1 resolved in the first week instead.)


def backlog_standard(statistic: str, extra: str = "") -> str:
    return f"""
    - id: backlog
      title: Backlog
      metric: backlog_flow
      statistic: {statistic}
    {extra}"""


@pytest.mark.parametrize(
    "statistic, expected",
    [
        ("ratio", 8 / 6),  # totals: 8 created / 6 resolved
        ("max", math.inf),  # W3 has no resolution
        ("min", 0.25),  # W2
        ("median", 2.5),  # of 0.25, 2.5, inf
        ("mean", math.inf),
    ],
)
def test_backlog_weekly(run_standard, statistic, expected):
    result = run_standard(BACKLOG_CSV, backlog_standard(statistic))
    assert result.groups[0].value == pytest.approx(expected)
    assert result.groups[0].sample_size == 3  # three weeks


@pytest.mark.parametrize(
    "statistic, expected",
    [
        ("ratio", 1.0),  # rows 1-6: 6 created / 6 resolved
        ("mean", 1.375),  # (2.5 + 0.25) / 2
        ("max", 2.5),
        ("min", 0.25),
    ],
)
def test_backlog_weekly_without_empty_week(run_standard, statistic, expected):
    csv = "\n".join(line for line in BACKLOG_CSV.strip().splitlines() if not line.startswith(("7,", "8,")))
    result = run_standard(csv, backlog_standard(statistic))
    assert result.groups[0].value == pytest.approx(expected)
    assert result.groups[0].sample_size == 2


def test_backlog_weeks_begin_on_the_audits_local_clock(run_standard):
    # Instants in UTC (Z). In Los Angeles (UTC-8 in January) weeks begin Monday 00:00 local =
    # Monday 08:00Z. Row 1 is created Monday 2024-01-08 03:00Z = Sunday 19:00 local: week of
    # 1 January there (week of 8 January in UTC). Row 2 is resolved Monday 08:30Z = Monday
    # 00:30 local: week of 8 January in both.
    csv = (
        "id,created_at,resolved_at\n"
        "1,2024-01-08T03:00:00Z,2024-01-08T04:00:00Z\n"
        "2,2024-01-02T12:00:00Z,2024-01-08T08:30:00Z\n"
    )
    # Local: W1 created rows 1, 2; resolved row 1 -> 2/1 = 2. W2: resolved row 2 -> 0/1 = 0.
    # UTC:   W1 created row 2 -> 1/0 = inf. W2: created row 1, resolved rows 1, 2 -> 1/2 = 0.5.
    local = run_standard(csv, backlog_standard("max"), timezone="America/Los_Angeles")
    assert (local.groups[0].value, local.groups[0].sample_size) == (2.0, 2)
    in_utc = run_standard(csv, backlog_standard("min"))
    assert (in_utc.groups[0].value, in_utc.groups[0].sample_size) == (0.5, 2)
    assert math.isinf(run_standard(csv, backlog_standard("max")).groups[0].value)


def test_backlog_leaves_out_a_resolution_before_its_creation(run_audit):
    # Row 3 was "resolved" on a placeholder date (1900-01-01, as NYC 311 exports unresolved
    # requests) before it was created. Counting it would add a week of 1900 with 0 created /
    # 1 resolved. Left out of both counts and reported:
    #   W1 (Jan 1): created rows 1, 2, resolved row 1 -> 2/1 = 2.0
    #   W2 (Jan 8): resolved row 2                    -> 0/1 = 0.0
    # ratio 2/2 = 1.0 over 2 weeks (with row 3: 3/3 over 3 weeks, min 0.0 in 1900).
    csv = """
        id,created_at,resolved_at
        1,2024-01-01 09:00:00,2024-01-02 09:00:00
        2,2024-01-03 09:00:00,2024-01-08 09:00:00
        3,2024-01-04 09:00:00,1900-01-01 00:00:00
        """
    audit_result = run_audit(csv, backlog_standard("ratio") + backlog_standard("max").replace("id: backlog", "id: b2"))
    ratio, peak = audit_result.standards
    assert (ratio.groups[0].value, ratio.groups[0].sample_size) == (1.0, 2)
    assert (peak.groups[0].value, peak.groups[0].sample_size) == (2.0, 2)
    found = finding(audit_result, "backlog:resolved_before_created")
    assert (found.count, found.rows) == (1, [3])
    assert "left out of backlog flow" in found.message


def test_backlog_infinite_week_fails_target(run_standard):
    result = run_standard(BACKLOG_CSV, backlog_standard("max", "  compare: at_most\n      fail: 1.0"))
    assert math.isinf(result.groups[0].value)
    assert result.status is Status.FAIL


DAILY_CSV = """
id,created_at,resolved_at
1,2024-01-01 09:00:00,2024-01-01 17:00:00
2,2024-01-01 10:00:00,2024-01-02 09:00:00
3,2024-01-01 11:00:00,
4,2024-01-02 12:00:00,2024-01-02 13:00:00
"""
# day 1: created 3, resolved 1 (row 1) -> 3.0; day 2: created 1, resolved 2 (rows 2, 4) -> 0.5


@pytest.mark.parametrize(
    "period, statistic, expected, periods",
    [
        ("day", "max", 3.0, 2),
        ("day", "min", 0.5, 2),
        ("day", "mean", 1.75, 2),  # (3 + 0.5) / 2
        ("day", "ratio", 4 / 3, 2),
        ("week", "max", 4 / 3, 1),  # both days are in the week of Mon Jan 1
        ("month", "mean", 4 / 3, 1),
    ],
)
def test_backlog_periods(run_standard, period, statistic, expected, periods):
    result = run_standard(DAILY_CSV, backlog_standard(statistic, f"  options: {{period: {period}}}"))
    assert result.groups[0].value == pytest.approx(expected)
    assert result.groups[0].sample_size == periods


def test_backlog_monthly(run_standard):
    csv = """
        id,created_at,resolved_at
        1,2024-01-10 08:00:00,2024-01-20 08:00:00
        2,2024-01-31 23:00:00,2024-02-01 01:00:00
        3,2024-02-15 08:00:00,2024-02-16 08:00:00
        """
    # Jan: created 2, resolved 1 -> 2.0; Feb: created 1, resolved 2 -> 0.5
    result = run_standard(csv, backlog_standard("max", "  options: {period: month}"))
    assert result.groups[0].value == 2.0
    assert result.groups[0].sample_size == 2
    result = run_standard(csv, backlog_standard("min", "  options: {period: month}"))
    assert result.groups[0].value == 0.5


# ---------------------------------------------------------------------------------------
# Property: waiting_count against a plain-Python reference
# ---------------------------------------------------------------------------------------

BASE = datetime(2024, 1, 1, 8, 0, 0)
LIVE = ("chat", "phone")

contact = st.tuples(
    st.sampled_from(("chat", "phone", "email")),
    st.integers(0, 20),  # queue start, seconds after BASE (small range: many ties)
    st.integers(0, 8),  # wait length (0: answered at once)
    st.sampled_from(("answered", "abandoned", "no_end")),
)


def reference(contacts):
    """Per live channel and in total: (peak, time-weighted mean, share of time <= 1, contacts
    of the queue: those whose wait is known, answered at once included)."""
    out = {}
    for key in (*LIVE, None):
        known = [(ch, s, d) for ch, s, d, how in contacts if how != "no_end" and ch in LIVE and (key is None or ch == key)]
        waits = [(s, s + d) for ch, s, d in known if d > 0]
        if not known:
            out[key] = None
            continue
        if not waits:  # nobody waited: peak 0, mean 0, all (no) time within the limit
            out[key] = (0, 0, 1, len(known))
            continue
        # Count at every arrival instant: a contact waits at t when start <= t < end
        # (so one leaving at t is already gone when another arrives at t).
        peak = max(sum(1 for a, b in waits if a <= t < b) for t, _ in waits)
        instants = sorted({t for w in waits for t in w})
        area = within = 0
        for lo, hi in zip(instants, instants[1:]):
            level = sum(1 for a, b in waits if a <= lo < b)
            area += level * (hi - lo)
            within += (hi - lo) if level <= 1 else 0
        span = instants[-1] - instants[0]
        out[key] = (peak, area / span, within / span, len(known))
    return out


def stamp(seconds):
    return (BASE + timedelta(seconds=seconds)).strftime("%Y-%m-%d %H:%M:%S")


@settings(max_examples=100, deadline=None, database=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(contact, min_size=1, max_size=12))
def test_waiting_matches_reference(run_audit, contacts):
    lines = ["id,channel,queued_at,first_response_at,abandoned,abandoned_at"]
    for i, (ch, s, d, how) in enumerate(contacts):
        end = stamp(s + d)
        if how == "answered":
            lines.append(f"{i},{ch},{stamp(s)},{end},no,")
        elif how == "abandoned":
            lines.append(f"{i},{ch},{stamp(s)},,yes,{end}")
        else:
            lines.append(f"{i},{ch},{stamp(s)},,no,")
    standards = ""
    for stat in ("max", "mean", "{share_within: 1}"):
        for each in ("", "each: channel"):
            name = f"s{len(standards)}"
            standards += f"- id: {name}\n  title: t\n  metric: waiting_count\n  statistic: {stat}\n  {each}\n"
    audit_result = run_audit("\n".join(lines) + "\n", standards)
    expected = reference(contacts)
    results = audit_result.standards
    for index, result in enumerate(results):
        position = index // 2  # 0 peak, 1 mean, 2 share
        if index % 2 == 0:  # total over live channels
            ref = expected[None]
            if ref is None:
                assert result.groups == [] or result.groups[0].sample_size == 0
            else:
                assert result.groups[0].value == pytest.approx(ref[position])
                assert result.groups[0].sample_size == ref[3]
        else:
            got = {g.group["channel"]: g for g in result.groups}
            want = {ch: expected[ch] for ch in LIVE if expected[ch] is not None}
            assert sorted(got) == sorted(want)
            for ch, ref in want.items():
                assert got[ch].value == pytest.approx(ref[position])
                assert got[ch].sample_size == ref[3]
    no_end = sum(1 for ch, _, _, how in contacts if how == "no_end" and ch in LIVE)
    found = [f for f in audit_result.findings if f.key.startswith("waiting:no_end")]
    assert (found[0].count if found else 0) == no_end
