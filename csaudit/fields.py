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
        Field("csat", FieldType.NUMBER, "satisfaction answer, 1–5"),
        Field("nps", FieldType.NUMBER, "recommend answer, 0–10"),
        Field("ces", FieldType.NUMBER, "effort answer, 1–5 or 1–7"),
        Field("clicks_to_contact", FieldType.NUMBER, "clicks before reaching a first contact"),
        Field("errors", FieldType.NUMBER, "defects found in the interaction (QA)"),
        Field("customer_id", FieldType.TEXT, "the customer"),
    ]
}

#: Channels where a customer waits in a live queue (speed of answer, waiting, abandonment).
LIVE_CHANNELS = ("chat", "phone", "voice", "call", "video", "walk_in")

#: Text fields whose values compare case-insensitively and can group results (``each:``).
GROUPABLE = tuple(name for name, f in FIELDS.items() if f.type is FieldType.TEXT and name != "id")

TRUE_WORDS = ("true", "t", "yes", "y", "1")
FALSE_WORDS = ("false", "f", "no", "n", "0")


def raw_column(name: str) -> str:
    """Name of the column that keeps a field's text as it was in the export."""
    return f"{name}__raw"

