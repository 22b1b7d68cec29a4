"""HTML report: one self-contained file (inline CSS and SVG, no script, nothing fetched).

The summary, the charts (:mod:`csaudit.render.html_charts`, from the engine's
:class:`csaudit.charts.Charts`), every standard with its groups, target, status, sample size,
calendar, baseline change and evidence, the ``--by`` breakdowns and the data-quality findings.
Every text that comes from the profile or the export is escaped.
"""

from __future__ import annotations

from html import escape

from csaudit import __version__
from csaudit.profile.model import Status
from csaudit.render.base import ReportFormat
from csaudit.render.describe import group_label, standard_details
from csaudit.render.html_charts import (
    STATUS_COLOR,
    resolution_bars,
    response_histograms,
    trend_chart,
    waiting_chart,
)
from csaudit.render.text import SUMMARY_ORDER, finding_where, summary_line
from csaudit.result import AuditResult, GroupResult, StandardResult

CSS = """
:root { --fg: #1f2328; --muted: #59636e; --line: #d1d9e0; --bg: #ffffff; --soft: #f6f8fa; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", sans-serif;
       color: var(--fg); background: var(--bg); margin: 0; padding: 24px 32px 48px; max-width: 1200px; }
h1 { font-size: 22px; margin: 0 0 4px; } h2 { font-size: 17px; margin: 32px 0 8px; border-bottom: 1px solid var(--line); padding-bottom: 4px; }
h3 { font-size: 14px; margin: 16px 0 4px; }
.muted, .meta { color: var(--muted); } .meta { margin: 0 0 12px; }
.badges { display: flex; flex-wrap: wrap; gap: 8px; margin: 12px 0; }
.badge { border-radius: 999px; padding: 2px 10px; font-weight: 600; font-size: 13px; color: #fff; }
.status { border-radius: 4px; padding: 1px 6px; font-weight: 600; font-size: 12px; color: #fff; white-space: nowrap; }
.verdict-regressed { color: #cf222e; font-weight: 600; } .verdict-improved { color: #1a7f37; }
.exit { font-weight: 600; }
table { border-collapse: collapse; width: 100%; margin: 8px 0; }
th, td { text-align: left; padding: 5px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { background: var(--soft); font-weight: 600; font-size: 13px; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.details { color: var(--muted); font-size: 12px; }
tr.standard-start td { border-top: 2px solid var(--line); }
details { margin: 2px 0 6px; } summary { cursor: pointer; color: var(--muted); font-size: 13px; }
table.evidence { width: auto; font-size: 12px; margin: 4px 0 4px 12px; }
table.evidence td, table.evidence th { padding: 2px 8px; }
.charts { display: grid; grid-template-columns: 1fr; gap: 16px; }
figure { margin: 0; border: 1px solid var(--line); border-radius: 6px; padding: 12px; overflow-x: auto; }
figcaption { font-weight: 600; margin-bottom: 6px; }
.trends { display: flex; flex-wrap: wrap; gap: 8px; }
svg.chart { font-size: 11px; max-width: 100%; height: auto; }
svg .axis { stroke: #8c959f; } svg .grid { stroke: #eaeef2; }
svg .limit { stroke: #cf222e; stroke-dasharray: 4 3; stroke-width: 1.5; }
svg .limit-label { fill: #cf222e; font-size: 11px; } svg .tick { fill: var(--muted); font-size: 10px; }
svg .muted { fill: var(--muted); } svg .series { font-weight: 600; fill: var(--fg); }
svg .track { fill: #eaeef2; } svg .legend { font-size: 11px; }
.cell-fail { color: #cf222e; font-weight: 600; } .cell-warn { color: #9a6700; font-weight: 600; }
.cell-insufficient { color: #8c959f; }
ul.findings li { margin: 4px 0; }
footer { margin-top: 40px; color: var(--muted); font-size: 12px; }
"""


def _e(text: object) -> str:
    return escape("" if text is None else str(text), quote=True)


def _status(status: Status) -> str:
    return f'<span class="status" style="background:{STATUS_COLOR[status]}">{_e(status.value)}</span>'


