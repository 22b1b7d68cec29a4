"""Orders metrics (STANDARDS.md §4): delivery (seed 001) and repeat business (seed 003).

Every expected value is worked out by hand in the comment beside it.
"""

from __future__ import annotations

import textwrap

import pytest

from csaudit.engine import audit
from csaudit.profile.loader import parse_profile
from csaudit.profile.model import Status
from tests.conftest import profile_text

ORDERS_KIND = "kind: orders\n"
H = 3600.0

# Five orders, worked through once here and used by most tests below.
# O1 c1 ordered 01-30 10:00, promised 02-02 (a date: by the end of that day), delivered
#    02-02 18:00 -> on time; lead 3d 8h = 80 h; 10 of 10 shipped; invoice ok; 100.
# O2 C1 (the same customer: ids ignore case) ordered 02-02 10:00, promised 02-05, delivered
#    02-06 09:00 -> late; lead 3d 23h = 95 h; 7 of 10 shipped, customer told; urgent; 50.
# O3 c2 ordered 01-05 10:00, delivered 01-07 09:00, promised 01-08 -> on time; lead 47 h;
#    5 of 5; invoice wrong; 200.
# O4 c2 ordered 01-20, not shipped yet (0 shipped): pending for fill; not delivered and
#    promised 01-23 -> late as of the data's latest event (O5 shipped 02-10 12:00); 30.
# O5 c3 ordered 02-10 10:00, shipped 2 of 3 (customer not told), not delivered, promised
#    02-12 -> pending; amount unknown.
ORDERS = """
order_id,customer_id,ordered_at,promised_at,shipped_at,delivered_at,quantity_ordered,quantity_shipped,invoice_correct,urgent,stockout_notified,amount
O1,c1,2024-01-30 10:00:00,2024-02-02,2024-01-31 09:00:00,2024-02-02 18:00:00,10,10,yes,no,,100
O2,C1,2024-02-02 10:00:00,2024-02-05,2024-02-03 09:00:00,2024-02-06 09:00:00,10,7,yes,yes,yes,50
O3,c2,2024-01-05 10:00:00,2024-01-08,2024-01-06 09:00:00,2024-01-07 09:00:00,5,5,no,no,,200
O4,c2,2024-01-20 10:00:00,2024-01-23,,,4,0,,no,,30
O5,c3,2024-02-10 10:00:00,2024-02-12,2024-02-10 12:00:00,,3,2,yes,no,no,
"""


def standard(metric: str, extra: str = "") -> str:
    return f"- id: s\n  title: S\n  metric: {metric}\n" + "".join(f"  {line}\n" for line in extra.splitlines() if line)


@pytest.fixture
def orders(run_audit):
    """``orders(metric, extra_yaml_lines, csv=ORDERS) -> StandardResult``."""

    def run(metric: str, extra: str = "", csv: str = ORDERS, **kwargs):
        return run_audit(csv, standard(metric, extra), ORDERS_KIND, **kwargs).standards[0]

    return run


def audit_once(tmp_path_factory, csv: str, standards: dict[str, str]):
    """One audit of ``csv`` with every standard (id -> metric and extra lines): the results
    by id, and the audit. Many standards per audit keep the suite fast."""
    path = tmp_path_factory.mktemp("orders") / "orders.csv"
    path.write_text(textwrap.dedent(csv).lstrip("\n"), encoding="utf-8")
    body = "".join(standard(metric, extra).replace("id: s\n", f"id: {sid}\n", 1)
                   for sid, (metric, extra) in standards.items())
    result = audit(parse_profile(profile_text(body, ORDERS_KIND), "test.yaml"), path)
    return {r.standard.id: r for r in result.standards}, result


MAIN = {
    "lead": ("order_lead_time", ""),
    "lead-median": ("order_lead_time", "statistic: median"),
    "lead-month": ("order_lead_time", "each: period"),
    "lead-urgent": ("order_lead_time", "options: {urgent: only}"),
    "lead-regular": ("order_lead_time", "options: {urgent: exclude}"),
    "on-time": ("on_time_delivery", ""),
    "on-time-urgent": ("on_time_delivery", "options: {urgent: only}"),
    "on-time-regular": ("on_time_delivery", "options: {urgent: exclude}"),
    "on-time-c2": ("on_time_delivery", "filter: {customer_id: c2}"),
    "fill": ("fill_rate", ""),
    "fill-mean": ("fill_rate", "statistic: mean"),
    "complete": ("orders_filled_complete", ""),
    "stockout": ("stockout_notification_rate", ""),
    "invoice": ("invoice_accuracy", ""),
    "repurchase": ("repurchase_rate", ""),
    "clv": ("customer_lifetime_value", ""),
}


