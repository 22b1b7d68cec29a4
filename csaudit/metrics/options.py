"""Parsers for metric options written in profiles. Each raises ValueError with a usable message."""

from __future__ import annotations

from typing import Any

from csaudit.units import parse_duration


def duration_or_none(value: Any) -> float | None:
    return None if value is None else parse_duration(value)


def channel_list(value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
        raise ValueError("expected a list of channel names, e.g. [chat, phone]")
    return tuple(v.strip().lower() for v in value)


def one_of(*choices: Any):
    def parse(value: Any) -> Any:
        if value not in choices:
            raise ValueError("expected one of " + ", ".join(str(c) for c in choices) + f", got {value!r}")
        return value

    return parse


def positive_number(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
        raise ValueError(f"expected a positive number, got {value!r}")
    return float(value)
