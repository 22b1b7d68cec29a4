"""Status-history and process-mining logs rolled up to one row per case: milestones, counts
and carried attributes, worked out by hand."""

from __future__ import annotations

import textwrap
from datetime import datetime, timezone
from pathlib import Path

import polars as pl
import pytest

from csaudit.engine import audit
from csaudit.errors import InputError
from csaudit.fields import raw_column
from csaudit.ingest import ReadOptions, open_export
from csaudit.profile.loader import parse_profile
from csaudit.rollup import UNTIMED, EventColumns, roll_up
from csaudit.sources import RollupRule
from tests.conftest import profile_text

EXPORTS = Path(__file__).parent / "fixtures" / "exports"
UTC = timezone.utc


def at(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def cases(path, read=None, wanted=("id",)) -> dict[str, dict]:
    frame = open_export(path, {}, set(wanted), read=read).frame.collect()
    return {row["id"]: row for row in frame.to_dicts()}


def test_volvo_milestones_counts_and_attributes():
    got = cases(EXPORTS / "volvo_events.csv", wanted=("id", "priority", "agent", "team"))
    first = got["1-1"]
    assert first["_row"] == 1
    assert first["created_at"] == at(2010, 3, 31, 14)  # 15:00+01:00, its first event
    assert first["first_response_at"] == at(2010, 3, 31, 14)  # the first event is Accepted-In Progress
    assert first["resolved_at"] == at(2010, 4, 4, 9)  # the last Completed-Resolved, not the closure
    assert first["transfers"] == 2.0  # V30 → V5 3rd → V30
    assert first["reopens"] == 1.0  # resolved twice
    assert (first["priority"], first["priority__raw"]) == ("p2", "High")  # its last impact
    assert (first["agent"], first["team"]) == ("fr-ann", "v30")
    second = got["1-2"]
    assert (second["_row"], second["first_response_at"], second["resolved_at"]) == (8, None, at(2010, 5, 1, 8, 30))
    assert (second["transfers"], second["reopens"]) == (0.0, 0.0)
    third = got["1-3"]
    assert (third["_row"], third["resolved_at"], third["reopens"], third["priority"]) == (10, None, 0.0, "p1")


def test_volvo_audit_on_the_rolled_up_cases():
    standards = """
    - id: res
      title: Resolution
      metric: resolution_time
    - id: rate
      title: Resolved
      metric: resolution_rate
    """
    result = audit(parse_profile(profile_text(standards), "t.yaml"), EXPORTS / "volvo_events.csv")
    assert result.input_rows == 3
    res, rate = (s.groups[0] for s in result.standards)
    assert (res.value, res.sample_size) == (166500.0, 2)  # 3 d 19 h and 1 h 30 min
    assert (rate.value, rate.sample_size) == (2 / 3, 3)


def test_helpdesk_log_first_take_in_charge_and_resolve():
    (case,) = cases(EXPORTS / "helpdesk_events.csv", wanted=("id", "agent")).values()
    assert case["created_at"] == at(2010, 1, 13, 8, 40, 25)
    assert case["first_response_at"] == at(2010, 1, 13, 9, 40, 25)
    assert case["resolved_at"] == at(2010, 1, 14, 9, 40, 25)  # Resolve ticket, not Closed
    assert case["agent"] == "value 2"  # the resource of the first event (take: first)


def test_servicenow_event_log_takes_attributes_from_the_last_update():
    got = cases(EXPORTS / "servicenow_events.csv", wanted=("id", "created_at", "resolved_at", "team", "agent", "transfers"))
    inc1 = got["INC1"]
    assert inc1["created_at"] == at(2016, 2, 29, 1, 16)  # opened_at, day-first without padding
    assert inc1["first_response_at"] == at(2016, 2, 29, 4, 40)  # first update to Active
    assert inc1["resolved_at"] == at(2016, 2, 29, 8, 53)
    assert (inc1["team"], inc1["agent"], inc1["transfers"]) == ("group 70", "resolver 4", 1.0)
    inc2 = got["INC2"]
    assert (inc2["first_response_at"], inc2["resolved_at"], inc2["agent"]) == (None, None, None)  # "?" is none


STATUS_LOG = """
ticket,status,changed,owner
T1,New,2024-03-01 09:00,desk
T1,In Progress,2024-03-01 09:30,amy
T1,Resolved,2024-03-01 12:00,amy
T1,In Progress,2024-03-02 09:00,bo
T1,Resolved,2024-03-02 10:00,bo
T2,New,2024-03-01 10:00,desk
T2,In Progress,2024-03-01 10:00,cy
T2,Closed,2024-03-01 10:00,cy
T3,New,2024-03-01 11:00,desk
T3,In Progress,yesterday,dee
"""

MAPPING = """
csaudit_source: 1
name: status-history
events:
  case: ticket
  at: changed
  status: status
rollup:
  created_at: first_event
  first_response_at: {first: [In Progress, Active]}
  resolved_at: {last: [Resolved, Closed]}
  reopens: {count: [Resolved, Closed], minus: 1}
  transfers: {changes: owner}
fields:
  agent: {column: owner, take: last}
"""


@pytest.fixture
def status_log(tmp_path, write_csv):
    mapping = tmp_path / "history.yaml"
    mapping.write_text(MAPPING, encoding="utf-8")
    return write_csv(STATUS_LOG), ReadOptions(mapping_file=mapping)


def test_user_status_log_mapping(status_log):
    path, read = status_log
    got = cases(path, read, wanted=("id", "agent"))
    t1 = got["T1"]
    assert (t1["created_at"], t1["first_response_at"], t1["resolved_at"]) == (
        at(2024, 3, 1, 9), at(2024, 3, 1, 9, 30), at(2024, 3, 2, 10)
    )
    assert (t1["reopens"], t1["transfers"], t1["agent"]) == (1.0, 2.0, "bo")  # desk → amy → bo
    # Simultaneous events keep the file's order: New, In Progress, Closed.
    t2 = got["T2"]
    assert (t2["first_response_at"], t2["resolved_at"], t2["transfers"]) == (at(2024, 3, 1, 10),) * 2 + (1.0,)
    # An event whose time does not read takes no part in the milestones, and is reported.
    t3 = got["T3"]
    assert (t3["first_response_at"], t3[UNTIMED], t3[raw_column("event_time")]) == (None, 1, "yesterday")


def test_status_log_audit_reports_unreadable_event_times(status_log):
    path, read = status_log
    standards = "- id: frt\n  title: FRT\n  metric: first_response_time\n"
    result = audit(parse_profile(profile_text(standards), "t.yaml"), path, read=read)
    group = result.standards[0].groups[0]
    assert (group.value, group.sample_size) == (900.0, 2)  # 30 min and 0 s
    (finding,) = result.findings
    assert (finding.key, finding.count, finding.rows, finding.examples) == ("unparsable:event_time", 1, [9], ["yesterday"])
    assert any("rolled up" in note for note in result.notes)


def test_status_log_mapping_naming_a_missing_column(tmp_path, write_csv):
    mapping = tmp_path / "history.yaml"
    mapping.write_text(MAPPING.replace("status: status", "status: state"), encoding="utf-8")
    with pytest.raises(InputError) as info:
        open_export(write_csv(STATUS_LOG), {}, {"id"}, read=ReadOptions(mapping_file=mapping))
    assert "events.status" in str(info.value) and "'state'" in str(info.value) and "did you mean 'status'?" in str(info.value)


def test_roll_up_directly_on_a_lazy_frame():
    # Message events (interaction, time, author) use the same rules, the author as the status.
    events = pl.LazyFrame({
        "_row": [1, 2, 3, 4],
        "conv": ["c1", "c1", "c1", "c2"],
        "conv__raw": ["c1", "c1", "c1", "c2"],
        "t": [at(2024, 1, 1, 8, 5), at(2024, 1, 1, 8), at(2024, 1, 1, 8, 9), at(2024, 1, 1, 9)],
        "t_raw": ["08:05", "08:00", "08:09", "09:00"],
        "author": ["agent", "customer", "agent", "customer"],
    })
    rules = {
        "created_at": RollupRule("first_event"),
        "first_response_at": RollupRule("first", statuses=("Agent",)),
        "replies": RollupRule("count", statuses=("agent",)),
    }
    columns = EventColumns("_row", "conv", "t", "t_raw", "author", each_row=True)  # every message counts
    rolled = roll_up(events, columns, rules, {}).collect().sort("conv")
    assert rolled.select("conv", "_row", "created_at", "first_response_at", "replies").rows() == [
        ("c1", 1, at(2024, 1, 1, 8), at(2024, 1, 1, 8, 5), 2.0),
        ("c2", 4, at(2024, 1, 1, 9), None, 0.0),
    ]
    assert rolled[raw_column("first_response_at")].to_list() == ["08:05", None]


def test_rule_and_field_types_must_agree(tmp_path):
    from csaudit.sources import load_source

    bad = tmp_path / "bad.yaml"
    bad.write_text(textwrap.dedent("""
        csaudit_source: 1
        events: {case: id, at: t, status: s}
        rollup:
          replies: first_event
    """))
    with pytest.raises(InputError, match="rollup.replies: first_event gives a time; `replies` is number"):
        load_source(bad)
