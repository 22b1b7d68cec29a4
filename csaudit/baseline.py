"""Baselines: store an audit's results, and compare a later audit with them.

``--write-baseline FILE`` stores, per standard and group, the value (in the standard's
unit), the status and the unit: schema ``csaudit.baseline/1``, documented in
``docs/reports.md``. ``--baseline FILE`` reads it back and marks each result of the new
audit improved, unchanged, regressed, changed (no direction to judge by) or new, and lists
what the baseline had that the audit no longer has.

The judgement, per result (a standard, or one group of it):

1. A change of status decides first, by the statuses' order (pass/info, warn, insufficient
   data, not measured, fail, error): pass → fail is a regression whatever the values did.
2. With the same status, the value decides, in the direction of the standard's target:
   lower is better for ``at_most``/``below``, higher for ``at_least``/``above``, and for
   ``between`` the distance outside the band (the warn band when there is one) — anything
   inside the band is as good as anything else inside it.
3. "Unchanged" means the difference is smaller than half of what the report can show:
   1 s (0.1 s under 10 s), 0.1 percentage point, 0.1 NPS point, 0.01 σ, 1 DPMO, 0.01 for
   counts, scores and ratios. Rerunning an audit on the same export is always unchanged;
   csaudit does not judge whether a larger change is statistically significant.
4. Values without a target (reported only), and standards whose metric, statistic or unit
   differ from the baseline's, have no direction: a difference is "changed".
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import Any

from csaudit import __version__
from csaudit.errors import CsauditError
from csaudit.metrics.base import Unit
from csaudit.profile.model import Profile, Status, Target
from csaudit.result import AuditResult, GroupResult, StandardResult, format_value

BASELINE_SCHEMA = "csaudit.baseline/1"

GroupKey = tuple[tuple[str, Any], ...]


class Verdict(str, Enum):
    """How a result compares with the baseline."""

    IMPROVED = "improved"
    UNCHANGED = "unchanged"
    REGRESSED = "regressed"
    CHANGED = "changed"  # moved, but nothing says which way is better
    NEW = "new"  # not in the baseline
    REMOVED = "removed"  # in the baseline, not in this audit (see Comparison.removed)


@dataclass
class Change:
    """One result (a standard, or one group of it) against the baseline.

    ``delta`` is this audit's value minus the baseline's, in the result's unit (seconds,
    fraction 0–1, …); None when either value is missing or they are not comparable.
    ``text`` is the comparison in words, e.g. ``regressed: pass → fail, +12s (was 1m 48s)``.
    """

    verdict: Verdict
    text: str
    previous_status: Status | None = None
    previous_value: float | None = None
    delta: float | None = None


@dataclass
class RemovedResult:
    """A standard (``group`` None) or a group of one that the baseline has and this audit has not."""

    standard_id: str
    title: str
    group: dict[str, str | None] | None
    status: Status
    value: float | None
    unit: Unit

    @property
    def text(self) -> str:
        return f"removed (was {self.status.value}, {format_value(self.value, self.unit)})"


@dataclass
class Comparison:
    """The audit against a baseline: per-standard verdict counts, and what disappeared."""

    baseline_path: str
    baseline_input: str
    baseline_rows: int
    counts: dict[str, int]  # standards per verdict (improved, unchanged, regressed, changed, new)
    removed: list[RemovedResult] = field(default_factory=list)

    @property
    def summary(self) -> str:
        """``since the baseline: 1 regressed, 2 improved, 3 unchanged, 1 new, 1 removed``."""
        parts = [f"{self.counts.get(v.value, 0)} {v.value}" for v in _SUMMARY_ORDER if self.counts.get(v.value)]
        gone = sum(1 for r in self.removed if r.group is None)
        if gone:
            parts.append(f"{gone} removed")
        return "since the baseline: " + (", ".join(parts) or "no standards")


_SUMMARY_ORDER = (Verdict.REGRESSED, Verdict.IMPROVED, Verdict.UNCHANGED, Verdict.CHANGED, Verdict.NEW)


class BaselineError(CsauditError):
    """A baseline file that cannot be used."""


# -- the stored baseline ------------------------------------------------------------------------


@dataclass(frozen=True)
class StoredGroup:
    group: dict[str, str | None]
    value: float | None
    status: Status

    @property
    def key(self) -> GroupKey:
        return group_key(self.group)


@dataclass(frozen=True)
class StoredStandard:
    standard_id: str
    title: str
    metric: str
    statistic: str
    unit: Unit
    status: Status
    groups: tuple[StoredGroup, ...]


@dataclass(frozen=True)
class Baseline:
    path: str
    profile_name: str
    input_path: str
    input_rows: int
    standards: dict[str, StoredStandard]


def group_key(group: dict[str, Any] | None) -> GroupKey:
    """A hashable key for a group; ``()`` for a standard that is not grouped."""
    return tuple(sorted((group or {}).items()))


def _stored_number(value: float | None) -> float | str | None:
    # JSON has no infinity: ±inf are written as strings, NaN (nothing measured) as null.
    if value is None or math.isnan(value):
        return None
    if math.isinf(value):
        return "inf" if value > 0 else "-inf"
    return value


def baseline_document(result: AuditResult) -> dict[str, Any]:
    """The baseline of ``result`` as plain data (what ``--write-baseline`` writes)."""
    standards = []
    for sr in result.standards:
        standards.append(
            {
                "standard_id": sr.standard.id,
                "title": sr.standard.title,
                "metric": sr.standard.metric,
                "statistic": sr.standard.statistic.text,
                "unit": sr.unit.value,
                "status": sr.status.value,
                "groups": [
                    {
                        "group": g.group,
                        "value": _stored_number(g.value),
                        "display": format_value(g.value, sr.unit, open_hours=bool(sr.calendar)),
                        "status": g.status.value,
                        "sample_size": g.sample_size,
                    }
                    for g in sr.groups
                ],
            }
        )
    return {
        "schema": BASELINE_SCHEMA,
        "csaudit_version": __version__,
        "profile": {"name": result.profile_name, "title": result.profile_title},
        "input": {"path": result.input_path, "rows": result.input_rows},
        "standards": standards,
    }


def baseline_text(result: AuditResult) -> str:
    return json.dumps(baseline_document(result), indent=2, ensure_ascii=False) + "\n"


def read_baseline(path: str | Path, profile: Profile) -> Baseline:
    """Read a baseline written by ``--write-baseline`` for ``profile``.

    Raises :class:`BaselineError` naming the file and the offending entry when the file
    cannot be read, is not a baseline, or was written for another profile.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")  # a BOM from an editor is not an error
    except UnicodeDecodeError as exc:
        raise BaselineError(f"baseline {path}: not UTF-8 text (byte {exc.start})") from None
    except OSError as exc:
        raise BaselineError(f"baseline {path}: cannot read the file: {exc.strerror}") from None
    def not_json(token: str):
        # Python reads NaN and Infinity, JSON has neither: a NaN baseline value compared as
        # "unchanged" whatever the value now is.
        raise BaselineError(
            f"baseline {path}: {token} is not JSON; a value is a number, \"inf\", \"-inf\" or null "
            "(write a baseline with --write-baseline FILE)"
        )

    try:
        data = json.loads(text, parse_constant=not_json)
    except json.JSONDecodeError as exc:
        raise BaselineError(
            f"baseline {path}:{exc.lineno}:{exc.colno}: not valid JSON ({exc.msg}); "
            "write a baseline with --write-baseline FILE"
        ) from None
    reader = _Reader(str(path))
    baseline = reader.document(data)
    if baseline.profile_name != profile.name:
        raise BaselineError(
            f"baseline {path} was written for profile {baseline.profile_name!r}, but this audit uses "
            f"profile {profile.name!r}; compare with a baseline of the same profile, or write a new one "
            "with --write-baseline FILE"
        )
    return baseline


