"""What an audit computes beyond each standard's value: evidence samples (``--samples``),
breakdowns (``--by``), chart data (the HTML report) and violation files (``--violations-dir``).

The engine hands every planned standard to :meth:`Extras.add`, runs :meth:`Extras.queries`
in its own ``collect_all``, and gives the results back to :meth:`Extras.fill` once the
standards are evaluated. :meth:`Extras.finish` then queries the canonical frame (in memory)
again for what depends on the statuses: the samples of failed and warned standards, and the
violation files when asked for.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Callable

import polars as pl

from csaudit.breakdown import CLOCK_START, BreakdownPlan, Evaluate, by_fields, parse_by
from csaudit.charts import ChartPlan
from csaudit.errors import InputError
from csaudit.evidence import DEFAULT_SAMPLES, EvidencePlan, ViolationPlan
from csaudit.metrics.base import BuildContext, Metric
from csaudit.profile.model import Standard
from csaudit.result import StandardResult

if TYPE_CHECKING:
    from csaudit.ingest import Export
    from csaudit.result import AuditResult

#: ``progress(message)``: told what the audit is doing, for a display on a terminal.
Progress = Callable[[str], None]


class Extras:
    def __init__(
        self,
        samples: int = DEFAULT_SAMPLES,
        by: tuple[str, ...] | list[str] = (),
        charts: bool = False,
        violations_dir: str | Path | None = None,
    ):
        if samples < 0:
            raise InputError(f"--samples {samples}: give 0 (no samples) or more")
        self.samples, self.by, self.charts = samples, parse_by(list(by)), charts
        self.violations_dir = violations_dir
        self.plans: list = []

    def fields(self, kind: str = "interactions") -> set[str]:
        """Canonical fields to read besides the profile's (text fields and, for periods and
        charts, when each interaction began)."""
        shown = self.samples or self.violations_dir is not None
        charts = {CLOCK_START[kind]} if self.charts and kind in CLOCK_START else set()
        return EvidencePlan.fields(1 if shown else 0, kind) | by_fields(self.by, kind) | charts

    def start(self, export: "Export", kind: str = "interactions") -> None:
        present = export.present
        self.evidence = EvidencePlan(export.frame, present, self.samples, kind)
        self.breakdown = BreakdownPlan(self.by, present, kind, export.timezone)
        self.chart_plan = ChartPlan(export.frame, present, export.timezone) if self.charts and kind == "interactions" else None
        self.violations = ViolationPlan(export, self.violations_dir, kind) if self.violations_dir is not None else None

    @property
    def label_fields(self) -> set[str]:
        return self.breakdown.label_fields

    def add(self, metric: Metric, ctx: BuildContext, standard: Standard, result: StandardResult) -> None:
        """Called before the standard's own query is built (the evidence may extend it)."""
        for plan in (self.evidence, self.breakdown, self.chart_plan, self.violations):
            if plan is not None:
                plan.add(metric, ctx, standard, result)

    def queries(self) -> list[pl.LazyFrame]:
        self._parts = [self.breakdown.queries()]
        self._parts.append(self.chart_plan.queries() if self.chart_plan else [])
        return [q for part in self._parts for q in part]

    def fill(
        self,
        frames: list[pl.DataFrame],
        labels: dict[str, dict],
        evaluate: Evaluate,
        result: "AuditResult",
    ) -> None:
        """``frames``: the results of :meth:`queries`."""
        sizes = [len(part) for part in self._parts]
        breakdown, charts = (frames[sum(sizes[:i]) : sum(sizes[: i + 1])] for i in range(2))
        self.breakdown.fill(breakdown, labels, evaluate)
        result.by = self.by
        if self.chart_plan is not None:
            result.charts = self.chart_plan.fill(charts, labels, evaluate, result)
        self.labels = labels

    def finish(
        self, result: "AuditResult", collect, progress: Progress | None = None, measured: dict[str, pl.DataFrame] | None = None
    ) -> None:
        """After the standards are evaluated, from the canonical frame in memory: the samples
        of the failed and warned ones, and violation files when asked for. ``collect`` runs
        queries; ``measured`` is each standard's collected query, by standard id."""
        self.evidence.collect(self.labels, collect, measured or {})
        if self.violations is not None:
            result.violation_files = self.violations.write(self.labels, collect, progress)
