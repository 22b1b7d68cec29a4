"""CSV report: one row per standard × group, for spreadsheets and scripts.

Columns (fixed, whatever the options): ``value`` is machine-readable in ``unit`` (seconds,
fraction 0–1, …; ``inf`` for infinity, empty when nothing was measured) and
``value_display`` as the text report shows it. ``by`` is empty for a result and names the
``--by`` grouping for a breakdown row. The baseline columns are empty without
``--baseline``; a standard or group the baseline has and this audit has not gets a row with
``change`` = ``removed``.
"""

from __future__ import annotations

from csaudit.profile.model import Status
from csaudit.render.base import ReportFormat
from csaudit.render.describe import evidence_for, evidence_line, group_label, result_rows
from csaudit.render.spreadsheet import csv_text
from csaudit.result import AuditResult

HEADER = (
    "standard_id",
    "title",
    "metric",
    "statistic",
    "group",
    "by",
    "unit",
    "value",
    "value_display",
    "target",
    "status",
    "sample_size",
    "calendar",
    "reason",
    "evidence",
    "change",
    "baseline_status",
    "baseline_value",
    "delta",
)


class CsvFormat(ReportFormat):
    def render(self, result: AuditResult) -> str:
        rows = []
        for row in result_rows(result):
            sr, g = row.sr, row.group
            std = sr.standard
            change = (g.change if g is not None else sr.change) if not row.by else None
            status = (g or sr).status
            shown = evidence_for(sr, g) if status in (Status.FAIL, Status.WARN) and not row.by else []
            rows.append(
                [
                    std.id,
                    std.title,
                    std.metric,
                    std.statistic.text,
                    group_label(g.group if g else None, whole=""),
                    row.by,
                    sr.unit.value,
                    g.value if g else None,
                    sr.shown(g.value if g else None),
                    sr.shown_target(),
                    status.value,
                    g.sample_size if g else 0,
                    sr.calendar,
                    sr.reason if g is None or status is Status.INSUFFICIENT else "",
                    "; ".join(evidence_line(ev) for ev in shown),
                    change.verdict.value if change else "",
                    change.previous_status.value if change and change.previous_status else "",
                    change.previous_value if change else None,
                    change.delta if change else None,
                ]
            )
        if result.comparison is not None:
            for gone in result.comparison.removed:
                rows.append(
                    [gone.standard_id, gone.title, "", "", group_label(gone.group, whole=""), "", gone.unit.value]
                    + [None, "", "", "", None, "", "", "", "removed", gone.status.value, gone.value, None]
                )
        return csv_text(HEADER, rows)
