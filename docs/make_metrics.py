"""Write docs/metrics.md from the metric registry and the field catalogues.

    python docs/make_metrics.py

tests/test_docs_and_layout.py checks that the page lists every metric; regenerate it whenever a
metric, a field or a description changes.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from csaudit.events import AUTHORS  # noqa: E402
from csaudit.fields import ACTIVITY_FIELDS, EVENT_FIELDS, FIELDS, KINDS, ORDER_FIELDS, Field  # noqa: E402
from csaudit.metrics import REGISTRY  # noqa: E402

OUT = Path(__file__).with_name("metrics.md")

HEAD = """# Metrics and fields

The catalogue csaudit measures, as defined in STANDARDS.md §2 and §4. `csaudit metrics` prints the
same list. Durations are seconds; fractions are shown as percentages. A profile audits one kind
of data (`kind:`): interactions (the default) or orders.
"""

EVENTS = """
## Message events (`--events`)

One row per message. Per interaction csaudit derives the first human response, the reply gaps
behind `average_response_time` and the number of agent replies (csaudit/events.py):

- `first_response_at`: the first human agent message at or after the interaction's `created_at`
  (without a tickets file, the first customer message) that follows a customer message: the
  opening message of an outbound contact responds to nothing, so the first response is the
  agent's next message after the customer has written;
- `replies`: the messages human agents wrote;
- response gaps: for each agent message that follows customer messages, the time from the
  **first** of those customer messages (the customer has waited since then). An agent message
  after another agent message answers nothing and makes no gap; customer messages with no reply
  yet make none either (a note counts the conversations that end that way).

A message is a bot's, and ignored (it is neither a customer message nor a reply, and does not
break a run of customer messages), when its `automated` flag is true or its `author` is a bot
word. `author` words, compared ignoring case and surrounding spaces:

{authors}

Anything else is reported as a finding and ignored. Messages at the same instant keep the file's
order. Where a tickets file is given too, the messages win for `first_response_at` and `replies`
on the interactions they cover (they tell human replies from automated ones); the other
interactions keep the file's own values, and a note says how often the two disagree. Without a
tickets file, each interaction id becomes an interaction: `created_at` is its first customer
message, `channel`, `priority`, `team` and `customer_id` its first non-empty value, `agent` the
first agent who wrote. Map columns with `--map events.FIELD=COLUMN`.
"""

ACTIVITY = """
## Agent activity (`--agents`)

Available time per agent, for `occupancy` (csaudit/activity.py). A row covers a `date` (from its
midnight to the next, read in `--timezone` like any timestamp without an offset) or an interval
(`interval_start` to `interval_end`, the end excluded); without either, it is the agent's
availability over the whole audited span. An interaction's work (handle + hold + wrap) counts in
its agent's day or interval it was taken up in (`first_response_at`, else `created_at`); records
wholly outside the interactions' time span are not counted. Agents match ignoring case. Findings:
interactions whose agent is not in the table, or taken up outside their agent's days; agents
with no available time (left out, with their work, instead of dividing by zero); overlapping
records of one agent. Per team (`each: team`), each record counts in its own `team`: an agent
who changed team counts in each team with the days spent in it and the work done on them.
Map columns with `--map agents.FIELD=COLUMN`.
"""


def statistics(metric) -> str:
    names = [metric.default_statistic] + [s for s in metric.statistics if s != metric.default_statistic]
    shown = {"quantile": "pNN", "share_within": "{share_within: X}"}
    return ", ".join(shown.get(s, s) for s in names)


def needs(metric) -> str:
    fields = [f for f in metric.requires if f != "response_gaps"]  # derived from --events
    table = getattr(metric, "needs", "")
    parts = [", ".join(f"`{f}`" for f in fields)] if fields else []
    if table:
        parts.append(table)
    return " + ".join(parts) or "see definition"


def metric_table(kind: str) -> list[str]:
    lines = [
        "| metric | family | unit | statistics (default first) | needs | definition |",
        "|---|---|---|---|---|---|",
    ]
    for name, metric in REGISTRY.items():
        if metric.kind == kind:
            lines.append(
                f"| `{name}` | {metric.family} | {metric.unit.value} | {statistics(metric)} | "
                f"{needs(metric)} | {metric.description} |"
            )
    return lines


def field_table(fields: dict[str, Field]) -> list[str]:
    lines = ["| field | type | meaning |", "|---|---|---|"]
    lines += [f"| `{f.name}` | {f.type.value} | {f.meaning} |" for f in fields.values()]
    return lines


def page() -> str:
    parts = [HEAD, "## Interactions metrics", "", *metric_table("interactions"), ""]
    parts += ["## Orders metrics (`kind: orders`)", "", *metric_table("orders"), ""]
    parts += ["## Canonical fields", "", *field_table(FIELDS), ""]
    parts += [
        "Booleans accept true/false, yes/no, y/n, t/f and 1/0 in any case. Numbers are plain decimals.",
        "",
        "## Orders fields (`kind: orders`)",
        "",
        *field_table(ORDER_FIELDS),
        "",
        "`period` is derived: the month of `ordered_at` on the audit's clock (`2024-05`; --timezone or the profile's timezone, else UTC); `each: period` evaluates a standard "
        "per period, and the standard's `period` option (day, week, month, quarter, year) changes its "
        "length. Fields results can be filtered or grouped by: "
        + ", ".join(f"`{f}`" for f in KINDS["orders"].groupable) + ".",
    ]
    authors = "\n".join(f"- {role}: " + ", ".join(f"`{w}`" for w in words) for role, words in AUTHORS.items())
    parts += [EVENTS.format(authors=authors), *field_table(EVENT_FIELDS), ACTIVITY, *field_table(ACTIVITY_FIELDS)]
    return "\n".join(parts).rstrip("\n") + "\n"


if __name__ == "__main__":
    OUT.write_text(page(), encoding="utf-8")
    print(f"wrote {OUT}")
