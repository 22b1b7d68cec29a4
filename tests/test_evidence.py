"""Evidence (``--samples``) and violation files (``--violations-dir``), worked out by hand.

Times are 2024-01-01 unless written otherwise; durations in comments are seconds.
"""

from __future__ import annotations

import csv
import json

import pytest
from typer.testing import CliRunner

from csaudit.cli import app
from csaudit.extras import Extras
from csaudit.metrics.base import Unit
from csaudit.profile.model import Status
from csaudit.render.json_format import report_dict
from csaudit.render.text import TextFormat
from tests.conftest import profile_text

runner = CliRunner()

# Chat FRT: 30, 300, 60, 180, 300, 120 s (rows 1-6); row 7 answers before it was created (a
# finding: excluded), row 8 is abandoned (no FRT); row 9 is email, 60 s.
FRT_CSV = """
id,channel,priority,agent,created_at,first_response_at,abandoned
T1,Chat,P1,Ann,2024-01-01 08:00:00,2024-01-01 08:00:30,no
T2,chat,P2,Bo,2024-01-01 08:10:00,2024-01-01 08:15:00,no
T3,chat,P3,Ann,2024-01-01 08:20:00,2024-01-01 08:21:00,no
T4,chat,P1,Cy,2024-01-01 08:30:00,2024-01-01 08:33:00,no
T5,CHAT,P2,=cmd,2024-01-01 08:40:00,2024-01-01 08:45:00,no
T6,chat,P3,Bo,2024-01-01 08:50:00,2024-01-01 08:52:00,no
T7,chat,P1,Ann,2024-01-01 09:00:00,2024-01-01 08:59:00,no
T8,chat,P1,Ann,2024-01-01 09:10:00,2024-01-01 09:40:00,yes
T9,email,P4,Dee,2024-01-01 09:20:00,2024-01-01 09:21:00,no
"""


def frt(target: str, extra: str = "") -> str:
    return f"""
    - id: frt-chat
      title: FRT on chat
      metric: first_response_time
      statistic: mean
      filter: {{channel: chat}}
      {target}
      {extra}"""


def rows(result) -> list[int]:
    return [ev.row for ev in result.evidence]


def test_longest_first_ties_by_row_and_only_rows_that_miss_the_target(run_standard):
    # Mean (30+300+60+180+300+120)/6 = 165 s, not below 120 s: fail. Rows at or over 2 m miss
    # "below 2m": 300 (rows 2 and 5, a tie: by row), 180, 120. Row 7 (excluded by its finding)
    # and row 8 (abandoned, 1800 s) are not evidence; email (row 9) is filtered out.
    result = run_standard(FRT_CSV, frt("compare: below\n      fail: 2m"))
    assert result.status is Status.FAIL
    assert rows(result) == [2, 5, 4, 6]
    first = result.evidence[0]
    assert (first.id, first.value, first.unit, first.display) == ("T2", 300.0, Unit.SECONDS, "5m")
    # Fields as the export wrote them (case kept), for the fields it has.
    assert first.fields == {"channel": "chat", "priority": "P2", "agent": "Bo"}
    assert result.evidence[1].fields["channel"] == "CHAT"


def test_samples_sets_how_many_and_zero_turns_them_off(run_standard):
    two = run_standard(FRT_CSV, frt("compare: below\n      fail: 2m"), extras=Extras(samples=2))
    assert rows(two) == [2, 5]
    none = run_standard(FRT_CSV, frt("compare: below\n      fail: 2m"), extras=Extras(samples=0))
    assert none.evidence == []


def test_a_passing_standard_has_no_evidence(run_standard):
    assert run_standard(FRT_CSV, frt("compare: below\n      fail: 10m")).evidence == []


