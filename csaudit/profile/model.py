"""What a profile holds once loaded: standards with a metric, a statistic and a target."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from enum import Enum
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the calendar module needs polars; the model does not
    from csaudit.business_calendar import BusinessCalendar


class Status(str, Enum):
    """Outcome of one standard (or one group of it). Ordered from best to worst."""

    PASS = "pass"
    INFO = "info"  # reported, no target
    WARN = "warn"
    INSUFFICIENT = "insufficient data"
    NOT_MEASURED = "not measured"
    FAIL = "fail"
    ERROR = "error"

    @property
    def rank(self) -> int:
        return _RANK[self]


_RANK = {
    Status.PASS: 0,
    Status.INFO: 0,
    Status.WARN: 1,
    Status.INSUFFICIENT: 2,
    Status.NOT_MEASURED: 3,
    Status.FAIL: 4,
    Status.ERROR: 5,
}


@dataclass(frozen=True)
class Statistic:
    """How a standard's sample becomes one number.

    ``kind`` is one of mean, median, quantile, min, max, share_within, rate, ratio.
    ``q`` is the quantile (0–1) for ``quantile``; ``within`` the limit for ``share_within``,
    in the metric's unit (seconds for durations).
    """

    kind: str
    q: float | None = None
    within: float | None = None
    text: str = ""

    @property
    def yields_fraction(self) -> bool:
        return self.kind in ("share_within", "rate")


COMPARISONS = ("at_most", "below", "at_least", "above", "between")


@dataclass(frozen=True)
class Target:
    """Thresholds of a standard. ``fail`` is where it fails; ``warn`` (optional) is a stricter
    level: a value that meets ``fail`` but not ``warn`` is a warning.

    For ``between`` both are ``(low, high)`` pairs, inclusive.
    """

    compare: str
    fail: Any
    warn: Any = None

    def evaluate(self, value: float) -> Status:
        if value is None or (isinstance(value, float) and math.isnan(value)):
            return Status.INSUFFICIENT
        if not self._meets(value, self.fail):
            return Status.FAIL
        if self.warn is not None and not self._meets(value, self.warn):
            return Status.WARN
        return Status.PASS

    def _meets(self, value: float, limit: Any) -> bool:
        if self.compare == "at_most":
            return value <= limit
        if self.compare == "below":
            return value < limit
        if self.compare == "at_least":
            return value >= limit
        if self.compare == "above":
            return value > limit
        low, high = limit
        return low <= value <= high

    def stricter_or_equal(self, warn: Any, fail: Any) -> bool:
        """Whether ``warn`` is at least as strict as ``fail`` (so warn sits between pass and fail)."""
        if self.compare in ("at_most", "below"):
            return warn <= fail
        if self.compare in ("at_least", "above"):
            return warn >= fail
        return fail[0] <= warn[0] and warn[1] <= fail[1]


@dataclass(frozen=True)
class Standard:
    """One standard of a profile."""

    id: str
    title: str
    metric: str
    statistic: Statistic
    target: Target | None  # None: reported only (status "info")
    filter: dict[str, tuple[str, ...]] = field(default_factory=dict)
    each: tuple[str, ...] = ()
    min_sample: int = 1
    required: bool = True
    options: dict[str, Any] = field(default_factory=dict)
    note: str = ""
    location: str = ""  # file:line:column of the standard in its profile

    @property
    def calendar(self) -> "BusinessCalendar | None":
        """The business calendar its durations are measured in (None: calendar time). The
        loader puts it in ``options["calendar"]``, so every metric method sees it."""
        return self.options.get("calendar")


@dataclass(frozen=True)
class Profile:
    name: str
    title: str
    standards: tuple[Standard, ...]
    version: int = 1
    description: str = ""
    source: str = ""
    mapping: dict[str, str] = field(default_factory=dict)
    path: str = ""
    #: IANA time zone in which timestamps without an offset are read (None: UTC, unless given).
    timezone: str | None = None
    #: Business calendars by name (``calendars:``).
    calendars: dict[str, "BusinessCalendar"] = field(default_factory=dict)
    kind: str = "interactions"  # the data it audits: interactions or orders (fields.KINDS)
