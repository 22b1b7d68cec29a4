"""Accessibility metrics (STANDARDS.md §2 "Accessibility"): CES, transfers, abandonment, clicks.

Every expected value is worked out by hand in the comment beside it.
"""

from __future__ import annotations

import pytest

from csaudit.profile.model import Status


def _finding(audit, key):
    found = [f for f in audit.findings if f.key == key]
    assert len(found) == 1, [f.key for f in audit.findings]
    return found[0]


def _csv(header: str, rows: list[str]) -> str:
    return header + "\n" + "\n".join(rows) + "\n"


# -- customer effort score ------------------------------------------------------------------


def test_ces_scale_5_mean_and_out_of_range_reported(run_audit):
    # Scale 1-5: 6 (row 4) and 0 (row 5) are out of range -> excluded and reported.
    # Mean of 1, 2, 3 = 6 / 3 = 2.0; at_most 2.5 (lower is better) -> pass
    audit = run_audit(
        """
        id,ces
        1,1
        2,2
        3,3
        4,6
        5,0
        6,
        """,
        """
        - id: ces
          title: CES
          metric: customer_effort_score
          options: {scale: 5}
          compare: at_most
          fail: 2.5
        """,
    )
    result = audit.standards[0]
    assert result.groups[0].value == pytest.approx(2.0)
    assert result.groups[0].sample_size == 3
    assert result.status is Status.PASS
    finding = _finding(audit, "range:ces:5")
    assert finding.count == 2
    assert finding.rows == [4, 5]
    assert finding.examples == ["6", "0"]


def test_ces_default_scale_is_5(run_audit):
    # No options: 1-5 scale, so 7 is out of range. Mean of 4, 5 = 4.5
    audit = run_audit(
        """
        id,ces
        1,4
        2,5
        3,7
        """,
        """
        - id: ces
          title: CES
          metric: customer_effort_score
        """,
    )
    assert audit.standards[0].groups[0].value == pytest.approx(4.5)
    assert _finding(audit, "range:ces:5").count == 1


def test_ces_scale_7_mean(run_audit):
    # Scale 1-7: 6 and 7 are valid now; 8 is out. Mean of 7, 6, 2 = 15 / 3 = 5.0;
    # at_least 5 (higher is better on CES 2.0) -> pass at the edge
    audit = run_audit(
        """
        id,ces
        1,7
        2,6
        3,2
        4,8
        """,
        """
        - id: ces
          title: CES
          metric: customer_effort_score
          options: {scale: 7}
          compare: at_least
          fail: 5
        """,
    )
    result = audit.standards[0]
    assert result.groups[0].value == pytest.approx(5.0)
    assert result.groups[0].sample_size == 3
    assert result.status is Status.PASS
    finding = _finding(audit, "range:ces:7")
    assert finding.count == 1 and finding.rows == [4]


def test_ces_easy_share_scale_5(run_standard):
    # Scale 5, easy = 1-2: answers 1, 2, 2, 3, 5 -> easy 1, 2, 2 = 3 of 5 = 60%; 9 out of range
    result = run_standard(
        """
        id,ces
        1,1
        2,2
        3,2
        4,3
        5,5
        6,9
        """,
        """
        - id: easy
          title: Easy
          metric: ces_easy_share
          options: {scale: 5}
          compare: at_least
          fail: 60%
        """,
    )
    assert result.groups[0].value == pytest.approx(0.6)
    assert result.groups[0].sample_size == 5
    assert result.status is Status.PASS


def test_ces_easy_share_scale_7(run_standard):
    # Scale 7, easy = 5-7: answers 7, 5, 4, 2 -> easy 7, 5 = 2 of 4 = 50% ; 1 and 2 are not easy
    # here (they would be on the 5 scale); 0 is out of range
    result = run_standard(
        """
        id,ces
        1,7
        2,5
        3,4
        4,2
        5,0
        """,
        """
        - id: easy
          title: Easy
          metric: ces_easy_share
          options: {scale: 7}
          compare: at_least
          fail: 60%
        """,
    )
    assert result.groups[0].value == pytest.approx(0.5)
    assert result.groups[0].sample_size == 4
    assert result.status is Status.FAIL


