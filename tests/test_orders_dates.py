"""Orders: dates that are wrong or that need a clock. A promised date (no time) ends at
midnight on the orders' own clock; an order delivered before it was ordered is neither a lead
time nor on time. Expected values worked out by hand beside each test."""

from __future__ import annotations

import pytest

from tests.metrics.test_orders import ORDERS_KIND, _finding, standard, value

ON_TIME = standard("on_time_delivery")


def test_an_order_delivered_before_it_was_ordered_is_not_on_time_either(run_audit):
    # 1: delivered 01-02 by its promise 01-03: on time. 2: late. 3: "delivered" 01-01 09:00,
    # an hour before it was ordered: a wrong date, out of both metrics (it counted on time,
    # 2 / 3; now 1 / 2). Lead time: 1 -> 24 h, 2 -> 72 h; mean 48 h over 2.
    audit = run_audit(
        """
        order_id,ordered_at,promised_at,delivered_at
        1,2024-01-01 00:00:00,2024-01-03 00:00:00,2024-01-02 00:00:00
        2,2024-01-01 00:00:00,2024-01-03 00:00:00,2024-01-04 00:00:00
        3,2024-01-01 10:00:00,2024-01-03 00:00:00,2024-01-01 09:00:00
        """,
        ON_TIME + standard("order_lead_time", "statistic: mean").replace("id: s\n", "id: lead\n"),
        ORDERS_KIND,
    )
    on_time, lead = audit.standards
    assert value(on_time) == (pytest.approx(0.5), 2)
    assert value(lead) == (pytest.approx(48 * 3600.0), 2)
    found = _finding(audit, "negative:ordered_at:delivered_at")
    assert found.rows == [3]
    assert "on-time delivery" in found.message


# The shop's clock is +07:00; the promised dates have no time and no --timezone is given.
# 1: delivered 04-06 23:30+07:00 (16:30 UTC), promised 04-06: on time.
# 2: delivered 04-07 03:00+07:00 (04-06 20:00 UTC), promised 04-06: a day late locally; read
#    as a UTC date its promise ran to 04-06 23:59:59 UTC and it counted on time.
# 3: delivered 04-06 05:00+07:00 (04-05 22:00 UTC), promised 04-06: on time.
# -> 2 / 3 (it was 3 / 3).
SHOP = """
order_id,ordered_at,promised_at,delivered_at
1,2026-04-01 15:58:00+07:00,2026-04-06,2026-04-06 23:30:00+07:00
2,2026-04-01 09:20:00+07:00,2026-04-06,2026-04-07 03:00:00+07:00
3,2026-04-01 09:32:00+07:00,2026-04-06,2026-04-06 05:00:00+07:00
"""


def test_a_promised_date_ends_at_midnight_on_the_orders_own_clock(run_audit):
    audit = run_audit(SHOP, ON_TIME, ORDERS_KIND)
    assert value(audit.standards[0]) == (pytest.approx(2 / 3), 3)
    notes = " ".join(audit.notes)
    assert "on each order's own clock" in notes
    # The date was not read as a UTC day, so ingest's warning that it was is gone.
    assert "were read as UTC time" not in notes


def test_a_promised_date_in_the_given_timezone(run_audit):
    # --timezone Asia/Ho_Chi_Minh (+07:00, no clock changes) says the same: 2 / 3.
    audit = run_audit(SHOP, ON_TIME, ORDERS_KIND, timezone="Asia/Ho_Chi_Minh")
    assert value(audit.standards[0]) == (pytest.approx(2 / 3), 3)


def test_a_promised_date_on_a_day_the_clocks_change(run_audit):
    # New York: 2024-11-03 has 25 hours (EDT -> EST), 2024-03-10 has 23.
    # 1: promised 11-03, delivered 11-03 23:30 EST (11-04 04:30 UTC): on time. 24 hours from
    #    local midnight (04:00 UTC) ended at 11-03 23:00 EST and made it late.
    # 2: promised 03-10, delivered 03-11 00:30 EDT (04:30 UTC): late. 24 hours from local
    #    midnight (05:00 UTC) ran to 03-11 01:00 EDT and made it on time.
    # -> on time 1 / 2, and per period (month): 2024-11 1 / 1, 2024-03 0 / 1.
    audit = run_audit(
        """
        order_id,ordered_at,promised_at,delivered_at
        1,2024-11-01 10:00:00,2024-11-03,2024-11-03 23:30:00
        2,2024-03-08 10:00:00,2024-03-10,2024-03-11 00:30:00
        """,
        standard("on_time_delivery", "each: period"),
        ORDERS_KIND,
        timezone="America/New_York",
    )
    groups = {g.group["period"]: (g.value, g.sample_size) for g in audit.standards[0].groups}
    assert groups == {"2024-11": (1.0, 1), "2024-03": (0.0, 1)}


