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


#: Digits a value may get beyond its usual display, so that it reads on the right side of its
#: target (percent: 0.1 → 0.0000001 points; durations: to the microsecond).
MAX_EXTRA_DIGITS = 6


def format_value(value: float | None, unit: Unit | str, target: Target | None = None, open_hours: bool = False) -> str:
    """A value as a person reads it: durations as 1m 35s, fractions as 75.3%.

    With the ``target`` it is judged against, the value gets as many more digits as it needs
    for the value shown to meet the target shown exactly when the value meets the target:
    a ratio of 1.004 against ``≤ 1`` reads ``1.004``, not ``1.00``; 74.996% against ``≥ 75.0%``
    reads ``74.996%``; 119.6 s against ``< 2m`` reads ``1m 59.6s``. Digits are added only where
    the usual display would read on the wrong side (or level) of the target.

    ``open_hours``: a duration of a business calendar's open time, shown in hours, never days
    (``27h``, not ``1d 3h``: a business day is not 24 hours of open time)."""
    unit = _shown_unit(Unit(unit), open_hours)
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    if target is None or not math.isfinite(value):
        return _text(value, unit, 0)
    shown = _shown_target(target, unit)
    real = target.evaluate(value)
    for level in range(MAX_EXTRA_DIGITS + 1):
        if shown.evaluate(_number(value, unit, level)) is real:
            return _text(value, unit, level)
    # Closer to a limit than the finest display: show the neighbour on the value's own side.
    scale, step = (100.0 if unit is Unit.FRACTION else 1.0), _step(value, unit, MAX_EXTRA_DIGITS)
    near = _number(value, unit, MAX_EXTRA_DIGITS)
    side = next((n for n in (near - step, near + step) if shown.evaluate(n) is real), near)
    return _text(side / scale, unit, MAX_EXTRA_DIGITS)


def format_target(target: Target | None, unit: Unit | str, open_hours: bool = False) -> str:
    """``≤ 2m``; with a warn level: ``≤ 5.0% (fail > 8.0%)``; ``—`` when reported only. Each
    limit is shown exactly (up to :data:`MAX_EXTRA_DIGITS` more digits than a value)."""
    if target is None:
        return "—"
    unit = _shown_unit(Unit(unit), open_hours)
    symbols = {"at_most": "≤", "below": "<", "at_least": "≥", "above": ">"}
    opposite = {"at_most": ">", "below": "≥", "at_least": "<", "above": "≤"}

    def limit(number: float) -> str:
        return _text(number, unit, _exact_level(number, unit))

    def show(bound: Any) -> str:
        if target.compare == "between":
            return f"{limit(bound[0])} – {limit(bound[1])}"
        return f"{symbols[target.compare]} {limit(bound)}"

    if target.warn is None:
        return show(target.fail)
    if target.compare == "between":
        return f"{show(target.warn)} (fail outside {show(target.fail)})"
    return f"{show(target.warn)} (fail {opposite[target.compare]} {limit(target.fail)})"


# -- how many digits: one "level" of display per extra digit ----------------------------------

#: Seconds of a business calendar's open time, as the display knows them: hours, never days.
_OPEN = "open seconds"
_TIMES = (Unit.SECONDS, _OPEN)


def _shown_unit(unit: Unit, open_hours: bool) -> Any:
    return _OPEN if unit is Unit.SECONDS and open_hours else unit



def _decimals(value: float, unit: Unit, level: int) -> int:
    """Decimals shown at ``level`` (0: the usual display): of the percentage, of the seconds …"""
    if unit in _TIMES:
        small = abs(value) < 10 and value != int(value)  # format_duration's 9.5s
        return level if small else max(level - 1, 0)
    base = {Unit.FRACTION: 1, Unit.POINTS: 1, Unit.SIGMA: 2, Unit.DPMO: 0}.get(unit, 2)
    return base + level