# -- transfers ------------------------------------------------------------------------------

TRANSFERS_CSV = """
id,transfers
1,0
2,1
3,3
4,0
5,-2
"""


def test_transfers_per_issue_mean(run_audit):
    # -2 is negative: excluded, reported. Mean of 0, 1, 3, 0 = 4 / 4 = 1.0
    audit = run_audit(
        TRANSFERS_CSV,
        """
        - id: tpi
          title: Transfers per issue
          metric: transfers_per_issue
          compare: at_most
          fail: 0.5
        """,
    )
    result = audit.standards[0]
    assert result.groups[0].value == pytest.approx(1.0)
    assert result.groups[0].sample_size == 4
    assert result.status is Status.FAIL
    assert _finding(audit, "negative:transfers").rows == [5]


def test_transfer_rate_share_with_any_transfer(run_standard):
    # Rows 2 (1) and 3 (3) were transferred: 2 of 4 valid rows = 50%
    result = run_standard(
        TRANSFERS_CSV,
        """
        - id: tr
          title: Share transferred
          metric: transfer_rate
          compare: below
          fail: 10%
        """,
    )
    assert result.groups[0].value == pytest.approx(0.5)
    assert result.groups[0].sample_size == 4
    assert result.status is Status.FAIL


def test_non_numeric_transfers_reported_and_excluded(run_audit):
    # "three" is not a number: reported, excluded. Mean of 1, 2 = 1.5
    audit = run_audit(
        """
        id,transfers
        1,1
        2,three
        3,2
        """,
        """
        - id: tpi
          title: Transfers per issue
          metric: transfers_per_issue
        """,
    )
    assert audit.standards[0].groups[0].value == pytest.approx(1.5)
    assert audit.standards[0].groups[0].sample_size == 2
    finding = _finding(audit, "unparsable:transfers")
    assert finding.rows == [2] and finding.examples == ["three"]


# -- abandonment ----------------------------------------------------------------------------

ABANDON = """
- id: abandon
  title: Abandonment
  metric: abandonment_rate
  compare: at_most
  warn: 5%
  fail: 8%
"""


def test_abandonment_rate_live_channels_only(run_standard):
    # Email rows (4, 5) have no live queue: not offered. Live: chat 1, phone 2, Chat 3, walk_in 6.
    # Abandoned among them: 2 and 3 -> 2 of 4 = 50%. (Email 5 abandoned is ignored.)
    result = run_standard(
        """
        id,channel,abandoned
        1,chat,no
        2,phone,yes
        3,Chat,yes
        4,email,no
        5,email,yes
        6,walk_in,no
        """,
        ABANDON,
    )
    assert result.groups[0].sample_size == 4
    assert result.groups[0].value == pytest.approx(0.5)
    assert result.status is Status.FAIL


def test_abandonment_rate_counts_email_when_the_standard_filters_channels(run_standard):
    # The standard's own filter picks email: rows 4, 5, 7; abandoned: 5 -> 1 of 3
    result = run_standard(
        """
        id,channel,abandoned
        1,chat,no
        2,phone,yes
        4,email,no
        5,Email,yes
        7,email,no
        """,
        ABANDON + "  filter: {channel: email}\n",
    )
    assert result.groups[0].sample_size == 3
    assert result.groups[0].value == pytest.approx(1 / 3)


def test_abandonment_rate_without_channel_column_counts_every_row(run_standard):
    # No channel column: nothing to restrict on. 1 abandoned of 4 = 25%
    result = run_standard(
        """
        id,abandoned
        1,no
        2,no
        3,yes
        4,no
        """,
        ABANDON,
    )
    assert result.groups[0].sample_size == 4
    assert result.groups[0].value == pytest.approx(0.25)