def test_a_failure_shows_rows_missing_the_fail_level_a_warning_the_warn_level(run_standard):
    # Fail at 150 s (warn 60 s): 165 fails; rows at or over 150 s are 300, 300, 180.
    failed = run_standard(FRT_CSV, frt("compare: below\n      fail: 150s\n      warn: 1m"))
    assert failed.status is Status.FAIL and rows(failed) == [2, 5, 4]
    # Fail at 3 m, warn 1 m: 165 warns; rows at or over 60 s: 300, 300, 180, 120, 60.
    warned = run_standard(FRT_CSV, frt("compare: below\n      fail: 3m\n      warn: 1m"))
    assert warned.status is Status.WARN and rows(warned) == [2, 5, 4, 6, 3]


FRT_PER_CHANNEL = """
- id: frt
  title: FRT per channel
  metric: first_response_time
  each: channel
  compare: below
  fail: 2m
"""


def test_each_group_that_fails_has_its_own_evidence(run_standard):
    # Per channel, below 2 m: chat 165 s fails, email 60 s passes.
    result = run_standard(FRT_CSV, FRT_PER_CHANNEL)
    statuses = {g.group["channel"]: g.status for g in result.groups}
    assert statuses == {"chat": Status.FAIL, "email": Status.PASS}
    assert rows(result) == [2, 5, 4, 6]
    assert {ev.group["channel"] for ev in result.evidence} == {"chat"}


CSAT_CSV = """
id,channel,agent,csat
C1,chat,Ann,5
C2,chat,Bo,2
C3,chat,Cy,3
C4,chat,Ann,1
C5,chat,Bo,2
C6,chat,Cy,4
C7,chat,Ann,9
C8,chat,Ann,
"""


def test_a_rate_shows_the_rows_that_count_against_it_worst_answer_first(run_standard):
    # Answers 5, 2, 3, 1, 2, 4 (row 7 is out of range, row 8 unanswered): 2 of 6 satisfied,
    # 33% < 80%. Not satisfied: rows 2 (2), 3 (3), 4 (1), 5 (2); lowest answer first, ties by row.
    standard = "- {id: csat, title: CSAT, metric: csat, compare: at_least, fail: 80%}"
    result = run_standard(CSAT_CSV, standard)
    assert rows(result) == [4, 2, 5, 3]
    assert [ev.value for ev in result.evidence] == [1.0, 2.0, 2.0, 3.0]
    assert result.evidence[0].label == "not satisfied"
    assert result.evidence[0].display == "1 (not satisfied)"


def test_first_contact_resolution_evidence_is_the_unresolved_on_first_contact(run_standard):
    csv_text = """
    id,first_contact_resolution
    F1,yes
    F2,no
    F3,no
    F4,yes
    """
    result = run_standard(csv_text, "- {id: fcr, title: FCR, metric: first_contact_resolution, compare: at_least, fail: 75%}")
    assert rows(result) == [2, 3]
    assert [(ev.value, ev.label, ev.display) for ev in result.evidence] == [
        (None, "not resolved on first contact", "not resolved on first contact")
    ] * 2


def test_abandonment_shows_the_abandoned_longest_wait_first(run_standard):
    # Live contacts 1, 2, 3, 5 (email is not a live channel): 3 of 4 abandoned. Waits before
    # leaving: 180 s, 600 s, 2 s.
    csv_text = """
    id,channel,queued_at,abandoned,abandoned_at,first_response_at
    A1,phone,2024-01-01 08:00:00,yes,2024-01-01 08:03:00,
    A2,phone,2024-01-01 08:10:00,no,,2024-01-01 08:11:00
    A3,chat,2024-01-01 08:20:00,yes,2024-01-01 08:30:00,
    A4,email,2024-01-01 08:30:00,yes,2024-01-01 09:30:00,
    A5,phone,2024-01-01 08:40:00,yes,2024-01-01 08:40:02,
    """
    result = run_standard(csv_text, "- {id: ab, title: Abandonment, metric: abandonment_rate, compare: at_most, fail: 5%}")
    assert rows(result) == [3, 1, 5]
    assert [ev.display for ev in result.evidence] == ["10m (abandoned)", "3m (abandoned)", "2s (abandoned)"]


REPLIES = "- {id: replies, title: Replies, metric: replies_per_issue, compare: between, fail: [2, 4]}"


