"""JUnit XML report, for CI systems that show test results (GitLab, Jenkins, Azure, CircleCI).

One ``<testsuite>`` for the profile; one ``<testcase>`` per standard and group
(classname ``<profile>.<standard id>``, name the title and the group). A result that counts as
failing the audit (see :mod:`csaudit.gate`: a fail; a warn under ``--fail-on warn``;
insufficient data under ``--strict``) is a ``<failure>`` carrying value, target and status;
a standard that cannot be measured is an ``<error>``; insufficient data and not measured
are ``<skipped>`` with the reason; everything else passes. Values, targets, calendars and
the comparison with a baseline are also ``<property>`` elements of each test case.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from csaudit.gate import counts_as_failing, failures
from csaudit.profile.model import Status
from csaudit.render.base import ReportFormat
from csaudit.render.describe import evidence_for, evidence_line, group_label, measurement, standard_details
from csaudit.result import AuditResult, GroupResult, StandardResult

# XML 1.0 cannot hold most control characters, even escaped; an export can.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_text(text: object) -> str:
    """Text XML 1.0 can carry: characters it forbids become ``\\xNN``."""
    return _NOT_XML.sub(lambda m: f"\\x{ord(m.group()):02x}", str(text))


def _element(parent: ET.Element, tag: str, text: str | None = None, **attrib: object) -> ET.Element:
    node = ET.SubElement(parent, tag, {k: xml_text(v) for k, v in attrib.items()})
    if text is not None:
        node.text = xml_text(text)
    return node


def _properties(parent: ET.Element, values: dict[str, object]) -> None:
    props = _element(parent, "properties")
    for name, value in values.items():
        if value not in (None, ""):
            _element(props, "property", name=name, value=value)


class JunitFormat(ReportFormat):
    def render(self, result: AuditResult) -> str:
        gating = {(id(sr), id(g)) for sr, g in failures(result)}
        cases = [case for sr in result.standards for case in self._cases(result, sr, gating)]
        counts = {kind: sum(1 for c in cases if c.find(kind) is not None) for kind in ("failure", "error", "skipped")}
        totals = {
            "tests": len(cases),
            "failures": counts["failure"],
            "errors": counts["error"],
            "skipped": counts["skipped"],
        }
        root = ET.Element("testsuites", {"name": "csaudit", **{k: str(v) for k, v in totals.items()}})
        suite = _element(root, "testsuite", name=f"csaudit.{result.profile_name}", **totals)
        removed = ""
        if result.comparison is not None:
            removed = ", ".join(
                r.standard_id + (f" [{group_label(r.group)}]" if r.group is not None else "")
                for r in result.comparison.removed
            )
        _properties(
            suite,
            {
                "profile": result.profile_name,
                "profile_title": result.profile_title,
                "profile_path": result.profile_path,
                "input": result.input_path,
                "input_rows": result.input_rows,
                "strict": "true" if result.strict else "",
                "fail_on": result.fail_on,
                "exit_code": result.exit_code,
                "baseline": result.comparison.baseline_path if result.comparison else "",
                "baseline_summary": result.comparison.summary if result.comparison else "",
                "removed_since_baseline": removed,
            },
        )
        suite.extend(cases)
        if result.findings or result.notes:
            lines = [f"data quality: {f.count:,} rows: {f.message} (rows {', '.join(map(str, f.rows))})" for f in result.findings]
            lines += [f"note: {note}" for note in result.notes]
            _element(suite, "system-out", "\n".join(lines))
        ET.indent(root, space="  ")
        # ElementTree writes a carriage return in text as is, and XML parsers read it back as a
        # line feed; attributes already carry it as &#13;, and csaudit's own line ends are LF.
        body = ET.tostring(root, encoding="unicode").replace("\r", "&#13;")
        return '<?xml version="1.0" encoding="UTF-8"?>\n' + body + "\n"

    def _cases(self, result: AuditResult, sr: StandardResult, gating: set[tuple[int, int]]) -> list[ET.Element]:
        std = sr.standard
        rows: list[GroupResult | None] = list(sr.groups) or [None]
        cases = []
        for g in rows:
            name = std.title + (f" [{group_label(g.group)}]" if g is not None and g.group else "")
            case = ET.Element("testcase", {"classname": xml_text(f"{result.profile_name}.{std.id}"), "name": xml_text(name)})
            status = g.status if g is not None else sr.status
            change = g.change if g is not None else sr.change
            value = sr.shown(g.value if g is not None else None)
            target = sr.shown_target()
            _properties(
                case,
                {
                    "standard_id": std.id,
                    "group": group_label(g.group, whole="") if g is not None else "",
                    "value": value,
                    "target": target,
                    "status": status.value,
                    "sample_size": g.sample_size if g is not None else 0,
                    "details": " · ".join(standard_details(sr)),
                    "calendar": sr.calendar,
                    "baseline": change.text if change else "",
                },
            )
            body = [f"{std.id}: {std.title}" + (f" [{group_label(g.group)}]" if g is not None and g.group else "")]
            body += [f"value: {value}", f"target: {target}", f"status: {status.value}"]
            if g is not None:
                body.append(f"sample size: {g.sample_size:,}")
            if sr.calendar:
                body.append(f"calendar: {sr.calendar}")
            if change:
                body.append(f"since the baseline: {change.text}")
            if sr.reason:
                body.append(f"reason: {sr.reason}")
            body += [f"note: {n}" for n in sr.notes]
            evidence = evidence_for(sr, g) if status in (Status.FAIL, Status.WARN) else []
            if evidence:
                body.append("worst interactions:")
                body += [f"  {evidence_line(ev)}" for ev in evidence]
            text = "\n".join(body)
            if status is Status.ERROR:
                how = " ".join(f"--map {f}=COLUMN" for f in sr.missing_fields)
                _element(case, "error", text, message=f"cannot be measured: {sr.reason}" + (f" ({how})" if how else ""), type="error")
            elif counts_as_failing(result, status) and (id(sr), id(g)) in gating:
                _element(case, "failure", text, message=f"{status.value}: {measurement(sr, g) if g else value}", type=status.value)
            elif counts_as_failing(result, status):
                # --fail-on regression: a failure the baseline already had does not fail the
                # audit; like an expected failure (pytest's xfail), it is skipped, not passed.
                known = f"{status.value}: {measurement(sr, g) if g else value}; " + (change.text if change else "")
                _element(case, "skipped", message=f"{known} (failing in the baseline too)", type="baseline")
                _element(case, "system-out", text)
            elif status in (Status.INSUFFICIENT, Status.NOT_MEASURED):
                _element(case, "skipped", message=f"{status.value}: {sr.reason}" if sr.reason else status.value)
                _element(case, "system-out", text)
            else:
                _element(case, "system-out", text)
            cases.append(case)
        return cases
