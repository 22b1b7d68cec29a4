"""Agent activity (--agents) and occupancy. Every expected value is worked out by hand in the
comment beside it."""

from __future__ import annotations

import pytest

from csaudit.engine import audit
from csaudit.errors import InputError
from csaudit.profile.loader import load_profile, parse_profile
from csaudit.profile.model import Status
from tests.conftest import profile_text
from tests.test_events import by_id, finding, value, write

# Work = handle + hold + wrap (empty parts 0), placed at first_response_at, else created_at.
# 1 Ann   01-01 09:00:30  600 + 60 + 40 = 700  -> Ann's 01-01
# 2 ANN   01-02 00:01     300               -> Ann's 01-02 (taken up after midnight)
# 3 bob   01-01 10:00     900 + 100 = 1000  -> bob's 01-01
# 4 Cat   01-01 11:00:10  500               -> Cat has no available time: left out (finding)
# 5 Dan   01-01 12:00:05  400               -> Dan is not in the activity table (finding)
# 6 bob   01-03 10:00:05  200               -> bob has no record that day (finding)
# 7 Ann   no handle time                    -> not handled, not counted
TICKETS = """
id,channel,agent,team,created_at,first_response_at,handle_seconds,hold_seconds,wrap_seconds
1,phone,Ann,T1,2024-01-01 09:00:00,2024-01-01 09:00:30,600,60,40
2,chat, ANN ,T1,2024-01-01 23:59:00,2024-01-02 00:01:00,300,,
3,phone,bob,T2,2024-01-01 10:00:00,,900,,100
4,phone,Cat,T2,2024-01-01 11:00:00,2024-01-01 11:00:10,500,,
5,phone,Dan,T2,2024-01-01 12:00:00,2024-01-01 12:00:05,400,,
6,phone,bob,T2,2024-01-03 10:00:00,2024-01-03 10:00:05,200,,
7,phone,Ann,T1,2024-01-01 13:00:00,,,,
"""
# ann: 3600 + 1000 = 4600 s over two days (the 2023-12-31 record lies before the first
# interaction and is not counted); BOB: 2000; cat: 0; eve: 1000 and no interactions.
ACTIVITY = """
agent,team,date,available_seconds
ann,T1,2024-01-01,3600
Ann,T1,2024-01-02,1000
BOB,T2,2024-01-01,2000
cat,T2,2024-01-01,0
eve,T1,2024-01-01,1000
ann,T1,2023-12-31,5000
"""
STANDARDS = """
- {id: all, title: All, metric: occupancy}
- {id: agent, title: Agent, metric: occupancy, each: agent}
- {id: team, title: Team, metric: occupancy, each: team}
- {id: busiest, title: Busiest, metric: occupancy, statistic: max}
- {id: mean, title: Mean, metric: occupancy, statistic: mean}
- {id: chat, title: Chat, metric: occupancy, filter: {channel: chat}}
"""


def run(tmp_path, tickets: str = TICKETS, activity: str = ACTIVITY, standards: str = STANDARDS, **kwargs):
    profile = parse_profile(profile_text(standards), "test.yaml")
    return audit(profile, write(tmp_path, "tickets.csv", tickets), agents=write(tmp_path, "activity.csv", activity),
                 **kwargs)


@pytest.fixture(scope="module")
def daily(tmp_path_factory):
    return run(tmp_path_factory.mktemp("daily"))


def test_occupancy_over_all_agents(daily):
    # (ann 1000 + bob 1000 + eve 0) / (4600 + 2000 + 1000) = 2000 / 7600 over 3 interactions;
    # cat (no available time) is left out with her work.
    assert value(by_id(daily)["all"]) == (pytest.approx(2000 / 7600), 3)


def test_occupancy_per_agent_matches_names_ignoring_case(daily):
    groups = {g.group["agent"]: (g.value, g.sample_size, g.status) for g in by_id(daily)["agent"].groups}
    assert groups["Ann"][:2] == (pytest.approx(1000 / 4600), 2)
    assert groups["bob"][:2] == (pytest.approx(0.5), 1)
    # eve was available and took nothing: 0%, with no interactions behind it.
    assert groups["eve"] == (0.0, 0, Status.INSUFFICIENT)
    assert "Cat" not in groups and "cat" not in groups