@pytest.mark.parametrize(
    "replies, expected",
    [
        # Mean (5+9+1+6+3)/5 = 4.8, over the band: rows over 4, furthest first (9, 6, 5).
        ((5, 9, 1, 6, 3), [2, 4, 1]),
        # Mean (1+0+3+2+1)/5 = 1.4, under it: rows under 2, furthest first (0, then 1 and 1 by row).
        ((1, 0, 3, 2, 1), [2, 1, 5]),
    ],
)
def test_a_band_shows_rows_outside_it_on_the_side_the_value_is_off(run_standard, replies, expected):
    lines = ["id,replies,resolved_at"] + [f"R{i},{n},2024-01-01 10:00" for i, n in enumerate(replies, 1)]
    lines.append("R9,9,")  # unresolved: not in the population
    result = run_standard("\n".join(lines) + "\n", REPLIES)
    assert result.status is Status.FAIL
    assert rows(result) == expected


def test_share_within_shows_the_rows_over_the_limit_longest_first(run_standard):
    # FRT 10 m, 2 h, 30 m, 3 h, 2 h: 2 of 5 within 1 h, 40% < 90%.
    csv_text = """
    id,created_at,first_response_at
    S1,2024-01-01 08:00,2024-01-01 08:10
    S2,2024-01-01 08:00,2024-01-01 10:00
    S3,2024-01-01 08:00,2024-01-01 08:30
    S4,2024-01-01 08:00,2024-01-01 11:00
    S5,2024-01-01 08:00,2024-01-01 10:00
    """
    standard = """
    - id: respond
      title: Responded within 1 hour
      metric: first_response_time
      statistic: {share_within: 1h}
      compare: at_least
      fail: 90%
    """
    result = run_standard(csv_text, standard)
    assert rows(result) == [4, 2, 5]
    assert result.unit is Unit.FRACTION and result.evidence[0].unit is Unit.SECONDS


# FRT 1h 0m 0.4s (row 1), 1h (row 2), 10 m (row 3): a row just over a 1-hour limit.
NEAR_LIMIT_CSV = """
id,created_at,first_response_at
N1,2024-01-01 08:00:00.0,2024-01-01 09:00:00.4
N2,2024-01-01 08:00:00.0,2024-01-01 09:00:00.0
N3,2024-01-01 08:00:00.0,2024-01-01 08:10:00.0
"""


@pytest.mark.parametrize("statistic", ["statistic: {share_within: 1h}\n  compare: at_least\n  fail: 90%",
                                       "statistic: max\n  compare: at_most\n  fail: 1h"])
def test_a_row_just_over_its_limit_does_not_read_as_the_limit(run_standard, tmp_path, statistic):
    # Within 1 h: 2 of 3 (67% < 90%), and the max, 3600.4 s, is over 1 h: both fail, and row 1
    # alone missed the limit. Shown as "1h" it would read as meeting "within 1h"; it reads
    # "1h 0.4s". Row 2, exactly 1 h, is within the limit and is no evidence.
    standard = f"- id: s\n  title: S\n  metric: first_response_time\n  {statistic}\n"
    result = run_standard(NEAR_LIMIT_CSV, standard, extras=Extras(violations_dir=tmp_path / "v"))
    assert [(ev.row, ev.value, ev.display) for ev in result.evidence] == [(1, pytest.approx(3600.4), "1h 0.4s")]
    assert [(r["row"], r["display"]) for r in read_csv(tmp_path / "v" / "s.csv")] == [("1", "1h 0.4s")]


# Chat waits: 1 [08:00, 08:10), 2 [08:02, 08:05), 3 [08:03, 08:04), 4 [08:04, 08:06),
# 5 [08:20, 08:21). Three wait from 08:03 (at 08:04 one leaves as one arrives: still three).
WAITING_CSV = """
id,channel,queued_at,first_response_at
W1,chat,2024-01-01 08:00:00,2024-01-01 08:10:00
W2,chat,2024-01-01 08:02:00,2024-01-01 08:05:00
W3,chat,2024-01-01 08:03:00,2024-01-01 08:04:00
W4,chat,2024-01-01 08:04:00,2024-01-01 08:06:00
W5,chat,2024-01-01 08:20:00,2024-01-01 08:21:00
"""
WAITING = "- {id: waiting, title: Waiting, metric: waiting_count, compare: at_most, fail: 2}"


