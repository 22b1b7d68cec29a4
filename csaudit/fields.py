"""The canonical interaction fields of STANDARDS.md §1, and the type each is read as."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class FieldType(str, Enum):
    TEXT = "text"
    TIMESTAMP = "timestamp"
    BOOL = "bool"
    NUMBER = "number"


@dataclass(frozen=True)
class Field:
    name: str
    type: FieldType
    meaning: str


FIELDS: dict[str, Field] = {
    f.name: f
    for f in [
        Field("id", FieldType.TEXT, "unique interaction id"),
        Field("channel", FieldType.TEXT, "email, chat, phone, social, sms, messaging, web, walk_in, …"),
        Field("priority", FieldType.TEXT, "P1..P4 or urgent/high/normal/low"),
        Field("created_at", FieldType.TIMESTAMP, "contact arrives / ticket created (clock start)"),
        Field("queued_at", FieldType.TIMESTAMP, "entered the live queue; defaults to created_at"),
        Field("first_response_at", FieldType.TIMESTAMP, "first human agent response / answer"),
        Field("abandoned", FieldType.BOOL, "left the live queue before an agent answered"),
        Field("abandoned_at", FieldType.TIMESTAMP, "when the customer left the queue"),
        Field("resolved_at", FieldType.TIMESTAMP, "issue resolved (empty = unresolved)"),
        Field("agent", FieldType.TEXT, "agent who handled it"),
        Field("team", FieldType.TEXT, "team or group that handled it"),
        Field("replies", FieldType.NUMBER, "agent replies on the interaction"),
        Field("reopens", FieldType.NUMBER, "times reopened after resolution"),
        Field("transfers", FieldType.NUMBER, "hand-offs between agents or groups"),
        Field("contacts", FieldType.NUMBER, "contacts the customer made about this issue"),
        Field("first_contact_resolution", FieldType.BOOL, "explicit first-contact-resolution flag"),
        Field("handle_seconds", FieldType.NUMBER, "talk / handle time in seconds"),
        Field("hold_seconds", FieldType.NUMBER, "hold time in seconds"),
        Field("wrap_seconds", FieldType.NUMBER, "after-contact work in seconds"),
        Field(
            "paused_seconds", FieldType.NUMBER,
            "time the SLA clock was paused (pending / on hold), as the export records it, in seconds",
        ),
        Field("csat", FieldType.NUMBER, "satisfaction answer, 1–5"),
        Field("nps", FieldType.NUMBER, "recommend answer, 0–10"),
        Field("ces", FieldType.NUMBER, "effort answer, 1–5 or 1–7"),
        Field("clicks_to_contact", FieldType.NUMBER, "clicks before reaching a first contact"),
        Field("errors", FieldType.NUMBER, "defects found in the interaction (QA)"),
        Field("customer_id", FieldType.TEXT, "the customer"),
        # Durations some exports give instead of (or besides) the timestamps, in seconds.
        # The metrics use them only where the timestamps are absent (metrics/speed.py).
        Field("first_response_seconds", FieldType.NUMBER, "first response time as exported (calendar time), seconds"),
        Field("resolution_seconds", FieldType.NUMBER, "resolution time as exported (calendar time), seconds"),
        Field(
            "first_response_business_seconds", FieldType.NUMBER,
            "first response time as exported, in the vendor's business hours, seconds",
        ),
        Field(
            "resolution_business_seconds", FieldType.NUMBER,
            "resolution time as exported, in the vendor's business hours, seconds",
        ),
    ]
}

#: Number fields a duration standard may subtract as paused time (``options: {subtract: […]}``).
PAUSE_FIELDS = ("paused_seconds", "hold_seconds")

#: Channels where a customer waits in a live queue (speed of answer, waiting, abandonment).
LIVE_CHANNELS = ("chat", "phone", "voice", "call", "video", "walk_in")

#: Text fields whose values compare case-insensitively and can group results (``each:``).
GROUPABLE = tuple(name for name, f in FIELDS.items() if f.type is FieldType.TEXT and name != "id")

TRUE_WORDS = ("true", "t", "yes", "y", "1")
FALSE_WORDS = ("false", "f", "no", "n", "0")


def raw_column(name: str) -> str:
    """Name of the column that keeps a field's text as it was in the export."""
    return f"{name}__raw"



