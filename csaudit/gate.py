"""The exit-code contract a CI job gates on: 0 passed, 1 standards fail, 2 could not audit.

- 2: a required standard could not be measured (status ``error``). Bad input, a bad profile
  and internal errors also end the run with 2, before there is a result. ``--exit-zero``
  does not hide a 2.
- 1: a result counts as failing under ``--fail-on``:
  ``fail`` (the default) — a standard fails (with ``--strict``, insufficient data too);
  ``warn`` — a standard fails or warns;
  ``regression`` — a failing result (as under ``fail``) that is new since the baseline, did
  not fail there (whatever its status was: pass, warn, not measured …), or failed there with
  a better value. Failures the baseline already had, unchanged, better, or measured
  differently, pass; so do results that got worse but do not fail.
- 0: otherwise, and always with ``--exit-zero`` when there is no 2.
"""

from __future__ import annotations

from enum import Enum
from typing import TYPE_CHECKING

from csaudit.profile.model import Status

if TYPE_CHECKING:
    from csaudit.result import AuditResult, GroupResult, StandardResult


class FailOn(str, Enum):
    """The values of ``--fail-on``."""

    fail = "fail"
    warn = "warn"
    regression = "regression"


def counts_as_failing(result: AuditResult, status: Status) -> bool:
    """Whether a result with ``status`` fails the audit under its ``fail_on`` and ``strict``
    (before a regression gate looks at the baseline)."""
    if status is Status.FAIL or (status is Status.INSUFFICIENT and result.strict):
        return True
    return status is Status.WARN and FailOn(result.fail_on) is FailOn.warn


def failures(result: AuditResult) -> list[tuple[StandardResult, GroupResult | None]]:
    """The results that make the audit exit 1 (``--exit-zero`` aside): per standard, the
    failing groups, or the standard itself when it has none."""
    from csaudit.baseline import Verdict

    regression = FailOn(result.fail_on) is FailOn.regression
    found: list[tuple[StandardResult, GroupResult | None]] = []
    for sr in result.standards:
        rows = [(g, g.status, g.change) for g in sr.groups] or [(None, sr.status, sr.change)]
        for group, status, change in rows:
            if not counts_as_failing(result, status):
                continue
            # A failure the baseline already had passes the regression gate unless it got worse.
            # Without a comparison (or with a new result) every failure is new.
            if (
                regression
                and change is not None
                and change.previous_status is not None
                and counts_as_failing(result, change.previous_status)
                and change.verdict is not Verdict.REGRESSED
            ):
                continue
            found.append((sr, group))
    return found


def exit_code(result: AuditResult) -> int:
    """0, 1 or 2 for ``result`` under its ``fail_on``, ``strict`` and ``exit_zero``."""
    if any(sr.status is Status.ERROR for sr in result.standards):
        return 2
    if result.exit_zero:
        return 0
    return 1 if failures(result) else 0
