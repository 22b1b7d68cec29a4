"""The reference implementation checked on its own, by hand and against numpy, so that a
property failure points at the engine and not at the reference."""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.properties.reference import (
    Row,
    Stat,
    backlog_value,
    period_of,
    quantile,
    sigma_level,
    statistic,
    waiting_statistic,
)
from tests.properties.table import Cell, Table, timestamp_text


@settings(max_examples=50, derandomize=True, database=None)
@given(
    st.lists(st.integers(-10**6, 10**6), min_size=1, max_size=12),
    st.sampled_from(("1", "10", "25", "33.3", "50", "90", "99.9")),
)
def test_quantile_is_numpy_linear(values, percent):
    q = Fraction(percent) / 100
    got = float(quantile([Fraction(v) for v in values], q))
    assert got == pytest.approx(np.quantile(values, float(q)), rel=1e-12, abs=1e-6)


def test_statistics_by_hand():
    values = [Fraction(v) for v in (4, 1, 3, 2, 10)]
    assert statistic(Stat("mean"), values) == Fraction(20, 5)
    assert statistic(Stat("median"), values) == 3
    # p90: h = 4 × 0.9 = 3.6 → 4 + 0.6 × (10 − 4) = 7.6
    assert statistic(Stat("quantile", q=Fraction(9, 10)), values) == Fraction(76, 10)
    assert statistic(Stat("min"), values) == 1 and statistic(Stat("max"), values) == 10
    assert statistic(Stat("share_within", within=Fraction(3)), values) == Fraction(3, 5)  # 1, 2, 3
    assert statistic(Stat("mean"), []) is None


def test_waiting_by_hand():
    # [0, 4) and [2, 6) overlap on [2, 4); [6, 8) starts when the second leaves (no overlap).
    intervals = [(0, 4), (2, 6), (6, 8)]
    assert waiting_statistic(Stat("max"), intervals) == 2
    # levels 1 on [0,2), 2 on [2,4), 1 on [4,6), 1 on [6,8): area 2 + 4 + 2 + 2 = 10 over 8
    assert waiting_statistic(Stat("mean"), intervals) == Fraction(10, 8)
    assert waiting_statistic(Stat("share_within", within=Fraction(1)), intervals) == Fraction(6, 8)
    # An empty wait ([3, 3): answered on arrival) adds no one waiting.
    assert waiting_statistic(Stat("max"), intervals + [(3, 3)]) == 2
    # A queue whose contacts were all answered on arrival: peak 0, mean 0, all time within.
    quiet = [(5, 5), (9, 9)]
    assert waiting_statistic(Stat("max"), quiet) == 0 and waiting_statistic(Stat("mean"), quiet) == 0
    assert waiting_statistic(Stat("share_within", within=Fraction(2)), quiet) == 1
    assert waiting_statistic(Stat("max"), []) is None


def test_backlog_by_hand():
    # Weeks: 3 created / 1 resolved, 1 / 2, 2 / 0 (infinite)
    periods = {("a",): [3, 1], ("b",): [1, 2], ("c",): [2, 0]}
    assert backlog_value(Stat("ratio"), periods) == Fraction(6, 3)
    assert backlog_value(Stat("min"), periods) == Fraction(1, 2)
    assert backlog_value(Stat("max"), periods) == math.inf
    assert backlog_value(Stat("median"), periods) == 3
    assert backlog_value(Stat("mean"), periods) == math.inf
    assert backlog_value(Stat("median"), {("a",): [3, 1], ("b",): [1, 0]}) == math.inf


def test_periods_start_on_monday_in_utc():
    # 2024-01-07 is a Sunday; 23:30 at -05:00 is already Monday 04:30 UTC
    sunday_late = 1_704_670_200_000_000 + 5 * 3_600_000_000  # 2024-01-07 23:30 UTC + 5 h
    assert timestamp_text(sunday_late, "offset", -300) == "2024-01-07T23:30:00-05:00"
    assert str(period_of(sunday_late, "week")[0]) == "2024-01-08"
    assert period_of(sunday_late, "month") == (2024, 1)


def test_sigma_level():
    assert sigma_level(0) == math.inf
    assert sigma_level(1_000_000) == -math.inf
    assert sigma_level(3.4) == pytest.approx(6.0, abs=0.01)  # the six-sigma convention
    assert sigma_level(66_807) == pytest.approx(3.0, abs=0.01)


def test_unknown_cells():
    table = Table(fields=("id", "abandoned", "abandoned_at", "queued_at", "created_at"), rows=[])

    def row(**cells):
        return Row(table, {k: v for k, v in cells.items()})

    ok, bad, empty = Cell("x", "ok", 5), Cell("?", "bad"), Cell("")
    assert row(abandoned=Cell("y", "ok", True)).abandoned() is True
    assert row(abandoned=bad).abandoned() is None
    assert row(abandoned=empty, abandoned_at=ok).abandoned() is True
    assert row(abandoned=empty, abandoned_at=bad).abandoned() is None
    assert row(abandoned=empty, abandoned_at=empty).abandoned() is False
    assert row(queued_at=empty, created_at=Cell("c", "ok", 3)).queue_start() == 3
    assert row(queued_at=bad, created_at=Cell("c", "ok", 3)).queue_start() is None
