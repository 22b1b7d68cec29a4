"""JSON report, schema ``csaudit.report/1`` (documented in docs/report-json.md)."""

from __future__ import annotations

import json
from typing import Any

from csaudit import __version__
from csaudit.profile.model import Target
from csaudit.render.base import ReportFormat
from csaudit.result import (
    REPORT_SCHEMA,
    AuditResult,
    Evidence,
    GroupResult,
    StandardResult,
    json_number,
)


def _threshold(value: Any) -> Any:
    if isinstance(value, tuple):
        return [json_number(v) for v in value]
    return json_number(value)


def _target(target: Target | None) -> dict[str, Any] | None:
    if target is None:
        return None
    return {"compare": target.compare, "fail": _threshold(target.fail), "warn": _threshold(target.warn)}


def _evidence(ev: Evidence) -> dict[str, Any]:
    return {
        "row": ev.row,
        "id": ev.id,
        "value": json_number(ev.value),
        "unit": ev.unit.value if ev.unit is not None and ev.value is not None else None,
        "display": ev.display,
        "label": ev.label,
        "fields": ev.fields,
    }


def _change(change: Any) -> dict[str, Any] | None:
    if change is None:
        return None
    return {
        "verdict": change.verdict.value,
        "text": change.text,
        "previous_status": change.previous_status.value if change.previous_status is not None else None,
        "previous_value": json_number(change.previous_value),
        "delta": json_number(change.delta),
    }


def _group(sr: StandardResult, g: GroupResult) -> dict[str, Any]:
    return {
        "group": g.group or None,
        "value": json_number(g.value),
        "display": sr.shown(g.value),
        "status": g.status.value,
        "sample_size": g.sample_size,
    }


def _baseline(result: AuditResult) -> dict[str, Any] | None:
    comparison = result.comparison
    if comparison is None:
        return None
    return {
        "path": comparison.baseline_path,
        "input": comparison.baseline_input,
        "rows": comparison.baseline_rows,
        "summary": comparison.summary,
        "counts": comparison.counts,
        "removed": [
            {
                "standard_id": r.standard_id,
                "title": r.title,
                "group": r.group,
                "status": r.status.value,
                "value": json_number(r.value),
                "unit": r.unit.value,
                "text": r.text,
            }
            for r in comparison.removed
        ],
    }


def report_dict(result: AuditResult) -> dict[str, Any]:
    """The report as plain data (what ``--format json`` prints)."""
    results = []
    for sr in result.standards:
        std = sr.standard
        common = {
            "standard_id": std.id,
            "title": std.title,
            "metric": std.metric,
            "statistic": std.statistic.text,
            "unit": sr.unit.value,
            "thresholds": _target(std.target),
            "target": sr.shown_target(),
            "required": std.required,
            "filter": {k: list(v) for k, v in std.filter.items()} or None,
            "calendar": sr.calendar or None,
        }
        if not sr.groups:
            results.append(
                {
                    **common,
                    "group": None,
                    "value": None,
                    "display": "—",
                    "status": sr.status.value,
                    "sample_size": 0,
                    "min_sample": std.min_sample,
                    "reason": sr.reason or None,
                    "missing_fields": sr.missing_fields or None,
                    "notes": sr.notes,
                    "evidence": [],
                    "change": _change(sr.change),
                }
            )
        for g in sr.groups:
            results.append(
                {
                    **common,
                    **_group(sr, g),
                    "min_sample": std.min_sample,
                    "reason": None,
                    "missing_fields": None,
                    "notes": sr.notes,
                    "evidence": [_evidence(ev) for ev in sr.evidence if ev.group == g.group],
                    "change": _change(g.change),
                }
            )
    return {
        "schema": REPORT_SCHEMA,
        "csaudit_version": __version__,
        "profile": {"name": result.profile_name, "title": result.profile_title, "path": result.profile_path},
        "input": {
            "path": result.input_path,
            "rows": result.input_rows,
            "columns": result.columns,
            "timestamp_formats": result.timestamp_formats,
        },
        "summary": {
            "standards": len(result.standards),
            **{status.replace(" ", "_"): n for status, n in result.counts().items()},
            "exit_code": result.exit_code,
        },
        "standards": [
            {
                "standard_id": sr.standard.id,
                "status": sr.status.value,
                "reason": sr.reason or None,
                "change": _change(sr.change),
            }
            for sr in result.standards
        ],
        "results": results,
        "by": list(result.by),
        "breakdown": [
            {"standard_id": sr.standard.id, **_group(sr, g)} for sr in result.standards for g in sr.breakdown
        ],
        "baseline": _baseline(result),
        "violations": [
            {"standard_id": v.standard_id, "path": v.path, "rows": v.rows} for v in result.violation_files
        ],
        "findings": [
            {"key": f.key, "message": f.message, "count": f.count, "rows": f.rows, "examples": f.examples}
            for f in result.findings
        ],
        "notes": result.notes,
        "metrics": sorted({sr.standard.metric for sr in result.standards}),
    }


class JsonFormat(ReportFormat):
    def render(self, result: AuditResult) -> str:
        return json.dumps(report_dict(result), indent=2, ensure_ascii=False) + "\n"
