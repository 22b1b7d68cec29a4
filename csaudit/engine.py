"""The audit engine: one lazy polars plan for the whole profile.

Every standard becomes a lazy aggregation over the same canonical frame; the data-quality
checks and the group labels are more aggregations over it. ``pl.collect_all`` runs them
together, and common-subplan elimination makes the file be scanned and parsed once.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

import polars as pl

from csaudit.business_calendar import zone_option
from csaudit.errors import InputError
from csaudit.extras import Extras, Progress
from csaudit.fields import raw_column
from csaudit.ingest import READ_ERRORS, ROW, Export, ReadOptions, describe_read_error, reads_naive
from csaudit.metrics import REGISTRY
from csaudit.metrics.base import PENDING, BuildContext, Check, RowMetric, Unit
from csaudit.metrics.speed import exported_duration
from csaudit.profile.model import Profile, Standard, Status
from csaudit.result import AuditResult, Finding, GroupResult, StandardResult
from csaudit.tables import open_tables

FINDING_ROWS = 5  # row numbers shown per finding
FINDING_EXAMPLES = 3


@dataclass
class _Planned:
    standard: Standard
    result: StandardResult
    index: int | None  # position of its frame in collect_all, None when not measured
    #: What the rows its metric cannot measure yet are (RowMetric.pending): verbs, phrase.
    pending: tuple[tuple[str, str], str] | None = None


def audit(
    profile: Profile,
    export_path: str | Path | list[str | Path] | None,
    mapping: dict[str, str] | None = None,
    strict: bool = False,
    read: ReadOptions | None = None,
    timezone: str | None = None,
    extras: Extras | None = None,
    progress: Progress | None = None,
    events: str | Path | None = None,
    agents: str | Path | None = None,
) -> AuditResult:
    """Evaluate every standard of ``profile`` on the export at ``export_path`` (a file, ``-``,
    a glob or a list of files read as one).

    ``mapping`` (canonical field → column) overrides the profile's ``mapping:`` block;
    ``read`` names the source, mapping file, sheet or encoding (csaudit.ingest.ReadOptions).
    ``strict`` turns optional standards that cannot be measured into errors and makes
    insufficient data count as a failure in the exit code. ``timezone`` (an IANA name) is
    where timestamps without an offset are read; default the profile's ``timezone:``, else UTC.
    ``extras`` asks for evidence samples (5 by default), breakdowns, chart data and violation
    files (csaudit.extras); ``progress(message)`` is told what the audit is doing.
    ``events`` (message events) and ``agents`` (agent activity) are second tables; with events,
    ``export_path`` may be None (csaudit.tables).
    """
    extras = extras or Extras()
    zone = zone_option(timezone, profile.timezone)
    combined = {f: (c, f"profile {profile.name!r} mapping") for f, c in profile.mapping.items()}
    combined.update({f: (c, f"--map {f}={c}") for f, c in (mapping or {}).items()})
    if progress:
        progress("reading the export's header")
    export, attached = open_tables(
        profile, export_path, combined, _wanted_fields(profile, _given(events, agents)) | extras.fields(profile.kind),
        events, agents, read, zone
    )
    present = export.present | attached.present
    extras.start(export, profile.kind)

    queries: list[pl.LazyFrame] = []
    planned: list[_Planned] = []
    checks: dict[str, Check] = {c.key: c for c in export.checks}
    for standard in profile.standards:
        metric = REGISTRY[standard.metric]
        unit = Unit.FRACTION if standard.statistic.yields_fraction else metric.unit
        result = StandardResult(standard=standard, unit=unit, status=Status.PASS)
        if standard.calendar is not None:
            result.calendar = standard.calendar.name
        reason, missing = unmeasurable(standard, present, export, zone)
        if reason:
            result.status = Status.ERROR if (standard.required or strict) else Status.NOT_MEASURED
            result.reason = reason
            result.missing_fields = missing
            planned.append(_Planned(standard, result, None))
            continue
        result.notes = metric.notes(present, standard.options)
        if standard.options.get("subtract"):
            result.notes.append(
                " + ".join(f"`{f}`" for f in standard.options["subtract"])
                + " subtracted from each duration as the export records it (at least 0 s remains)"
            )
        for check in metric.checks(present, standard.options):
            checks.setdefault(check.key, check)
        frame = export.frame
        if standard.filter:
            frame = frame.filter(
                pl.all_horizontal([pl.col(f).is_in(list(values)) for f, values in standard.filter.items()])
            )
        context = BuildContext(
            frame=frame,
            present=present,
            each=standard.each,
            options=standard.options,
            filter_fields=frozenset(standard.filter),
            tables=attached.tables,
            timezone=zone,
        )
        pending = metric.pending(present, standard.options) if isinstance(metric, RowMetric) else None
        planned.append(_Planned(standard, result, len(queries), pending[1:] if pending else None))
        extras.add(metric, context, standard, result)
        queries.append(metric.build(context, standard))

    grouped = sorted({f for s in profile.standards for f in s.each if f in present} | extras.label_fields)
    label_queries = [_labels(export.frame, f) for f in grouped]
    check_list = list(checks.values())
    # Each check's hits are a column, computed once; its count, first rows and examples read it.
    quality = export.frame.with_columns(
        check.expr.fill_null(False).alias(_hit(i)) for i, check in enumerate(check_list)
    ).select(
        [pl.len().alias("rows")]
        + [expr for i, check in enumerate(check_list) for expr in _check_exprs(i, check, export)]
    )
    duplicates = [_duplicate_ids(export.frame, attached.id_field)] if attached.id_field in present else []
    extra_queries = extras.queries()
    table_queries = attached.queries()
    if progress:
        progress("reading and auditing")
    frames = _collect(export, [quality, *queries, *label_queries, *extra_queries, *table_queries, *duplicates])
    quality_row, standard_frames = frames[0], frames[1 : 1 + len(queries)]
    label_frames = frames[1 + len(queries) : 1 + len(queries) + len(label_queries)]
    extra_frames = frames[1 + len(queries) + len(label_queries) :][: len(extra_queries)]
    table_findings, table_notes = attached.results(
        frames[1 + len(queries) + len(label_queries) + len(extra_queries) :][: len(table_queries)]
    )
    rows = quality_row["rows"][0]
    if rows == 0 and export.empty_rows:
        raise InputError(
            f"{export.path}: no rows with a value in the columns read "
            f"({', '.join(sorted(set(export.columns.values())))}): its {export.empty_rows:,} rows are blank "
            "there; there is nothing to audit"
        )
    if rows == 0:
        raise InputError(f"{export.path}: the file has a header but no rows; there is nothing to audit")
    labels = {f: _label_dict(f, df) for f, df in zip(grouped, label_frames)}

    for item in planned:
        if item.index is not None:
            _evaluate(item, standard_frames[item.index], labels)
            _note_pending(item, standard_frames[item.index], labels)
    _name_absent_filter_values(export, planned, labels)

    findings = []
    for i, check in enumerate(check_list):
        count = quality_row[f"c{i}"][0]
        if count:
            findings.append(
                Finding(
                    key=check.key,
                    message=check.message + export.describe_rows(quality_row[f"r{i}"][0].to_list()),
                    count=count,
                    rows=quality_row[f"r{i}"][0].to_list(),
                    examples=[v for v in quality_row[f"e{i}"][0].to_list() if v is not None],
                )
            )
    if duplicates and frames[-1]["count"][0]:
        found = frames[-1]
        findings.append(
            Finding(
                key=f"duplicate:{attached.id_field}",
                message=DUPLICATE_MESSAGE.replace("`id`", f"`{attached.id_field}`")
                + export.describe_rows(found["rows"][0].to_list()),
                count=found["count"][0],
                rows=found["rows"][0].to_list(),
                examples=found["examples"][0].to_list(),
            )
        )
    findings += table_findings
    audit_result = AuditResult(
        profile_name=profile.name,
        profile_title=profile.title,
        profile_path=profile.path,
        input_path=str(export.path),
        input_rows=rows,
        columns=dict(sorted(export.columns.items())),
        timestamp_formats=export.timestamp_formats,
        standards=[p.result for p in planned],
        findings=findings,
        notes=export.notes + table_notes,
        strict=strict,
    )
    extras.fill(extra_frames, labels, _group_results, audit_result)
    measured = {p.standard.id: standard_frames[p.index] for p in planned if p.index is not None}
    extras.finish(audit_result, lambda queries, engine="auto": _collect(export, queries, engine), progress, measured)
    return audit_result


def unmeasurable(standard: Standard, present: frozenset[str], export: Export | None, zone: str | None) -> tuple[str, list[str]]:
    """``(reason, missing fields)``: why ``standard`` cannot be measured with the fields
    ``present`` ("" when it can), one rule for ``check`` and ``inspect``: its metric's fields,
    those its filter and ``each`` name, and, for a duration in business hours, a zone for an
    ``export`` whose timestamps have no offset (``zone``: the --timezone or profile's one)."""
    metric = REGISTRY[standard.metric]
    reason = metric.unmeasurable_reason(present, standard.options) or ""
    missing = list(metric.missing_fields(present, standard.options))
    grouping = sorted((set(standard.filter) | set(standard.each)) - present)
    if grouping:
        used = "filter and each" if standard.filter and standard.each else ("filter" if standard.filter else "each")
        reason = "; ".join(filter(None, [reason, f"its {used} needs " + ", ".join(f"`{f}`" for f in grouping)]))
        missing += grouping
    if not reason and standard.calendar is not None and zone is None and export is not None:
        reason = _timezone_needed(export, standard) or ""
    return reason, missing


def _timezone_needed(export: Export, standard: Standard) -> str | None:
    """Why a business-hours standard cannot be measured: business hours are local, so a
    duration measured in them needs instants, and timestamps without an offset need the zone
    their clock shows. Like any unmeasurable standard, an error when required (or --strict),
    else "not measured" with this reason, so the rest of the profile is still audited."""
    metric = REGISTRY[standard.metric]
    pair = getattr(metric, "pair", None)
    if pair and exported_duration(export.present, *pair, standard.options):
        return None  # the export's own business-time duration is used: no instants needed
    naive = [f for f in metric.duration_fields if reads_naive(export.timestamp_formats.get(f, ""))]
    if not naive:
        return None
    calendar = standard.calendar
    columns = " and ".join(f"`{f}` (column {export.columns[f]!r})" for f in naive)
    return (
        f"measures {metric.name} in the business hours of calendar "
        f"{calendar.name!r} ({calendar.describe()}), but {columns} "
        f"{'has' if len(naive) == 1 else 'have'} no UTC offset, so which instants they are is unknown. "
        f"Say which time zone the export's clock shows: --timezone {calendar.timezone} (any IANA name; "
        "--timezone UTC if it is UTC), or `timezone:` in the profile"
    )


def _given(events, agents) -> frozenset[str]:
    return frozenset(name for name, path in (("events", events), ("agents", agents)) if path is not None)


def _wanted_fields(profile: Profile, given: frozenset[str] = frozenset({"events", "agents"})) -> set[str]:
    """The canonical fields the profile can use. A standard whose second table is not
    ``given`` cannot be measured: of its fields only those it requires are read (its "not
    measured" reason names the ones the export lacks); the columns it would merely use are not."""
    wanted = {"id"}
    for standard in profile.standards:
        metric = REGISTRY[standard.metric]
        if metric.second_table is not None and metric.second_table not in given:
            wanted |= set(metric.requires)
        else:
            wanted |= metric.fields(standard.options)
        wanted |= set(standard.filter) | set(standard.each)
    return wanted


def _hit(i: int) -> str:
    return f"__hit{i}"


def _check_exprs(i: int, check: Check, export: Export) -> Iterable[pl.Expr]:
    hit = pl.col(_hit(i))
    # The positions of the first hits are found once; rows and examples (the cells as the
    # export wrote them, Export.cell_text) are gathered there.
    first = hit.arg_true().head(FINDING_ROWS)
    example = export.cell_text(check.fields[-1], first.head(FINDING_EXAMPLES))
    yield hit.cast(pl.Int64).sum().alias(f"c{i}")
    yield pl.col(ROW).gather(first).implode().alias(f"r{i}")
    yield example.implode().alias(f"e{i}")


DUPLICATE_KEY = "duplicate:id"
DUPLICATE_MESSAGE = "rows whose `id` appears more than once (every copy is counted in the metrics)"


def _labels(frame: pl.LazyFrame, field: str) -> pl.LazyFrame:
    """Each group key's label: the spelling its rows wrote most often (ties: the first in
    text order). Counting (key, spelling) pairs costs less than a mode per group."""
    raw = raw_column(field)
    pairs = frame.filter(pl.col(raw).is_not_null()).group_by([field, raw]).agg(pl.len().alias("n"))
    ranked = pairs.sort([field, "n", raw], descending=[False, True, False], nulls_last=True)
    return ranked.group_by(field, maintain_order=True).agg(pl.col(raw).first().alias("label"))


def _label_dict(field: str, frame: pl.DataFrame) -> dict:
    """A collected :func:`_labels` query as key → label."""
    return {key: label for key, label in zip(frame[field].to_list(), frame["label"].to_list()) if label is not None}


def _duplicate_ids(frame: pl.LazyFrame, key: str = "id") -> pl.LazyFrame:
    """Rows sharing an id: count, first row numbers, first ids. The ids are grouped by a
    64-bit hash first (grouping integers costs half of grouping text on 10M ids); only the ids
    whose hash repeats are grouped by their text, so a collision cannot make a duplicate."""
    hashed = frame.select(ROW, key, pl.col(key).hash().alias("__hash"))
    repeated_hash = hashed.group_by("__hash").agg(pl.len().alias("copies")).filter(pl.col("copies") > 1)
    candidates = hashed.join(repeated_hash.select("__hash"), on="__hash", how="semi")
    repeated = candidates.group_by(key).agg(pl.len().alias("copies")).filter(pl.col("copies") > 1)
    rows = candidates.join(repeated.select(key), on=key, how="semi").sort(ROW)
    return rows.select(
        pl.len().alias("count"),
        pl.col(ROW).head(FINDING_ROWS).implode().alias("rows"),
        pl.col(key).head(FINDING_EXAMPLES).implode().alias("examples"),
    )


def _collect(export: Export, queries: list[pl.LazyFrame], engine: str = "auto") -> list[pl.DataFrame]:
    try:
        return pl.collect_all(queries, engine=engine)
    except READ_ERRORS as exc:
        raise describe_read_error(export, exc) from None


def _label(labels: dict[str, dict], key: str, value):
    """A group key's value as the export spells it most (the key itself when unlabelled)."""
    return labels.get(key, {}).get(value, value)


def _group_results(standard: Standard, frame: pl.DataFrame, labels: dict[str, dict]) -> list[GroupResult]:
    """The groups of one standard's collected frame, in key order, each with its status."""
    metric = REGISTRY[standard.metric]
    keys = list(standard.each)
    if keys:
        frame = frame.sort(keys, nulls_last=True)
    groups = []
    for row in frame.iter_rows(named=True):
        value = metric.finalize(row["value"], standard.options)
        size = int(row["sample_size"] or 0)
        if size < standard.min_sample:
            status = Status.INSUFFICIENT
        elif standard.target is None:
            status = Status.INFO
        else:
            status = standard.target.evaluate(value)
        group = {k: _label(labels, k, row[k]) for k in keys}
        groups.append(GroupResult(group=group, value=value, sample_size=size, status=status))
    return groups


def _note_pending(item: _Planned, frame: pl.DataFrame, labels: dict[str, dict]) -> None:
    """How many rows of the standard's population its metric could not measure yet (its
    :meth:`~csaudit.metrics.base.RowMetric.pending` rows), per group when grouped."""
    if PENDING not in frame.columns or item.pending is None:
        return
    total = int(frame[PENDING].sum() or 0)
    if not total:
        return
    standard = item.standard
    measured = int(frame["sample_size"].sum() or 0)
    (one, several), what = item.pending
    note = (
        f"{total:,} interaction{'' if total == 1 else 's'} in scope {one if total == 1 else several} {what} "
        f"and {'is' if total == 1 else 'are'} left out; {measured:,} {'is' if measured == 1 else 'are'} measured"
    )
    keys = list(standard.each)
    if keys and frame.height > 1:
        rows = frame.filter(pl.col(PENDING) > 0).sort(keys, nulls_last=True).iter_rows(named=True)
        parts = [" · ".join(f"{_label(labels, k, r[k])}" for k in keys) + f" {r[PENDING]:,}" for r in rows]
        note += " (" + ", ".join(parts[:8]) + (" …" if len(parts) > 8 else "") + ")"
    item.result.notes.append(note)


def _name_absent_filter_values(export: Export, planned: list[_Planned], labels: dict[str, dict]) -> None:
    """A standard left with no data whose filter names a value no row has (a typo such as
    ``channel: chta``) says so, with the values the export has: its values are counted only
    then, in one more small query."""
    empty = [p for p in planned if p.index is not None and p.standard.filter and p.result.status is Status.INSUFFICIENT
             and all(g.sample_size == 0 for g in p.result.groups)]
    fields = sorted({f for p in empty for f in p.standard.filter if f not in labels})
    if fields:
        found = _collect(export, [_labels(export.frame, f) for f in fields])
        labels = {**labels, **{f: _label_dict(f, df) for f, df in zip(fields, found)}}
    for item in empty:
        for field, values in item.standard.filter.items():
            seen = labels.get(field, {})
            if any(v in seen for v in values):
                continue
            shown = sorted(seen.values(), key=str.casefold)
            listed = ", ".join(shown[:10]) + (" …" if len(shown) > 10 else "") if shown else "none"
            item.result.reason += (
                f"; no interaction has {field} {' or '.join(repr(v) for v in values)} "
                f"(the export's {field} values: {listed})"
            )


def _evaluate(item: _Planned, frame: pl.DataFrame, labels: dict[str, dict]) -> None:
    standard, result = item.standard, item.result
    keys = list(standard.each)
    result.groups = _group_results(standard, frame, labels)
    if not result.groups:
        result.status = Status.INSUFFICIENT
        result.reason = "no interactions match this standard's filter"
        return
    result.status = max((g.status for g in result.groups), key=lambda s: s.rank)
    if result.status is Status.INSUFFICIENT:
        small = [g for g in result.groups if g.status is Status.INSUFFICIENT]
        where = f" in {len(small)} of {len(result.groups)} groups" if keys else ""
        if standard.min_sample == 1:
            result.reason = f"no measured interactions{where}"
        else:
            result.reason = f"fewer than {standard.min_sample} measured interactions (the minimum sample){where}"
