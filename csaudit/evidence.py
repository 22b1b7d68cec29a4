"""Evidence: the interactions behind a failed or warned standard (``--samples``), and every
interaction that missed the target (``--violations-dir``).

Which interactions, per kind of metric (docs/report-json.md, "Evidence"):

* A per-row metric (durations, counts, scores, 0/1 outcomes): rows of the standard's
  population (its filter, the metric's population, data-quality exclusions applied) that on
  their own miss the target, furthest from it first:

  - lower is better (``at_most``, ``below``): rows over the threshold, largest first;
  - higher is better (``at_least``, ``above``): rows under it, smallest first;
  - ``between``: rows outside the band on the side the value is off, furthest first;
  - ``share_within N``: rows over N, longest first (when the share is too low);
  - ``rate``: rows whose outcome counts against it (not resolved on first contact,
    abandoned, …); among those, by the metric's detail (lowest CSAT answer first …).

  The threshold is the level the result missed: ``fail`` for a failure, ``warn`` for a warning.
* Metrics that are not per row say themselves (:meth:`Metric.evidence_frame`):
  ``waiting_count`` the contacts waiting at the peak (violations: every contact that waited
  while more than the limit were waiting), ``backlog_flow`` the interactions still open at
  the end of the data, ``sigma_level`` the interactions with defects.

Ties go by row number. A grouped standard has samples for each group that failed or warned.
The samples are computed in the audit's own ``collect_all`` (a top-k per group); the
violation files need a second pass over the data, made only when asked for.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Callable

import polars as pl

from csaudit.errors import InputError
from csaudit.fields import KINDS, raw_column
from csaudit.metrics.base import BuildContext, Metric, RowMetric, Unit
from csaudit.profile.model import Standard, Status, Target
from csaudit.readers import ROW
from csaudit.render.spreadsheet import FORMULA_STARTS, safe_cell
from csaudit.result import Evidence, GroupResult, StandardResult, format_value

DEFAULT_SAMPLES = 5

#: Fields shown with each sample, as the export wrote them (when it has them), per kind of data.
EVIDENCE_FIELDS = {"interactions": ("channel", "priority", "agent"), "orders": ("customer_id", "carrier", "warehouse")}

_SHOWN = (ROW, "key", "sec", "measured", "value", "label")


@dataclass
class _Source:
    """One standard's candidates and how to read them back."""

    standard: Standard
    result: StandardResult
    keys: list[str]
    unit: Unit | None
    per_row: bool  # rows can be compared with the target's thresholds
    frame: pl.LazyFrame  # candidates: keys, side, and _SHOWN
    shows_measured: bool = False  # the value shown is the row's measured value


def _loosest(target: Target) -> Any:
    """The threshold that admits the most rows: warn is stricter than fail, so rows missing
    warn include those missing fail."""
    return target.warn if target.warn is not None else target.fail


def _sides(target: Target) -> tuple[str, ...]:
    """Which way a value can be off its target: "high" (too much) or "low" (too little)."""
    if target.compare == "between":
        return ("high", "low")
    return ("high",) if target.compare in ("at_most", "below") else ("low",)


def _misses(value: Any, side: str, compare: str, limit: Any) -> Any:
    """Whether ``value`` (a float or a polars expression) misses ``limit`` on ``side``."""
    if compare == "between":
        return value > limit[1] if side == "high" else value < limit[0]
    return {
        "at_most": lambda: value > limit,
        "below": lambda: value >= limit,
        "at_least": lambda: value < limit,
        "above": lambda: value <= limit,
    }[compare]()


