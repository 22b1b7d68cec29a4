"""Message events: one row per message of a conversation (``--events``).

From the messages of each interaction csaudit derives, without a loop over rows (one sort, then
window expressions and one group-by):

* ``first_response_at``: the first message of a human agent at or after the interaction's clock
  start (the tickets file's ``created_at``; without one, the first customer message) that
  follows a customer message: an outbound contact's opening message responds to nothing, so
  its first response is the agent's next message after the customer has written (as Zendesk
  times agent-created tickets);
* ``replies``: how many messages human agents wrote;
* ``response_gaps``: for every agent reply that follows customer messages, the seconds from the
  **first** customer message of that unanswered run to the reply (the customer has waited since
  then). Agent messages that follow another agent message are not replies to anything and make
  no gap; customer messages not answered yet make none either (they are counted in a note).

Who wrote a message is its ``author``: customer, agent or bot, with common synonyms
(:data:`AUTHORS`). A message whose ``automated`` flag is true is a bot's, whoever the author:
acknowledgements, macros and triggers are not responses. Bot messages are neither customer
messages nor replies; they are ignored (they do not even break a run of customer messages).
Messages at the same instant keep the file's order.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from csaudit.fields import raw_column
from csaudit.ingest import ROW, Export
from csaudit.metrics.base import seconds_between, unreadable

#: Words accepted in ``author`` (compared ignoring case and surrounding spaces).
AUTHORS: dict[str, tuple[str, ...]] = {
    "customer": ("customer", "client", "user", "end-user", "end_user", "enduser", "end user", "contact",
                 "lead", "requester", "visitor", "guest", "caller"),
    "agent": ("agent", "admin", "staff", "support", "teammate", "human", "employee", "rep",
              "representative", "csr", "advisor"),
    "bot": ("bot", "chatbot", "system", "automation", "automated", "auto", "workflow", "trigger", "ivr"),
}
REQUIRED = ("interaction_id", "at", "author")
#: Interaction fields an events-only audit takes from the messages (first non-empty value).
CARRIED = ("channel", "priority", "team", "customer_id")
#: Fields the events derive for every interaction they cover.
DERIVED = ("first_response_at", "replies", "response_gaps")

KEY = "_interaction"  # the interaction id as written (ids are case-sensitive)
ROLE = "_role"  # customer, agent, bot; null when the author is not recognised


def interaction_key(raw: str) -> pl.Expr:
    """An id column's text as written, without surrounding spaces; empty is null."""
    text = pl.col(raw).str.strip_chars()
    return pl.when(text != "").then(text)


def messages(export: Export) -> pl.LazyFrame:
    """The message events with :data:`KEY` and :data:`ROLE`."""
    author = pl.col("author")
    role = pl.when(author.is_in(AUTHORS["bot"])).then(pl.lit("bot"))
    role = role.when(author.is_in(AUTHORS["customer"])).then(pl.lit("customer"))
    role = role.when(author.is_in(AUTHORS["agent"])).then(pl.lit("agent"))
    if "automated" in export.present:
        # An unreadable flag leaves the message out, as every unreadable cell does.
        role = (
            pl.when(unreadable("automated")).then(pl.lit(None, pl.String))
            .when(pl.col("automated").fill_null(False)).then(pl.lit("bot"))
            .otherwise(role)
        )
    return export.frame.with_columns(interaction_key(raw_column("interaction_id")).alias(KEY), role.alias(ROLE))


def usable() -> pl.Expr:
    """A message that belongs to an interaction, has a time and a recognised author."""
    return pl.col(KEY).is_not_null() & pl.col("at").is_not_null() & pl.col(ROLE).is_not_null()


@dataclass(frozen=True)
class Facts:
    """Per interaction (:data:`KEY`): what its messages say. Columns: ``_first_row`` (file row
    of its first message), ``_created_at`` (first customer message) and its raw text,
    ``_first_response_at`` and raw, ``_replies``, ``response_gaps`` (list of seconds),
    ``_awaiting`` (the last human message is the customer's), ``_messages``, ``_bots``, and
    each of :data:`CARRIED` and ``agent`` (the first agent who wrote) present in the file, with raw."""

    frame: pl.LazyFrame
    carried: tuple[str, ...]


