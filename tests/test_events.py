"""Message events (--events): first human response, reply gaps, replies; with and without a
tickets file. Every expected value is worked out by hand in the comment beside it."""

from __future__ import annotations

import textwrap

import pytest
from typer.testing import CliRunner

from csaudit.cli import app
from csaudit.engine import audit
from csaudit.errors import InputError
from csaudit.profile.loader import load_profile, parse_profile
from csaudit.profile.model import Status
from tests.conftest import profile_text

# A: the customer writes at 08:00; a bot answers first (08:00:10, not a response); Ann replies
#    at 08:01 (gap 60 s). The customer writes at 08:02 and, after a bot message that does not
#    break the run, at 08:03; Ann replies at 08:05: the gap counts from the first, 180 s. Her
#    follow-up at 08:06 answers nothing (no gap). Human replies: 3.
# B: the customer writes at 09:00; Bob's automated acknowledgement at 09:00:05 is a bot's;
#    Bob replies at 10:00 (gap 3600 s); the customer's 11:00 message has no reply yet.
#    Human replies: 1.
# C: one customer message, no reply. Replies: 0.
MESSAGES = """
interaction_id,at,author,automated,agent,channel
A,2024-01-01 08:00:00,customer,,,chat
A,2024-01-01 08:00:10,bot,,,chat
A,2024-01-01 08:01:00,agent,,Ann,chat
A,2024-01-01 08:02:00,customer,,,chat
A,2024-01-01 08:02:30,Bot,,,chat
A,2024-01-01 08:03:00,customer,,,chat
A,2024-01-01 08:05:00,agent,,Ann,chat
A,2024-01-01 08:06:00,agent,,Ann,chat
B,2024-01-01 09:00:00,customer,,,email
B,2024-01-01 09:00:05,agent,yes,Bob,email
B,2024-01-01 10:00:00,Agent,,Bob,email
B,2024-01-01 11:00:00,customer,,,email
C,2024-01-02 10:00:00,end-user,,,chat
"""

STANDARDS = """
- {id: art, title: ART, metric: average_response_time}
- {id: art-max, title: ART max, metric: average_response_time, statistic: max}
- {id: art-median, title: ART median, metric: average_response_time, statistic: median}
- {id: art-channel, title: ART per channel, metric: average_response_time, each: channel}
- {id: art-email, title: ART email, metric: average_response_time, filter: {channel: email}}
- {id: frt, title: FRT, metric: first_response_time}
- {id: frt-agent, title: FRT per agent, metric: first_response_time, each: agent}
"""


def write(tmp_path, name: str, text: str):
    path = tmp_path / name
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path


def run(tmp_path, export: str | None, messages: str = MESSAGES, standards: str = STANDARDS, **kwargs):
    profile = parse_profile(profile_text(standards), "test.yaml")
    export_path = write(tmp_path, "tickets.csv", export) if export is not None else None
    return audit(profile, export_path, events=write(tmp_path, "messages.csv", messages), **kwargs)


def by_id(result) -> dict:
    return {r.standard.id: r for r in result.standards}


def value(result) -> tuple:
    return result.groups[0].value, result.groups[0].sample_size


def finding(result, key):
    found = [f for f in result.findings if f.key == key]
    assert len(found) == 1, [f.key for f in result.findings]
    return found[0]


# -- events alone -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def alone(tmp_path_factory):
    return run(tmp_path_factory.mktemp("alone"), None)


def test_reply_gaps_count_from_the_first_unanswered_customer_message(alone):
    # Gaps: A 60, 180; B 3600 (the automated acknowledgement is not a reply); none for the
    # unanswered messages of B and C -> mean 3840 / 3 = 1280 s, median 180, max 3600.
    results = by_id(alone)
    assert value(results["art"]) == (pytest.approx(1280.0), 3)
    assert value(results["art-median"]) == (pytest.approx(180.0), 3)
    assert value(results["art-max"]) == (pytest.approx(3600.0), 3)


