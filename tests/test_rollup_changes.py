"""Milestone rules count *changes* of status: a row repeating the status it follows (a duplicate
row, an update of another field, Resolved → Closed when both are listed) is no new resolution.
Expected values worked out by hand from the events, sorted by time."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from csaudit.fields import raw_column
from csaudit.ingest import ReadOptions, open_export
from csaudit.rollup import UNTIMED, UNTIMED_FIELD

UTC = timezone.utc


def at(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


LOG = """
ticket,status,changed,owner
A,Resolved,2024-03-01 12:00:20,amy
A,New,2024-03-01 09:00:00,desk
A,In Progress,2024-03-01 10:00:00,amy
A,Resolved,2024-03-01 12:00:00,amy
A,Closed,2024-03-04 12:00:00,system
B,New,2024-03-01 09:00:00,desk
B,Resolved,2024-03-01 10:00:00,bo
B,In Progress,2024-03-01 11:00:00,bo
B,RESOLVED,2024-03-01 12:00:00,bo
B,Closed,2024-03-01 13:00:00,system
C,Resolved,2024-03-01 09:00:00,cy
D,New,2024-03-01 09:00:00,desk
D,in  PROGRESS,2024-03-01 10:00:00,dee
D,Resolved,2024-03-01 10:30:00,dee
D,Pending,2024-03-01 11:00:00,dee
D,Resolved,2024-03-01 12:00:00,dee
E,New,2024-03-01 09:00:00,desk
E,Resolved,2024-03-01 10:00:00,eve
E,,2024-03-01 11:00:00,eve
E,Resolved,2024-03-01 12:00:00,eve
F,New,2024-03-01 09:00:00,desk
F,ABGESCHLOẞEN,2024-03-01 10:00:00,fay
"""

MAPPING = """
csaudit_source: 1
name: status-history
missing: [system]
events:
  case: ticket
  at: changed
  status: status
rollup:
  created_at: first_event
  first_response_at: {first: [In Progress]}
  resolved_at: {last: [Resolved, Closed, Abgeschloßen]}
  reopens: {count: [Resolved, Closed, Abgeschloßen], minus: 1}
fields:
  agent: owner
