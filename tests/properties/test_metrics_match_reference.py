"""Property: for generated interaction tables, every metric's value and sample size, per
group, equal the reference implementation's (tests/properties/reference.py).

Each example writes one CSV and audits it with a profile holding one standard per metric,
through ``audit()`` — the path a user's export takes. Tables include empty and one-row
exports, absent, all-empty and all-unparsable columns, ties, negative durations, durations
from a microsecond to years, and unparsable cells; standards draw every statistic, grouping,
filter and option. Runs are derandomized so CI sees the same examples every time.
"""

from __future__ import annotations

import math
import os

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from csaudit.engine import _wanted_fields, audit
from csaudit.errors import InputError
from csaudit.profile.loader import parse_profile
from csaudit.profile.model import Status
from tests.properties.reference import METRICS, Expected, expected
from tests.properties.standards import profile_yaml, specs
from tests.properties.table import BOOLS, NUMBERS, TIMESTAMPS, Table, tables

# CI runs a fixed set of examples. To search deeper, CSAUDIT_PROPERTY_SCALE=50 runs 50 times
# as many, randomly; CSAUDIT_PROPERTY_SHRINK=0 shows a failure at once, unshrunk.
_SCALE = int(os.environ.get("CSAUDIT_PROPERTY_SCALE", "1"))
_PHASES = (Phase.explicit, Phase.reuse, Phase.generate) + (
    (Phase.shrink,) if os.environ.get("CSAUDIT_PROPERTY_SHRINK", "1") != "0" else ()
)

PROPERTY_SETTINGS = settings(
    derandomize=_SCALE == 1,
    database=None,
    deadline=None,
    phases=_PHASES,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    return tmp_path_factory.mktemp("properties")


def same(got: float | None, want: float | None, scale_seconds: float) -> bool:
    if got is None or (isinstance(got, float) and math.isnan(got)):
        return want is None
    if want is None:
        return False
    if math.isinf(got) or math.isinf(want):
        return got == want
    return math.isclose(got, want, rel_tol=1e-9, abs_tol=1e-12 * (1 + 10 * scale_seconds))


def input_error_expected(table: Table, profile) -> str | None:
    """The export-level errors the README promises for these tables, else None."""
    if not table.rows:
        return "header but no rows"
    for name in TIMESTAMPS:
        if name in table.fields and name in _wanted_fields(profile):
            cells = [row[name] for row in table.rows]
            if not any(c.ok for c in cells) and any(c.state == "bad" and c.text.strip() for c in cells):
                return "reads as a date and time"
    return None


def check_audit(folder, table: Table, items, checked_fields: tuple[str, ...] = ()) -> None:
    """Audit ``table`` with the standards ``items`` and compare with the reference. Findings
    of unparsable cells are compared for ``checked_fields`` (fields the profile reads)."""
    path = folder / "export.csv"
    path.write_text(table.csv_text(), encoding="utf-8")
    profile = parse_profile(profile_yaml(items), "properties.yaml")
    error = input_error_expected(table, profile)
    if error:
        with pytest.raises(InputError, match=error):
            audit(profile, path)
        return
    result = audit(profile, path)
    assert result.input_rows == len(table.rows)
    scale_seconds = table.scale_us / 1e6
    for spec, got in zip(items, result.standards):
        want: Expected = expected(table, spec)
        where = f"{spec} on\n{table.csv_text()}"
        if not want.measurable:
            assert got.status is Status.NOT_MEASURED, where
            continue
        assert got.status is not Status.NOT_MEASURED, f"{got.reason}: {where}"
        groups = [(g.group or {}, g.value, g.sample_size) for g in got.groups]
        assert [(g, n) for g, _, n in groups] == [(g, n) for g, _, n in want.groups], where
        for (group, value, _), (_, want_value, _) in zip(groups, want.groups):
            assert same(value, want_value, scale_seconds), f"{group}: got {value}, want {want_value}: {where}"
    # Every unparsable cell of a typed column is reported, with its row number.
    findings = {f.key: f for f in result.findings}
    for name in checked_fields:
        if name not in table.fields or name not in (*TIMESTAMPS, *BOOLS, *NUMBERS):
            continue
        bad_rows = [i + 1 for i, row in enumerate(table.rows) if row[name].state == "bad"]
        finding = findings.get(f"unparsable:{name}")
        assert (finding.count if finding else 0) == len(bad_rows), name
        if bad_rows:
            assert finding.rows == bad_rows[:5]


@settings(PROPERTY_SETTINGS, max_examples=45 * _SCALE)
@given(data=st.data())
def test_every_metric_matches_reference(folder, data):
    table = data.draw(tables(max_rows=8), label="table")
    metrics = data.draw(st.lists(st.sampled_from(sorted(METRICS)), min_size=4, max_size=8, unique=True), label="metrics")
    items = data.draw(specs(table, tuple(metrics)), label="standards")
    check_audit(folder, table, items)


QUEUE_FIELDS = ("channel", "priority", "created_at", "queued_at", "first_response_at", "abandoned", "abandoned_at", "resolved_at")


@settings(PROPERTY_SETTINGS, max_examples=30 * _SCALE)
@given(data=st.data())
def test_queue_and_backlog_metrics_match_reference(folder, data):
    """The metrics that are not per row (waiting count, backlog flow) and the live-queue ones,
    on longer tables with only the columns they read, so overlaps and periods are many."""
    table = data.draw(tables(max_rows=25, fields=QUEUE_FIELDS), label="table")
    metrics = ("waiting_count", "waiting_count", "backlog_flow", "backlog_flow", "speed_of_answer", "abandonment_rate")
    items = data.draw(specs(table, metrics), label="standards")
    check_audit(folder, table, items, checked_fields=QUEUE_FIELDS)


#: Metrics that need a second table: average_response_time (message events) has its own
#: property (test_response_time.py); occupancy (agent activity) and the orders metrics have none yet.
SECOND_TABLE = {"occupancy", "average_response_time"}
INTERACTION_FAMILIES = {"speed", "accuracy", "accessibility", "efficiency", "satisfaction"}


def test_reference_covers_the_catalogue():
    """Every interactions metric of the registry has a reference, so a new one cannot slip
    past these properties."""
    from csaudit.metrics import REGISTRY

    interaction = {n for n, m in REGISTRY.items() if m.family in INTERACTION_FAMILIES} - SECOND_TABLE
    assert interaction == set(METRICS)
