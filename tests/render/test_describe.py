"""The words every format shares: groups, evidence rows."""

from __future__ import annotations

from csaudit.metrics.base import Unit
from csaudit.profile.model import Status
from csaudit.render.describe import evidence_for, evidence_line, group_label
from csaudit.result import Evidence, GroupResult
from tests.render.fixtures import fresh


def test_group_label():
    assert group_label({}) == "all"
    assert group_label(None, whole="") == ""
    assert group_label({"channel": "chat", "priority": None}) == "channel=chat, priority=(blank)"


def test_evidence_line():
    assert evidence_line(Evidence(3, "T-3", 250.0, {"channel": "chat"}, unit=Unit.SECONDS)) == "row 3, id T-3: 4m 10s (channel=chat)"
    assert evidence_line(Evidence(3, None, None, {}, label="abandoned")) == "row 3: abandoned"
    assert evidence_line(Evidence(3, None, None, {})) == "row 3"


def test_evidence_of_one_group():
    sr = fresh().standards[2]
    chat, odd = sr.groups
    assert [ev.row for ev in evidence_for(sr, chat)] == [17, 4]
    assert evidence_for(sr, odd) == []
    assert [ev.row for ev in evidence_for(sr, None)] == [17, 4]
    # rows without a group are matched on their fields
    sr.evidence = [Evidence(9, None, 1.0, {"channel": "chat", "agent": "A"}), Evidence(8, None, 1.0, {"channel": "web"})]
    assert [ev.row for ev in evidence_for(sr, GroupResult({"channel": "chat"}, 0.5, 3, Status.FAIL))] == [9]