@dataclass
class _Reader:
    path: str

    def fail(self, where: str, message: str) -> BaselineError:
        return BaselineError(f"baseline {self.path}: {where}: {message}")

    def document(self, data: Any) -> Baseline:
        if not isinstance(data, dict):
            raise self.fail("top level", f"expected a JSON object, got {_kind(data)}")
        schema = data.get("schema")
        if schema != BASELINE_SCHEMA:
            if isinstance(schema, str) and schema.startswith("csaudit.report/"):
                hint = "it is a JSON report, not a baseline; write a baseline with --write-baseline FILE"
            elif isinstance(schema, str) and schema.startswith("csaudit.baseline/"):
                hint = f"this csaudit reads {BASELINE_SCHEMA}; write a new baseline with --write-baseline FILE"
            else:
                hint = f"expected {BASELINE_SCHEMA!r}; write a baseline with --write-baseline FILE"
            raise self.fail("schema", f"{schema!r} is not a csaudit baseline schema this version reads ({hint})")
        profile = self.mapping(data, "profile", "profile")
        name = self.text(profile, "name", "profile.name")
        source = self.mapping(data, "input", "input")
        input_path = self.text(source, "path", "input.path")
        rows = source.get("rows")
        if not isinstance(rows, int) or isinstance(rows, bool) or rows < 0:
            raise self.fail("input.rows", f"expected a row count, got {rows!r}")
        entries = data.get("standards")
        if not isinstance(entries, list):
            raise self.fail("standards", f"expected a list, got {_kind(entries)}")
        standards: dict[str, StoredStandard] = {}
        for i, entry in enumerate(entries):
            stored = self.standard(entry, f"standards[{i}]")
            if stored.standard_id in standards:
                raise self.fail(f"standards[{i}].standard_id", f"{stored.standard_id!r} appears twice")
            standards[stored.standard_id] = stored
        return Baseline(self.path, name, input_path, rows, standards)

    def standard(self, entry: Any, where: str) -> StoredStandard:
        if not isinstance(entry, dict):
            raise self.fail(where, f"expected an object, got {_kind(entry)}")
        groups = entry.get("groups")
        if not isinstance(groups, list):
            raise self.fail(f"{where}.groups", f"expected a list, got {_kind(groups)}")
        stored = tuple(self.group(g, f"{where}.groups[{j}]") for j, g in enumerate(groups))
        if len({g.key for g in stored}) != len(stored):
            raise self.fail(f"{where}.groups", "the same group appears twice")
        return StoredStandard(
            standard_id=self.text(entry, "standard_id", f"{where}.standard_id"),
            title=self.text(entry, "title", f"{where}.title"),
            metric=self.text(entry, "metric", f"{where}.metric"),
            statistic=self.text(entry, "statistic", f"{where}.statistic"),
            unit=self.choice(entry, "unit", f"{where}.unit", Unit),
            status=self.choice(entry, "status", f"{where}.status", Status),
            groups=stored,
        )

    def group(self, entry: Any, where: str) -> StoredGroup:
        if not isinstance(entry, dict):
            raise self.fail(where, f"expected an object, got {_kind(entry)}")
        group = entry.get("group") or {}
        if not isinstance(group, dict) or not all(
            isinstance(k, str) and (v is None or isinstance(v, str)) for k, v in group.items()
        ):
            raise self.fail(f"{where}.group", f"expected an object of field → text, got {group!r}")
        value = entry.get("value")
        if value == "inf":
            value = math.inf
        elif value == "-inf":
            value = -math.inf
        elif value is not None and (isinstance(value, bool) or not isinstance(value, (int, float))):
            raise self.fail(f"{where}.value", f"expected a number, \"inf\", \"-inf\" or null, got {value!r}")
        return StoredGroup(
            group=group,
            value=None if value is None else float(value),
            status=self.choice(entry, "status", f"{where}.status", Status),
        )

    def mapping(self, data: dict, key: str, where: str) -> dict:
        value = data.get(key)
        if not isinstance(value, dict):
            raise self.fail(where, f"expected an object, got {_kind(value)}")
        return value

    def text(self, data: dict, key: str, where: str) -> str:
        value = data.get(key)
        if not isinstance(value, str):
            raise self.fail(where, f"expected text, got {_kind(value)}")
        return value

    def choice(self, data: dict, key: str, where: str, kind: type[Enum]) -> Any:
        value = data.get(key)
        try:
            return kind(value)
        except ValueError:
            allowed = ", ".join(m.value for m in kind)
            raise self.fail(where, f"expected one of {allowed}, got {value!r}") from None


