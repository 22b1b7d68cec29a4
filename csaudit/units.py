"""Durations, percentages and how values are written for people.

Durations are seconds (float) everywhere inside csaudit. People write them as ``90s``,
``2m``, ``24h``, ``1d``, ``1h30m`` or ``1w``; :func:`parse_duration` reads those.
"""

from __future__ import annotations

import math
import re

_UNIT_SECONDS = {"w": 604800, "d": 86400, "h": 3600, "m": 60, "s": 1, "ms": 0.001}
_PART = re.compile(r"(\d+(?:\.\d+)?)(ms|w|d|h|m|s)")
_WHOLE = re.compile(r"^(?:\d+(?:\.\d+)?(?:ms|w|d|h|m|s))+$")


class UnitError(ValueError):
    """A value that is not the kind of quantity expected."""


def parse_duration(text: object) -> float:
    """Seconds in a duration written like ``90s``, ``2m``, ``1h30m``, ``1.5h``, ``1d``, ``1w``.

    A bare number is refused: ``2`` could be seconds, minutes or hours.
    """
    if isinstance(text, bool) or not isinstance(text, str):
        raise UnitError(
            f"expected a duration with a unit such as 90s, 2m, 24h, 1d or 1h30m, got {shorten(text)}"
        )
    compact = text.strip().lower().replace(" ", "")
    if not compact or not _WHOLE.match(compact):
        raise UnitError(
            f"expected a duration with a unit such as 90s, 2m, 24h, 1d or 1h30m, got {shorten(text)}"
        )
    units_seen = [u for _, u in _PART.findall(compact)]
    if len(set(units_seen)) != len(units_seen):
        raise UnitError(f"duration {text!r} names the same unit twice")
    return _finite(float(sum(float(n) * _UNIT_SECONDS[u] for n, u in _PART.findall(compact))), text)


def _finite(number: float, written: object) -> float:
    """``number`` unless it is infinite or not a number (``.inf``, ``nan``, ``1e400``): a
    threshold every value meets, or none does, is never what a target means."""
    if not math.isfinite(number):
        shown = shorten(written)
        read = "" if shown.strip("'").lower() == str(number) else f", which is {'not a number' if math.isnan(number) else 'infinite'}"
        raise UnitError(f"expected a finite number, got {shown}{read}")
    return number


def _float(value: int | float) -> float:
    try:
        return float(value)
    except OverflowError:  # an integer of hundreds of digits
        return math.inf


def shorten(value: object, limit: int = 60) -> str:
    """``repr(value)``, cut to about ``limit`` characters: a 5,000-digit number is not repeated."""
    text = repr(value)
    if len(text) <= limit:
        return text
    quote = text[0] if text[0] in "'\"" else ""
    return f"{text[: limit - 20]}…{quote} ({len(str(value)):,} characters)"


def parse_fraction(value: object) -> float:
    """A share written as ``75%`` or as a fraction ``0.75``; returns the fraction."""
    if isinstance(value, bool):
        raise UnitError(f"expected a percentage such as 75% or a fraction such as 0.75, got {value!r}")
    if isinstance(value, (int, float)):
        if 0 <= value <= 1:
            return float(value)
        _finite(_float(value), value)
        raise UnitError(
            f"expected a fraction between 0 and 1 or a percentage such as {value}%, got {value!r}"
        )
    if isinstance(value, str) and value.strip().endswith("%"):
        try:
            number = _finite(float(value.strip()[:-1]), value)
        except ValueError as exc:
            if isinstance(exc, UnitError):
                raise
            raise UnitError(f"expected a percentage such as 75%, got {shorten(value)}") from None
        if not 0 <= number <= 100:
            raise UnitError(f"a percentage must be between 0% and 100%, got {value!r}")
        return number / 100
    raise UnitError(f"expected a percentage such as 75% or a fraction such as 0.75, got {value!r}")


def parse_number(value: object) -> float:
    """A plain number (counts, scores, ratios)."""
    if isinstance(value, bool):
        raise UnitError(f"expected a number, got {value!r}")
    if isinstance(value, (int, float)):
        return _finite(_float(value), value)
    try:
        number = float(str(value).strip())
    except ValueError:
        raise UnitError(f"expected a number, got {shorten(value)}") from None
    return _finite(number, value)


def format_duration(seconds: float | None, hours: bool = False) -> str:
    """``95`` → ``1m 35s``; ``90061`` → ``1d 1h 1m``: at most three units, the largest first.
    ``hours``: no days (business time, whose days are not 24 hours): ``90061`` → ``25h 1m 1s``."""
    if seconds is None or math.isnan(seconds):
        return "—"
    if math.isinf(seconds):
        return "∞" if seconds > 0 else "-∞"
    sign = "-" if seconds < 0 else ""
    s = abs(seconds)
    if s < 10 and s != int(s):
        return f"{sign}{s:.1f}s"
    if round(s) < 60:
        return f"{sign}{round(s)}s"
    days, rem = divmod(round(s), 86400 if not hours else 10**18)
    whole_hours, rem = divmod(rem, 3600)
    minutes, secs = divmod(rem, 60)
    units = [(days, "d"), (whole_hours, "h"), (minutes, "m"), (secs, "s")]
    first = next(i for i, (n, _) in enumerate(units) if n)
    return sign + " ".join(f"{n}{u}" for n, u in units[first : first + 3] if n)


def format_percent(fraction: float | None) -> str:
    """``0.7532`` → ``75.3%``."""
    if fraction is None or math.isnan(fraction):
        return "—"
    return f"{fraction * 100:.1f}%"


def format_number(value: float | None, decimals: int = 2) -> str:
    """Plain numbers: integers without decimals, others to ``decimals`` places."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    if math.isinf(value):
        return "∞" if value > 0 else "-∞"
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.{decimals}f}"