class HtmlFormat(ReportFormat):
    """A self-contained HTML page; the charts need the engine's chart data (``charts=True``)."""

    needs_charts = True

    def render(self, result: AuditResult) -> str:
        parts = [
            "<!DOCTYPE html>",
            '<html lang="en"><head><meta charset="utf-8">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            f"<title>csaudit · {_e(result.profile_name)} · {_e(result.input_path)}</title>",
            f"<style>{CSS}</style></head><body>",
            *self._summary(result),
            *self._charts(result),
            *self._standards(result),
            *self._breakdown(result),
            *self._findings(result),
            f"<footer>csaudit {_e(__version__)} · this file is self-contained: it needs no network to view.</footer>",
            "</body></html>",
        ]
        return "\n".join(parts) + "\n"

    def _summary(self, result: AuditResult) -> list[str]:
        counts = result.counts()
        badges = "".join(
            f'<span class="badge" style="background:{STATUS_COLOR[status]}">{counts[status.value]} {_e(label)}</span>'
            for status, label in SUMMARY_ORDER
            if counts[status.value]
        )
        out = [
            f"<h1>{_e(result.profile_title or result.profile_name)}</h1>",
            f'<p class="meta">profile <b>{_e(result.profile_name)}</b> · {_e(result.input_path)} · '
            f"{result.input_rows:,} rows</p>",
            f'<div class="badges">{badges}</div>',
            f'<p class="exit">{_e(summary_line(result))} · exit code {result.exit_code}</p>',
        ]
        if result.comparison is not None:
            c = result.comparison
            out.append(f'<p class="meta">{_e(c.summary)} (baseline {_e(c.baseline_path)}, {c.baseline_rows:,} rows)</p>')
        return out

    def _charts(self, result: AuditResult) -> list[str]:
        charts = result.charts
        if charts is None:
            return []
        targets = {sr.standard.id: sr.shown_target() for sr in result.standards}
        titles = {sr.standard.id: sr.standard.title for sr in result.standards}
        out = ['<h2>Charts</h2><div class="charts">']
        if charts.first_response:
            out.append(_figure("First response time per channel", response_histograms(charts.first_response, targets),
                               "Bars past the target's limit are red; the dashed line is the limit."))
        waiting: dict[str, list] = {}
        for series in charts.waiting:
            waiting.setdefault(series.standard_id, []).append(series)
        for standard_id, series in waiting.items():
            out.append(_figure(f"Customers waiting over time · {standard_id}", waiting_chart(standard_id, titles[standard_id], series),
                               "The most customers waiting at any moment of each interval; the dashed line is the limit."))
        if charts.resolution:
            out.append(_figure("Resolved within target, per priority", resolution_bars(charts.resolution),
                               "The tick is the target share."))
        trends = [
            trend_chart(sr, charts.trend[sr.standard.id])
            for sr in result.standards
            if sr.standard.target is not None and charts.trend.get(sr.standard.id)
        ]
        if trends:
            out.append(_figure("Trend per week", '<div class="trends">' + "".join(trends) + "</div>",
                               "Each standard per week of creation; points coloured by status, the target dashed."))
        out.append("</div>")
        return out

    def _standards(self, result: AuditResult) -> list[str]:
        baseline = result.comparison is not None
        head = "<th>Standard</th><th>Group</th><th class='num'>Value</th><th>Target</th><th>Status</th><th class='num'>n</th>"
        out = ["<h2>Standards</h2>", f"<table class='results'><thead><tr>{head}"
               + ("<th>vs baseline</th>" if baseline else "") + "</tr></thead><tbody>"]
        for sr in result.standards:
            out += _standard_rows(sr, baseline)
        out.append("</tbody></table>")
        return out

    def _breakdown(self, result: AuditResult) -> list[str]:
        if not any(sr.breakdown for sr in result.standards):
            return []
        out = [f"<h2>Breakdown by {_e(', '.join(result.by))}</h2>"]
        for sr in result.standards:
            if not sr.breakdown:
                continue
            out.append(f"<h3>{_e(sr.standard.id)} · {_e(sr.standard.title)} "
                       f"<span class='muted'>target {_e(sr.shown_target())}</span></h3>")
            out.append("<table><thead><tr><th>Group</th><th class='num'>Value</th><th>Status</th><th class='num'>n</th></tr></thead><tbody>")
            for g in sr.breakdown:
                css = {Status.FAIL: "cell-fail", Status.WARN: "cell-warn", Status.INSUFFICIENT: "cell-insufficient"}.get(g.status, "")
                out.append(
                    f"<tr><td>{_e(group_label(g.group))}</td><td class='num {css}'>{_e(sr.shown(g.value))}</td>"
                    f"<td>{_status(g.status)}</td><td class='num'>{g.sample_size:,}</td></tr>"
                )
            out.append("</tbody></table>")
        return out

    def _findings(self, result: AuditResult) -> list[str]:
        out = []
        if result.findings:
            out.append("<h2>Data quality</h2><ul class='findings'>")
            for f in result.findings:
                out.append(
                    f"<li><b>{f.count:,}</b> {'row' if f.count == 1 else 'rows'}: {_e(f.message)} "
                    f"<span class='muted'>({_e(finding_where(f))})</span></li>"
                )
            out.append("</ul>")
        notes = [*result.notes, *(f"violations of {v.standard_id}: {v.path} ({v.rows:,} rows)" for v in result.violation_files)]
        if result.comparison is not None:
            notes += [f"{r.standard_id}{' [' + group_label(r.group) + ']' if r.group else ''}: {r.text}" for r in result.comparison.removed]
        if notes:
            out.append("<h2>Notes</h2><ul>" + "".join(f"<li>{_e(n)}</li>" for n in notes) + "</ul>")
        return out


