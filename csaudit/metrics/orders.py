"""Orders: delivery (seed 001) and repeat business (seed 003). STANDARDS.md §4.

These metrics read an orders table (one row per order), audited by profiles of ``kind: orders``.

Delivery rules:

* Lead time counts delivered orders; an order not delivered yet has no lead time.
* On time means delivered by ``promised_at`` (a promised *date*, or a column whose every promise
  is at midnight, means by the end of that day, on the audit's clock or, with no zone given, on
  the clock of the orders' own timestamps: csaudit.tables._promises).
  An order delivered before it was ordered has a wrong date: it is left out (a finding).
  An order not delivered yet is late once its promise has passed, judged *as of* the latest
  order, shipment or delivery in the data (not the clock on the wall, so a rerun gives the same
  answer); while the promise still lies ahead it is pending and left out.
* Fill: units shipped (at most the units ordered: a surplus does not fill another order) ÷
  units ordered. An order not shipped yet (an empty ``shipped_at`` and no units shipped) is
  pending and left out; one shipped with 0 units is a complete stock-out.

Repeat-business rules (a customer is ``customer_id``, compared ignoring case):

* Over the whole data, a repeat customer has at least 2 orders.
* Per period (``each: period``; month by default, ``options: {period: quarter}`` …), the
  customers are those who ordered in the period, each measured on their orders **up to the end
  of that period**: a customer who ordered on 30 January and again on 2 February is new in
  January and a repeat customer in February. Customers whose earlier orders predate the data
  look new (the data cannot tell).
* Repeat orders are a customer's orders after their first; their value is the repurchase value.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import polars as pl

from csaudit.fields import raw_column
from csaudit.metrics.base import (
    SAMPLE_STATISTICS,
    BuildContext,
    Check,
    EvidenceDetail,
    Metric,
    Option,
    RowMetric,
    Unit,
    is_true,
    local_clock,
    negative_value_check,
    outcome_label,
    parsed_or_unknown,
    seconds_between,
    statistic_expr,
)
from csaudit.metrics.options import one_of
from csaudit.metrics.speed import negative_check
from csaudit.profile.model import Standard

ORDERS = "orders"
PERIOD = "period"
_RATE = ("rate",)
_ROW = "_row"  # csaudit.ingest.ROW (ingest imports the metrics)

PERIOD_OPTION = Option(
    one_of("day", "week", "month", "quarter", "year"), "month",
    "the periods of `each: period` (by ordered_at, on the audit's clock): day, week (ISO, from Monday), month, quarter or year",
)
URGENT_OPTION = Option(
    one_of("include", "only", "exclude"), "include", "urgent orders: include them, only them, or exclude them"
)


def period_label(timestamp: pl.Expr, period: str) -> pl.Expr:
    """The period ``timestamp`` falls in, as text that sorts in time: 2024-05-03, 2024-W18,
    2024-05, 2024-Q2, 2024."""
    if period == "quarter":
        return pl.format("{}-Q{}", timestamp.dt.year(), timestamp.dt.quarter())
    return timestamp.dt.strftime({"day": "%Y-%m-%d", "week": "%G-W%V", "month": "%Y-%m", "year": "%Y"}[period])


def order_rows(ctx: BuildContext) -> pl.LazyFrame:
    """The orders a standard reads: its ``period`` groups as its option says, and only the
    urgent (or non-urgent) orders when its ``urgent`` option says so."""
    frame = ctx.frame
    if PERIOD in ctx.each and ctx.options.get("period", "month") != "month":
        frame = frame.with_columns(period_label(local_clock(pl.col("ordered_at"), ctx.timezone), ctx.options["period"]).alias(PERIOD))
    urgent = ctx.options.get("urgent", "include")
    if urgent != "include":
        flag = parsed_or_unknown("urgent", pl.col("urgent").fill_null(False))
        frame = frame.filter((flag if urgent == "only" else ~flag).fill_null(False))
    return frame


class _OrderRowMetric(RowMetric):
    kind = ORDERS
    options = {"period": PERIOD_OPTION}

    def rows(self, ctx: BuildContext) -> pl.LazyFrame:
        return order_rows(ctx)

    def fields(self, options: dict[str, Any]) -> set[str]:
        urgent = {"urgent"} if options.get("urgent", "include") != "include" else set()
        return super().fields(options) | urgent

    def missing_fields(self, present, options):
        missing = super().missing_fields(present, options)
        if options.get("urgent", "include") != "include" and "urgent" not in present:
            missing.append("urgent")
        return missing

    def notes(self, present, options):
        urgent = options.get("urgent", "include")
        return {"include": [], "only": ["urgent orders only"], "exclude": ["urgent orders left out"]}[urgent]


# -- delivery (seed 001) ----------------------------------------------------------------------


class OrderLeadTime(_OrderRowMetric):
    name = "order_lead_time"
    title = "Order-to-delivery lead time"
    family = "delivery"
    unit = Unit.SECONDS
    description = (
        "delivered_at − ordered_at over delivered orders (an order not delivered yet has none). "
        "Order cycle time per period is this metric with `each: period` (month by default; "
        "`options: {period: week}`). `options: {urgent: only}` or `exclude` reports urgent orders apart."
    )
    requires = ("ordered_at", "delivered_at")
    options = {"period": PERIOD_OPTION, "urgent": URGENT_OPTION}

    def sample(self, present, options):
        return seconds_between("ordered_at", "delivered_at"), pl.lit(True)

    def checks(self, present, options):
        return [_delivered_before_ordered()]


_EVENTS = ("ordered_at", "shipped_at", "delivered_at")


def _delivered_before_ordered() -> Check:
    """A delivery before its order is a wrong date: neither a lead time nor a delivery on time."""
    return dataclasses.replace(
        negative_check("ordered_at", "delivered_at", "order lead time"),
        message="`delivered_at` is before `ordered_at` (negative order lead time); these orders are "
        "excluded from lead time and on-time delivery",
    )


class OnTimeDelivery(_OrderRowMetric):
    name = "on_time_delivery"
    title = "On-time delivery rate"
    family = "delivery"
    unit = Unit.FRACTION
    description = (
        "Share of orders delivered by promised_at (a promised date, or a column whose every "
        "promise is at midnight: by the end of that day; without --timezone, a promise without an "
        "offset is on the clock of the order's own timestamps). An "
        "order not delivered yet counts as late once its promise has passed, as of the latest "
        "order, shipment or delivery in the data; before that it is pending and left out. Orders "
        "without a promise, and those delivered before they were ordered (a wrong date, a finding), "
        "are left out. `options: {urgent: only}` reports urgent orders apart."
    )
    requires = ("promised_at", "delivered_at")
    uses = ("ordered_at", "shipped_at")
    statistics = _RATE
    default_statistic = "rate"
    options = {"period": PERIOD_OPTION, "urgent": URGENT_OPTION}

    def rows(self, ctx: BuildContext) -> pl.LazyFrame:
        # "As of" the whole table's latest event, whatever the standard's filter.
        everything = ctx.tables.get(ORDERS, ctx.frame)
        latest = pl.max_horizontal([pl.col(f) for f in _EVENTS if f in ctx.present]).max()
        return order_rows(ctx).join(everything.select(latest.alias("_as_of")), how="cross")

    def sample(self, present, options):
        delivered = parsed_or_unknown("delivered_at", pl.col("delivered_at").is_not_null())
        on_time = pl.col("delivered_at") <= pl.col("promised_at")
        overdue = pl.col("promised_at") < pl.col("_as_of")
        value = pl.when(delivered).then(on_time).when(delivered.not_() & overdue).then(False)
        return value.cast(pl.Float64), pl.col("promised_at").is_not_null()

    def checks(self, present, options):
        return [_delivered_before_ordered()] if "ordered_at" in present else []

    def notes(self, present, options):
        return super().notes(present, options) + [
            "undelivered orders count as late once promised before the data's latest event; until then they are pending"
        ]

    def evidence_detail(self, present, options):
        delivered = pl.col("delivered_at").is_not_null()
        late = seconds_between("promised_at", pl.coalesce(pl.col("delivered_at"), pl.col("_as_of")))
        label = pl.when(delivered).then(pl.lit("delivered after the promise")).otherwise(
            # As written: the instant a promised date runs out is 23:59:59.999999 on some clock.
            pl.format("not delivered; promised {}", pl.col(raw_column("promised_at")).str.strip_chars())
        )
        return EvidenceDetail(label=label, value=late, unit=Unit.SECONDS)


def _quantities_known() -> pl.Expr:
    return pl.col("quantity_ordered").is_not_null() & pl.col("quantity_shipped").is_not_null()


def _fill_population(present: frozenset[str]) -> pl.Expr:
    """Orders whose fill can be judged: both quantities known, something ordered, and shipped
    (an empty shipped_at with no units shipped is an order still pending)."""
    population = _quantities_known() & (pl.col("quantity_ordered") > 0)
    if "shipped_at" in present:
        pending = pl.col("shipped_at").is_null() & (pl.col("quantity_shipped") == 0)
        population = population & ~parsed_or_unknown("shipped_at", pending)
    return population


def _fill_checks() -> list[Check]:
    return [
        negative_value_check("quantity_ordered"),
        negative_value_check("quantity_shipped"),
        Check(
            key="zero:quantity_ordered",
            message="`quantity_ordered` is 0: nothing to fill; these orders are excluded from fill metrics",
            expr=pl.col("quantity_ordered") == 0,
            fields=("quantity_ordered",),
        ),
    ]


class _FillMetric(_OrderRowMetric):
    family = "delivery"
    requires = ("quantity_ordered", "quantity_shipped")
    uses = ("shipped_at",)

    def checks(self, present, options):
        return _fill_checks()


class FillRate(_FillMetric):
    name = "fill_rate"
    title = "Fill rate"
    family = "delivery"
    unit = Unit.FRACTION
    description = (
        "Units shipped ÷ units ordered (statistic `ratio`, over all shipped orders), or the mean "
        "of each order's fill. A surplus shipped counts as complete, not more; an order not shipped "
        "yet (empty shipped_at, 0 shipped) is pending and left out."
    )
    statistics = ("ratio", "mean", "median", "min")
    default_statistic = "ratio"

    def sample(self, present, options):
        shipped = pl.min_horizontal("quantity_shipped", "quantity_ordered")
        return shipped / pl.col("quantity_ordered"), _fill_population(present)

    def build(self, ctx: BuildContext, standard: Standard) -> pl.LazyFrame:
        if standard.statistic.kind != "ratio":
            return super().build(ctx, standard)
        # Units, not orders: Σ min(shipped, ordered) ÷ Σ ordered over the same population.
        rows, _, population = self.measured(ctx)
        shipped = pl.min_horizontal("quantity_shipped", "quantity_ordered").filter(population).sum()
        aggregations = [
            (shipped / pl.col("quantity_ordered").filter(population).sum()).cast(pl.Float64).alias("value"),
            population.cast(pl.Int64).sum().alias("sample_size"),
        ]
        return rows.group_by(list(ctx.each)).agg(aggregations) if ctx.each else rows.select(aggregations)


def _shipped_of_ordered() -> EvidenceDetail:
    label = pl.format("shipped {} of {}", pl.col(raw_column("quantity_shipped")), pl.col(raw_column("quantity_ordered")))
    missing = pl.col("quantity_ordered") - pl.col("quantity_shipped")
    return EvidenceDetail(label=label, value=missing, unit=Unit.COUNT)


class OrdersFilledComplete(_FillMetric):
    name = "orders_filled_complete"
    title = "Orders filled complete"
    family = "delivery"
    unit = Unit.FRACTION
    description = "Share of shipped orders with every unit ordered shipped (pending orders left out)."
    statistics = _RATE
    default_statistic = "rate"

    def sample(self, present, options):
        complete = pl.col("quantity_shipped") >= pl.col("quantity_ordered")
        return complete.cast(pl.Float64), _fill_population(present)

    def evidence_detail(self, present, options):
        return _shipped_of_ordered()


class StockoutNotificationRate(_FillMetric):
    name = "stockout_notification_rate"
    title = "Stockout notification rate"
    family = "delivery"
    unit = Unit.FRACTION
    description = (
        "Share of short orders (shipped fewer units than ordered) whose customer was told "
        "(`stockout_notified`; an empty flag on a short order counts as not told)."
    )
    requires = ("quantity_ordered", "quantity_shipped", "stockout_notified")
    statistics = _RATE
    default_statistic = "rate"

    def sample(self, present, options):
        told = parsed_or_unknown("stockout_notified", is_true("stockout_notified", present))
        short = pl.col("quantity_shipped") < pl.col("quantity_ordered")
        return told.cast(pl.Float64), _fill_population(present) & short

    def evidence_detail(self, present, options):
        detail = _shipped_of_ordered()
        return EvidenceDetail(label=pl.format("{}, not notified", detail.label), value=detail.value, unit=Unit.COUNT)


class InvoiceAccuracy(_OrderRowMetric):
    name = "invoice_accuracy"
    title = "Invoice accuracy"
    family = "delivery"
    unit = Unit.FRACTION
    description = "Share of correct invoices among orders whose `invoice_correct` is recorded."
    requires = ("invoice_correct",)
    statistics = _RATE
    default_statistic = "rate"

    def sample(self, present, options):
        return pl.col("invoice_correct").cast(pl.Float64), pl.lit(True)

    def evidence_detail(self, present, options):
        return EvidenceDetail(label=outcome_label(pl.col("invoice_correct"), "invoice incorrect", "invoice correct"))


# -- repeat business (seed 003) ---------------------------------------------------------------


class _RepeatBusiness(Metric):
    """Per customer (and group): orders to date, spend to date, repeat spend to date."""

    kind = ORDERS
    family = "repeat business"
    requires = ("customer_id", "ordered_at")
    options = {"period": PERIOD_OPTION}
    spends = False  # reads amount (and requires it)

    def checks(self, present, options):
        checks = [
            Check(
                key="missing:customer_id",
                message="orders without a `customer_id`; they are left out of repeat-business metrics",
                expr=pl.col("customer_id").is_null(),
                fields=("customer_id",),
            ),
            Check(
                key="missing:ordered_at",
                message="orders without an `ordered_at`; they are left out of repeat-business metrics",
                expr=pl.col("ordered_at").is_null() & pl.col(raw_column("ordered_at")).is_null(),
                fields=("ordered_at",),
            ),
        ]
        if self.spends:
            checks += [
                negative_value_check("amount"),
                Check(
                    key="missing:amount",
                    message="orders without an `amount`; their customer's spend is unknown, so the "
                    "customer is left out of repurchase value and lifetime value",
                    expr=pl.col("amount").is_null() & pl.col(raw_column("amount")).is_null(),
                    fields=("amount",),
                ),
            ]
        return checks

    def customers(self, ctx: BuildContext) -> pl.LazyFrame:
        """One row per customer and group: ``_orders`` (to date), ``_spend``, ``_repeat_spend``
        and ``_spend_known`` (every order to date had a readable, non-negative amount)."""
        group = list(dict.fromkeys([*ctx.each, "customer_id"]))
        orders = order_rows(ctx).filter(pl.col("customer_id").is_not_null() & pl.col("ordered_at").is_not_null())
        columns = [*group, "ordered_at", _ROW] + (["amount"] if self.spends else [])
        orders = orders.select(columns).sort(["customer_id", "ordered_at", _ROW])
        to_date = [pl.int_range(1, pl.len() + 1).over("customer_id").alias("_orders")]
        if self.spends:
            amount = pl.col("amount")
            known = amount.is_not_null() & (amount >= 0)
            to_date += [
                amount.fill_null(0.0).cum_sum().over("customer_id").alias("_spend"),
                pl.when(pl.int_range(pl.len()).over("customer_id") > 0).then(amount).otherwise(0.0)
                .fill_null(0.0).cum_sum().over("customer_id").alias("_repeat_spend"),
                (~known).cum_sum().over("customer_id").eq(0).alias("_spend_known"),
            ]
        orders = orders.with_columns(to_date)
        # A customer's standing in a group is the one after their last order in it (rows keep
        # their sorted order within each group).
        standing = ["_orders"] + (["_spend", "_repeat_spend", "_spend_known"] if self.spends else [])
        return orders.group_by(group).agg(pl.col(c).last() for c in standing)

    def aggregate(self, customers: pl.LazyFrame, ctx: BuildContext, value: pl.Expr, population: pl.Expr) -> pl.LazyFrame:
        """``value`` and, as the sample size, the customers in ``population``, per group."""
        aggregations = [value.cast(pl.Float64).alias("value"), population.cast(pl.Int64).sum().alias("sample_size")]
        if ctx.each:
            return customers.group_by(list(ctx.each)).agg(aggregations)
        return customers.select(aggregations)


class RepurchaseRate(_RepeatBusiness):
    name = "repurchase_rate"
    title = "Repurchase rate"
    unit = Unit.FRACTION
    description = (
        "Customers with at least 2 orders ÷ customers. Per period (`each: period`): of the "
        "customers who ordered in the period, those with 2 or more orders up to its end."
    )
    statistics = _RATE
    default_statistic = "rate"

    def build(self, ctx: BuildContext, standard: Standard) -> pl.LazyFrame:
        repeat = (pl.col("_orders") >= 2).cast(pl.Float64)
        return self.aggregate(self.customers(ctx), ctx, repeat.mean(), pl.col("_orders") > 0)


class RepurchaseFrequency(_RepeatBusiness):
    name = "repurchase_frequency"
    title = "Repurchase frequency"
    unit = Unit.COUNT
    description = (
        "Orders per repeat customer (one with at least 2 orders; per period, up to its end)."
    )
    statistics = SAMPLE_STATISTICS

    def build(self, ctx: BuildContext, standard: Standard) -> pl.LazyFrame:
        repeat = pl.col("_orders") >= 2
        value = statistic_expr(standard.statistic, pl.col("_orders").cast(pl.Float64).filter(repeat))
        return self.aggregate(self.customers(ctx), ctx, value, repeat)


class RepurchaseValue(_RepeatBusiness):
    name = "repurchase_value"
    title = "Repurchase value"
    unit = Unit.AMOUNT
    description = (
        "Spend on repeat orders (every order after a customer's first) per repeat customer "
        "(per period, up to its end)."
    )
    statistics = SAMPLE_STATISTICS
    requires = ("customer_id", "ordered_at", "amount")
    spends = True

    def build(self, ctx: BuildContext, standard: Standard) -> pl.LazyFrame:
        repeat = (pl.col("_orders") >= 2) & pl.col("_spend_known")
        value = statistic_expr(standard.statistic, pl.col("_repeat_spend").filter(repeat))
        return self.aggregate(self.customers(ctx), ctx, value, repeat)


class CustomerLifetimeValue(_RepeatBusiness):
    name = "customer_lifetime_value"
    title = "Customer lifetime value"
    unit = Unit.AMOUNT
    description = (
        "Total spend per customer over the data's span (historical; per period, up to its end)."
    )
    statistics = SAMPLE_STATISTICS
    requires = ("customer_id", "ordered_at", "amount")
    spends = True

    def build(self, ctx: BuildContext, standard: Standard) -> pl.LazyFrame:
        known = pl.col("_spend_known")
        value = statistic_expr(standard.statistic, pl.col("_spend").filter(known))
        return self.aggregate(self.customers(ctx), ctx, value, known)


METRICS: list[type[Metric]] = [
    OrderLeadTime,
    OnTimeDelivery,
    FillRate,
    OrdersFilledComplete,
    StockoutNotificationRate,
    InvoiceAccuracy,
    RepurchaseRate,
    RepurchaseFrequency,
    RepurchaseValue,
    CustomerLifetimeValue,
]