def conversation_facts(msgs: pl.LazyFrame, present: frozenset[str], starts: pl.LazyFrame | None = None) -> Facts:
    """Derive :class:`Facts` from :func:`messages`. ``starts`` (``KEY``, ``_ticket_start``, one
    row per interaction) gives clock starts from a tickets file; the first customer message
    stands in where it has none."""
    ok = usable()
    human_role = pl.when(ok & (pl.col(ROLE) != "bot")).then(pl.col(ROLE))
    is_customer = ok & (pl.col(ROLE) == "customer")
    is_agent = ok & (pl.col(ROLE) == "agent")
    at, at_raw = pl.col("at"), pl.col(raw_column("at"))
    # The role of the previous human message (bots skipped), and when the current unanswered
    # run of customer messages began.
    previous = human_role.shift(1).forward_fill().over(KEY)
    run_start = is_customer & previous.ne_missing(pl.lit("customer"))
    started = pl.when(run_start).then(at).forward_fill().over(KEY)
    gap = pl.when(is_agent & (previous == "customer")).then(seconds_between(started, at))
    first_customer = pl.when(is_customer).then(at).min().over(KEY)
    frame = msgs.filter(pl.col(KEY).is_not_null()).sort([KEY, "at", ROW], nulls_last=True)
    if starts is not None:
        # The windows below read the rows in sorted order: the join must keep it.
        frame = frame.join(starts, on=KEY, how="left", maintain_order="left")
        clock = pl.coalesce(pl.col("_ticket_start"), first_customer)
    else:
        clock = first_customer
    # A response answers a customer: an agent message before any customer message (an
    # outbound contact's opening, or one the file lists before the customer's at the same
    # instant) responds to nothing. A customer message whose time is unreadable may have come
    # first: such a conversation is taken to be the customer's, as without the rule.
    untimed_customer = (pl.col(ROLE) == "customer") & pl.col("at").is_null()
    follows_customer = (is_customer.cum_sum().over(KEY) > 0) | untimed_customer.any().over(KEY)
    frame = frame.with_columns(gap.alias("_gap"), clock.alias("_clock"), follows_customer.alias("_follows"))
    responded = is_agent & pl.col("_follows") & (at >= pl.col("_clock"))
    # Within each group the rows keep the sorted order, so first() is the earliest.
    aggregations = [
        pl.col(ROW).min().alias("_first_row"),
        at.filter(is_customer).first().alias("_created_at"),
        at_raw.filter(is_customer).first().alias("_created_at_raw"),
        at.filter(responded).first().alias("_first_response_at"),
        at_raw.filter(responded).first().alias("_first_response_at_raw"),
        is_agent.sum().cast(pl.Float64).alias("_replies"),
        pl.col("_gap").drop_nulls().alias("response_gaps"),
        (human_role.drop_nulls().last() == "customer").fill_null(False).alias("_awaiting"),
        ok.sum().alias("_messages"),
        (ok & (pl.col(ROLE) == "bot")).sum().alias("_bots"),
    ]
    carried = tuple(f for f in (*CARRIED, "agent") if f in present)
    for name in carried:
        source = pl.col(name).is_not_null() & (is_agent if name == "agent" else pl.lit(True))
        aggregations += [
            pl.col(name).filter(source).first().alias(name),
            pl.col(raw_column(name)).filter(source).first().alias(raw_column(name)),
        ]
    return Facts(frame.group_by(KEY).agg(aggregations), carried)