def test_occupancy_per_team_uses_the_activity_team(daily):
    # T1: ann and eve, (1000 + 0) / (4600 + 1000); T2: bob 1000 / 2000 (cat left out).
    groups = {g.group["team"]: (g.value, g.sample_size) for g in by_id(daily)["team"].groups}
    assert groups == {"T1": (pytest.approx(1000 / 5600), 2), "T2": (pytest.approx(0.5), 1)}


def test_statistics_over_agents(daily):
    # Agents' occupancies: ann 1000/4600, bob 0.5, eve 0 -> max 0.5, mean (0.2174 + 0.5 + 0) / 3.
    results = by_id(daily)
    assert results["busiest"].groups[0].value == pytest.approx(0.5)
    assert results["mean"].groups[0].value == pytest.approx((1000 / 4600 + 0.5) / 3)


def test_a_filter_counts_only_agents_with_work_that_passes_it(daily):
    # Chat: only row 2 (ann, 300 s); ann's whole available time counts: 300 / 4600.
    assert value(by_id(daily)["chat"]) == (pytest.approx(300 / 4600), 1)


def test_findings_about_agents_and_their_days(daily):
    idle = finding(daily, "agents:no_available_time")
    assert (idle.rows, idle.examples) == ([4], ["cat"])
    assert idle.message.startswith("activity.csv: agents with no available time")
    unknown = finding(daily, "agents:unknown_agent")
    assert (unknown.rows, unknown.examples) == ([5], ["Dan"])
    outside = finding(daily, "agents:outside")
    assert (outside.rows, outside.examples) == ([6], ["bob"])
    assert "activity.csv: 1 records lie outside the interactions' time span" in " ".join(daily.notes)


# Intervals, the end excluded. x: [08:00, 12:00) 3600 s, [12:00, 16:00) 3600 s and
# [15:00, 17:00) 600 s, which overlaps the one before (a finding, still counted). y: one
# interval that ends before it starts and one with negative time (both findings, ignored), so
# y has no usable record.
INTERVALS = """
agent,interval_start,interval_end,available_seconds
x,2024-01-01 08:00:00,2024-01-01 12:00:00,3600
x,2024-01-01 12:00:00,2024-01-01 16:00:00,3600
x,2024-01-01 15:00:00,2024-01-01 17:00:00,600
y,2024-01-01 10:00:00,2024-01-01 09:00:00,100
y,2024-01-01 08:00:00,2024-01-01 09:00:00,-5
"""
# x at 09:00 (600 s), at 12:00 sharp (the second interval, 1200 s), at 16:30 (the third, 300
# s) and at 17:00 (the third has ended: outside); y at 08:30.
INTERVAL_TICKETS = """
id,agent,created_at,handle_seconds
1,x,2024-01-01 09:00:00,600
2,x,2024-01-01 12:00:00,1200
3,x,2024-01-01 16:30:00,300
4,x,2024-01-01 17:00:00,50
5,y,2024-01-01 08:30:00,100
"""


def test_intervals(tmp_path):
    # x: (600 + 1200 + 300) / (3600 + 3600 + 600) = 2100 / 7800 over 3 interactions.
    result = run(tmp_path, INTERVAL_TICKETS, INTERVALS, "- {id: occ, title: Occ, metric: occupancy}")
    assert value(result.standards[0]) == (pytest.approx(2100 / 7800), 3)
    assert finding(result, "agents:overlap").rows == [3]
    assert finding(result, "agents:backwards").rows == [4]
    assert finding(result, "agents:negative").rows == [5]
    assert finding(result, "agents:outside").rows == [4]
    assert finding(result, "agents:unknown_agent").rows == [5]


