"""The audit result: the single object every report format renders."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from csaudit.metrics.base import Unit
from csaudit.profile.model import Standard, Status, Target
from csaudit.units import format_duration, format_number, format_percent

REPORT_SCHEMA = "csaudit.report/1"


def format_value(value: float | None, unit: Unit | str) -> str:
    """A value as a person reads it: durations as 1m 35s, fractions as 75.3%."""
    unit = Unit(unit)
    if value is None:
        return "—"
    if unit is Unit.SECONDS:
        return format_duration(value)
    if unit is Unit.FRACTION:
        return format_percent(value)
    if unit is Unit.POINTS:
        return format_number(round(value, 1), 1)
    if unit is Unit.SIGMA:
        return format_number(value, 2) + ("σ" if math.isfinite(value) else "")
    if unit is Unit.DPMO:
        return format_number(round(value), 0)
    return format_number(value, 2)


def format_target(target: Target | None, unit: Unit | str) -> str:
    """``≤ 2m``; with a warn level: ``≤ 5.0% (fail > 8.0%)``; ``—`` when reported only."""
    if target is None:
        return "—"
    symbols = {"at_most": "≤", "below": "<", "at_least": "≥", "above": ">"}
    opposite = {"at_most": ">", "below": "≥", "at_least": "<", "above": "≤"}

    def show(limit: Any) -> str:
        if target.compare == "between":
            return f"{format_value(limit[0], unit)} – {format_value(limit[1], unit)}"
        return f"{symbols[target.compare]} {format_value(limit, unit)}"

    if target.warn is None:
        return show(target.fail)
    if target.compare == "between":
        return f"{show(target.warn)} (fail outside {show(target.fail)})"
    return f"{show(target.warn)} (fail {opposite[target.compare]} {format_value(target.fail, unit)})"


@dataclass
class GroupResult:
    """One standard's outcome for one group (or for all rows when it is not grouped)."""

    group: dict[str, str | None]
    value: float | None
    sample_size: int
    status: Status


@dataclass
class Evidence:
    """One interaction behind a failed or warned standard (the worst first)."""

    row: int  # data row number in the export (1 = first row after the header)
    id: str | None
    value: float | None  # the interaction's measured value, in the metric's unit
    fields: dict[str, str | None] = field(default_factory=dict)  # channel, priority, agent … as exported


@dataclass
class StandardResult:
    standard: Standard
    unit: Unit  # the unit of the value (fraction for rates and shares)
    status: Status
    groups: list[GroupResult] = field(default_factory=list)
    reason: str = ""  # why it was not measured, or why the data were insufficient
    notes: list[str] = field(default_factory=list)
    missing_fields: list[str] = field(default_factory=list)
    #: The business calendar its durations were measured in ("" = calendar time).
    calendar: str = ""
    #: The worst interactions behind a failed or warned result (``--samples``).
    evidence: list[Evidence] = field(default_factory=list)
    #: The same standard evaluated per ``--by`` group (keys in ``AuditResult.by``).
    breakdown: list[GroupResult] = field(default_factory=list)


@dataclass
class Finding:
    """A data-quality finding: rows excluded or suspicious, with where to look."""

    key: str
    message: str
    count: int
    rows: list[int]
    examples: list[str]


@dataclass
class AuditResult:
    profile_name: str
    profile_title: str
    profile_path: str
    input_path: str
    input_rows: int
    columns: dict[str, str]
    timestamp_formats: dict[str, str]
    standards: list[StandardResult]
    findings: list[Finding]
    notes: list[str]
    strict: bool = False
    #: The ``--by`` groupings the breakdowns use (empty when none was asked for).
    by: tuple[str, ...] = ()

    def counts(self) -> dict[str, int]:
        """Standards per status, for the summary line."""
        out = {s.value: 0 for s in Status}
        for result in self.standards:
            out[result.status.value] += 1
        return out

    @property
    def exit_code(self) -> int:
        """0 every standard passed (warnings allowed), 1 one failed, 2 one could not be measured."""
        statuses = {r.status for r in self.standards}
        if Status.ERROR in statuses:
            return 2
        if Status.FAIL in statuses:
            return 1
        if self.strict and Status.INSUFFICIENT in statuses:
            return 1
        return 0

    def errors(self) -> list[StandardResult]:
        return [r for r in self.standards if r.status is Status.ERROR]


def json_number(value: float | None) -> float | None:
    """JSON has no infinity or NaN: those become null (the display text keeps them)."""
    if value is None or not math.isfinite(value):
        return None
    return value
