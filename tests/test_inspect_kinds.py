"""`csaudit inspect` for every kind of table `check` reads (interactions, orders, message
events, agent activity) and with `--timezone`: worked out by hand, and checked against what
`check` does with the same files."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from csaudit.cli import app
from csaudit.errors import CsauditError
from csaudit.inspect import inspect_export
from csaudit.profile.loader import load_profile, parse_profile
from tests.conftest import profile_text

runner = CliRunner()


def cli(*args):
    return runner.invoke(app, [str(a) for a in args])


# Los Angeles is UTC-8 in January: Sunday 20:00 there is Monday 04:00 UTC.
NAIVE = """
id,created_at,first_response_at,channel
1,2024-01-07 20:00:00,2024-01-07 20:05:00,Chat
2,2024-01-08 09:00:00,,Email
"""

ORDERS = """
Order ID,Customer ID,Ordered At,Promised At,Delivered At,Invoice Correct,Carrier
A1,C1,2024-01-07 20:00:00,2024-01-10,2024-01-09 10:00:00,yes,GHN
A2,C2,2024-01-08 09:00:00,2024-01-10,,no,GHN
A3,C1,2024-01-09 12:00:00,2024-01-12,2024-01-11 08:00:00,yes,Viettel Post
"""

MESSAGES = """
Interaction ID,At,Author,Channel
T1,2024-01-08T09:00:00Z,customer,chat
T1,2024-01-08T09:00:05Z,bot,chat
T1,2024-01-08T09:02:00Z,agent,chat
T2,2024-01-08T10:00:00Z,customer,email
"""

ACTIVITY = """
Agent,Team,Date,Available Seconds
Ann,Tier 1,2024-01-08,28800
Bo,Tier 1,2024-01-08,14400
Cy,Tier 2,2024-01-08,0
"""


def test_timezone_reads_naive_timestamps_and_says_so(write_csv):
    path = write_csv(NAIVE)
    utc = inspect_export(path)
    assert utc.timezone == {"zone": "UTC", "from": "default", "naive": ["created_at", "first_response_at"], "offset": []}
    assert utc.time_span == {"field": "created_at", "first": "2024-01-07T20:00:00+00:00", "last": "2024-01-08T09:00:00+00:00"}
    local = inspect_export(path, timezone="America/Los_Angeles")
    assert local.timezone["zone"] == "America/Los_Angeles" and local.timezone["from"] == "--timezone"
    assert local.time_span == {
        "field": "created_at",
        "first": "2024-01-08T04:00:00+00:00",
        "last": "2024-01-08T17:00:00+00:00",
        "zone": "America/Los_Angeles",
        "first_local": "2024-01-07T20:00:00-08:00",
        "last_local": "2024-01-08T09:00:00-08:00",
    }
    fields = {f.field: f for f in local.fields}
    assert (fields["first_response_at"].first, fields["first_response_at"].filled) == ("2024-01-08T04:05:00+00:00", 1)


def test_the_profiles_timezone_unless_timezone_is_given(write_csv):
    path = write_csv(NAIVE)
    profile = parse_profile(profile_text(
        "- {id: frt, title: FRT, metric: first_response_time, compare: at_most, fail: 1h}",
        "timezone: Asia/Ho_Chi_Minh\n",
    ), "p.yaml")
    from_profile = inspect_export(path, profile)
    assert (from_profile.timezone["zone"], from_profile.timezone["from"]) == ("Asia/Ho_Chi_Minh", "profile")
    assert from_profile.time_span["first"] == "2024-01-07T13:00:00+00:00"  # 20:00 at UTC+7
    given = inspect_export(path, profile, timezone="UTC")
    assert (given.timezone["zone"], given.time_span["first"]) == ("UTC", "2024-01-07T20:00:00+00:00")


def test_cli_timezone_text_and_the_same_validation_as_check(write_csv):
    path = write_csv(NAIVE)
    result = cli("inspect", path, "-z", "America/Los_Angeles")
    assert result.exit_code == 0, result.output
    text = " ".join(result.stdout.split())  # lines wrap at the terminal's width
    assert ("time zone America/Los_Angeles (--timezone): created_at, first_response_at have no offset and are "
            "read as America/Los_Angeles time; --by week and month are cut in America/Los_Angeles") in text
    assert "2024-01-07T20:00:00-08:00 → 2024-01-08T09:00:00-08:00 in America/Los_Angeles" in text
    default = " ".join(cli("inspect", path).stdout.split())
    assert ("time zone UTC (default): created_at, first_response_at have no offset and are read as UTC time "
            "(--timezone ZONE if the export's clock shows another zone)") in default
    bad = cli("inspect", path, "--timezone", "America/Los_Angels")
    checked = cli("check", path, "-p", "essentials", "--timezone", "America/Los_Angels")
    assert bad.exit_code == checked.exit_code == 2
    assert bad.stderr == checked.stderr and "did you mean 'America/Los_Angeles'?" in bad.stderr


def test_an_orders_table_is_recognised_from_its_headers(write_csv):
    inspection = inspect_export(write_csv(ORDERS))
    assert (inspection.kind, inspection.kind_how, inspection.rows) == ("orders", "headers", 3)
    fields = {f.field: f for f in inspection.fields}
    assert fields["ordered_at"].column == "Ordered At"
    assert (fields["delivered_at"].filled, fields["delivered_at"].empty) == (2, 1)
    assert inspection.time_span["field"] == "ordered_at"
    assert [(v.value, v.label, v.count) for v in inspection.values["carrier"]] == [
        ("ghn", "GHN", 2), ("viettel post", "Viettel Post", 1)
    ]
    # The notes check gives about orders: a promised date means by the end of that day.
    assert any("`promised_at`" in note and "end of its promised day" in note for note in inspection.notes)
    assert inspection.channels == [] and inspection.unmapped_columns == []


def test_orders_with_an_orders_profile_measure_what_check_measures(write_csv):
    path = write_csv(ORDERS)
    inspection = inspect_export(path, load_profile("logistics"))
    assert (inspection.kind, inspection.kind_how) == ("orders", "profile")
    measurable = {s.id for s in inspection.standards if s.measurable}
    report = json.loads(cli("check", path, "-p", "logistics", "-f", "json").stdout)
    measured = {r["standard_id"] for r in report["results"] if r["status"] not in ("error", "not measured")}
    assert measurable == measured
    assert "fill-rate" not in measurable  # no quantities in this table
    fill = next(s for s in inspection.standards if s.id == "fill-rate")
    assert set(fill.missing_fields) == {"quantity_ordered", "quantity_shipped"}


def test_message_events_alone_measure_what_check_events_measures(write_csv):
    path = write_csv(MESSAGES)
    recognised = inspect_export(path)
    assert (recognised.kind, recognised.kind_how, recognised.missing_required) == ("events", "headers", [])
    assert [(v.value, v.count) for v in recognised.values["author"]] == [("customer", 2), ("agent", 1), ("bot", 1)]
    inspection = inspect_export(path, load_profile("stanford"), kind="events")
    measurable = {s.id for s in inspection.standards if s.measurable}
    report = json.loads(cli("check", "--events", path, "-p", "stanford", "-f", "json").stdout)
    measured = {r["standard_id"] for r in report["results"] if r["status"] not in ("error", "not measured")}
    assert measurable == measured and "frt-chat-phone" in measurable and "backlog-flow" not in measurable


def test_events_missing_a_required_column_say_how_to_map_it(write_csv):
    path = write_csv(MESSAGES.replace("Author", "Sender"))
    inspection = inspect_export(path, load_profile("stanford"), kind="events")
    assert inspection.missing_required == ["author"]
    assert not any(s.measurable for s in inspection.standards)
    text = " ".join(cli("inspect", path, "--kind", "events").stdout.split())
    assert "check --events needs `author` (no column found): --map events.author=COLUMN" in text
    # As check maps it (events.FIELD), or plainly, since the file is the events file here.
    for flag in ("events.author=Sender", "author=Sender"):
        mapped = inspect_export(path, mapping={flag.split("=")[0]: "Sender"}, kind="events")
        assert mapped.missing_required == [] and {f.field: f.column for f in mapped.fields}["author"] == "Sender"
    # The profile's events.FIELD mapping applies to it too.
    profile = parse_profile(profile_text(
        "- {id: frt, title: FRT, metric: first_response_time, compare: at_most, fail: 1h}",
        "mapping: {events.author: Sender, created_at: Opened}\n",
    ), "p.yaml")
    assert inspect_export(path, profile, kind="events").missing_required == []


def test_agent_activity_and_the_standards_that_use_it(write_csv):
    path = write_csv(ACTIVITY)
    inspection = inspect_export(path, load_profile("stanford"))
    assert (inspection.kind, inspection.kind_how) == ("interactions", "profile")  # the profile says interactions
    assert any("--kind agents" in note for note in inspection.notes)
    agents = inspect_export(path, load_profile("stanford"), kind="agents")
    assert [(s.id, s.measurable) for s in agents.standards] == [("occupancy", True)]
    assert [(v.value, v.count) for v in agents.values["team"]] == [("tier 1", 2), ("tier 2", 1)]
    lacking = inspect_export(write_csv(ACTIVITY.replace("Available Seconds", "Logged"), "logged.csv"), load_profile("stanford"), kind="agents")
    assert lacking.missing_required == ["available_seconds"]
    assert [(s.id, s.measurable) for s in lacking.standards] == [("occupancy", False)]
    assert inspect_export(path).kind == "agents"  # recognised without a profile


def test_cli_kind_json(write_csv):
    result = cli("inspect", write_csv(ORDERS), "--kind", "orders", "--format", "json", "-z", "Asia/Ho_Chi_Minh")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert (data["kind"], data["kind_how"], data["timezone"]["zone"]) == ("orders", "--kind", "Asia/Ho_Chi_Minh")
    # promised_at holds dates: no time of day, so no offset to lack (as check's notes say).
    assert data["timezone"]["naive"] == ["delivered_at", "ordered_at"]
    assert data["time_span"]["first"] == "2024-01-07T13:00:00+00:00"


@pytest.mark.parametrize(
    "args, message",
    [
        (("--kind", "orders", "-p", "stanford"), "profile 'stanford' audits an interactions export"),
        (("--kind", "events", "-p", "logistics"), "events add to an audit of interactions"),
        (("--kind", "events", "--source", "zendesk"), "--source describes an export"),
        (("--map", "events.at=At"), "inspect that file with --kind events"),
        (("--kind", "nope"), "'nope'"),
    ],
)
def test_cli_kind_errors(write_csv, args, message):
    result = cli("inspect", write_csv(NAIVE), *args)
    assert result.exit_code == 2, result.output
    assert message in result.stderr and "Traceback" not in result.output


def test_a_file_of_another_kind_than_the_profiles_names_what_to_do(write_csv):
    inspection = inspect_export(write_csv(ORDERS), load_profile("stanford"))
    assert any("--kind orders and no --profile, or with a profile of kind: orders (logistics, retention)" in n
               for n in inspection.notes)
    with pytest.raises(CsauditError, match="inspect it with --kind interactions and no --profile"):
        inspect_export(write_csv(NAIVE.replace("channel", "status"), "x.csv"), load_profile("logistics"))


def test_inspect_kind_on_a_file_with_none_of_its_columns_names_what_is_missing(write_csv):
    result = cli("inspect", write_csv(ORDERS), "--kind", "agents")
    assert result.exit_code == 2, result.output
    assert "(--kind agents): agent activity needs the columns `agent`, `available_seconds`" in result.stderr
    assert "it looks like an orders table" in result.stderr and "--map agent=COLUMN" in result.stderr
    # And an agent-activity file inspected as orders says what orders need.
    agents = write_csv("agent,date,available_seconds\nAnn,2024-01-01,3600\n", "activity.csv")
    result = cli("inspect", agents, "--kind", "orders")
    assert result.exit_code == 2, result.output
    assert "(--kind orders): an orders table needs the columns `order_id`, `ordered_at`" in result.stderr