def test_undated_activity_relates_all_of_an_agents_work(tmp_path):
    # No date or interval: x's 10000 s against 1000 + 1500 s of work -> 0.25.
    tickets = "id,agent,handle_seconds\n1,x,1000\n2,x,1500\n"
    result = run(tmp_path, tickets, "agent,available_seconds\nx,10000\n", "- {id: o, title: O, metric: occupancy}")
    assert value(result.standards[0]) == (pytest.approx(0.25), 2)
    assert any("has no date or interval" in note for note in result.notes)


def test_every_agent_with_zero_time_means_no_occupancy(tmp_path):
    # The only agent has 0 s: nothing to divide by, so no value rather than a division by zero.
    tickets = "id,agent,created_at,handle_seconds\n1,x,2024-01-01 09:00:00,100\n"
    activity = "agent,date,available_seconds\nx,2024-01-01,0\n"
    result = run(tmp_path, tickets, activity, "- {id: o, title: O, metric: occupancy, each: agent}")
    assert result.standards[0].status is Status.INSUFFICIENT
    assert finding(result, "agents:no_available_time").rows == [1]


def test_unreadable_available_time_is_a_finding(tmp_path):
    activity = "agent,date,available_seconds\nx,2024-01-01,abc\nx,2024-01-02,\n"
    tickets = "id,agent,created_at,handle_seconds\n1,x,2024-01-01 09:00:00,100\n"
    result = run(tmp_path, tickets, activity, "- {id: o, title: O, metric: occupancy, required: false}")
    unreadable = finding(result, "agents:unparsable:available_seconds")
    assert (unreadable.rows, unreadable.examples) == ([1], ["abc"])
    assert unreadable.message.startswith("activity.csv: `available_seconds`")
    assert finding(result, "agents:incomplete").rows == [2]


def test_a_file_without_available_seconds_is_an_error(tmp_path):
    with pytest.raises(InputError) as info:
        run(tmp_path, activity="agent,date\nx,2024-01-01\n")
    assert "activity.csv (--agents)" in str(info.value)
    assert "missing: `available_seconds`" in str(info.value)
    assert "--map agents.available_seconds=COLUMN" in str(info.value)


def test_an_interval_needs_both_ends(tmp_path):
    with pytest.raises(InputError) as info:
        run(tmp_path, activity="agent,interval_start,available_seconds\nx,2024-01-01 08:00:00,10\n")
    assert "has `interval_start` but no `interval_end`" in str(info.value)


def test_stanford_occupancy_needs_agents_and_then_runs(tmp_path):
    profile = load_profile("stanford")
    tickets = write(tmp_path, "tickets.csv", TICKETS)
    without = {r.standard.id: r for r in audit(profile, tickets).standards}["occupancy"]
    assert without.status is Status.NOT_MEASURED
    assert "--agents" in without.reason
    with_agents = audit(profile, tickets, agents=write(tmp_path, "activity.csv", ACTIVITY))
    occupancy = {r.standard.id: r for r in with_agents.standards}["occupancy"]
    # As test_occupancy_over_all_agents: 2000 / 7600 over 3 interactions, below the 60% floor;
    # 3 interactions are fewer than the profile's minimum sample of 20.
    assert value(occupancy) == (pytest.approx(2000 / 7600), 3)
    assert occupancy.status is Status.INSUFFICIENT