@pytest.fixture(scope="module")
def main(tmp_path_factory):
    return audit_once(tmp_path_factory, ORDERS, MAIN)[0]


REPEAT_STANDARDS = {
    "rate": ("repurchase_rate", ""),
    "rate-month": ("repurchase_rate", "each: period"),
    "rate-quarter": ("repurchase_rate", "each: period\noptions: {period: quarter}"),
    "frequency": ("repurchase_frequency", ""),
    "frequency-month": ("repurchase_frequency", "each: period"),
    "value": ("repurchase_value", ""),
    "value-month": ("repurchase_value", "each: period"),
    "clv": ("customer_lifetime_value", ""),
    "clv-median": ("customer_lifetime_value", "statistic: median"),
    "clv-month": ("customer_lifetime_value", "each: period"),
}


def value(result) -> tuple:
    return result.groups[0].value, result.groups[0].sample_size


def groups(result) -> dict:
    return {tuple(g.group.values()): (g.value, g.sample_size) for g in result.groups}


def _finding(result, key):
    found = [f for f in result.findings if f.key == key]
    assert len(found) == 1, [f.key for f in result.findings]
    return found[0]


# -- lead time and order cycle time -----------------------------------------------------------


def test_lead_time_counts_delivered_orders_only(main):
    # Delivered: O1 80 h, O2 95 h, O3 47 h -> mean 222 / 3 = 74 h; O4 and O5 are not delivered.
    assert value(main["lead"]) == (pytest.approx(74 * H), 3)
    assert value(main["lead-median"]) == (pytest.approx(80 * H), 3)


def test_order_cycle_time_per_month(main):
    # January orders: O1 80 h, O3 47 h -> 63.5 h; February: O2 95 h (O5 not delivered).
    assert groups(main["lead-month"]) == {
        ("2024-01",): (pytest.approx(63.5 * H), 2), ("2024-02",): (pytest.approx(95 * H), 1)
    }


def test_urgent_orders_reported_apart(main):
    # Urgent: only O2 (95 h). Not urgent: O1 80 h and O3 47 h -> 63.5 h.
    assert value(main["lead-urgent"]) == (pytest.approx(95 * H), 1)
    assert value(main["lead-regular"]) == (pytest.approx(63.5 * H), 2)
    assert "urgent orders only" in main["lead-urgent"].notes
    assert "urgent orders left out" in main["lead-regular"].notes


def test_urgent_option_needs_the_urgent_column(orders):
    csv = """
    order_id,ordered_at,delivered_at
    1,2024-01-01 00:00:00,2024-01-02 00:00:00
    """
    result = orders("order_lead_time", "options: {urgent: only}\nrequired: false", csv=csv)
    assert result.status is Status.NOT_MEASURED
    assert "`urgent`" in result.reason


def test_delivery_before_order_is_a_finding_and_excluded(run_audit):
    # Row 2 is delivered an hour before it was ordered: out; row 1's 24 h remains.
    audit = run_audit(
        """
        order_id,ordered_at,delivered_at
        1,2024-01-01 00:00:00,2024-01-02 00:00:00
        2,2024-01-01 10:00:00,2024-01-01 09:00:00
        """,
        standard("order_lead_time"),
        ORDERS_KIND,
    )
    assert audit.standards[0].groups[0].value == pytest.approx(24 * H)
    found = _finding(audit, "negative:ordered_at:delivered_at")
    assert found.rows == [2]


# -- on-time delivery -------------------------------------------------------------------------


def test_on_time_delivery_with_undelivered_orders(main):
    # O1 on time (18:00 on the promised date), O2 late, O3 on time, O4 late (not delivered,
    # promise passed before 02-10 12:00), O5 pending (promise 02-12 still ahead) -> 2 / 4.
    assert value(main["on-time"]) == (pytest.approx(0.5), 4)


def test_on_time_urgent_apart(main):
    # Urgent: O2, late -> 0 of 1. Not urgent: O1, O3 on time, O4 late, O5 pending -> 2 / 3.
    assert value(main["on-time-urgent"]) == (0.0, 1)
    assert value(main["on-time-regular"]) == (pytest.approx(2 / 3), 3)