def test_abandonment_inferred_from_abandoned_at(run_standard):
    # No `abandoned` column: a contact with abandoned_at left the queue.
    # phone rows 1-4; abandoned_at on 2 -> 1 of 4 = 25%; email row 5 is not a live channel
    result = run_standard(
        """
        id,channel,created_at,abandoned_at
        1,phone,2024-01-01 09:00:00,
        2,phone,2024-01-01 09:00:00,2024-01-01 09:01:00
        3,phone,2024-01-01 09:00:00,
        4,phone,2024-01-01 09:00:00,
        5,email,2024-01-01 09:00:00,2024-01-01 09:01:00
        """,
        ABANDON,
    )
    assert result.groups[0].sample_size == 4
    assert result.groups[0].value == pytest.approx(0.25)


def test_abandonment_short_abandon_excluded_from_both_counts(run_standard):
    # short_abandon 5s, wait measured from queued_at (created_at when queued_at is empty):
    # 1 answered                                    -> offered, not abandoned
    # 2 queued 09:00:10, left 09:00:13 (3 s)        -> short: removed
    #   (from created_at 09:00:00 it would be 13 s, so queued_at must be used)
    # 3 no queued_at, created 09:00:00, left 09:00:04 (4 s) -> short: removed
    # 4 queued 09:00:00, left 09:00:30 (30 s)       -> abandoned
    # 5 queued 09:00:00, left 09:00:05 (exactly 5 s: "within 5 s") -> short: removed
    # 6 queued 09:00:00, left 09:00:06 (6 s)        -> abandoned
    # 7 answered
    # Offered after removal: 1, 4, 6, 7 = 4; abandoned 4, 6 = 2 -> 50%
    result = run_standard(
        """
        id,channel,created_at,queued_at,abandoned,abandoned_at
        1,phone,2024-01-01 09:00:00,2024-01-01 09:00:00,no,
        2,phone,2024-01-01 09:00:00,2024-01-01 09:00:10,yes,2024-01-01 09:00:13
        3,phone,2024-01-01 09:00:00,,yes,2024-01-01 09:00:04
        4,phone,2024-01-01 09:00:00,2024-01-01 09:00:00,yes,2024-01-01 09:00:30
        5,phone,2024-01-01 09:00:00,2024-01-01 09:00:00,yes,2024-01-01 09:00:05
        6,phone,2024-01-01 09:00:00,2024-01-01 09:00:00,yes,2024-01-01 09:00:06
        7,phone,2024-01-01 09:00:00,2024-01-01 09:00:00,no,
        """,
        ABANDON + "  options: {short_abandon: 5s}\n",
    )
    assert result.groups[0].sample_size == 4
    assert result.groups[0].value == pytest.approx(0.5)


def test_abandonment_without_short_abandon_counts_short_ones(run_standard):
    # Same kind of data without the option: all 3 rows offered, 2 abandoned -> 2/3
    result = run_standard(
        """
        id,channel,created_at,abandoned,abandoned_at
        1,phone,2024-01-01 09:00:00,no,
        2,phone,2024-01-01 09:00:00,yes,2024-01-01 09:00:01
        3,phone,2024-01-01 09:00:00,yes,2024-01-01 09:00:30
        """,
        ABANDON,
    )
    assert result.groups[0].sample_size == 3
    assert result.groups[0].value == pytest.approx(2 / 3)


def test_abandonment_short_abandon_needs_abandoned_at(run_audit):
    # short_abandon cannot be applied without abandoned_at: required -> error naming it
    audit = run_audit(
        """
        id,channel,abandoned
        1,phone,yes
        """,
        ABANDON + "  options: {short_abandon: 5s}\n",
    )
    result = audit.standards[0]
    assert result.status is Status.ERROR
    assert "abandoned_at" in result.reason
    assert audit.exit_code == 2