def _kind(value: Any) -> str:
    if value is None:
        return "nothing (missing or null)"
    return {dict: "an object", list: "a list", str: "text", bool: "true/false"}.get(type(value), "a number")


# -- comparing -----------------------------------------------------------------------------------


def compare(result: AuditResult, baseline: Baseline) -> Comparison:
    """Mark every standard and group of ``result`` against ``baseline``.

    Sets ``StandardResult.change``, ``GroupResult.change`` and ``result.comparison`` (also
    returned).
    """
    removed: list[RemovedResult] = []
    counts: dict[str, int] = {}
    current_ids = {sr.standard.id for sr in result.standards}
    for sr in result.standards:
        stored = baseline.standards.get(sr.standard.id)
        if stored is None:
            sr.change = Change(Verdict.NEW, "new since the baseline")
            for g in sr.groups:
                g.change = Change(Verdict.NEW, "new since the baseline")
        else:
            removed.extend(_compare_standard(sr, stored))
        counts[sr.change.verdict.value] = counts.get(sr.change.verdict.value, 0) + 1
    for stored in baseline.standards.values():
        if stored.standard_id not in current_ids:
            removed.append(
                RemovedResult(stored.standard_id, stored.title, None, stored.status, _only_value(stored), stored.unit)
            )
    result.comparison = Comparison(baseline.path, baseline.input_path, baseline.input_rows, counts, removed)
    return result.comparison