def test_as_of_is_the_whole_tables_latest_event_whatever_the_filter(main):
    # Customer c2 alone: O3 on time; O4 promised 01-23 and undelivered. Its own latest event
    # is 01-20, but the table's is 02-10, so O4 is late: 1 / 2 (not 1 / 1).
    assert value(main["on-time-c2"]) == (pytest.approx(0.5), 2)


def test_a_promise_with_a_time_is_met_up_to_that_instant(orders):
    csv = """
    order_id,ordered_at,promised_at,delivered_at
    1,2024-01-01 00:00:00,2024-01-02 10:00:00,2024-01-02 10:00:00
    2,2024-01-01 00:00:00,2024-01-02 10:00:00,2024-01-02 10:00:01
    """
    # Row 1 at the instant promised: on time; row 2 a second later: late -> 1 / 2.
    assert orders("on_time_delivery", csv=csv).groups[0].value == pytest.approx(0.5)


def test_a_promised_date_allows_the_whole_day(run_audit):
    audit = run_audit(
        """
        order_id,ordered_at,promised_at,delivered_at
        1,2024-01-01 00:00:00,2024-01-02,2024-01-02 23:59:59
        2,2024-01-01 00:00:00,2024-01-02,2024-01-03 00:00:00
        """,
        standard("on_time_delivery"),
        ORDERS_KIND,
    )
    # 23:59:59 on the promised day is on time; midnight after is late -> 1 / 2.
    assert audit.standards[0].groups[0].value == pytest.approx(0.5)
    assert any("dates without a time" in note for note in audit.notes)


def test_orders_without_a_promise_are_left_out(orders):
    csv = """
    order_id,ordered_at,promised_at,delivered_at
    1,2024-01-01 00:00:00,,2024-01-09 00:00:00
    2,2024-01-01 00:00:00,2024-01-05,2024-01-03 00:00:00
    """
    result = orders("on_time_delivery", csv=csv)
    assert (result.groups[0].value, result.groups[0].sample_size) == (1.0, 1)


# -- fill -------------------------------------------------------------------------------------


def test_fill_rate_with_partial_fills_and_pending_orders(main):
    # Shipped orders: O1 10/10, O2 7/10, O3 5/5, O5 2/3; O4 (not shipped, 0 units) pending.
    # Units: (10 + 7 + 5 + 2) / (10 + 10 + 5 + 3) = 24 / 28.
    assert value(main["fill"]) == (pytest.approx(24 / 28), 4)
    # Mean of each order's fill: (1 + 0.7 + 1 + 2/3) / 4.
    assert value(main["fill-mean"]) == (pytest.approx((1 + 0.7 + 1 + 2 / 3) / 4), 4)


FILL_EDGES = """
order_id,quantity_ordered,quantity_shipped,shipped_at
A,10,12,2024-01-01 00:00:00
B,10,0,2024-01-01 00:00:00
C,0,0,2024-01-01 00:00:00
D,5,,2024-01-01 00:00:00
E,4,0,
F,-1,0,2024-01-01 00:00:00
G,x,1,2024-01-01 00:00:00
"""


def test_fill_edge_cases(run_audit):
    # A: 12 shipped of 10 counts as 10 (surplus, a finding); B: shipped with nothing in it -> 0;
    # C: nothing ordered (finding, out); D: shipped quantity unknown (out); E: not shipped yet
    # (out); F: negative (finding, out); G: unreadable (finding, out).
    # -> (10 + 0) / (10 + 10) = 0.5 over 2 orders.
    audit = run_audit(FILL_EDGES, standard("fill_rate"), ORDERS_KIND)
    result = audit.standards[0]
    assert (result.groups[0].value, result.groups[0].sample_size) == (pytest.approx(0.5), 2)
    assert _finding(audit, "surplus:quantity_shipped").rows == [1]
    assert _finding(audit, "zero:quantity_ordered").rows == [3]
    assert _finding(audit, "negative:quantity_ordered").rows == [6]
    unreadable = _finding(audit, "unparsable:quantity_ordered")
    assert (unreadable.rows, unreadable.examples) == ([7], ["x"])


def test_without_shipped_at_an_order_with_nothing_shipped_is_a_stockout(run_audit):
    # No shipped_at column: E (0 of 4) counts as unfilled -> (10 + 0 + 0) / (10 + 10 + 4).
    csv = "\n".join(line.rsplit(",", 1)[0] for line in FILL_EDGES.strip().splitlines())
    result = run_audit(csv, standard("fill_rate"), ORDERS_KIND).standards[0]
    assert (result.groups[0].value, result.groups[0].sample_size) == (pytest.approx(10 / 24), 3)


