"""Results in words, the same in every report format: groups, calendars, evidence rows."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterator

from csaudit.result import AuditResult, Evidence, GroupResult, StandardResult


# C0 controls, DEL and C1 controls: a terminal or a CI log would run ESC sequences, and a line
# break or tab from an export would break a report's layout.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")
_SHOWN = {"\t": "\\t", "\n": "\\n", "\r": "\\r"}


def printable(text: object) -> str:
    """``text`` with control characters made visible (``\\n``, ``\\t``, ``\\r``, ``\\x1b``), for
    reports read on a terminal or in a CI log: text from an export or a profile can then
    neither move the cursor, recolour or retitle the terminal, nor break a line."""
    return _CONTROL.sub(lambda m: _SHOWN.get(m.group(), f"\\x{ord(m.group()):02x}"), str(text))


def group_label(group: dict[str, str | None] | None, whole: str = "all") -> str:
    """``channel=chat, priority=P1``; ``whole`` for a result over all rows."""
    if not group:
        return whole
    return ", ".join(f"{k}={'(blank)' if v is None else v}" for k, v in group.items())


def calendar_label(sr: StandardResult) -> str:
    """``business calendar stanford-it`` when durations were measured in open hours, else ""."""
    return f"business calendar {sr.calendar}" if sr.calendar else ""


def standard_details(sr: StandardResult) -> list[str]:
    """What identifies how a standard was measured: id, statistic, optional, calendar."""
    std = sr.standard
    details = [std.id, std.statistic.text]
    if not std.required:
        details.append("optional")
    if sr.calendar:
        details.append(calendar_label(sr))
    return details


def measurement(sr: StandardResult, g: GroupResult) -> str:
    """``2m 3s (target < 2m, n=548)``."""
    return f"{sr.shown(g.value)} (target {sr.shown_target()}, n={g.sample_size:,})"


def evidence_line(ev: Evidence) -> str:
    """``row 12, id T-1: 5m 3s (channel=chat, agent=An)`` — one interaction behind a result."""
    head = f"row {ev.row}" + (f", id {ev.id}" if ev.id is not None else "")
    shown = ev.display
    value = f": {shown}" if shown != "—" else ""
    fields = f" ({group_label(ev.fields)})" if ev.fields else ""
    return head + value + fields


def evidence_for(sr: StandardResult, g: GroupResult | None) -> list[Evidence]:
    """The evidence rows of one group of a standard (all of them for an ungrouped one)."""
    if g is None or not g.group:
        return list(sr.evidence)
    return [ev for ev in sr.evidence if (ev.group or ev.fields).items() >= g.group.items()]


@dataclass(frozen=True)
class Row:
    """One line of a per-result report: a standard, one of its groups (None when it could not
    be measured), and the ``--by`` dimension for a breakdown row ("" for the result itself)."""

    sr: StandardResult
    group: GroupResult | None
    by: str = ""


def result_rows(result: AuditResult, breakdowns: bool = True) -> Iterator[Row]:
    """Every standard × group in profile order; each standard's ``--by`` breakdown after it."""
    by = ", ".join(result.by)
    for sr in result.standards:
        if not sr.groups:
            yield Row(sr, None)
        for g in sr.groups:
            yield Row(sr, g)
        if breakdowns:
            for g in sr.breakdown:
                yield Row(sr, g, by or "by")