def test_abandonment_unmeasurable_without_abandon_columns(run_audit):
    # Neither abandoned nor abandoned_at; optional -> not measured, exit 0
    audit = run_audit(
        """
        id,channel
        1,phone
        """,
        ABANDON + "  required: false\n",
    )
    result = audit.standards[0]
    assert result.status is Status.NOT_MEASURED
    assert "abandoned" in result.reason
    assert audit.exit_code == 0


@pytest.mark.parametrize(
    "abandoned,offered,status",
    [
        (1, 25, Status.PASS),  # 1/25 = 4% <= 5% -> pass
        (1, 20, Status.PASS),  # 1/20 = 5%, at the warn edge (at_most is inclusive) -> pass
        (3, 50, Status.WARN),  # 3/50 = 6%: above 5% warn, within 8% fail -> warn
        (2, 25, Status.WARN),  # 2/25 = 8%, at the fail edge: meets fail -> warn
        (9, 100, Status.FAIL),  # 9/100 = 9% > 8% -> fail
    ],
)
def test_abandonment_warn_and_fail_thresholds(run_audit, abandoned, offered, status):
    rows = [f"{i},phone,{'yes' if i <= abandoned else 'no'}" for i in range(1, offered + 1)]
    audit = run_audit(_csv("id,channel,abandoned", rows), ABANDON)
    result = audit.standards[0]
    assert result.groups[0].sample_size == offered
    assert result.groups[0].value == pytest.approx(abandoned / offered)
    assert result.status is status
    # warnings do not fail the run
    assert audit.exit_code == (1 if status is Status.FAIL else 0)


# -- clicks to contact ----------------------------------------------------------------------


def test_clicks_to_contact_each_channel(run_standard):
    # chat: 2, 4 -> 3.0 (<= 3 pass); email: 5, 6, 7 -> 6.0 (fail); web: 1 -> 1.0 (pass).
    # Channel compares case-insensitively, so "Chat" joins "chat". Groups come sorted.
    result = run_standard(
        """
        id,channel,clicks_to_contact
        1,chat,2
        2,email,5
        3,Chat,4
        4,email,6
        5,email,7
        6,web,1
        """,
        """
        - id: clicks
          title: Clicks
          metric: clicks_to_contact
          each: channel
          compare: at_most
          fail: 3
        """,
    )
    got = {g.group["channel"].lower(): (g.value, g.sample_size, g.status) for g in result.groups}
    assert got == {
        "chat": (pytest.approx(3.0), 2, Status.PASS),
        "email": (pytest.approx(6.0), 3, Status.FAIL),
        "web": (pytest.approx(1.0), 1, Status.PASS),
    }
    assert result.status is Status.FAIL  # worst group


def test_abandonment_each_channel_keeps_live_groups_only(run_standard):
    # each: channel -> chat: 1 of 2 = 50%; phone: 0 of 1 = 0%; email is not offered live,
    # so it gets no group at all
    result = run_standard(
        """
        id,channel,abandoned
        1,chat,yes
        2,chat,no
        3,phone,no
        4,email,yes
        """,
        ABANDON + "  each: channel\n",
    )
    got = {g.group["channel"]: (g.value, g.sample_size) for g in result.groups}
    assert got == {"chat": (pytest.approx(0.5), 2), "phone": (pytest.approx(0.0), 1)}


def test_abandonment_unreadable_flag_is_left_out(run_audit):
    # Row 2 "maybe" is reported and (ingest's promise) left out: 1 abandoned of 2 = 50%
    # (the bug gives 1 of 3 = 33%)
    audit = run_audit(
        """
        id,channel,abandoned
        1,phone,yes
        2,phone,maybe
        3,phone,no
        """,
        ABANDON,
    )
    assert _finding(audit, "unparsable:abandoned").rows == [2]
    assert audit.standards[0].groups[0].sample_size == 2
    assert audit.standards[0].groups[0].value == pytest.approx(0.5)