def _failing_side(value: float | None, target: Target, status: Status) -> str | None:
    """The side a failed or warned value is off (for ``between``, the side of the band)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if target.compare != "between":
        return _sides(target)[0]
    limit = target.fail if status is Status.FAIL else target.warn
    return "high" if value > limit[1] else "low"


def _row_parts(metric: RowMetric, ctx: BuildContext, value: pl.Expr) -> tuple[pl.Expr, Unit | None, pl.Expr, pl.Expr]:
    """``(shown, unit, label, sec)`` of a per-row metric's evidence: the value shown, its unit,
    a label, and the secondary order (larger is worse) among rows as bad as each other."""
    detail = metric.evidence_detail(ctx.present, ctx.options)
    shown, unit = value, metric.unit
    label: pl.Expr = pl.lit(None, pl.String)
    sec: pl.Expr = pl.lit(0.0)
    if detail is not None:
        label = detail.label if detail.label is not None else label
        if detail.value is not None:
            shown, unit = detail.value, detail.unit
            sec = detail.value.cast(pl.Float64) * (1.0 if detail.worse_when_higher else -1.0)
        else:
            shown, unit = pl.lit(None, pl.Float64), None
    return shown, unit, label, sec


def _side_rows(standard: Standard, side: str, value: pl.Expr) -> tuple[pl.Expr, pl.Expr]:
    """``(misses, key)``: which rows count against a value off on ``side``, and their order."""
    stat, target = standard.statistic, standard.target
    if stat.kind == "share_within":
        # Too small a share within N: the rows over N, longest first; too large a share: the
        # rows within it, shortest first.
        if side == "low":
            return value > stat.within, value
        return value <= stat.within, -value
    return _misses(value, side, target.compare, _loosest(target)), (value if side == "high" else -value)


def _row_limit(standard: Standard, status: Status, per_row: bool, shows_measured: bool) -> Target | None:
    """The limit a shown row value missed, for the display to keep it on its side (a row at
    2h 0m 0.3s over a 2h limit must not read "2h"): share_within's duration, or the target's
    threshold where rows are compared with it; None where the value shown is not the one
    measured (a CSAT answer, a wait) or rows are not judged one by one."""
    if not shows_measured or standard.target is None:
        return None
    if standard.statistic.kind == "share_within":
        return Target("at_most", standard.statistic.within)
    if not per_row:
        return None
    return Target(standard.target.compare, standard.target.fail if status is Status.FAIL else standard.target.warn)


def _shows_measured(metric: Metric, ctx: BuildContext) -> bool:
    """Whether a per-row metric's samples show the value its statistic summarises."""
    return isinstance(metric, RowMetric) and metric.evidence_detail(ctx.present, ctx.options) is None


def _per_row(metric: Metric, standard: Standard) -> bool:
    """Whether a row's value can be compared with the target's thresholds (not for a share,
    nor when the value is transformed after aggregating)."""
    return standard.statistic.kind != "share_within" and type(metric).finalize is Metric.finalize


def _row_columns(metric: RowMetric, ctx: BuildContext, standard: Standard, side: str, value: pl.Expr) -> tuple[pl.Expr, list[pl.Expr]]:
    """``(misses, columns)`` of a per-row metric's evidence on one side."""
    shown, _, label, sec = _row_parts(metric, ctx, value)
    misses, key = _side_rows(standard, side, value)
    return misses, [
        pl.col(ROW),
        key.cast(pl.Float64).alias("key"),
        sec.cast(pl.Float64).fill_null(-math.inf).alias("sec"),
        value.cast(pl.Float64).alias("measured"),
        shown.cast(pl.Float64).alias("value"),
        label.cast(pl.String).alias("label"),
    ]


def candidates(metric: Metric, ctx: BuildContext, standard: Standard, exhaustive: bool = False,
               measured: pl.DataFrame | None = None):
    """``(frame, unit, per_row, shows_measured)``: the interactions that count against
    ``standard``, or None.

    The frame has the ``each`` keys, ``side`` (the way the standard's value must be off for
    the row to count against it), ``key`` and ``sec`` (larger is worse), ``measured`` (the
    row's value the statistic summarises, for per-row thresholds), ``value`` (shown, in
    ``unit``) and ``label``."""
    if standard.target is None:
        return None
    keys = list(ctx.each)
    custom = metric.evidence_frame(ctx, standard, exhaustive=exhaustive, measured=measured)
    if custom is not None or not isinstance(metric, RowMetric):
        if custom is None:
            return None
        frame = custom.with_columns(
            pl.col("key").cast(pl.Float64),
            pl.lit(0.0).alias("sec"),
            pl.lit(None, pl.Float64).alias("measured"),
            pl.col("value").cast(pl.Float64),
            pl.col("label").cast(pl.String),
        ).select(*keys, "side", *_SHOWN)
        return frame, metric.evidence_unit, False, False
    rows, value, population = metric.measured(ctx)
    parts = []
    for side in _sides(standard.target):
        misses, columns = _row_columns(metric, ctx, standard, side, value)
        parts.append(rows.filter(population & misses.fill_null(False)).select(*keys, pl.lit(side).alias("side"), *columns))
    frame = pl.concat(parts) if len(parts) > 1 else parts[0]
    return frame, _row_parts(metric, ctx, value)[1], _per_row(metric, standard), _shows_measured(metric, ctx)