def test_orders_filled_complete(main):
    # O1 and O3 complete, O2 and O5 short, O4 pending -> 2 / 4.
    assert value(main["complete"]) == (pytest.approx(0.5), 4)


def test_stockout_notification_over_short_orders(main):
    # Short: O2 (told) and O5 (not told) -> 1 / 2.
    assert value(main["stockout"]) == (pytest.approx(0.5), 2)


def test_stockout_flag_empty_is_not_told_and_unreadable_is_left_out(run_audit):
    audit = run_audit(
        """
        order_id,quantity_ordered,quantity_shipped,stockout_notified
        1,5,3,
        2,5,3,maybe
        3,5,3,yes
        4,5,5,
        """,
        standard("stockout_notification_rate"),
        ORDERS_KIND,
    )
    # Short: 1 (empty: not told), 2 (unreadable: out), 3 (told); 4 is complete -> 1 / 2.
    result = audit.standards[0]
    assert (result.groups[0].value, result.groups[0].sample_size) == (pytest.approx(0.5), 2)
    assert _finding(audit, "unparsable:stockout_notified").rows == [2]


def test_invoice_accuracy_over_recorded_invoices(main):
    # O1, O2, O5 correct, O3 wrong, O4 not recorded -> 3 / 4.
    assert value(main["invoice"]) == (pytest.approx(0.75), 4)


# -- repeat business --------------------------------------------------------------------------

# a: 01-30 and 02-02 (across the month boundary); b: twice in January; c: January and March;
# d: once in March; the last order has no customer (a finding, left out).
REPEAT = """
order_id,customer_id,ordered_at,amount
1,a,2024-01-30 10:00:00,10
2,A,2024-02-02 10:00:00,20
3,b,2024-01-10 10:00:00,5
4,b,2024-01-11 10:00:00,5
5,c,2024-01-15 10:00:00,7
6,c,2024-03-01 10:00:00,8
7,d,2024-03-05 10:00:00,100
8,,2024-03-06 10:00:00,1
"""


@pytest.fixture(scope="module")
def repeat(tmp_path_factory):
    return audit_once(tmp_path_factory, REPEAT, REPEAT_STANDARDS)


def test_repurchase_rate_over_the_whole_data(repeat):
    # a, b, c have 2 orders, d has 1 -> 3 / 4 customers.
    results, audited = repeat
    assert value(results["rate"]) == (pytest.approx(0.75), 4)
    assert _finding(audited, "missing:customer_id").rows == [8]


def test_repurchase_rate_per_month_counts_repeats_across_the_boundary(repeat):
    # January: a (1 order so far), b (2), c (1) -> 1 / 3.
    # February: a, whose January order makes this its 2nd -> 1 / 1.
    # March: c (2nd order), d (1st) -> 1 / 2.
    assert groups(repeat[0]["rate-month"]) == {
        ("2024-01",): (pytest.approx(1 / 3), 3),
        ("2024-02",): (1.0, 1),
        ("2024-03",): (0.5, 2),
    }


def test_repurchase_rate_per_quarter_and_week(repeat, orders):
    # One quarter holds everything: 3 / 4, as over the whole data.
    assert groups(repeat[0]["rate-quarter"]) == {("2024-Q1",): (pytest.approx(0.75), 4)}
    # ISO weeks: Sunday 2023-12-31 is in 2023-W52, Monday 2024-01-01 starts 2024-W01.
    csv = """
    order_id,customer_id,ordered_at
    1,x,2023-12-31 12:00:00
    2,x,2024-01-01 12:00:00
    """
    week = orders("repurchase_rate", "each: period\noptions: {period: week}", csv=csv)
    assert groups(week) == {("2023-W52",): (0.0, 1), ("2024-W01",): (1.0, 1)}


def test_periods_begin_on_the_audits_clock(orders):
    # Order 2 is 2024-02-01 01:00 in Tokyo (UTC+9), 2024-01-31 16:00 UTC: with --timezone
    # Asia/Tokyo it is a February order, so x's second order falls in February (1 / 1) and
    # January holds only x's first (0 / 1). Weeks too: Monday 2024-01-01 02:00 Tokyo is
    # Sunday 2023-12-31 17:00 UTC, but its week is 2024-W01.
    csv = """
    order_id,customer_id,ordered_at
    1,x,2024-01-15 12:00:00+09:00
    2,x,2024-02-01 01:00:00+09:00
    3,y,2024-01-01 02:00:00+09:00
    """
    month = orders("repurchase_rate", "each: period", csv=csv, timezone="Asia/Tokyo")
    assert groups(month) == {("2024-01",): (0.0, 2), ("2024-02",): (1.0, 1)}
    in_utc = orders("repurchase_rate", "each: period", csv=csv, timezone="UTC")
    # In UTC both of x's orders are January's (1 / 1) and y's is December's (0 / 1).
    assert groups(in_utc) == {("2023-12",): (0.0, 1), ("2024-01",): (1.0, 1)}
    week = orders("repurchase_rate", "each: period\noptions: {period: week}", csv=csv, timezone="Asia/Tokyo")
    assert groups(week) == {("2024-W01",): (0.0, 1), ("2024-W03",): (0.0, 1), ("2024-W05",): (1.0, 1)}


