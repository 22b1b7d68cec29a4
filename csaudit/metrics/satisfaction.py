"""Satisfaction: CSAT (top-2-box) and NPS. STANDARDS.md §2 "Satisfaction"."""

from __future__ import annotations

import polars as pl

from csaudit.metrics.base import Check, EvidenceDetail, Metric, RowMetric, Unit, outcome_label


class CustomerSatisfaction(RowMetric):
    name = "csat"
    title = "Customer satisfaction (top-2-box)"
    family = "satisfaction"
    unit = Unit.FRACTION
    description = "Share of answers 4–5 among answered 1–5. Not the mean."
    requires = ("csat",)
    statistics = ("rate",)
    default_statistic = "rate"

    def sample(self, present, options):
        return (pl.col("csat") >= 4).cast(pl.Float64), pl.lit(True)

    def evidence_detail(self, present, options):
        label = outcome_label(pl.col("csat") >= 4, "not satisfied", "satisfied")
        return EvidenceDetail(label, pl.col("csat"), Unit.SCORE, worse_when_higher=False)

    def checks(self, present, options):
        return [
            Check(
                key="range:csat",
                message="`csat` outside 1–5; these answers are excluded",
                expr=(pl.col("csat") < 1) | (pl.col("csat") > 5),
                fields=("csat",),
            )
        ]


class NetPromoterScore(RowMetric):
    name = "nps"
    title = "Net promoter score"
    family = "satisfaction"
    unit = Unit.POINTS
    description = "% answering 9–10 minus % answering 0–6, in points (−100..100)."
    requires = ("nps",)
    statistics = ("mean",)

    def sample(self, present, options):
        # Each answer is worth +100 (promoter), 0 (passive) or −100 (detractor); their mean is NPS.
        points = (
            pl.when(pl.col("nps") >= 9).then(100.0).when(pl.col("nps") <= 6).then(-100.0).otherwise(0.0)
        )
        return pl.when(pl.col("nps").is_not_null()).then(points), pl.lit(True)

    def evidence_detail(self, present, options):
        nps = pl.col("nps")
        label = pl.when(nps >= 9).then(pl.lit("promoter")).when(nps <= 6).then(pl.lit("detractor")).otherwise(pl.lit("passive"))
        return EvidenceDetail(label, nps, Unit.SCORE, worse_when_higher=False)

    def checks(self, present, options):
        return [
            Check(
                key="range:nps",
                message="`nps` outside 0–10; these answers are excluded",
                expr=(pl.col("nps") < 0) | (pl.col("nps") > 10),
                fields=("nps",),
            )
        ]


METRICS: list[type[Metric]] = [CustomerSatisfaction, NetPromoterScore]