def interactions_from_events(events: Export) -> Export:
    """The interactions of an events-only audit: one row per interaction id, with
    ``created_at`` the first customer message, the :data:`DERIVED` fields, and each of
    :data:`CARRIED` and ``agent`` the file has. Row numbers are those of each interaction's
    first message in the events file."""
    facts = conversation_facts(messages(events), events.present)
    replies = pl.col("_replies")
    frame = facts.frame.select(
        pl.col("_first_row").alias(ROW),
        pl.col(KEY).alias("id"),
        pl.col(KEY).alias(raw_column("id")),
        pl.col("_created_at").alias("created_at"),
        pl.col("_created_at_raw").alias(raw_column("created_at")),
        pl.col("_first_response_at").alias("first_response_at"),
        pl.col("_first_response_at_raw").alias(raw_column("first_response_at")),
        replies.alias("replies"),
        replies.cast(pl.Int64).cast(pl.String).alias(raw_column("replies")),
        "response_gaps",
        *[c for name in facts.carried for c in (name, raw_column(name))],
    ).sort(ROW)
    source = events.columns
    columns = {
        "id": source["interaction_id"],
        "created_at": f"first customer message ({source['at']})",
        "first_response_at": f"first human agent message ({source['at']})",
        "replies": f"human agent messages ({source['author']})",
        **{name: source[name] for name in facts.carried},
    }
    return Export(
        path=events.path,
        frame=frame.cache(),
        columns=columns,
        headers=events.headers,
        separator=events.separator,
        timestamp_formats={"created_at": events.timestamp_formats["at"],
                           "first_response_at": events.timestamp_formats["at"]},
        notes=[],  # the events file's own notes are reported once, naming the file (tables)
        timezone=events.timezone,
    )


def attach_to_tickets(tickets: Export, events: Export) -> tuple[pl.LazyFrame, dict[str, str], Facts]:
    """The tickets frame with what the events derive joined in by id. For an interaction that
    has messages, the messages win for ``first_response_at`` and ``replies`` (they tell human
    replies from automated ones); the others keep the tickets file's own values. ``created_at``
    comes from the first customer message only when the tickets file has no such column.
    Returns the frame (with ``_has_events`` and, when the tickets have a first response,
    ``_disagrees``), the columns (field → source) it adds or replaces, and the facts."""
    present = tickets.present
    starts = None
    if "created_at" in present:
        starts = tickets.frame.group_by("id").agg(pl.col("created_at").min().alias("_ticket_start"))
        starts = starts.rename({"id": KEY})
    facts = conversation_facts(messages(events), events.present, starts)
    facts = Facts(facts.frame.cache(), facts.carried)
    derived = facts.frame.select(
        KEY, pl.lit(True).alias("_has_events"), "_created_at", "_created_at_raw",
        "_first_response_at", "_first_response_at_raw", "_replies", "response_gaps",
    )
    frame = tickets.frame.join(derived, left_on="id", right_on=KEY, how="left")
    has = pl.col("_has_events").fill_null(False)
    at = events.columns["at"]
    columns = {
        "first_response_at": f"first human agent message in {events.path.name} ({at})",
        "replies": f"human agent messages in {events.path.name}",
    }
    replaced = []
    for name, value, raw in (
        ("first_response_at", pl.col("_first_response_at"), pl.col("_first_response_at_raw")),
        ("replies", pl.col("_replies"), pl.col("_replies").cast(pl.Int64).cast(pl.String)),
    ):
        if name in present:
            columns[name] += f", else {tickets.columns[name]!r}"
            value = pl.when(has).then(value).otherwise(pl.col(name))
            raw = pl.when(has).then(raw).otherwise(pl.col(raw_column(name)))
        replaced += [value.alias(name), raw.alias(raw_column(name))]
    if "created_at" not in present:
        columns["created_at"] = f"first customer message in {events.path.name} ({at})"
        replaced += [pl.col("_created_at").alias("created_at"), pl.col("_created_at_raw").alias(raw_column("created_at"))]
    if "first_response_at" in present:
        # For the note: where both say something, how often they disagree.
        replaced.append(
            (has & pl.col("first_response_at").is_not_null()
             & pl.col("first_response_at").ne_missing(pl.col("_first_response_at"))).alias("_disagrees")
        )
    frame = frame.with_columns(replaced).drop(
        "_created_at", "_created_at_raw", "_first_response_at", "_first_response_at_raw", "_replies"
    )
    return frame, columns, facts