def test_waiting_count_shows_the_contacts_waiting_at_the_peak(run_standard):
    result = run_standard(WAITING_CSV, WAITING)
    assert result.groups[0].value == 3
    # At the first instant of the peak (08:03) rows 1, 2 and 3 wait; longest wait first.
    assert rows(result) == [1, 2, 3]
    assert [ev.value for ev in result.evidence] == [600.0, 180.0, 60.0]
    assert result.evidence[0].label == "waiting at the peak: 3 at 2024-01-01 08:03:00 UTC"


def test_waiting_samples_per_channel_are_taken_at_each_channels_own_peak(run_standard):
    # Phone: P1 [08:30, 08:40), P2 [08:31, 08:32): two wait from 08:31; chat as above (3 at 08:03).
    csv_text = WAITING_CSV.rstrip() + (
        "\nP1,phone,2024-01-01 08:30:00,2024-01-01 08:40:00\nP2,phone,2024-01-01 08:31:00,2024-01-01 08:32:00\n"
    )
    result = run_standard(csv_text, WAITING.replace("fail: 2}", "fail: 1, each: channel}"))
    assert [(g.group["channel"], g.value) for g in result.groups] == [("chat", 3), ("phone", 2)]
    by_channel = {}
    for ev in result.evidence:
        by_channel.setdefault(ev.group["channel"], []).append((ev.row, ev.value, ev.label))
    assert by_channel["chat"] == [
        (1, 600.0, "waiting at the peak: 3 at 2024-01-01 08:03:00 UTC"),
        (2, 180.0, "waiting at the peak: 3 at 2024-01-01 08:03:00 UTC"),
        (3, 60.0, "waiting at the peak: 3 at 2024-01-01 08:03:00 UTC"),
    ]
    assert by_channel["phone"] == [
        (6, 600.0, "waiting at the peak: 2 at 2024-01-01 08:31:00 UTC"),
        (7, 60.0, "waiting at the peak: 2 at 2024-01-01 08:31:00 UTC"),
    ]


def test_backlog_flow_shows_what_is_still_open_oldest_first(run_standard):
    # 4 created, 2 resolved: 2.0 > 1. Open at the end of the data (01-03 10:00): row 2 (2 d 1 h)
    # and row 3 (1 d 2 h).
    csv_text = """
    id,created_at,resolved_at
    B1,2024-01-01 08:00,2024-01-01 09:00
    B2,2024-01-01 09:00,
    B3,2024-01-02 08:00,
    B4,2024-01-03 08:00,2024-01-03 10:00
    """
    standard = "- {id: backlog, title: Backlog, metric: backlog_flow, compare: at_most, fail: 1.0}"
    result = run_standard(csv_text, standard)
    assert rows(result) == [2, 3]
    assert [ev.display for ev in result.evidence] == [
        "2d 1h (open at 2024-01-03 10:00 UTC)",
        "1d 2h (open at 2024-01-03 10:00 UTC)",
    ]


def test_evidence_in_text_under_its_row_and_in_json_with_its_group(run_audit):
    result = run_audit(FRT_CSV, FRT_PER_CHANNEL, extras=Extras(samples=2))
    text = TextFormat(width=120).render(result)
    lines = text.splitlines()
    chat = next(i for i, line in enumerate(lines) if "channel=chat" in line)
    assert "worst in channel=chat:" in lines[chat + 2]
    assert lines[chat + 3].strip() == "row 2 · T2 · 5m · chat · P2 · Bo"
    assert lines[chat + 4].strip() == "row 5 · T5 · 5m · CHAT · P2 · =cmd"
    assert "channel=email" in lines[chat + 5]
    report = report_dict(result)
    by_group = {r["group"]["channel"]: r["evidence"] for r in report["results"]}
    assert by_group["email"] == []
    assert by_group["chat"][0] == {
        "row": 2,
        "id": "T2",
        "value": 300.0,
        "unit": "seconds",
        "display": "5m",
        "label": None,
        "fields": {"channel": "chat", "priority": "P2", "agent": "Bo"},
    }