def test_repurchase_frequency(repeat):
    # Repeat customers a, b, c with 2 orders each -> 2.0; d is not a repeat customer.
    assert value(repeat[0]["frequency"]) == (2.0, 3)
    # Per month: January b (2), February a (2), March c (2).
    assert groups(repeat[0]["frequency-month"]) == {
        ("2024-01",): (2.0, 1), ("2024-02",): (2.0, 1), ("2024-03",): (2.0, 1)
    }


def test_repurchase_value_is_the_spend_after_the_first_order(repeat):
    # a: 20 (its 2nd order), b: 5, c: 8 -> 33 / 3 = 11.
    assert value(repeat[0]["value"]) == (pytest.approx(11.0), 3)
    assert groups(repeat[0]["value-month"]) == {("2024-01",): (5.0, 1), ("2024-02",): (20.0, 1), ("2024-03",): (8.0, 1)}


def test_customer_lifetime_value(repeat):
    # a 30, b 10, c 15, d 100 -> mean 38.75, median (15 + 30) / 2 = 22.5.
    assert value(repeat[0]["clv"]) == (pytest.approx(38.75), 4)
    assert value(repeat[0]["clv-median"]) == (pytest.approx(22.5), 4)
    # Per month, spend up to its end: January a 10, b 10, c 7 -> 9; February a 30; March
    # c 15, d 100 -> 57.5.
    assert groups(repeat[0]["clv-month"]) == {
        ("2024-01",): (pytest.approx(9.0), 3),
        ("2024-02",): (30.0, 1),
        ("2024-03",): (57.5, 2),
    }


def test_a_customer_with_an_unknown_amount_is_left_out_of_spend(run_audit):
    # e's second order has no amount, f's is negative: both customers are left out of lifetime
    # value (g alone: 9), but still count for the repurchase rate (e and f repeat, g not: 2/3).
    csv = """
    order_id,customer_id,ordered_at,amount
    1,e,2024-01-01 00:00:00,10
    2,e,2024-01-02 00:00:00,
    3,f,2024-01-01 00:00:00,10
    4,f,2024-01-02 00:00:00,-3
    5,g,2024-01-03 00:00:00,9
    """
    audit = run_audit(csv, standard("customer_lifetime_value") + standard("repurchase_rate").replace("id: s", "id: r"),
                      ORDERS_KIND)
    clv, rate = audit.standards
    assert (clv.groups[0].value, clv.groups[0].sample_size) == (9.0, 1)
    assert rate.groups[0].value == pytest.approx(2 / 3)
    assert _finding(audit, "missing:amount").rows == [2]
    assert _finding(audit, "negative:amount").rows == [4]


def test_repeat_business_of_main_orders_fixture(main):
    # c1 (O1, O2; the ids differ in case only) and c2 (O3, O4) repeat, c3 once -> 2 / 3;
    # lifetime value leaves c3 out (its amount is unknown): c1 150, c2 230 -> 190.
    assert value(main["repurchase"]) == (pytest.approx(2 / 3), 3)
    assert value(main["clv"]) == (190.0, 2)


# -- the table as a whole ---------------------------------------------------------------------


def test_order_ids_are_compared_as_written(run_audit):
    audit = run_audit(
        """
        order_id,ordered_at,delivered_at
        ORD-1,2024-01-01 00:00:00,2024-01-02 00:00:00
        ORD-1,2024-01-01 00:00:00,2024-01-02 00:00:00
        ord-1,2024-01-01 00:00:00,2024-01-02 00:00:00
        """,
        standard("order_lead_time"),
        ORDERS_KIND,
    )
    found = _finding(audit, "duplicate:order_id")
    assert (found.count, found.rows, found.examples[0]) == (2, [1, 2], "ORD-1")
    assert "`order_id`" in found.message