def test_reply_gaps_per_channel_and_filtered(alone):
    # chat: A's 60 and 180 -> 120; email: B's 3600.
    results = by_id(alone)
    assert {g.group["channel"]: (g.value, g.sample_size) for g in results["art-channel"].groups} == {
        "chat": (pytest.approx(120.0), 2),
        "email": (pytest.approx(3600.0), 1),
    }
    assert value(results["art-email"]) == (pytest.approx(3600.0), 1)


def test_events_alone_make_the_interactions(alone):
    # created_at = first customer message; first response = first human agent message after
    # it: A 08:01 - 08:00 = 60 s (not the bot's 10 s), B 10:00 - 09:00 = 3600 s (not the
    # automated 5 s); C has none -> mean 1830 s over 2. The agent is the first who wrote.
    results = by_id(alone)
    assert value(results["frt"]) == (pytest.approx(1830.0), 2)
    # C, where no agent wrote, has no agent: its group has no first response either.
    assert {g.group["agent"]: (g.value, g.sample_size) for g in results["frt-agent"].groups} == {
        "Ann": (pytest.approx(60.0), 1),
        "Bob": (pytest.approx(3600.0), 1),
        None: (None, 0),
    }
    assert alone.input_rows == 3
    assert alone.columns["id"] == "interaction_id"


def test_notes_count_messages_bots_and_unanswered(alone):
    # 13 messages, 3 of them bots or automated (rows 2, 5, 10); B and C end unanswered.
    notes = " ".join(alone.notes)
    assert "13 messages in 3 conversations; 3 from bots or automated" in notes
    assert "2 conversations end with customer messages that have no reply yet" in notes
    assert "derived from messages.csv alone" in notes


def test_the_events_files_own_notes_are_said_once_naming_it(tmp_path):
    # The messages' +07:00 offset note, once, prefixed with the file it is about.
    messages = "interaction_id,at,author\nA,2024-01-01T08:00:00+07:00,customer\nA,2024-01-01T08:01:00+07:00,agent\n"
    result = run(tmp_path, None, messages=messages)
    offsets = [n for n in result.notes if "UTC offset +07:00" in n]
    assert len(offsets) == 1 and offsets[0].startswith("messages.csv: ")


def test_replies_count_human_agent_messages(tmp_path):
    # replies_per_issue needs resolved_at, so the tickets give that alone. Human agent
    # messages: A 3 (not the bot's), B 1 (not the automated one), C 0 -> 4 / 3.
    tickets = """
    id,resolved_at
    A,2024-01-01 12:00:00
    B,2024-01-01 12:00:00
    C,2024-01-02 12:00:00
    """
    result = run(tmp_path, tickets, standards="- {id: r, title: R, metric: replies_per_issue}")
    assert value(result.standards[0]) == (pytest.approx(4 / 3), 3)
    assert result.columns["replies"].startswith("human agent messages in messages.csv")


def test_messages_at_the_same_instant_keep_the_files_order(tmp_path):
    # D: customer then agent at one instant -> a reply with a 0 s gap. E: the agent writes
    # first at that instant, so the customer's message is not answered: no gap.
    messages = """
    interaction_id,at,author
    D,2024-01-01 08:00:00,customer
    D,2024-01-01 08:00:00,agent
    E,2024-01-01 08:00:00,agent
    E,2024-01-01 08:00:00,customer
    """
    result = run(tmp_path, None, messages, "- {id: art, title: ART, metric: average_response_time}")
    assert value(result.standards[0]) == (0.0, 1)


def test_interaction_ids_are_case_sensitive(tmp_path):
    # "a1" in the tickets and "A1" in the messages are different interactions.
    result = run(
        tmp_path,
        "id,created_at\na1,2024-01-01 08:00:00\n",
        "interaction_id,at,author\nA1,2024-01-01 08:00:00,customer\nA1,2024-01-01 08:01:00,agent\n",
        "- {id: art, title: ART, metric: average_response_time, min_sample: 1}",
    )
    assert result.standards[0].status is Status.INSUFFICIENT
    found = finding(result, "events:unknown_interaction")
    assert (found.count, found.rows, found.examples) == (2, [1, 2], ["A1", "A1"])