# -- Other kinds of table (STANDARDS.md §1 "Optional second tables", §4) ---------------------

#: One row per order (STANDARDS.md §4), audited by profiles of ``kind: orders``.
ORDER_FIELDS: dict[str, Field] = {
    f.name: f
    for f in [
        Field("order_id", FieldType.TEXT, "unique order id"),
        Field("customer_id", FieldType.TEXT, "the customer who ordered"),
        Field("ordered_at", FieldType.TIMESTAMP, "order placed (clock start; periods are of this)"),
        Field("promised_at", FieldType.TIMESTAMP, "delivery promised by (a date alone: by the end of that day)"),
        Field("shipped_at", FieldType.TIMESTAMP, "order shipped (empty = not shipped yet)"),
        Field("delivered_at", FieldType.TIMESTAMP, "order delivered (empty = not delivered yet)"),
        Field("quantity_ordered", FieldType.NUMBER, "units ordered"),
        Field("quantity_shipped", FieldType.NUMBER, "units shipped"),
        Field("invoice_correct", FieldType.BOOL, "the invoice was correct"),
        Field("urgent", FieldType.BOOL, "an urgent (rush) order"),
        Field("stockout_notified", FieldType.BOOL, "the customer was told an item was short"),
        Field("amount", FieldType.NUMBER, "order value, in the data's currency"),
        Field("carrier", FieldType.TEXT, "who delivered it (to group results)"),
        Field("warehouse", FieldType.TEXT, "where it shipped from (to group results)"),
    ]
}

#: One row per message of a conversation (``--events``).
EVENT_FIELDS: dict[str, Field] = {
    f.name: f
    for f in [
        Field("interaction_id", FieldType.TEXT, "the interaction (ticket, chat …) the message belongs to"),
        Field("at", FieldType.TIMESTAMP, "when the message was sent"),
        Field("author", FieldType.TEXT, "customer, agent or bot (synonyms: see docs/metrics.md)"),
        Field("automated", FieldType.BOOL, "sent automatically (acknowledgement, macro, trigger): not a reply"),
        Field("agent", FieldType.TEXT, "the agent who wrote it"),
        Field("channel", FieldType.TEXT, "the interaction's channel (used when there is no tickets file)"),
        Field("priority", FieldType.TEXT, "the interaction's priority (used when there is no tickets file)"),
        Field("team", FieldType.TEXT, "the interaction's team (used when there is no tickets file)"),
        Field("customer_id", FieldType.TEXT, "the customer (used when there is no tickets file)"),
    ]
}

#: Available time per agent, per day or interval (``--agents``).
ACTIVITY_FIELDS: dict[str, Field] = {
    f.name: f
    for f in [
        Field("agent", FieldType.TEXT, "the agent (matched to the interactions' agent, ignoring case)"),
        Field("team", FieldType.TEXT, "the agent's team"),
        Field("date", FieldType.TIMESTAMP, "the day the row covers"),
        Field("interval_start", FieldType.TIMESTAMP, "start of the interval the row covers (instead of date)"),
        Field("interval_end", FieldType.TIMESTAMP, "end of that interval (exclusive)"),
        Field("available_seconds", FieldType.NUMBER, "time logged in and available to handle work, in seconds"),
    ]
}

#: Second tables of an interactions audit, by the prefix their mappings take (events.at=…).
SECOND_TABLES: dict[str, dict[str, Field]] = {"events": EVENT_FIELDS, "agents": ACTIVITY_FIELDS}


@dataclass(frozen=True)
class Kind:
    """A kind of data a profile audits: its field catalogue and what identifies a row."""

    name: str
    fields: dict[str, Field]
    id_field: str
    groupable: tuple[str, ...]  # text fields a standard can filter or group by
    row: str  # what one row is, for messages


KINDS: dict[str, Kind] = {
    "interactions": Kind("interactions", FIELDS, "id", GROUPABLE, "interaction (ticket, chat, call …)"),
    # `period` is derived: the month of ordered_at (a standard's `period` option changes it).
    "orders": Kind(
        "orders",
        ORDER_FIELDS,
        "order_id",
        tuple(n for n, f in ORDER_FIELDS.items() if f.type is FieldType.TEXT and n != "order_id") + ("period",),
        "order",
    ),
}
