"""GitHub-flavoured Markdown report: a summary line and one table row per standard and group.

Made for ``$GITHUB_STEP_SUMMARY`` (and merge-request comments): every piece of text that
comes from a profile or an export is escaped, so a title or an agent's name cannot break
the table or inject links or HTML.
"""

from __future__ import annotations

import re

from csaudit.profile.model import Status
from csaudit.render.base import ReportFormat
from csaudit.render.describe import evidence_for, evidence_line, group_label, standard_details
from csaudit.render.text import summary_line
from csaudit.result import AuditResult, StandardResult

STATUS_ICON = {
    Status.PASS: "✅",
    Status.INFO: "ℹ️",
    Status.WARN: "⚠️",
    Status.INSUFFICIENT: "❔",
    Status.NOT_MEASURED: "➖",
    Status.FAIL: "❌",
    Status.ERROR: "⛔",
}

# Characters Markdown or the table syntax could read as markup; GFM lets any ASCII
# punctuation be escaped with a backslash.
_MARKUP = re.compile(r"([\\`*_\[\]<>|~&#!])")
_LINE_BREAKS = re.compile(r"\r\n|\r|\n")


def md(text: object) -> str:
    """Text as literal Markdown inside a table cell: markup escaped, line breaks as spaces."""
    return _MARKUP.sub(r"\\\1", _LINE_BREAKS.sub(" ", str(text)))


def _status(status: Status) -> str:
    return f"{STATUS_ICON[status]} {status.value}"


class MarkdownFormat(ReportFormat):
    def render(self, result: AuditResult) -> str:
        compared = result.comparison is not None
        lines = [
            f"### csaudit · profile {md(result.profile_name)} ({md(result.profile_title)})",
            "",
            f"{md(result.input_path)} · {result.input_rows:,} rows"
            + (f" · compared with baseline {md(result.comparison.baseline_path)}" if compared else ""),
            "",
            f"**{md(summary_line(result))}** · exit code {result.exit_code}"
            + (f" · {md(result.comparison.summary)}" if compared else ""),
            "",
            "| Status | Standard | Group | Value | Target | n |" + (" Since baseline |" if compared else ""),
            "|---|---|---|--:|---|--:|" + ("---|" if compared else ""),
        ]
        for sr in result.standards:
            lines.extend(self._rows(sr, compared))
        lines.extend(self._breakdown(result))
        lines.extend(self._evidence(result))
        if compared and result.comparison.removed:
            lines += ["", "**Removed since the baseline**", ""]
            for gone in result.comparison.removed:
                where = f" · {md(group_label(gone.group))}" if gone.group is not None else ""
                lines.append(f"- `{gone.standard_id}` {md(gone.title)}{where}: {md(gone.text)}")
        if result.findings:
            lines += ["", "**Data quality**", ""]
            for f in result.findings:
                rows = ", ".join(str(r) for r in f.rows) + (", …" if f.count > len(f.rows) else "")
                examples = f"; e.g. {', '.join(repr(e) for e in f.examples)}" if f.examples else ""
                lines.append(f"- {f.count:,} {'row' if f.count == 1 else 'rows'}: {md(f.message)} (rows {rows}{md(examples)})")
        for note in result.notes:
            lines += ["", f"Note: {md(note)}"]
        return "\n".join(lines) + "\n"

    def _rows(self, sr: StandardResult, compared: bool) -> list[str]:
        std = sr.standard
        title = f"**{md(std.title)}**<br>" + " · ".join(
            f"`{d}`" if i == 0 else md(d) for i, d in enumerate(standard_details(sr))
        )
        if sr.reason:
            title += f"<br>*{md(sr.reason)}*"
        target = md(sr.shown_target())
        if not sr.groups:
            cells = [_status(sr.status), title, "", "—", target, "0"]
            if compared:
                cells.append(md(sr.change.text) if sr.change else "")
            return ["| " + " | ".join(cells) + " |"]
        out = []
        for i, g in enumerate(sr.groups):
            cells = [
                _status(g.status),
                title if i == 0 else "",
                md(group_label(g.group)),
                md(sr.shown(g.value)),
                target if i == 0 else "",
                f"{g.sample_size:,}",
            ]
            if compared:
                cells.append(md(g.change.text) if g.change else "")
            out.append("| " + " | ".join(cells) + " |")
        return out

    def _breakdown(self, result: AuditResult) -> list[str]:
        rows = [(sr, g) for sr in result.standards for g in sr.breakdown]
        if not rows:
            return []
        by = ", ".join(result.by) or "group"
        lines = ["", f"**By {md(by)}**", "", "| Status | Standard | Group | Value | n |", "|---|---|---|--:|--:|"]
        for sr, g in rows:
            lines.append(
                f"| {_status(g.status)} | `{sr.standard.id}` | {md(group_label(g.group))} "
                f"| {md(sr.shown(g.value))} | {g.sample_size:,} |"
            )
        return lines

    def _evidence(self, result: AuditResult) -> list[str]:
        shown = [sr for sr in result.standards if sr.evidence]
        if not shown:
            return []
        lines = ["", "**Worst interactions**", ""]
        for sr in shown:
            # One line per failed or warned group, named, so that a group's interactions are
            # not read as another's.
            named = [g for g in sr.groups if g.group and evidence_for(sr, g)]
            for g in named or [None]:
                where = f" · {md(group_label(g.group))}" if g is not None else ""
                rows = "; ".join(md(evidence_line(ev)) for ev in (evidence_for(sr, g) if g is not None else sr.evidence))
                lines.append(f"- `{sr.standard.id}` {md(sr.standard.title)}{where}: {rows}")
        return lines
