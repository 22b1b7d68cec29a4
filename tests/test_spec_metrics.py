"""STANDARDS.md §2, rule by rule: small exports whose values were worked out by hand from the
spec before running csaudit (helper-20's audit of the interaction metrics)."""

from __future__ import annotations

import pytest

from csaudit.profile.model import Status


def _finding(audit, key):
    found = [f for f in audit.findings if f.key == key]
    assert len(found) == 1, [f.key for f in audit.findings]
    return found[0]


# -- FCR derived: resolved AND contacts <= 1 AND reopens == 0 ----------------------------------

FCR_DERIVED = """
id,resolved_at,contacts,reopens
1,2024-01-01 10:00:00,1,0
2,2024-01-01 10:00:00,0,0
3,2024-01-01 10:00:00,2,0
4,,1,0
5,2024-01-01 10:00:00,1,2
6,2024-01-01 10:00:00,-1,0
7,2024-01-01 10:00:00,1,-1
"""


def test_fcr_rule_leaves_out_negative_counts(run_audit):
    # Rule rows: 1 yes, 2 yes (0 <= 1), 3 no (2 contacts), 4 no (unresolved), 5 no (reopened).
    # Row 6 has contacts -1 and row 7 reopens -1: wrong cells, left out with a finding (before,
    # row 6 counted as a first-contact resolution: -1 <= 1). FCR = 2 / 5 = 0.4, n = 5.
    audit = run_audit(FCR_DERIVED, "- {id: fcr, title: FCR, metric: first_contact_resolution}")
    group = audit.standards[0].groups[0]
    assert (group.value, group.sample_size) == (pytest.approx(0.4), 5)
    assert _finding(audit, "negative:contacts:fcr-rule").rows == [6]
    assert _finding(audit, "negative:reopens:fcr-rule").rows == [7]


def test_fcr_explicit_flag_is_not_excluded_for_a_negative_count(run_audit):
    # The flag decides rows 1 and 2 (contacts -1 is not used there): 1 and 0. Row 3, empty flag,
    # falls back to the rule with contacts -1: left out. FCR = 1 / 2 = 0.5, n = 2.
    csv = """
    id,first_contact_resolution,resolved_at,contacts,reopens
    1,true,2024-01-01 10:00:00,-1,0
    2,false,2024-01-01 10:00:00,-1,0
    3,,2024-01-01 10:00:00,-1,0
    """
    audit = run_audit(csv, "- {id: fcr, title: FCR, metric: first_contact_resolution}")
    group = audit.standards[0].groups[0]
    assert (group.value, group.sample_size) == (pytest.approx(0.5), 2)
    assert _finding(audit, "negative:contacts:fcr-rule").rows == [3]


# -- abandonment with a short-abandon threshold ------------------------------------------------

def test_short_abandon_negative_wait_is_a_finding_not_a_short_abandon(run_audit):
    # Live contacts: 1 answered, 2 abandoned after 30 s (counts), 3 abandoned after 3 s (short:
    # out of both counts), 4 abandoned 10 s *before* it queued (a wrong timestamp: left out and
    # reported; before, silently dropped as a "short" abandon). Rate = 1 / 2 = 0.5, n = 2.
    csv = """
    id,channel,queued_at,first_response_at,abandoned,abandoned_at
    1,phone,2024-01-01 10:00:00,2024-01-01 10:00:10,no,
    2,phone,2024-01-01 10:00:00,,yes,2024-01-01 10:00:30
    3,phone,2024-01-01 10:00:00,,yes,2024-01-01 10:00:03
    4,phone,2024-01-01 10:00:00,,yes,2024-01-01 09:59:50
    """
    audit = run_audit(csv, "- {id: ab, title: A, metric: abandonment_rate, options: {short_abandon: 5s}}")
    group = audit.standards[0].groups[0]
    assert (group.value, group.sample_size) == (pytest.approx(0.5), 2)
    assert _finding(audit, "negative:queued_at:abandoned_at").rows == [4]


# -- one export, many rules: values by hand ----------------------------------------------------

