"""Message events: a first response answers a customer. An agent message that comes before
any customer message (an outbound contact's opening, or one the file lists first at the same
instant) responds to nothing. Expected values worked out by hand beside each test."""

from __future__ import annotations

import pytest

from tests.test_events import by_id, run, value

STANDARDS = """
- {id: frt, title: FRT, metric: first_response_time}
- {id: art, title: ART, metric: average_response_time}
"""


def test_events_alone_an_agent_message_listed_before_the_customer_at_the_same_instant(tmp_path):
    # X: Ann's message at 10:00:00 is listed before the customer's at the same instant, so it
    # answers nothing; the bot at 10:01 is no response; Bob at 10:02 is: FRT 120 s (it was 0).
    # The gap from the customer's 10:00 to Bob's 10:02 is 120 s too.
    messages = """
interaction_id,at,author,agent
X,2024-01-01 10:00:00,agent,Ann
X,2024-01-01 10:00:00,customer,
X,2024-01-01 10:01:00,bot,
X,2024-01-01 10:02:00,agent,Bob
"""
    results = by_id(run(tmp_path, None, messages, STANDARDS))
    assert value(results["frt"]) == (120.0, 1)
    assert value(results["art"]) == (120.0, 1)


def test_with_tickets_an_outbound_contacts_opening_is_not_its_first_response(tmp_path):
    # O (outbound): created 11:00 by the agent's own message; the customer answers at 11:10 and
    # the agent replies at 11:15. The first response is 11:15 (as Zendesk times agent-created
    # tickets: the agent's next comment), FRT 900 s, not the opening's 0 s.
    # I (inbound): customer 12:00, agent 12:01: FRT 60 s.
    # Mean FRT (900 + 60) / 2 = 480; gaps 300 (11:10 -> 11:15) and 60: mean 180.
    tickets = """
id,created_at
O,2024-01-01 11:00:00
I,2024-01-01 12:00:00
"""
    messages = """
interaction_id,at,author
O,2024-01-01 11:00:00,agent
O,2024-01-01 11:10:00,customer
O,2024-01-01 11:15:00,agent
I,2024-01-01 12:00:00,customer
I,2024-01-01 12:01:00,agent
"""
    results = by_id(run(tmp_path, tickets, messages, STANDARDS))
    assert value(results["frt"]) == (pytest.approx(480.0), 2)
    assert value(results["art"]) == (pytest.approx(180.0), 2)


def test_an_outbound_contact_the_customer_never_answered_has_no_first_response(tmp_path):
    # Q: two agent messages, no customer message: nothing was responded to. P: FRT 30 s.
    tickets = "id,created_at\nQ,2024-01-01 09:00:00\nP,2024-01-01 09:00:00\n"
    messages = """
interaction_id,at,author
Q,2024-01-01 09:00:00,agent
Q,2024-01-02 09:00:00,agent
P,2024-01-01 09:00:00,customer
P,2024-01-01 09:00:30,agent
"""
    results = by_id(run(tmp_path, tickets, messages, STANDARDS))
    assert value(results["frt"]) == (30.0, 1)


def test_a_customer_message_with_an_unreadable_time_may_have_come_first(tmp_path):
    # U: the customer's message has no readable time (a finding), so the agent's 10:05 message
    # cannot be shown to come first: it is the first response, FRT 300 s from created 10:00.
    tickets = "id,created_at\nU,2024-01-01 10:00:00\n"
    messages = """
interaction_id,at,author
U,yesterday 4pm,customer
U,2024-01-01 10:05:00,agent
U,2024-01-01 10:00:00,bot
"""
    results = by_id(run(tmp_path, tickets, messages, STANDARDS))
    assert value(results["frt"]) == (300.0, 1)