def _text(value: float, unit: Unit, level: int) -> str:
    if level == 0 or not math.isfinite(value):
        if unit in _TIMES:
            return format_duration(value, hours=unit == _OPEN)
        if unit is Unit.FRACTION:
            return format_percent(value)
        if unit is Unit.POINTS:
            return format_number(round(value, 1), 1)
        if unit is Unit.SIGMA:
            return format_number(value, 2) + ("σ" if math.isfinite(value) else "")
        if unit is Unit.DPMO:
            return format_number(round(value), 0)
        return format_number(value, 2)
    decimals = _decimals(value, unit, level)
    if unit in _TIMES:
        return _duration(value, decimals, hours=unit == _OPEN)
    if unit is Unit.FRACTION:
        return f"{value * 100:.{decimals}f}%"
    return f"{value:,.{decimals}f}" + ("σ" if unit is Unit.SIGMA else "")


def _duration(seconds: float, decimals: int, hours: bool = False) -> str:
    """Every unit down to seconds, the seconds to ``decimals`` places: ``1d 30s``, ``1m 59.6s``
    (``hours``: no days)."""
    sign = "-" if seconds < 0 else ""
    total = round(abs(seconds), decimals)
    whole = int(total)
    days, rem = divmod(whole, 86400) if not hours else (0, whole)
    whole_hours, rem = divmod(rem, 3600)
    minutes, secs = divmod(rem, 60)
    parts = [f"{n}{u}" for n, u in ((days, "d"), (whole_hours, "h"), (minutes, "m")) if n]
    rest = secs + (total - whole)
    if rest or not parts:
        parts.append(f"{rest:.{decimals}f}s")
    return sign + " ".join(parts)


def _number(value: float, unit: Unit, level: int) -> float:
    """The number a reader takes from ``_text(value, unit, level)``, in the display's units
    (percentage points for fractions, seconds for durations)."""
    if unit in _TIMES and level == 0:
        if abs(value) < 10 and value != int(value):
            return round(value, 1)
        whole = round(abs(value))
        if whole >= 60:  # at most three units, the largest first (format_duration)
            sizes = (86400, 3600, 60, 1) if unit is Unit.SECONDS else (3600, 60, 1)
            size = next(s for s in sizes if whole >= s)
            finest = {86400: 60, 3600: 1, 60: 1, 1: 1}[size]
            whole -= whole % finest
        return math.copysign(whole, value)
    scale = 100.0 if unit is Unit.FRACTION else 1.0
    return round(value * scale, _decimals(value, unit, level))


def _step(value: float, unit: Unit, level: int) -> float:
    return 10.0 ** -_decimals(value, unit, level)


def _exact_level(limit: float, unit: Unit) -> int:
    """The first level that shows ``limit`` as it is (or as nearly as the finest level does)."""
    if not math.isfinite(limit):
        return 0
    finest = _number(limit, unit, MAX_EXTRA_DIGITS)
    return next(level for level in range(MAX_EXTRA_DIGITS + 1) if _number(limit, unit, level) == finest)


def _shown_target(target: Target, unit: Unit) -> Target:
    """``target`` with its limits as :func:`format_target` shows them, in the display's units."""

    def shown(bound: Any) -> Any:
        if bound is None:
            return None
        if target.compare == "between":
            return tuple(_number(b, unit, _exact_level(b, unit)) for b in bound)
        return _number(bound, unit, _exact_level(bound, unit))

    return Target(target.compare, shown(target.fail), shown(target.warn))


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
    #: The limit the row's value itself missed, when it is one (share_within's duration, or a
    #: per-row threshold): the value is shown with the digits that keep it on its side.
    limit: Target | None = None
    open_hours: bool = False  # a duration of business time: in hours (see format_value)

    @property
    def display(self) -> str:
        """``4m 10s (abandoned)``; the label alone when there is no value."""
        if self.value is None or self.unit is None:
            return self.label or "—"
        text = format_value(self.value, self.unit, self.limit, self.open_hours)
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

    def shown(self, value: float | None) -> str:
        """A value of this standard as every report shows it (:func:`format_value` against its
        target; durations of business time in hours)."""
        return format_value(value, self.unit, self.standard.target, bool(self.calendar))

    def shown_target(self) -> str:
        """This standard's target as every report shows it (:func:`format_target`)."""
        return format_target(self.standard.target, self.unit, bool(self.calendar))


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