MISC = """
id,errors,ces,transfers,clicks_to_contact,replies,resolved_at,handle_seconds,hold_seconds,wrap_seconds,abandoned,csat,nps
1,0,1,0,2,1,2024-01-01 10:00:00,100,20,,,5,10
2,1,2,1,4,3,2024-01-01 10:00:00,200,,30,,4,9
3,2,3,3,,5,2024-01-01 10:00:00,,,,,3,9
4,,5,,,2,,50,,,true,1,8
5,x,6,-1,,,2024-01-01 10:00:00,0,,,,6,6
6,-1,0,,,,,100,x,,,0,0
7,0,,,,,,,,,,,11
8,,7,,,,,,,,,,
"""


@pytest.mark.parametrize(
    "standard, value, n",
    [
        # errors 0,1,2,0 (empty, unreadable x and negative -1 left out): 3 / 4
        ("{metric: error_rate}", 0.75, 4),
        # 0.75 / 5 opportunities * 10^6
        ("{metric: dpmo, options: {opportunities: 5}}", 150_000.0, 4),
        # 1-5 scale: 1,2,3,5 (6, 0, 7 out of scale) -> 11 / 4; easy (1-2): 2 / 4
        ("{metric: customer_effort_score}", 2.75, 4),
        ("{metric: ces_easy_share}", 0.5, 4),
        # 1-7 scale: 1,2,3,5,6,7 -> 24 / 6; easy (5-7): 3 / 6
        ("{metric: customer_effort_score, options: {scale: 7}}", 4.0, 6),
        ("{metric: ces_easy_share, options: {scale: 7}}", 0.5, 6),
        # transfers 0,1,3 (-1 out): mean 4 / 3, share with >= 1: 2 / 3
        ("{metric: transfers_per_issue}", 4 / 3, 3),
        ("{metric: transfer_rate}", 2 / 3, 3),
        ("{metric: clicks_to_contact}", 3.0, 2),  # (2 + 4) / 2
        # resolved rows 1,2,3,5 with replies 1,3,5,(empty): 9 / 3; row 4 (2 replies) unresolved
        ("{metric: replies_per_issue}", 3.0, 3),
        # handled, not abandoned: 100+20, 200+30, 0 (row 6: hold x, left out): 350 / 3
        ("{metric: average_handle_time}", 350 / 3, 3),
        # top-2-box: 5,4 of answered 5,4,3,1 (6 and 0 out of 1-5): 2 / 4
        ("{metric: csat}", 0.5, 4),
        # promoters 10,9,9 (3), detractors 6,0 (2), of 6 answers (11 out): (3 - 2) / 6 * 100
        ("{metric: nps}", 100 / 6, 6),
    ],
)
def test_misc_metrics_by_hand(run_standard, standard, value, n):
    result = run_standard(MISC, "- " + standard.replace("{", "{id: s, title: t, ", 1))
    group = result.groups[0]
    assert (group.value, group.sample_size) == (pytest.approx(value), n)


# -- waiting count: a queue where nobody waited ------------------------------------------------

def test_waiting_peak_is_zero_where_nobody_waited(run_audit):
    # chat row 1: answered at once -> never waits -> chat peak 0, n = 1 (one measured contact).
    # phone rows 2 (zero wait) and 3 (waits 5 s) -> phone peak 1.
    csv = """
    id,channel,created_at,first_response_at
    1,chat,2024-01-01 10:00:00,2024-01-01 10:00:00
    2,phone,2024-01-01 10:00:00,2024-01-01 10:00:00
    3,phone,2024-01-01 11:00:00,2024-01-01 11:00:05
    """
    audit = run_audit(csv, """
    - {id: per, title: t, metric: waiting_count, each: channel, compare: at_most, fail: 2}
    - {id: chat, title: t, metric: waiting_count, filter: {channel: chat}, compare: at_most, fail: 2}
    """)
    per_channel, chat = audit.standards
    assert {g.group["channel"]: g.value for g in per_channel.groups} == {"chat": 0.0, "phone": 1.0}
    assert chat.status is Status.PASS
