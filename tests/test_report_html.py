"""The HTML report's charts with awkward group names."""

from __future__ import annotations

import re

from csaudit.metrics.base import Unit
from csaudit.profile.model import Status
from csaudit.render.html_charts import trend_chart
from csaudit.result import GroupResult, StandardResult
from tests.render.fixtures import RESOLVE_P1


def test_a_blank_group_in_the_weekly_trend_is_named_blank_not_none():
    # Interactions without a channel form a group whose value is None; the legend, the series
    # and the tooltips said "None".
    sr = StandardResult(RESOLVE_P1, Unit.FRACTION, Status.FAIL, [])
    weeks = [
        GroupResult({"channel": "chat", "week": "2026-10-05"}, 0.95, 30, Status.PASS),
        GroupResult({"channel": None, "week": "2026-10-05"}, 0.5, 25, Status.FAIL),
    ]
    svg = trend_chart(sr, weeks)
    assert "None" not in svg
    assert re.findall(r"<tspan[^>]*> ■ ([^<]*)</tspan>", svg) == ["chat", "(blank)"]
    assert '<g data-series="(blank)">' in svg
    assert "<title>(blank) · week of 2026-10-05: 50.0% (fail, n=25)</title>" in svg