def _figure(caption: str, svg: str, note: str) -> str:
    return f"<figure><figcaption>{_e(caption)}</figcaption>{svg}<div class='muted'>{_e(note)}</div></figure>"


def _change_cell(change) -> str:
    if change is None:
        return "<td></td>"
    return f"<td class='verdict-{_e(change.verdict.value)}'>{_e(change.text)}</td>"


def _standard_rows(sr: StandardResult, baseline: bool) -> list[str]:
    std = sr.standard
    details = " · ".join(standard_details(sr))
    title = f"<b>{_e(std.title)}</b><div class='details'>{_e(details)}</div>"
    if sr.reason:
        title += f"<div class='details'><i>{_e(sr.reason)}</i></div>"
    for note in sr.notes:
        title += f"<div class='details'>note: {_e(note)}</div>"
    target = _e(sr.shown_target())
    columns = 6 + baseline
    groups: list[GroupResult | None] = list(sr.groups) or [None]
    out = []
    for i, g in enumerate(groups):
        first = i == 0
        cells = [
            f"<td>{title}</td>" if first else "<td></td>",
            f"<td>{_e(group_label(g.group) if g and g.group else ('all' if g else ''))}</td>",
            f"<td class='num'>{_e(sr.shown(g.value) if g else '—')}</td>",
            f"<td>{target}</td>" if first else "<td></td>",
            f"<td>{_status(g.status if g else sr.status)}</td>",
            f"<td class='num'>{g.sample_size if g else 0:,}</td>",
        ]
        if baseline:
            cells.append(_change_cell(g.change if g else sr.change))
        out.append(f"<tr class='{'standard-start' if first else ''}' data-standard='{_e(std.id)}'>" + "".join(cells) + "</tr>")
        evidence = [ev for ev in sr.evidence if g is not None and ev.group == g.group]
        if evidence:
            fields = list(evidence[0].fields)
            head = "".join(f"<th>{_e(f)}</th>" for f in ["row", "id", "value", *fields])
            body = "".join(
                "<tr>" + f"<td class='num'>{ev.row}</td><td>{_e(ev.id)}</td><td>{_e(ev.display)}</td>"
                + "".join(f"<td>{_e(ev.fields.get(f))}</td>" for f in fields) + "</tr>"
                for ev in evidence
            )
            where = f" in {group_label(g.group)}" if g.group else ""
            out.append(
                f"<tr class='evidence-row'><td colspan='{columns}'><details open><summary>"
                f"{len(evidence)} worst interactions{_e(where)}</summary>"
                f"<table class='evidence'><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></details></td></tr>"
            )
    return out