"""


@pytest.fixture
def rolled(tmp_path, write_csv) -> dict[str, dict]:
    mapping = tmp_path / "history.yaml"
    mapping.write_text(MAPPING, encoding="utf-8")
    frame = open_export(write_csv(LOG), {}, {"id", "agent"}, read=ReadOptions(mapping_file=mapping)).frame.collect()
    return {row["id"]: row for row in frame.to_dicts()}


def milestones(case: dict) -> tuple:
    return case["created_at"], case["first_response_at"], case["resolved_at"], case["reopens"]


def test_a_duplicate_resolution_and_the_later_closure_are_no_new_resolution(rolled):
    # In time order: New 09:00, In Progress 10:00, Resolved 12:00:00, Resolved 12:00:20 (the
    # file's first row), Closed 03-04. It became resolved once, at 12:00:00: the repeat and the
    # closure do not move the resolution (before: 03-04 12:00, the closure) nor reopen (before: 2).
    assert milestones(rolled["A"]) == (at(2024, 3, 1, 9), at(2024, 3, 1, 10), at(2024, 3, 1, 12), 0.0)
    assert rolled["A"]["_row"] == 1  # the file row of its first event in the file
    assert rolled["A"]["agent"] == "amy"  # its last event's owner is a placeholder ("system")


def test_resolved_reopened_and_resolved_again(rolled):
    # New 09:00, Resolved 10:00, In Progress 11:00 (out of resolved: a reopen), RESOLVED 12:00
    # (statuses ignore case), Closed 13:00 (still resolved): resolved at 12:00, one reopen
    # (before: the closure at 13:00 and 2 reopens).
    assert milestones(rolled["B"]) == (at(2024, 3, 1, 9), at(2024, 3, 1, 11), at(2024, 3, 1, 12), 1.0)


def test_a_case_whose_only_event_is_its_resolution(rolled):
    assert milestones(rolled["C"]) == (at(2024, 3, 1, 9), None, at(2024, 3, 1, 9), 0.0)


def test_spacing_and_an_unknown_status(rolled):
    # "in  PROGRESS" is In Progress (case and runs of spaces ignored; before: no first response).
    # Resolved 10:30 → Pending 11:00 (a status the rules do not list: out of resolved) → Resolved
    # 12:00: resolved at 12:00, one reopen.
    assert milestones(rolled["D"]) == (at(2024, 3, 1, 9), at(2024, 3, 1, 10), at(2024, 3, 1, 12), 1.0)


def test_an_event_without_a_status_changes_nothing(rolled):
    # Resolved 10:00, (no status) 11:00, Resolved 12:00: resolved once, at 10:00 (before: 12:00
    # and one reopen).
    assert milestones(rolled["E"]) == (at(2024, 3, 1, 9), None, at(2024, 3, 1, 10), 0.0)


def test_statuses_compare_as_lower_case_not_casefold(rolled):
    # The rule's "Abgeschloßen" and the file's "ABGESCHLOẞEN" are both "abgeschloßen" in lower
    # case; casefold would have made the rule "abgeschlossen", which no event matches.
    assert rolled["F"]["resolved_at"] == at(2024, 3, 1, 10)


BPI = """
SR Number,Change Date+Time,Status,Sub Status,Activity,Involved ST,SR Latest Impact,Resource
1-9,2012-05-02T12:00:00+01:00,Accepted,In Progress,Accepted-In Progress,D8,Medium,pl-Patryk
1-9,2012-05-02T13:04:03+01:00,Completed,Resolved,Completed-Resolved,D8,Medium,pl-Patryk
1-9,2012-05-02T13:04:05+01:00,Completed,Resolved,Completed-Resolved,D8,Medium,pl-Patryk
1-9,2012-05-10T00:18:57+01:00,Completed,Closed,Completed-Closed,D8,Medium,pl-Siebel
"""


def test_volvo_duplicate_resolution_and_the_siebel_closure(write_csv):
    # Request 1-722456790 of the real log, shortened: resolved twice two seconds apart, then
    # closed by the Siebel system account. Resolved at the first (13:04:03+01:00), no reopen
    # (before: 1), and the agent is the last person, not Siebel (before: pl-siebel).
    (case,) = open_export(write_csv(BPI), {}, {"id", "agent"}).frame.collect().to_dicts()
    assert (case["resolved_at"], case["reopens"], case["agent"]) == (at(2012, 5, 2, 12, 4, 3), 0.0, "pl-patryk")


def test_events_without_a_case_id_make_no_case(tmp_path, write_csv):
    mapping = tmp_path / "history.yaml"
    mapping.write_text(MAPPING, encoding="utf-8")
    log = "ticket,status,changed,owner\nA,New,2024-03-01 09:00:00,desk\n,New,2024-03-02 09:00:00,x\n,Resolved,2024-03-09 09:00:00,x\n"
    export = open_export(write_csv(log), {}, {"id"}, read=ReadOptions(mapping_file=mapping))
    frame = export.frame.collect()
    assert frame["id"].to_list() == ["A"]  # only case A; rows 2 and 3 belong to no case
    assert "2 events have no case id (column 'ticket'): rows 2, 3; left out" in export.notes


TIMELESS_LOG = """
ticket,status,changed,priority,group
X,New,garbage,P1,g1
X,In Progress,2024-03-01 10:00,P3,g1
X,Resolved,2024-03-01 11:00,P3,g2
Y,New,2024-03-01 09:00,P2,g1
Y,Resolved,,P2,g1
"""

TIMELESS_MAPPING = """
csaudit_source: 1
name: status-history
events: {case: ticket, at: changed, status: status}
rollup:
  created_at: first_event
  resolved_at: {last: [Resolved]}
  transfers: {changes: group}
fields:
  priority: priority
"""


def test_events_without_a_time(tmp_path, write_csv):
    mapping = tmp_path / "history.yaml"
    mapping.write_text(TIMELESS_MAPPING, encoding="utf-8")
    frame = open_export(write_csv(TIMELESS_LOG), {}, {"id", "priority"}, read=ReadOptions(mapping_file=mapping)).frame
    got = {row["id"]: row for row in frame.collect().to_dicts()}
    x, y = got["X"], got["Y"]
    # X's first event has an unreadable time, so its place is unknown: the priority is P3, of its
    # last timed event (before: P1, of the timeless event sorted last), and the group changes once,
    # g1 → g2 (before: twice, g1 → g2 → g1).
    assert (x["created_at"], x["priority"], x["transfers"], x[UNTIMED]) == (at(2024, 3, 1, 10), "p3", 1.0, 1)
    # Y's resolution has no time at all: unresolved, and reported like an unreadable time (before:
    # silently unresolved).
    assert (y["resolved_at"], y[UNTIMED], y[raw_column(UNTIMED_FIELD)]) == (None, 1, "(empty)")


@pytest.mark.parametrize(("rule", "message"), [
    ("resolved_at: {last: []}", "rollup.resolved_at.last: lists no status"),
    ("resolved_at: {last: [Resolved], minus: 1}", "rollup.resolved_at.minus: applies to count only, not to last"),
    ("resolvd_at: first_event", "did you mean 'resolved_at'?"),
])
def test_rules_that_would_silently_measure_nothing_are_errors(tmp_path, rule, message):
    # An empty status list made the field empty on every case (every case unresolved); a minus on
    # a time was ignored.
    from csaudit.errors import InputError
    from csaudit.sources import load_source

    path = tmp_path / "m.yaml"
    path.write_text(f"csaudit_source: 1\nevents: {{case: t, at: c, status: s}}\nrollup:\n  {rule}\n", encoding="utf-8")
    with pytest.raises(InputError, match=message.replace("?", r"\?")):
        load_source(path)
