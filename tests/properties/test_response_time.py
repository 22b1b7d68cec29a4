"""Property: ``average_response_time`` from message events (``--events``, no tickets file)
against a plain-Python reference written from docs/metrics.md "Message events":

* per interaction, messages in time order (same instant: the file's order);
* a bot's message (a bot author word, or ``automated`` true) is ignored: neither a customer
  message nor a reply, and it does not break a run of customer messages;
* an author that is no known word, an empty or unreadable time, an unreadable ``automated``
  flag: the message is left out;
* each agent message that follows customer messages makes one gap, from the *first* of those
  customer messages; an agent message after an agent message makes none, nor do customer
  messages with no reply yet;
* per group (``each: channel``: an interaction's channel is its first non-empty one, in time
  order - the docs leave open whether "first" is in time or file order), the
  statistic over the gaps; the sample size is the number of gaps. As for waiting_count and
  backlog_flow, a group is reported only when it has gaps (row metrics list every group).
"""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from csaudit.engine import audit
from csaudit.errors import CsauditError
from csaudit.profile.loader import parse_profile
from tests.properties.reference import US, statistic
from tests.properties.standards import stats
from tests.properties.table import ORIGIN_US, SCALES_US, timestamp_text
from tests.properties.test_metrics_match_reference import PROPERTY_SETTINGS, _SCALE, same

CUSTOMER = ("customer", "Client", " END USER ", "visitor")
AGENT = ("agent", "Support", "csr")
BOT = ("bot", "System", "ivr")
UNKNOWN = ("robot", "")


@st.composite
def conversations(draw):
    """Messages: (interaction, at µs or None, at text, role, author text, automated text,
    channel text). Small time steps make ties; some cells are unreadable."""
    scale = draw(st.sampled_from(SCALES_US))
    rows = []
    for _ in range(draw(st.integers(1, 14))):
        interaction = draw(st.sampled_from(("a", "b", "c")))
        kind = draw(st.sampled_from(("ok",) * 8 + ("empty", "bad")))
        at = ORIGIN_US + draw(st.integers(0, 6)) * scale if kind == "ok" else None
        at_text = timestamp_text(at, "space") if kind == "ok" else ("" if kind == "empty" else "soon")
        role = draw(st.sampled_from(("customer",) * 3 + ("agent",) * 3 + ("bot", "unknown")))
        author = draw(st.sampled_from({"customer": CUSTOMER, "agent": AGENT, "bot": BOT, "unknown": UNKNOWN}[role]))
        automated = draw(st.sampled_from(("", "", "no", "yes", "maybe")))
        channel = draw(st.sampled_from(("", "chat", "Email")))
        rows.append((interaction, at, at_text, role, author, automated, channel))
    return rows, scale


def reference_gaps(rows) -> dict[str | None, list[Fraction]]:
    """Gaps in seconds per channel key (the interaction's first non-empty channel)."""
    by_interaction: dict[str, list] = {}
    for index, row in enumerate(rows):
        by_interaction.setdefault(row[0], []).append((index, row))
    out: dict[str | None, list[Fraction]] = {}
    for messages in by_interaction.values():
        # "First" in the conversation's time order (same instant: file order; messages
        # without a time last), over every message of the interaction.
        in_time = sorted(messages, key=lambda m: (m[1][1] is None, m[1][1] or 0, m[0]))
        channel = next((r[6].strip().lower() for _, r in in_time if r[6].strip()), None)
        gaps = out.setdefault(channel, [])
        usable = [(r[1], i, r) for i, r in messages if r[1] is not None and r[3] != "unknown" and r[5] != "maybe"]
        run_start, previous = None, None
        for at, _, row in sorted(usable):
            role = "bot" if row[5] == "yes" else row[3]
            if role == "bot":
                continue
            if role == "customer":
                if previous != "customer":
                    run_start = at
            elif previous == "customer":
                gaps.append(Fraction(at - run_start, US))
            previous = role
    return out


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    return tmp_path_factory.mktemp("events")


@settings(PROPERTY_SETTINGS, max_examples=30 * _SCALE)
@given(data=st.data())
def test_average_response_time_matches_reference(folder, data):
    rows, scale = data.draw(conversations(), label="messages")
    stat = data.draw(stats("first_response_time", scale), label="statistic")  # the same statistics, in seconds
    grouped = data.draw(st.booleans(), label="each channel")
    path = folder / "messages.csv"
    lines = ["interaction_id,at,author,automated,channel"] + [",".join((r[0], r[2], r[4], r[5], r[6])) for r in rows]
    path.write_text("\n".join(lines) + "\n")
    profile = parse_profile(
        "csaudit_profile: 1\nname: art\nstandards:\n"
        f"  - {{id: art, title: ART, metric: average_response_time, statistic: {stat.yaml}"
        + (", each: channel" if grouped else "") + "}\n",
        "art.yaml",
    )
    if not any(r[1] is not None for r in rows):
        # No message has a readable time: a clean error (a column no value of which reads as
        # a time is refused), or no gap at all.
        try:
            result = audit(profile, None, events=path).standards[0]
        except CsauditError:
            return
        assert all(g.sample_size == 0 for g in result.groups)
        return
    result = audit(profile, None, events=path).standards[0]
    gaps = reference_gaps(rows)
    if grouped:
        # As for waiting_count and backlog_flow, only groups with a sample are reported.
        want = {key: (statistic(stat, values), len(values)) for key, values in gaps.items() if values}
        got = {(g.group["channel"] or "").lower() or None: (g.value, g.sample_size) for g in result.groups}
    else:
        everything = [g for values in gaps.values() for g in values]
        want = {None: (statistic(stat, everything), len(everything))}
        got = {None: (result.groups[0].value, result.groups[0].sample_size)} if result.groups else {}
    where = f"{stat} {'each channel' if grouped else ''} on\n" + "\n".join(lines)
    assert {k: n for k, (_, n) in got.items()} == {k: n for k, (_, n) in want.items()}, where
    for key, (value, _) in want.items():
        expected = None if value is None else float(value)
        assert same(got[key][0], expected, scale / 1e6), f"{key}: got {got[key][0]}, want {expected}: {where}"