def _only_value(stored: StoredStandard) -> float | None:
    return stored.groups[0].value if len(stored.groups) == 1 and not stored.groups[0].group else None


def _compare_standard(sr: StandardResult, stored: StoredStandard) -> list[RemovedResult]:
    std = sr.standard
    comparable = (stored.metric, stored.statistic, stored.unit) == (std.metric, std.statistic.text, sr.unit)
    previous = {g.key: g for g in stored.groups}
    # A side that could not be measured has no groups: each group of the other side is then
    # compared with that side's standard-level status.
    fallback = StoredGroup({}, None, stored.status) if not stored.groups else None
    for g in sr.groups:
        before = previous.get(group_key(g.group), fallback)
        if before is None:
            g.change = Change(Verdict.NEW, "new since the baseline")
        else:
            g.change = _judge(g.value, g.status, before.value, before.status, std.target, sr.unit, comparable,
                              bool(sr.calendar))
    current_keys = {group_key(g.group) for g in sr.groups}
    gone = [g for g in stored.groups if sr.groups and g.key not in current_keys]
    only = sr.groups[0] if len(sr.groups) == 1 and not sr.groups[0].group else None
    if only is not None and only.change.verdict is not Verdict.NEW:
        sr.change = only.change  # not grouped: the standard is its one result
    elif not sr.groups or not stored.groups:
        value = _only_value(stored) if not sr.groups else None
        sr.change = _judge(None, sr.status, value, stored.status, std.target, sr.unit, comparable, bool(sr.calendar))
    else:
        sr.change = _aggregate(sr.groups, sr.status, stored.status, len(gone))
    return [RemovedResult(std.id, std.title, g.group, g.status, g.value, stored.unit) for g in gone]