def test_promises_all_at_midnight_are_promised_dates(run_audit):
    # Every promise is written 00:00:00: dates exported as timestamps. 1: delivered 15:00 on
    # its promised day: on time (it was late, 15 h after "00:00"). 2: 01:00 the day after its
    # promise: late. -> 1 / 2 (it was 0 / 2).
    audit = run_audit(
        """
        order_id,ordered_at,promised_at,delivered_at
        1,2024-03-01 10:00:00,2024-03-03 00:00:00,2024-03-03 15:00:00
        2,2024-03-01 10:00:00,2024-03-04 00:00:00,2024-03-05 01:00:00
        3,2024-03-01 10:00:00,,2024-03-05 01:00:00
        """,
        ON_TIME,
        ORDERS_KIND,
    )
    assert value(audit.standards[0]) == (pytest.approx(0.5), 2)
    assert any("is midnight on every order: read as promised dates" in note for note in audit.notes)


def test_one_promise_with_a_time_keeps_them_all_instants(run_audit):
    # 2's promise is 09:00, so the column holds instants: 1 (delivered 15:00 after a 00:00
    # promise) and 2 (10:00 after 09:00) are both late -> 0 / 2, and no note.
    audit = run_audit(
        """
        order_id,ordered_at,promised_at,delivered_at
        1,2024-03-01 10:00:00,2024-03-03 00:00:00,2024-03-03 15:00:00
        2,2024-03-01 10:00:00,2024-03-04 09:00:00,2024-03-04 10:00:00
        """,
        ON_TIME,
        ORDERS_KIND,
    )
    assert value(audit.standards[0]) == (0.0, 2)
    assert not any("midnight on every order" in note for note in audit.notes)


def test_midnight_promises_with_their_own_offset(run_audit):
    # 00:00+07:00 promises: days of +07:00. 1: 23:30+07:00 on the 6th, on time; 2: 00:30+07:00
    # on the 7th, late -> 1 / 2.
    audit = run_audit(
        """
        order_id,ordered_at,promised_at,delivered_at
        1,2026-04-01 10:00:00+07:00,2026-04-06 00:00:00+07:00,2026-04-06 23:30:00+07:00
        2,2026-04-01 10:00:00+07:00,2026-04-06 00:00:00+07:00,2026-04-07 00:30:00+07:00
        """,
        ON_TIME,
        ORDERS_KIND,
    )
    assert value(audit.standards[0]) == (pytest.approx(0.5), 2)


def test_a_promised_time_without_offset_is_on_the_orders_clock(run_audit):
    # Orders at +07:00, promises "23:00" without an offset and no --timezone: 23:00+07:00.
    # 1: delivered 23:30+07:00, late (read as 23:00 UTC = 06:00+07:00 the next day it was on
    # time); 2: 22:00+07:00, on time -> 1 / 2 (it was 2 / 2).
    audit = run_audit(
        """
        order_id,ordered_at,promised_at,delivered_at
        1,2026-04-01 10:00:00+07:00,2026-04-06 23:00:00,2026-04-06 23:30:00+07:00
        2,2026-04-01 10:00:00+07:00,2026-04-06 23:00:00,2026-04-06 22:00:00+07:00
        """,
        ON_TIME,
        ORDERS_KIND,
    )
    assert value(audit.standards[0]) == (pytest.approx(0.5), 2)
    notes = " ".join(audit.notes)
    assert "has no offset: read on each order's own clock" in notes and "were read as UTC time" not in notes


def test_evidence_shows_an_undelivered_orders_promise_as_written(run_audit):
    # 1 is undelivered and its promise (2026-04-06, a date on the +07:00 clock) passed before
    # the data's latest event (2's delivery on 04-09): late. Its evidence says "promised
    # 2026-04-06", not the UTC instant the day runs out (2026-04-06 16:59). 2 is on time.
    audit = run_audit(
        """
        order_id,ordered_at,promised_at,delivered_at
        1,2026-04-01 10:00:00+07:00,2026-04-06,
        2,2026-04-01 10:00:00+07:00,2026-04-10,2026-04-09 10:00:00+07:00
        """,
        standard("on_time_delivery", "compare: at_least\nfail: 90%"),
        ORDERS_KIND,
    )
    result = audit.standards[0]
    assert value(result) == (pytest.approx(0.5), 2)
    assert [(e.row, e.label) for e in result.evidence] == [(1, "not delivered; promised 2026-04-06")]