# -- with a tickets file ----------------------------------------------------------------------

# A: the export's first response is the bot's (08:00:10); the messages say Ann at 08:01,
#    and the ticket was created at 07:59 -> 120 s. Replies: the messages' 3.
# B: the export agrees with the messages (10:00) -> 3600 s; 1 reply.
# C: the messages have no human reply: no first response (the messages win); 0 replies.
# D: no messages: the export's own 30 s and 4 replies stay.
# E: an agent note at 09:00 precedes the ticket (10:00); the first response is the agent's
#    10:05 after the customer's 10:00 -> 300 s; 2 replies. Gaps: 300 (the 09:00 note answers
#    nothing).
TICKETS = """
id,channel,created_at,first_response_at,replies,resolved_at
A,chat,2024-01-01 07:59:00,2024-01-01 08:00:10,1,2024-01-01 12:00:00
B,email,2024-01-01 09:00:00,2024-01-01 10:00:00,1,2024-01-01 12:00:00
C,chat,2024-01-02 10:00:00,,,2024-01-02 12:00:00
D,phone,2024-01-03 10:00:00,2024-01-03 10:00:30,4,2024-01-03 12:00:00
E,email,2024-01-04 10:00:00,,,2024-01-04 12:00:00
"""
MORE_MESSAGES = MESSAGES + """E,2024-01-04 09:00:00,agent,,Eve,email
E,2024-01-04 10:00:00,customer,,,email
E,2024-01-04 10:05:00,agent,,Eve,email
Z,2024-01-04 10:05:00,customer,,,chat
"""
WITH_TICKETS = """
- {id: frt, title: FRT, metric: first_response_time}
- {id: replies, title: Replies, metric: replies_per_issue}
- {id: art, title: ART, metric: average_response_time}
"""


@pytest.fixture(scope="module")
def tickets(tmp_path_factory):
    return run(tmp_path_factory.mktemp("tickets"), TICKETS, MORE_MESSAGES, WITH_TICKETS)


def test_messages_win_for_the_interactions_they_cover(tickets):
    # FRT: A 120, B 3600, D 30 (its own), E 300 -> 4050 / 4; C has no first response.
    # Replies: A 3, B 1, C 0, D 4 (its own), E 2 -> 10 / 5.
    results = by_id(tickets)
    assert value(results["frt"]) == (pytest.approx(1012.5), 4)
    assert value(results["replies"]) == (pytest.approx(2.0), 5)


def test_reply_gaps_with_tickets(tickets):
    # A 60, 180; B 3600; E 300 -> 4140 / 4 = 1035.
    assert value(by_id(tickets)["art"]) == (pytest.approx(1035.0), 4)


def test_the_notes_say_which_source_won_and_how_often_they_disagree(tickets):
    notes = " ".join(tickets.notes)
    assert "for the 4 of 5 interactions it has messages for: the messages win" in notes
    assert "the others keep the export's own first_response_at ('first_response_at') and replies ('replies')" in notes
    # Only A has both values and they differ (B agrees; C and E have no value in the export).
    assert "differs from the first human agent message in messages.csv on 1 interactions" in notes


def test_messages_of_unknown_interactions_are_a_finding(tickets):
    found = finding(tickets, "events:unknown_interaction")
    assert (found.count, found.rows, found.examples) == (1, [17], ["Z"])
    assert "messages.csv" in found.message and "tickets.csv" in found.message


