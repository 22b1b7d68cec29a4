"""The audit result: the single object every report format renders."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from csaudit.metrics.base import Unit
from csaudit.profile.model import Standard, Status, Target
from csaudit.units import format_duration, format_number, format_percent

if TYPE_CHECKING:
    from csaudit.baseline import Change, Comparison
    from csaudit.charts import Charts
    from csaudit.evidence import ViolationFile

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
    #: Against ``--baseline`` (None without one): verdict, previous value, delta, text.
    change: Change | None = None


@dataclass
class Evidence:
    """One interaction behind a failed or warned standard (the worst first)."""

    row: int  # data row number in the export (1 = first row after the header)
    id: str | None
    value: float | None  # the interaction's measured value, in ``unit`` (None: see ``label``)
    fields: dict[str, str | None] = field(default_factory=dict)  # channel, priority, agent … as exported
    group: dict[str, str | None] = field(default_factory=dict)  # the group of the standard it belongs to
    label: str | None = None  # what the value means: "abandoned", "waiting at the peak: 17 at …"
    unit: Unit | None = None  # of ``value``: a duration for share_within, the CSAT answer for CSAT …

    @property
    def display(self) -> str:
        """``4m 10s (abandoned)``; the label alone when there is no value."""
        if self.value is None or self.unit is None:
            return self.label or "—"
        text = format_value(self.value, self.unit)
        return f"{text} ({self.label})" if self.label else text


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
    #: Against ``--baseline`` (None without one); for a grouped standard, its groups summed up.
    change: Change | None = None


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
    #: Data for the HTML report's charts (csaudit.charts.Charts); None unless asked for.
    charts: Charts | None = None
    #: Files written by ``--violations-dir`` (csaudit.evidence.ViolationFile: standard id, path, rows).
    violation_files: list[ViolationFile] = field(default_factory=list)
    #: What makes the audit exit 1 (a ``csaudit.gate.FailOn`` value) and ``--exit-zero``.
    fail_on: str = "fail"
    exit_zero: bool = False
    #: The audit against ``--baseline``: verdict counts and removed standards (None without one).
    comparison: Comparison | None = None

    def counts(self) -> dict[str, int]:
        """Standards per status, for the summary line."""
        out = {s.value: 0 for s in Status}
        for result in self.standards:
            out[result.status.value] += 1
        return out

    @property
    def exit_code(self) -> int:
        """2 a standard could not be measured; 1 a standard fails under ``fail_on`` (unless
        ``exit_zero``); else 0. The rules are in :mod:`csaudit.gate`."""
        from csaudit.gate import exit_code

        return exit_code(self)

    def errors(self) -> list[StandardResult]:
        return [r for r in self.standards if r.status is Status.ERROR]


def json_number(value: float | None) -> float | None:
    """JSON has no infinity or NaN: those become null (the display text keeps them)."""
    if value is None or not math.isfinite(value):
        return None
    return value
