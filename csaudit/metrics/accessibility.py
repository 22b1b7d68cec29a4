"""Accessibility: effort, transfers, abandonment, clicks to first contact.

STANDARDS.md §2 "Accessibility".
"""

from __future__ import annotations

import polars as pl

from csaudit.metrics.base import (
    LIVE_CHANNELS_OPTION,
    negative_value_check,
    BuildContext,
    Check,
    EvidenceDetail,
    Metric,
    Option,
    RowMetric,
    Unit,
    abandoned_expr,
    live_channel_filter,
    outcome_label,
    queue_start_expr,
    seconds_between,
)
from csaudit.metrics.options import duration_or_none, one_of

_SCALE = {"scale": Option(one_of(5, 7), 5, "5 (original CES, lower is better) or 7 (CES 2.0, higher is better)")}


def _ces_range(options) -> Check:
    scale = options.get("scale", 5)
    return Check(
        key=f"range:ces:{scale}",
        message=f"`ces` outside 1–{scale} (the profile's scale); these answers are excluded",
        expr=(pl.col("ces") < 1) | (pl.col("ces") > scale),
        fields=("ces",),
    )


class CustomerEffortScore(RowMetric):
    name = "customer_effort_score"
    title = "Customer effort score"
    family = "accessibility"
    unit = Unit.SCORE
    description = "Mean effort answer on the profile's scale (`options: {scale: 5}` or 7)."
    requires = ("ces",)
    options = _SCALE

    def sample(self, present, options):
        return pl.col("ces"), pl.lit(True)

    def checks(self, present, options):
        return [_ces_range(options)]


class EasyEffortShare(RowMetric):
    name = "ces_easy_share"
    title = "Customers finding it easy"
    family = "accessibility"
    unit = Unit.FRACTION
    description = (
        "Share of effort answers that are 'easy': 1–2 on the 1–5 scale (lower is better), "
        "5–7 on the 1–7 CES 2.0 scale (higher is better)."
    )
    requires = ("ces",)
    statistics = ("rate",)
    default_statistic = "rate"
    options = _SCALE

    def sample(self, present, options):
        easy = pl.col("ces") <= 2 if options.get("scale", 5) == 5 else pl.col("ces") >= 5
        return easy.cast(pl.Float64), pl.lit(True)

    def evidence_detail(self, present, options):
        easy, _ = self.sample(present, options)
        worse_high = options.get("scale", 5) == 5  # on the 1–5 scale 5 is the hardest
        return EvidenceDetail(outcome_label(easy, "not easy", "easy"), pl.col("ces"), Unit.SCORE, worse_high)

    def checks(self, present, options):
        return [_ces_range(options)]



class TransfersPerIssue(RowMetric):
    name = "transfers_per_issue"
    title = "Transfers per issue"
    family = "accessibility"
    unit = Unit.COUNT
    description = "Mean `transfers` per interaction."
    requires = ("transfers",)

    def sample(self, present, options):
        return pl.col("transfers"), pl.lit(True)

    def checks(self, present, options):
        return [negative_value_check("transfers")]


class TransferRate(RowMetric):
    name = "transfer_rate"
    title = "Share transferred"
    family = "accessibility"
    unit = Unit.FRACTION
    description = "Share of interactions with at least one transfer."
    requires = ("transfers",)
    statistics = ("rate",)
    default_statistic = "rate"

    def sample(self, present, options):
        return (pl.col("transfers") > 0).cast(pl.Float64), pl.lit(True)

    def evidence_detail(self, present, options):
        label = outcome_label(pl.col("transfers") > 0, "not transferred", "transferred")
        return EvidenceDetail(label, pl.col("transfers"), Unit.COUNT)

    def checks(self, present, options):
        return [negative_value_check("transfers")]


class AbandonmentRate(RowMetric):
    name = "abandonment_rate"
    title = "Abandonment rate"
    family = "accessibility"
    unit = Unit.FRACTION
    description = (
        "Abandoned ÷ offered live contacts. With `options: {short_abandon: 5s}`, contacts that "
        "left within that time of queueing are excluded from both counts (they need "
        "`abandoned_at`; one that left before it queued is a finding, left out)."
    )
    uses = ("abandoned", "abandoned_at", "queued_at", "created_at", "channel")
    statistics = ("rate",)
    default_statistic = "rate"
    options = {
        "short_abandon": Option(duration_or_none, None, "ignore contacts that left within this time"),
        "live_channels": LIVE_CHANNELS_OPTION,
    }

    def missing_fields(self, present, options):
        if "abandoned" not in present and "abandoned_at" not in present:
            return ["abandoned"]
        if options.get("short_abandon") is None:
            return []
        missing = [] if "abandoned_at" in present else ["abandoned_at"]
        if "queued_at" not in present and "created_at" not in present:
            missing.append("queued_at")
        return missing

    def unmeasurable_reason(self, present, options):
        missing = self.missing_fields(present, options)
        if missing == ["abandoned"]:
            return "needs `abandoned` or `abandoned_at`"
        if missing:
            return "short_abandon needs " + ", ".join(f"`{f}`" for f in missing)
        return None

    def sample(self, present, options):
        abandoned = abandoned_expr(present)
        population = pl.lit(True)
        short = options.get("short_abandon")
        if short is not None:
            waited = seconds_between(queue_start_expr(present), "abandoned_at")
            # A short abandon is one we can show was short; an abandon of unknown length stays.
            # "Left within N seconds" includes N itself, as `share_within` does (<=): a contact
            # gone at exactly 5 s with short_abandon 5s is short.
            population = ~(abandoned & (waited <= short)).fill_null(False)
        return abandoned.cast(pl.Float64), population

    def checks(self, present, options):
        # With short_abandon the wait before abandoning is a duration: one that ends before it
        # starts is a wrong timestamp (a finding, left out), not a "short" abandon.
        if options.get("short_abandon") is None:
            return []
        start = "queued_at" if "queued_at" in present else "created_at"
        return [
            Check(
                key=f"negative:{start}:abandoned_at",
                message=f"`abandoned_at` is before `{start}` (negative wait before abandoning); these rows are excluded",
                expr=abandoned_expr(present) & (pl.col("abandoned_at") < queue_start_expr(present)),
                fields=(start, "abandoned_at"),
            )
        ]

    def evidence_detail(self, present, options):
        # How long an abandoning customer waited before giving up, where that is known.
        waited = seconds_between(queue_start_expr(present), "abandoned_at") if "abandoned_at" in present else None
        label = outcome_label(abandoned_expr(present), "not abandoned", "abandoned")
        return EvidenceDetail(label, waited, Unit.SECONDS)

    def rows(self, ctx: BuildContext) -> pl.LazyFrame:
        return ctx.frame.filter(live_channel_filter(ctx))


class ClicksToContact(RowMetric):
    name = "clicks_to_contact"
    title = "Clicks to first contact"
    family = "accessibility"
    unit = Unit.COUNT
    description = "Mean `clicks_to_contact` (use each: channel)."
    requires = ("clicks_to_contact",)

    def sample(self, present, options):
        return pl.col("clicks_to_contact"), pl.lit(True)

    def checks(self, present, options):
        return [negative_value_check("clicks_to_contact")]


METRICS: list[type[Metric]] = [
    CustomerEffortScore,
    EasyEffortShare,
    TransfersPerIssue,
    TransferRate,
    AbandonmentRate,
    ClicksToContact,
]