def test_created_at_comes_from_the_messages_when_the_export_has_none(tmp_path):
    # Tickets without created_at: A's clock starts at its first customer message (08:00).
    result = run(tmp_path, "id\nA\n", standards="- {id: frt, title: FRT, metric: first_response_time}")
    assert value(result.standards[0]) == (pytest.approx(60.0), 1)
    assert result.columns["created_at"].startswith("first customer message in messages.csv")


def test_average_response_time_without_events_is_not_measured(run_audit):
    result = run_audit(
        "id,created_at\n1,2024-01-01 08:00:00\n",
        "- {id: art, title: ART, metric: average_response_time, required: false}",
    ).standards[0]
    assert result.status is Status.NOT_MEASURED
    assert "--events" in result.reason
    assert result.missing_fields == []


# -- bad input --------------------------------------------------------------------------------


def test_unreadable_cells_and_unknown_authors_are_findings_with_rows(tmp_path):
    messages = """
    interaction_id,at,author,automated
    A,2024-01-01 08:00:00,customer,
    A,yesterday,agent,
    A,2024-01-01 08:02:00,operator,
    ,2024-01-01 08:03:00,agent,
    A,2024-01-01 08:04:00,agent,perhaps
    A,2024-01-01 08:05:00,agent,no
    """
    result = run(tmp_path, None, messages, "- {id: art, title: ART, metric: average_response_time}")
    # Only the customer at 08:00 and the agent at 08:05 count: one 300 s gap.
    assert value(result.standards[0]) == (pytest.approx(300.0), 1)
    at = finding(result, "events:unparsable:at")
    assert (at.rows, at.examples) == ([2], ["yesterday"])
    assert at.message.startswith("messages.csv: `at`")
    author = finding(result, "events:author")
    assert (author.rows, author.examples) == ([3], ["operator"])
    assert finding(result, "events:incomplete").rows == [4]
    assert finding(result, "events:unparsable:automated").rows == [5]


def test_a_file_without_the_event_columns_is_an_error_naming_them(tmp_path):
    with pytest.raises(InputError) as info:
        run(tmp_path, TICKETS, messages=TICKETS)
    message = str(info.value)
    assert "messages.csv (--events)" in message
    assert "missing: `interaction_id`, `at`, `author`" in message
    assert "--map events.interaction_id=COLUMN" in message
    assert "looks like an interactions export" in message


def test_event_columns_map_with_the_events_prefix(tmp_path):
    messages = """
    conversation,sent,who
    A,2024-01-01 08:00:00,customer
    A,2024-01-01 08:01:30,agent
    """
    result = run(
        tmp_path, None, messages, "- {id: art, title: ART, metric: average_response_time}",
        mapping={"events.interaction_id": "conversation", "events.at": "Sent", "events.author": "who"},
    )
    assert value(result.standards[0]) == (pytest.approx(90.0), 1)


def test_cli_events_alone_and_usage_errors(tmp_path):
    runner = CliRunner()
    messages = write(tmp_path, "messages.csv", MESSAGES)
    profile = write(tmp_path, "p.yaml", profile_text("- {id: art, title: ART, metric: average_response_time}"))
    ok = runner.invoke(app, ["check", "--events", str(messages), "-p", str(profile), "--format", "json"])
    assert ok.exit_code == 0, ok.output
    assert '"value": 1280.0' in ok.stdout
    neither = runner.invoke(app, ["check", "-p", str(profile)])
    assert neither.exit_code == 2
    assert "give the export to audit, or --events FILE" in neither.stderr
    stray = runner.invoke(app, ["check", str(messages), "-p", str(profile), "--map", "events.at=x"])
    assert stray.exit_code == 2
    assert "no --events file was given" in stray.stderr


def test_stanford_measures_response_time_from_events(tmp_path):
    # The stanford profile's email response-time standard: B's 3600 s -> pass (<= 1 day).
    result = audit(load_profile("stanford"), None, events=write(tmp_path, "messages.csv", MESSAGES))
    art = {r.standard.id: r for r in result.standards}["response-time-email"]
    assert art.groups[0].value == pytest.approx(3600.0)