def test_an_agent_who_changed_team_counts_in_each_team_with_its_days(tmp_path):
    # ann is in T1 on 01-01 (3600 s) and in T2 on 01-02 (3600 s); bob is in T2 (2000 s).
    # Work: ann 01-01 700 s, ann 01-02 300 + 400 s, bob 01-01 1000 s.
    # T1: ann's 01-01 only, 700 / 3600 (1 interaction);
    # T2: (ann's 01-02 700 + bob 1000) / (3600 + 2000) = 1700 / 5600 (3 interactions).
    # Per agent, ann is one agent: (700 + 700) / 7200. Her most frequent team (T2) no longer
    # takes all of her days, which put her 01-01 work in T2 and left T1 with none.
    tickets = """
id,agent,team,created_at,handle_seconds
1,ann,T1,2024-01-01 09:00:00,700
2,ann,T1,2024-01-02 09:00:00,300
3,ann,T2,2024-01-02 12:00:00,400
4,bob,T2,2024-01-01 10:00:00,1000
"""
    activity = """
agent,team,date,available_seconds
ann,T1,2024-01-01,3600
ann,T2,2024-01-02,1800
ann,T2,2024-01-02,1800
bob,T2,2024-01-01,2000
"""
    standards = """
- {id: team, title: Team, metric: occupancy, each: team}
- {id: team-mean, title: Team mean, metric: occupancy, each: team, statistic: mean}
- {id: agent, title: Agent, metric: occupancy, each: agent}
"""
    results = by_id(run(tmp_path, tickets, activity, standards))
    teams = {g.group["team"]: (g.value, g.sample_size) for g in results["team"].groups}
    assert teams == {"T1": (pytest.approx(700 / 3600), 1), "T2": (pytest.approx(1700 / 5600), 3)}
    # Mean over each team's agents: T1 ann 700/3600; T2 (ann 700/3600 + bob 0.5) / 2.
    means = {g.group["team"]: g.value for g in results["team-mean"].groups}
    assert means == {"T1": pytest.approx(700 / 3600), "T2": pytest.approx((700 / 3600 + 0.5) / 2)}
    assert value(results["agent"]) == (pytest.approx(1400 / 7200), 3)


def test_available_time_longer_than_its_record_is_a_finding(tmp_path):
    # x: an interval over midnight, 22:00 -> 06:00 (8 h = 28800 s), with work at 23:30 (1000 s)
    # and 01:00 (2000 s): 3000 / 28800. y: 3,600,000 s in a 4-hour interval (14400 s), surely
    # milliseconds: a finding (row 2), still counted as given: 500 / 3600000.
    tickets = """
id,agent,created_at,first_response_at,handle_seconds
1,x,2024-01-01 23:00:00,2024-01-01 23:30:00,1000
2,x,2024-01-02 00:30:00,2024-01-02 01:00:00,2000
3,y,2024-01-01 10:00:00,,500
"""
    activity = """
agent,interval_start,interval_end,available_seconds
x,2024-01-01 22:00:00,2024-01-02 06:00:00,28800
y,2024-01-01 08:00:00,2024-01-01 12:00:00,3600000
"""
    result = run(tmp_path, tickets, activity, "- {id: o, title: O, metric: occupancy, each: agent}")
    groups = {g.group["agent"]: (g.value, g.sample_size) for g in result.standards[0].groups}
    assert groups == {"x": (pytest.approx(3000 / 28800), 2), "y": (pytest.approx(500 / 3600000), 1)}
    long = finding(result, "agents:longer_than_record")
    assert (long.rows, long.examples) == ([2], ["3600000"])
    # A whole day's 86400 s fits its date: no finding.
    day = run(tmp_path, "id,agent,created_at,handle_seconds\n1,x,2024-01-01 09:00:00,100\n",
              "agent,date,available_seconds\nx,2024-01-01,86400\n", "- {id: o, title: O, metric: occupancy}")
    assert not [f for f in day.findings if f.key == "agents:longer_than_record"]


def test_a_date_runs_to_the_next_midnight_on_a_day_the_clocks_change(tmp_path):
    # New York, 2024-11-03 has 25 hours. x's 23:30 EST contact (1000 s) is in that day: 24
    # hours from midnight ended at 23:00 EST and left it "outside" x's days.
    # -> 1000 / 30000, one interaction, no finding.
    tickets = "id,agent,created_at,handle_seconds\n1,x,2024-11-03 23:30:00,1000\n"
    activity = "agent,date,available_seconds\nx,2024-11-03,30000\n"
    result = run(tmp_path, tickets, activity, "- {id: o, title: O, metric: occupancy}", timezone="America/New_York")
    assert value(result.standards[0]) == (pytest.approx(1000 / 30000), 1)
    assert not [f for f in result.findings if f.key == "agents:outside"]
