"""Accuracy: first contact resolution, resolution rate, errors, DPMO and sigma level.

STANDARDS.md §2 "Accuracy".
"""

from __future__ import annotations

from statistics import NormalDist

import polars as pl

from csaudit.metrics.base import (
    Check,
    EvidenceDetail,
    Metric,
    Option,
    RowMetric,
    Unit,
    abandoned_expr,
    negative_value_check,
    outcome_label,
    parsed_or_unknown,
)
from csaudit.metrics.options import positive_number

_RATE = ("rate",)


def _resolved() -> pl.Expr:
    """Resolved: a `resolved_at` is given; unknown when that cell is unreadable."""
    return parsed_or_unknown("resolved_at", pl.col("resolved_at").is_not_null())


class FirstContactResolution(RowMetric):
    name = "first_contact_resolution"
    title = "First contact resolution"
    family = "accuracy"
    unit = Unit.FRACTION
    description = (
        "Share of non-abandoned interactions resolved on first contact. Uses the "
        "`first_contact_resolution` flag where the export has one; otherwise (and for rows "
        "where the flag is empty) resolved AND contacts <= 1 AND reopens == 0 (a negative count "
        "leaves the row out, with a finding)."
    )
    uses = ("first_contact_resolution", "resolved_at", "contacts", "reopens", "abandoned", "abandoned_at")
    statistics = _RATE
    default_statistic = "rate"

    _derived = ("resolved_at", "contacts", "reopens")

    def missing_fields(self, present, options):
        if "first_contact_resolution" in present:
            return []
        derived_missing = [f for f in self._derived if f not in present]
        return ["first_contact_resolution", *derived_missing] if derived_missing else []

    def unmeasurable_reason(self, present, options):
        missing = self.missing_fields(present, options)[1:]
        if not missing:
            return None
        return (
            "needs `first_contact_resolution`, or all of `resolved_at`, `contacts` and `reopens` "
            "to derive it (missing: " + ", ".join(f"`{f}`" for f in missing) + ")"
        )

    def sample(self, present, options):
        derived = None
        if all(f in present for f in self._derived):
            # Kleene logic: an unresolved row is False whatever the counts; a resolved row with
            # an unknown count is unknown (null) and so left out.
            derived = (
                _resolved()
                & (pl.col("contacts") <= 1)
                & (pl.col("reopens") == 0)
            )
        if "first_contact_resolution" in present:
            value = pl.col("first_contact_resolution")
            if derived is not None:
                # Only an *empty* flag falls back to the rule; an unreadable one is left out.
                value = value.fill_null(parsed_or_unknown("first_contact_resolution", derived))
        else:
            value = derived
        return value.cast(pl.Float64), ~abandoned_expr(present)

    def checks(self, present, options):
        # A negative count is a wrong cell, not "first contact" (contacts -1 <= 1 passed the
        # rule): rows the rule decides are left out, as every metric leaves out negative counts.
        if not all(f in present for f in self._derived):
            return []
        by_rule = pl.col("first_contact_resolution").is_null() if "first_contact_resolution" in present else pl.lit(True)
        return [
            Check(
                key=f"negative:{name}:fcr-rule",
                message=f"`{name}` is negative; these rows are excluded from first contact resolution",
                expr=by_rule & (pl.col(name) < 0),
                fields=(name,),
            )
            for name in ("contacts", "reopens")
        ]

    def evidence_detail(self, present, options):
        value, _ = self.sample(present, options)
        return EvidenceDetail(outcome_label(value, "not resolved on first contact", "resolved on first contact"))


class ResolutionRate(RowMetric):
    name = "resolution_rate"
    title = "Resolution rate"
    family = "accuracy"
    unit = Unit.FRACTION
    description = "Resolved ÷ non-abandoned interactions (customer success rate)."
    requires = ("resolved_at",)
    uses = ("abandoned", "abandoned_at")
    statistics = _RATE
    default_statistic = "rate"

    def sample(self, present, options):
        return _resolved().cast(pl.Float64), ~abandoned_expr(present)

    def evidence_detail(self, present, options):
        return EvidenceDetail(outcome_label(_resolved(), "unresolved", "resolved"))



class ErrorRate(RowMetric):
    name = "error_rate"
    title = "Errors per interaction"
    family = "accuracy"
    unit = Unit.COUNT
    description = "Mean `errors` (QA defects) per interaction."
    requires = ("errors",)

    def sample(self, present, options):
        return pl.col("errors"), pl.lit(True)

    def checks(self, present, options):
        return [negative_value_check("errors")]


_OPPORTUNITIES = {
    "opportunities": Option(positive_number, 1.0, "defect opportunities per interaction"),
}


class DefectsPerMillion(RowMetric):
    name = "dpmo"
    title = "Defects per million opportunities"
    family = "accuracy"
    unit = Unit.DPMO
    description = "errors ÷ (interactions × opportunities) × 10⁶ (`options: {opportunities: N}`, default 1)."
    requires = ("errors",)
    statistics = ("mean",)
    options = _OPPORTUNITIES

    def sample(self, present, options):
        per_row = pl.col("errors") / options.get("opportunities", 1.0) * 1_000_000
        return per_row, pl.lit(True)

    def evidence_detail(self, present, options):
        return EvidenceDetail(value=pl.col("errors"), unit=Unit.COUNT)  # a row's DPMO says little

    def checks(self, present, options):
        return [negative_value_check("errors")]


class SigmaLevel(DefectsPerMillion):
    name = "sigma_level"
    title = "Sigma level"
    unit = Unit.SIGMA
    description = (
        "Process sigma from DPMO with the conventional 1.5σ shift: Φ⁻¹(1 − DPMO/10⁶) + 1.5. "
        "No defects gives an infinite sigma level."
    )

    evidence_unit = Unit.COUNT

    def evidence_frame(self, ctx, standard, exhaustive=False, measured=None):
        """The sigma level falls as defects rise: when it is too low, the interactions with
        defects, most first (its thresholds are not in per-row units)."""
        from csaudit.ingest import ROW

        rows, _, population = self.measured(ctx)
        errors = pl.col("errors")
        return rows.filter(population & (errors > 0)).select(
            *ctx.each, ROW, pl.lit("low").alias("side"), errors.alias("key"), errors.alias("value"),
            pl.lit(None, pl.String).alias("label"),
        )

    def finalize(self, value, options):
        if value is None:
            return None
        share_good = 1 - value / 1_000_000
        if share_good >= 1:
            return float("inf")
        if share_good <= 0:
            return float("-inf")
        return NormalDist().inv_cdf(share_good) + 1.5


METRICS: list[type[Metric]] = [
    FirstContactResolution,
    ResolutionRate,
    ErrorRate,
    DefectsPerMillion,
    SigmaLevel,
]