def _aggregate(groups: list[GroupResult], status: Status, before_status: Status, gone: int) -> Change:
    """A grouped standard: its status decides when it changed, else its groups do."""
    verdicts = [g.change.verdict for g in groups]
    counted = (Verdict.REGRESSED, Verdict.IMPROVED, Verdict.CHANGED, Verdict.NEW)
    parts = [f"{verdicts.count(v)} {v.value}" for v in counted if v in verdicts]
    parts += [f"{gone} removed"] * bool(gone)
    detail = f" ({', '.join(parts)} of {len(groups)} group{'s' * (len(groups) != 1)})" if parts else ""
    if status.rank != before_status.rank:
        verdict = Verdict.REGRESSED if status.rank > before_status.rank else Verdict.IMPROVED
        return Change(verdict, f"{verdict.value}: {before_status.value} → {status.value}{detail}", before_status)
    verdict = next((v for v in counted[:3] if v in verdicts), Verdict.UNCHANGED)
    return Change(verdict, f"{verdict.value}{detail}", before_status)


def resolution(unit: Unit, a: float, b: float) -> float:
    """The smallest difference the report shows between ``a`` and ``b``, in ``unit``."""
    if unit is Unit.SECONDS:
        return 0.1 if max(abs(a), abs(b)) < 10 else 1.0
    return {Unit.FRACTION: 0.001, Unit.POINTS: 0.1, Unit.DPMO: 1.0}.get(unit, 0.01)


def _badness(value: float, target: Target) -> float:
    """How far ``value`` is from good, in the target's direction (larger is worse)."""
    if target.compare in ("at_most", "below"):
        return value
    if target.compare in ("at_least", "above"):
        return -value
    low, high = target.warn if target.warn is not None else target.fail
    return max(low - value, value - high, 0.0)


def format_delta(delta: float, unit: Unit, open_hours: bool = False) -> str:
    """A signed difference: ``+12s``, ``-2.1 pp``, ``+0.25`` (``open_hours``: business time,
    in hours: ``+27h``)."""
    sign = "+" if delta >= 0 else "-"
    if unit is Unit.FRACTION:
        return f"{sign}{abs(delta) * 100:.1f} pp"
    return sign + format_value(abs(delta), unit, open_hours=open_hours)


def _judge(
    value: float | None,
    status: Status,
    before: float | None,
    before_status: Status,
    target: Target | None,
    unit: Unit,
    comparable: bool,
    open_hours: bool = False,
) -> Change:
    """One result against its baseline counterpart (see the module's docstring)."""
    value = None if value is None or math.isnan(value) else value
    before = None if before is None or math.isnan(before) else before
    delta = None
    moved = False
    if comparable and value is not None and before is not None:
        delta = 0.0 if value == before else value - before  # inf == inf: no change
        moved = abs(delta) >= resolution(unit, value, before) / 2
    parts = []
    if status.rank != before_status.rank:
        verdict = Verdict.REGRESSED if status.rank > before_status.rank else Verdict.IMPROVED
        parts.append(f"{before_status.value} → {status.value}")
    elif not comparable:
        verdict = Verdict.CHANGED
        parts.append("measured differently from the baseline")
    elif not moved:
        verdict = Verdict.UNCHANGED
    elif target is None:
        verdict = Verdict.CHANGED
    else:
        worse = _badness(value, target) - _badness(before, target)
        if abs(worse) >= resolution(unit, value, before) / 2:
            verdict = Verdict.REGRESSED if worse > 0 else Verdict.IMPROVED
        else:
            verdict = Verdict.UNCHANGED  # moved inside a between-band
    if moved:
        parts.append(format_delta(delta, unit, open_hours))
    text = verdict.value + (": " + ", ".join(parts) if parts else "")
    if parts and comparable and before is not None:
        text += f" (was {format_value(before, unit, open_hours=open_hours)})"
    return Change(verdict, text, before_status, before, delta)
