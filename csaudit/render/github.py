"""GitHub Actions workflow commands: annotations on the run's summary page (and on the
profile file, when it is in the repository).

One annotation per standard, not per group: GitHub shows at most 10 errors and 10 warnings
per step, and a standard failing on 40 agents is one problem. ``::error`` for a standard
that fails the audit (see :mod:`csaudit.gate`) or cannot be measured; ``::warning`` for a
warn, for a failure that ``--fail-on regression`` lets pass (the baseline had it), and for
each data-quality finding; ``::notice`` for
insufficient data, not measured, a result that regressed against the baseline without
failing, and one closing summary line.

Escaping follows GitHub's toolkit (``@actions/core`` command.ts): in the message ``%``, CR
and LF become ``%25``, ``%0D``, ``%0A``; in property values also ``:`` → ``%3A`` and
``,`` → ``%2C``.
"""

from __future__ import annotations

from pathlib import Path

from csaudit.baseline import Verdict
from csaudit.gate import counts_as_failing, failures
from csaudit.profile.model import Status
from csaudit.render.base import ReportFormat
from csaudit.render.describe import calendar_label, evidence_for, evidence_line, group_label, measurement
from csaudit.render.text import summary_line
from csaudit.result import AuditResult, GroupResult, StandardResult

GROUPS_SHOWN = 10  # groups listed per annotation; the rest are counted


def escape_data(text: str) -> str:
    """A workflow command's message."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """A workflow command's property value (``title=``, ``file=``)."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def workflow_command(command: str, message: str, **properties: str) -> str:
    """``::error title=…::message`` as one line."""
    props = ",".join(f"{k}={escape_property(v)}" for k, v in properties.items() if v)
    return f"::{command}{' ' + props if props else ''}::{escape_data(message)}"


def _profile_location(sr: StandardResult) -> dict[str, str]:
    """``file`` and ``line`` of the standard in its profile, for a profile given by a relative
    path (a file in the repository); built-in profiles live in the installed package."""
    place = sr.standard.location.rpartition(":")[0]  # drop the column
    file, _, line = place.rpartition(":")
    if not file or Path(file).is_absolute() or not line.isdigit():
        return {}
    return {"file": Path(file).as_posix(), "line": line}


class GithubFormat(ReportFormat):
    def render(self, result: AuditResult) -> str:
        lines = []
        gating = {sr.standard.id for sr, _ in failures(result)}  # what makes the audit exit 1
        for sr in result.standards:
            line = self._standard(result, sr, sr.standard.id in gating)
            if line:
                lines.append(line)
        for f in result.findings:
            rows = ", ".join(str(r) for r in f.rows) + (", …" if f.count > len(f.rows) else "")
            examples = f"; e.g. {', '.join(repr(e) for e in f.examples)}" if f.examples else ""
            lines.append(
                workflow_command(
                    "warning",
                    f"{f.count:,} {'row' if f.count == 1 else 'rows'} of {result.input_path}: {f.message} (rows {rows}{examples})",
                    title="csaudit data quality",
                )
            )
        summary = f"profile {result.profile_name}, {result.input_path}: {summary_line(result)}; exit code {result.exit_code}"
        if result.comparison is not None:
            summary += f"; {result.comparison.summary}"
            gone = [r for r in result.comparison.removed if r.group is None]
            if gone:
                summary += " (removed: " + ", ".join(r.standard_id for r in gone) + ")"
        lines.append(workflow_command("notice", summary, title="csaudit"))
        return "\n".join(lines) + "\n"

    def _standard(self, result: AuditResult, sr: StandardResult, gating: bool) -> str | None:
        std = sr.standard
        where = _profile_location(sr)
        title = f"{std.title} ({std.id})"
        if sr.status is Status.ERROR:
            how = " ".join(f"--map {f}=COLUMN" for f in sr.missing_fields)
            message = f"cannot be measured: {sr.reason}." + (f" Map the column(s) with {how}." if how else "")
            return workflow_command("error", message, title=f"{title}: error", **where)
        failing = [g for g in sr.groups if counts_as_failing(result, g.status)]
        if failing or (not sr.groups and counts_as_failing(result, sr.status)):
            # Under --fail-on regression a failure the baseline already had is a warning.
            level = "error" if gating else "warning"
            return workflow_command(level, self._message(sr, failing), title=f"{title}: {sr.status.value}", **where)
        warned = [g for g in sr.groups if g.status is Status.WARN]
        if warned:
            return workflow_command("warning", self._message(sr, warned), title=f"{title}: warn", **where)
        if sr.status in (Status.INSUFFICIENT, Status.NOT_MEASURED):
            short = [g for g in sr.groups if g.status is sr.status]
            return workflow_command("notice", self._message(sr, short), title=f"{title}: {sr.status.value}", **where)
        regressed = [g for g in sr.groups if g.change and g.change.verdict is Verdict.REGRESSED]
        if regressed:
            return workflow_command("notice", self._message(sr, regressed), title=f"{title}: regressed", **where)
        return None

    def _message(self, sr: StandardResult, groups: list[GroupResult]) -> str:
        lines = []
        if sr.reason:
            lines.append(sr.reason)
        for g in groups[:GROUPS_SHOWN]:
            line = (f"{group_label(g.group)}: " if g.group else "") + f"{g.status.value}, {measurement(sr, g)}"
            if g.change:
                line += f"; {g.change.text}"
            lines.append(line)
        if len(groups) > GROUPS_SHOWN:
            lines.append(f"… and {len(groups) - GROUPS_SHOWN} more groups")
        if groups and len(groups) < len(sr.groups):
            lines.append(f"({len(groups)} of {len(sr.groups)} groups)")
        if not sr.groups and sr.change:
            lines.append(sr.change.text)
        if sr.calendar:
            lines.append(f"measured in {calendar_label(sr)}")
        # The evidence of the groups listed, not of others (a warned group's under a failure).
        shown = [ev for g in groups[:GROUPS_SHOWN] for ev in evidence_for(sr, g)] if groups else list(sr.evidence)
        if shown:
            lines.append("worst: " + "; ".join(evidence_line(ev) for ev in shown))
        return "\n".join(lines)