def _worst_first(frame: pl.LazyFrame) -> pl.LazyFrame:
    return frame.sort(["key", "sec", ROW], descending=[True, True, False], nulls_last=True)


def _present_fields(present: frozenset[str], kind: str) -> list[str]:
    return [f for f in EVIDENCE_FIELDS.get(kind, ()) if f in present]


def _top(struct: pl.Expr, samples: int) -> pl.Expr:
    return struct.top_k_by([struct.struct.field("key"), struct.struct.field("sec"), struct.struct.field(ROW)],
                           samples, reverse=[False, False, True])


class EvidencePlan:
    """Samples of the standards that failed or warned, computed after the audit's
    ``collect_all`` from the canonical frame in memory (:meth:`collect`): for a per-row
    metric, a top-k per side among the aggregations of the standard's query, built again with
    them; for the others, one query (:meth:`Metric.evidence_frame`). Standards that passed
    cost nothing."""

    def __init__(self, frame: pl.LazyFrame, present: frozenset[str], samples: int = DEFAULT_SAMPLES, kind: str = "interactions"):
        self.frame, self.present, self.samples, self.kind = frame, present, samples, kind
        self.id_field = KINDS[kind].id_field
        self.shown_fields = _present_fields(present, kind)
        self.sources: list[_Source] = []  # standards with their own evidence query
        self.aggregated: list[tuple[Standard, StandardResult, list[str], Unit | None, bool, bool]] = []
        self.shown: dict[str, tuple[pl.Expr, pl.Expr]] = {}  # standard id → (label, value) expressions
        self.planned: list[tuple[Metric, BuildContext, Standard, StandardResult]] = []

    @staticmethod
    def fields(samples: int, kind: str = "interactions") -> set[str]:
        """Canonical fields the samples show (text fields: reading them adds no findings)."""
        return set(EVIDENCE_FIELDS.get(kind, ())) | {KINDS[kind].id_field} if samples else set()

    def add(self, metric: Metric, ctx: BuildContext, standard: Standard, result: StandardResult) -> None:
        """A standard whose samples :meth:`collect` may need."""
        if self.samples and standard.target is not None:
            self.planned.append((metric, ctx, standard, result))

    def collect(self, labels: dict[str, dict], collect, measured: dict[str, pl.DataFrame]) -> None:
        """The samples of every failed or warned standard; ``collect`` runs queries;
        ``measured``: each standard's collected query (what a metric's evidence may reuse)."""
        queries = []
        for metric, ctx, standard, result in self.planned:
            if any(g.status in (Status.FAIL, Status.WARN) for g in result.groups):
                query = self._plan(metric, ctx, standard, result, measured.get(standard.id))
                if query is not None:
                    queries.append(query)
        # A top-k over a whole column and a few gathers: polars' in-memory engine runs these
        # queries ~10x cheaper than its streaming default (2.3 s -> 0.25 s CPU for FCR at 10M
        # rows); the candidate frames of the other metrics (joins, filters) stream better.
        frames = collect(queries, "in-memory") if queries else []
        measured = {standard.id: frame for (standard, *_), frame in zip(self.aggregated, frames)}
        self.fill(collect(self.queries()) if self.sources else [], labels, measured)

    def _plan(self, metric: Metric, ctx: BuildContext, standard: Standard, result: StandardResult,
              measured: pl.DataFrame | None) -> pl.LazyFrame | None:
        """A per-row metric's query again, with its samples as more aggregations
        (``ctx.sample_aggregations``); for another metric, its candidates (no query)."""
        custom = metric.evidence_frame(ctx, standard, measured=measured)
        if custom is None and isinstance(metric, RowMetric) and type(metric).build is RowMetric.build:
            with_samples = replace(ctx, sample_aggregations=lambda value, population: self._aggregations(
                metric, ctx, standard, value, population))
            unit = _row_parts(metric, ctx, pl.lit(0.0))[1]
            self.aggregated.append((standard, result, list(ctx.each), unit, _per_row(metric, standard), _shows_measured(metric, ctx)))
            return metric.build(with_samples, standard)
        found = candidates(metric, ctx, standard, measured=measured)
        if found is not None:
            frame, unit, per_row, shows_measured = found
            self.sources.append(_Source(standard, result, list(ctx.each), unit, per_row, frame, shows_measured))
        return None

    def _aggregations(self, metric, ctx, standard, value, population) -> list[pl.Expr]:
        """Per side, the positions of the worst rows (a top-k on numbers), and the columns the
        samples show gathered there: only k rows of text per group are ever copied. Labels and
        shown values are computed from those columns after the collect (:meth:`fill`)."""
        shown, _, label, sec = _row_parts(metric, ctx, value)
        needed = {ROW, *(raw_column(f) for f in self.shown_fields)} | ({self.id_field} if self.id_field in self.present else set())
        needed |= set(label.meta.root_names()) | set(shown.meta.root_names())
        # A literal (no detail value: no secondary order) cannot be gathered row by row.
        ordered = bool(sec.meta.root_names())
        sec = sec.cast(pl.Float64).fill_null(-math.inf)
        out = []
        for side in _sides(standard.target):
            misses, key = _side_rows(standard, side, value)
            keep = population & misses.fill_null(False)
            # Worst first: key, then sec, then row number.
            by = [key.filter(keep), *([sec.filter(keep)] if ordered else []), pl.col(ROW).filter(keep)]
            at = pl.int_range(pl.len()).filter(keep).top_k_by(by, self.samples, reverse=[False] * (len(by) - 1) + [True])
            top = pl.struct(
                *(pl.col(c).gather(at).alias(c) for c in sorted(needed)),
                key.cast(pl.Float64).gather(at).alias("key"),
                *([sec.gather(at).alias("sec")] if ordered else []),
                value.cast(pl.Float64).gather(at).alias("measured"),
            )
            out.append((top if ctx.each else top.implode()).alias(f"__evidence_{side}"))
        self.shown[standard.id] = (label.cast(pl.String).alias("label"), shown.cast(pl.Float64).alias("value"))
        return out

    def queries(self) -> list[pl.LazyFrame]:
        """One query for the samples of the standards that are not per row: the worst rows per
        group and side (a top-k), then their id and fields looked up by row number."""
        if not self.sources:
            return []
        tops = []
        for index, source in enumerate(self.sources):
            by = [*source.keys, "side"]
            top = (
                source.frame.group_by(by)
                .agg(_top(pl.struct(_SHOWN), self.samples).alias("top"))
                .explode("top")
                .unnest("top")
                .with_columns(pl.lit(index, pl.Int32).alias("_standard"))
            )
            tops.append(top)
        found = pl.concat(tops, how="diagonal_relaxed")
        return [found.join(self._fields_frame(), on=ROW, how="left")]

    def _fields_frame(self) -> pl.LazyFrame:
        columns = [pl.col(ROW)]
        if self.id_field in self.present:
            columns.append(pl.col(self.id_field).alias("_id"))
        columns += [pl.col(raw_column(f)).alias(f"_field_{f}") for f in self.shown_fields]
        return self.frame.select(columns)

    def fill(self, frames: list[pl.DataFrame], labels: dict[str, dict], measured: dict[str, pl.DataFrame]) -> None:
        """After the standards are evaluated: the samples of each failed or warned group.
        ``measured``: each standard's collected query, by standard id."""
        fields = self.shown_fields
        for standard, result, keys, unit, per_row, shows_measured in self.aggregated:
            by_group: dict[tuple, list[dict]] = {}
            frame = measured[standard.id]
            for side in _sides(standard.target):
                column = f"__evidence_{side}"
                rows = frame.select(*keys, pl.col(column)).explode(column).drop_nulls(column).unnest(column)
                if rows.height:
                    rows = rows.with_columns(*self.shown[standard.id], pl.lit(side).alias("side"))
                for row in rows.iter_rows(named=True):
                    row["_id"] = row.get(self.id_field)
                    row.setdefault("sec", 0.0)
                    for f in fields:
                        row[f"_field_{f}"] = row.get(raw_column(f))
                    by_group.setdefault(_group_key(row, keys, labels), []).append(row)
            source = _Source(standard, result, keys, unit, per_row, pl.LazyFrame(), shows_measured)
            result.evidence = _pick(source, by_group, fields, self.samples)
        if self.sources:
            found = frames[0]
            for index, source in enumerate(self.sources):
                by_group = {}
                for row in found.filter(pl.col("_standard") == index).iter_rows(named=True):
                    by_group.setdefault(_group_key(row, source.keys, labels), []).append(row)
                source.result.evidence = _pick(source, by_group, fields, self.samples)