# ---------------------------------------------------------------------------------------
# --violations-dir
# ---------------------------------------------------------------------------------------

VIOLATION_PROFILE = """
- id: frt-chat
  title: FRT on chat under 2 minutes
  metric: first_response_time
  filter: {channel: chat}
  compare: below
  fail: 2m
- id: frt-email
  title: FRT on email within a day
  metric: first_response_time
  filter: {channel: email}
  compare: at_most
  fail: 1d
- id: waiting
  title: Waiting
  metric: waiting_count
  compare: at_most
  fail: 2
"""


@pytest.fixture
def violation_run(tmp_path, write_csv):
    def run(csv_text: str, standards: str, *args: str):
        profile = tmp_path / "p.yaml"
        profile.write_text(profile_text(standards), encoding="utf-8")
        return runner.invoke(app, ["check", str(write_csv(csv_text)), "-p", str(profile), *args])

    return run


def read_csv(path) -> list[dict]:
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_violation_files_hold_every_interaction_that_missed_the_target(tmp_path, violation_run):
    target = tmp_path / "out" / "violations"  # created, with its parent
    outside = tmp_path / "out" / "keep.txt"
    outside.parent.mkdir()
    outside.write_text("mine", encoding="utf-8")
    result = violation_run(FRT_CSV, VIOLATION_PROFILE, "--violations-dir", str(target), "--samples", "0")
    assert result.exit_code == 1, result.output
    # Only the failed standard gets a file (frt-email passes; waiting is not measured: no queue).
    assert sorted(p.name for p in target.iterdir()) == ["frt-chat.csv"]
    assert outside.read_text(encoding="utf-8") == "mine"
    assert "wrote 1 violation file(s)" in result.stderr
    table = read_csv(target / "frt-chat.csv")
    assert [r["row"] for r in table] == ["2", "5", "4", "6"]
    assert [r["value"] for r in table] == ["300.0", "300.0", "180.0", "120.0"]
    assert table[0]["display"] == "5m" and table[0]["id"] == "T2"
    # Then the interaction's own cells, as the export wrote them.
    assert list(table[0])[:5] == ["row", "id", "value", "display", "channel"]
    assert table[0]["created_at"] == "2024-01-01 08:10:00" and table[0]["agent"] == "Bo"
    # A cell a spreadsheet would run as a formula is neutralised.
    assert table[1]["agent"] == "'=cmd"


def test_waiting_violations_are_the_contacts_that_waited_while_over_the_limit(tmp_path, violation_run):
    standards = WAITING
    result = violation_run(WAITING_CSV, standards, "--violations-dir", str(tmp_path / "v"))
    assert result.exit_code == 1, result.output
    table = read_csv(tmp_path / "v" / "waiting.csv")
    # Over 2 waiting from 08:03 to 08:05: rows 1, 2, 3 and 4 waited then (row 4 arrives at
    # 08:04, when row 3 leaves); longest wait first. Row 5 waited alone.
    assert [r["row"] for r in table] == ["1", "2", "4", "3"]
    assert table[0]["display"] == "10m (waited while over the limit, from 2024-01-01 08:03:00 UTC)"


def test_violations_dir_that_is_a_file_is_a_usage_error(tmp_path, violation_run):
    taken = tmp_path / "taken"
    taken.write_text("", encoding="utf-8")
    result = violation_run(FRT_CSV, VIOLATION_PROFILE, "--violations-dir", str(taken))
    assert result.exit_code == 2
    assert "--violations-dir" in result.stderr and "Traceback" not in result.output


def test_json_lists_the_violation_files(tmp_path, violation_run):
    result = violation_run(FRT_CSV, VIOLATION_PROFILE, "--violations-dir", str(tmp_path / "v"), "--format", "json")
    report = json.loads(result.stdout)
    assert report["violations"] == [{"standard_id": "frt-chat", "path": str(tmp_path / "v" / "frt-chat.csv"), "rows": 4}]