def _group_key(row: dict, keys: list[str], labels: dict[str, dict]) -> tuple:
    return tuple(labels.get(k, {}).get(row[k], row[k]) for k in keys)


def _pick(source: _Source, by_group: dict[tuple, list[dict]], fields: list[str], samples: int) -> list[Evidence]:
    target = source.standard.target
    evidence: list[Evidence] = []
    for group in source.result.groups:
        if group.status not in (Status.FAIL, Status.WARN):
            continue
        side = _failing_side(group.value, target, group.status)
        limit = target.fail if group.status is Status.FAIL else target.warn
        row_limit = _row_limit(source.standard, group.status, source.per_row, source.shows_measured)
        chosen = [
            r
            for r in by_group.get(tuple(group.group.get(k) for k in source.keys), [])
            if r["side"] == side
            and (not source.per_row or _misses(r["measured"], side, target.compare, limit))
        ]
        chosen.sort(key=lambda r: (-r["key"], -r["sec"], r[ROW]))
        for r in chosen[:samples]:
            evidence.append(
                Evidence(
                    row=int(r[ROW]),
                    id=r.get("_id"),
                    value=r["value"],
                    fields={f: r.get(f"_field_{f}") for f in fields},
                    group=dict(group.group),
                    label=r["label"],
                    unit=source.unit if r["value"] is not None else None,
                    limit=row_limit,
                    open_hours=source.standard.calendar is not None and source.unit is Unit.SECONDS,
                )
            )
    return evidence


# ---------------------------------------------------------------------------------------
# --violations-dir
# ---------------------------------------------------------------------------------------


@dataclass
class ViolationFile:
    """One written violations CSV."""

    standard_id: str
    path: str
    rows: int


class ViolationPlan:
    """Every interaction that missed the target of each failed standard, one CSV per standard."""

    def __init__(self, export: Any, directory: str | Path, kind: str = "interactions"):
        self.export = export
        self.id_field = KINDS[kind].id_field
        self.directory = Path(directory)
        if self.directory.exists() and not self.directory.is_dir():
            raise InputError(f"--violations-dir {directory}: is a file, not a folder")
        self.planned: list[tuple[Metric, BuildContext, Standard, StandardResult]] = []

    def add(self, metric: Metric, ctx: BuildContext, standard: Standard, result: StandardResult) -> None:
        self.planned.append((metric, ctx, standard, result))

    def write(
        self,
        labels: dict[str, dict],
        collect: Callable[[list[pl.LazyFrame]], list[pl.DataFrame]],
        progress: Callable[[str], None] | None = None,
    ) -> list[ViolationFile]:
        """Run the second pass (one ``collect``) and write the files; returns what was written."""
        jobs = []
        for metric, ctx, standard, result in self.planned:
            if result.status is not Status.FAIL or standard.target is None:
                continue
            found = candidates(metric, ctx, standard, exhaustive=True)
            failing = [g for g in result.groups if g.status is Status.FAIL]
            if found is None or not failing:
                continue
            frame, unit, per_row, shows_measured = found
            limit = _row_limit(standard, Status.FAIL, per_row, shows_measured)
            shown = (unit, limit, standard.calendar is not None)
            jobs.append((standard, shown, list(ctx.each), self._violations(frame, standard, per_row, failing, list(ctx.each), labels)))
        if not jobs:
            return []
        if progress:
            progress("writing violation files (a second pass over the data)")
        rows = pl.concat([job[3].select(ROW) for job in jobs]).unique()
        originals = self._original_columns().join(rows, on=ROW, how="semi")
        frames = collect([job[3] for job in jobs] + [originals])
        self.directory.mkdir(parents=True, exist_ok=True)
        original = frames[-1]
        written = []
        for (standard, shown, keys, _), frame in zip(jobs, frames):
            path = self.directory / f"{standard.id}.csv"
            table = self._table(frame, shown, keys, labels, original)
            _write_safe_csv(table, path)
            written.append(ViolationFile(standard.id, str(path), table.height))
        return written

    def _violations(self, frame, standard, per_row, failing: list[GroupResult], keys, labels) -> pl.LazyFrame:
        target = standard.target
        inverse = {k: {label: key for key, label in labels.get(k, {}).items()} for k in keys}
        groups = []
        for g in failing:
            row = {k: inverse[k].get(g.group.get(k), g.group.get(k)) for k in keys}
            row["side"] = _failing_side(g.value, target, Status.FAIL)
            groups.append(row)
        wanted = pl.DataFrame(groups, schema={**{k: pl.String for k in keys}, "side": pl.String}).lazy()
        frame = frame.join(wanted, on=[*keys, "side"], how="semi", nulls_equal=True)
        if per_row:
            misses = pl.lit(False)
            for side in _sides(target):
                misses = misses | ((pl.col("side") == side) & _misses(pl.col("measured"), side, target.compare, target.fail))
            frame = frame.filter(misses)
        fields = [pl.col(ROW)] + ([pl.col(self.id_field).alias("id")] if self.id_field in self.export.present else [])
        return _worst_first(frame.join(self.export.frame.select(fields), on=ROW, how="left"))

    def _original_columns(self) -> pl.LazyFrame:
        """The interaction's cells by row number: every column of the export as written; for
        cases rolled up from an event log (whose row numbers are cases, not lines), the text
        of the fields csaudit read."""
        export = self.export
        table = getattr(export, "table", None)
        if table is not None and not getattr(export, "rolled_up", False):
            return table.records
        present = [f for f in sorted(export.present) if f != self.id_field]
        return export.frame.select(ROW, *[pl.col(raw_column(f)).alias(export.columns[f]) for f in present])

    def _table(self, frame: pl.DataFrame, shown: tuple[Unit | None, Target | None, bool], keys, labels,
               original: pl.DataFrame) -> pl.DataFrame:
        columns: dict[str, Any] = {"row": frame[ROW].cast(pl.Int64)}
        if "id" in frame.columns:
            columns["id"] = frame["id"]
        for k in keys:
            columns[k] = frame[k].replace_strict(labels.get(k, {}), default=frame[k], return_dtype=pl.String)
        columns["value"] = frame["value"]
        columns["display"] = _display(frame["value"], frame["label"], *shown)
        table = pl.DataFrame(columns)
        # The export's id column is ours already; another column named like one of ours is renamed.
        same = [c for c in original.columns if c == "id" and self.export.columns.get(self.id_field) == "id"]
        cells = original.drop(same).rename({c: _free_name(c, table.columns) for c in original.columns if c not in (ROW, *same)})
        cells = cells.rename({ROW: "row"}).with_columns(pl.col("row").cast(pl.Int64))
        return table.join(cells, on="row", how="left", maintain_order="left")


def _display(values: pl.Series, labels: pl.Series, unit: Unit | None, limit: Target | None = None,
             open_hours: bool = False) -> pl.Series:
    """:attr:`Evidence.display` of many rows: each distinct value formatted once."""
    if unit is None:
        texts = pl.Series([None] * len(values), dtype=pl.String)
    else:
        distinct = {v: format_value(v, unit, limit, open_hours) for v in values.drop_nulls().unique().to_list()}
        texts = values.replace_strict(distinct, default=None, return_dtype=pl.String)
    frame = pl.DataFrame({"text": texts, "label": labels})
    return frame.select(
        pl.when(pl.col("text").is_null())
        .then(pl.col("label").fill_null("—"))
        .when(pl.col("label").is_null())
        .then(pl.col("text"))
        .otherwise(pl.format("{} ({})", "text", "label"))
    ).to_series().alias("display")


def _free_name(name: str, taken: list[str]) -> str:
    """An export column keeps its name unless one of ours has it."""
    while name in taken:
        name = f"{name} (export)"
    return name


_FORMULA = re.compile("^[" + re.escape("".join(FORMULA_STARTS)) + "]")


def _write_safe_csv(table: pl.DataFrame, path: Path) -> None:
    """Write ``table`` as UTF-8 CSV with every text cell made spreadsheet-safe
    (:func:`csaudit.render.spreadsheet.safe_cell`, applied once to each distinct risky text)."""
    text = [name for name, dtype in table.schema.items() if dtype == pl.String]
    risky = table.select(
        pl.col(name).filter(pl.col(name).str.contains(_FORMULA.pattern).fill_null(False)).unique().implode()
        for name in text
    ).row(0, named=True) if text else {}
    safe = table.with_columns(
        pl.col(name).replace({cell: safe_cell(cell) for cell in cells}) for name, cells in risky.items() if cells
    )
    safe.rename({name: safe_cell(name) for name in table.columns}).write_csv(path, line_terminator="\r\n")
