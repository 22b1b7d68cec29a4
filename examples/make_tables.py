"""Write the examples of csaudit's other tables: orders, message events, agent activity.

* ``orders.csv``: six months of a small online shop's orders (invented, amounts in VND), for
  ``--profile logistics`` and ``--profile retention``: loyal and one-off customers, urgent
  orders, late and partial deliveries, orders still on their way at the end, and a few data
  errors (a delivery logged before its order, a quantity typed as a word, an order exported
  twice, one without a customer).
* ``messages.csv``: the messages of the chat, email and social tickets of
  ``helpdesk_export.csv`` (``--events``): the customer writes when the ticket is created, an
  autoresponder acknowledges emails, agents reply and customers answer back. For some emails the
  export's first response is the autoresponder's acknowledgement, which the messages tell
  apart. Data errors: an author nobody recognises, a time typed by hand, a message for a
  ticket that is not in the export.
* ``agent_activity.csv``: each helpdesk agent's available time per working day (``--agents``),
  with a weekend rota, an agent on leave (0 s available) and a new agent who took no tickets.

Messages and activity are derived from ``helpdesk_export.csv``, so run this after
``make_example.py``. The seed makes every file byte-for-byte the same on every run.

    python examples/make_tables.py
"""

from __future__ import annotations

import csv
import random
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

HERE = Path(__file__).resolve().parent
HELPDESK = HERE / "helpdesk_export.csv"
ZONE = ZoneInfo("America/Los_Angeles")  # the helpdesk's clock
SHOP = ZoneInfo("Asia/Ho_Chi_Minh")  # the shop's clock


def write(name: str, header: list[str], rows: list[list]) -> None:
    path = HERE / name
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)
    print(f"wrote {path} ({len(rows)} rows)")


# -- orders -----------------------------------------------------------------------------------

ORDER_HEADER = [
    "Order ID", "Customer ID", "Ordered At", "Promised At", "Shipped At", "Delivered At",
    "Quantity Ordered", "Quantity Shipped", "Invoice Correct", "Urgent", "Stockout Notified",
    "Amount", "Carrier",
]
SHOP_START = datetime(2026, 4, 1)
SHOP_DAYS = 183  # April to September
CARRIERS = [("GHN", 0.45), ("GHTK", 0.35), ("Viettel Post", 0.20)]


def shop_stamp(moment: datetime | None) -> str:
    return moment.replace(tzinfo=SHOP).isoformat(sep=" ", timespec="seconds") if moment else ""


def orders(rng: random.Random) -> list[list]:
    # Customers: most buy once; regulars come back every few weeks.
    plans = []
    for n in range(1, 421):
        kind = rng.choices(["once", "twice", "regular"], [0.58, 0.27, 0.15])[0]
        count = {"once": 1, "twice": 2, "regular": rng.randint(3, 9)}[kind]
        first = rng.uniform(0, SHOP_DAYS - 1)
        days = [first]
        for _ in range(count - 1):
            days.append(days[-1] + rng.expovariate(1 / (18 if kind == "regular" else 45)))
        plans += [(f"KH{n:04d}", d) for d in days if d < SHOP_DAYS]
    plans.sort(key=lambda p: p[1])
    horizon = SHOP_START + timedelta(days=SHOP_DAYS)  # the export is taken then
    rows = []
    for i, (customer, day) in enumerate(plans, start=1):
        ordered = SHOP_START + timedelta(days=int(day), hours=rng.choice([9, 10, 11, 14, 15, 20, 21]),
                                         minutes=rng.randrange(60))
        urgent = rng.random() < 0.12
        carrier = rng.choices([c for c, _ in CARRIERS], [w for _, w in CARRIERS])[0]
        promised = (ordered + timedelta(days=1 if urgent else rng.choice([3, 4, 5]))).date()
        shipped = ordered + timedelta(hours=rng.uniform(2, 10) if urgent else rng.uniform(6, 40))
        transit = rng.lognormvariate(-0.7 if urgent else 0.45, 0.45) * (1.3 if carrier == "Viettel Post" else 1.0)
        delivered = shipped + timedelta(days=transit)
        if shipped >= horizon:
            shipped = delivered = None
        elif delivered >= horizon:
            delivered = None
        ordered_qty = rng.choices([1, 2, 3, 5, 10, 20], [40, 25, 15, 10, 6, 4])[0]
        short = shipped is not None and ordered_qty > 1 and rng.random() < 0.07
        shipped_qty = rng.randint(0, ordered_qty - 1) if short else (ordered_qty if shipped else 0)
        notified = ("yes" if rng.random() < 0.8 else "no") if short else ""
        amount = ordered_qty * rng.choice([45000, 89000, 120000, 159000, 249000, 399000])
        rows.append(
            [
                f"DH{260000 + i}", customer, shop_stamp(ordered), promised.isoformat(), shop_stamp(shipped),
                shop_stamp(delivered), ordered_qty, shipped_qty, "no" if rng.random() < 0.012 else "yes",
                "yes" if urgent else "no", notified, amount, carrier,
            ]
        )
    # Data errors a real export has.
    rows[30][5] = shop_stamp(datetime.fromisoformat(rows[30][2]).replace(tzinfo=None) - timedelta(hours=5))
    rows[64][6] = "ten"
    rows[101][1] = ""
    rows.append(list(rows[200]))
    return rows


# -- message events and agent activity from the helpdesk export --------------------------------

MESSAGE_HEADER = ["Interaction ID", "At", "Author", "Automated", "Agent", "Channel"]
GAPS = {"chat": (20, 150), "social": (90, 1500), "email": (1800, 14400)}  # seconds, agent reply range


def local(text: str) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


def help_stamp(moment: datetime) -> str:
    return moment.astimezone(ZONE).isoformat(sep=" ", timespec="seconds")


def tickets() -> list[dict]:
    with HELPDESK.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    seen, unique = set(), []
    for row in rows:
        if row["ID"] not in seen:  # the export has a ticket twice
            seen.add(row["ID"])
            unique.append(row)
    return sorted(unique, key=lambda r: int(r["ID"].split("-")[1]))


def conversation(rng: random.Random, ticket: dict) -> list[list]:
    channel, agent = ticket["Channel"], ticket["Agent"]
    created, answered = local(ticket["Created At"]), local(ticket["First Response At"])
    resolved = local(ticket["Resolved At"]) if ticket["Resolved At"] != "next Tuesday" else None
    low, high = GAPS[channel]
    out = [[ticket["ID"], created, "customer", "", "", channel]]
    if channel == "email":
        ack = created + timedelta(seconds=rng.randint(2, 20))
        if answered is not None and answered >= created and rng.random() < 0.08:
            # The export took the acknowledgement for the first response: a human replied later.
            ack, answered = answered, answered + timedelta(seconds=rng.uniform(low, high))
        # Some acknowledgements are an agent's macro, flagged automated; most come from the bot.
        out.append([ticket["ID"], ack, *(["agent", "yes", agent] if rng.random() < 0.15 else ["bot", "", ""]), channel])
    if ticket["Abandoned"] == "yes":
        return out  # the customer left before anyone answered
    if answered is None or answered < created:
        answered = created + timedelta(seconds=rng.uniform(low, high))
    replies = max(1, int(ticket["Replies"] or 1))
    moment = answered
    for n in range(replies):
        out.append([ticket["ID"], moment, "agent", "", agent, channel])
        if n == replies - 1:
            break
        # The customer answers (sometimes twice) before the next reply.
        for _ in range(rng.choice([1, 1, 1, 2])):
            moment += timedelta(seconds=rng.uniform(low / 2, high))
            out.append([ticket["ID"], moment, "customer", "", "", channel])
        moment += timedelta(seconds=rng.uniform(low, high))
        if resolved is not None and moment > resolved:
            moment = max(resolved - timedelta(seconds=1), out[-1][1])
    if rng.random() < 0.25:  # "thanks!", not answered
        out.append([ticket["ID"], moment + timedelta(seconds=rng.uniform(low / 2, high)), "customer", "", "", channel])
    return out


def messages(rng: random.Random, rows: list[dict]) -> list[list]:
    out = []
    for ticket in rows:
        if ticket["Channel"] in GAPS:
            out += conversation(rng, ticket)
    out.sort(key=lambda m: (m[1], m[0]))
    lines = [[m[0], help_stamp(m[1]), *m[2:]] for m in out]
    lines[17][2] = "operator"
    lines[40][1] = "yesterday 4pm"
    lines.append(["T-999999", lines[-1][1], "customer", "", "", "chat"])
    return lines


ACTIVITY_HEADER = ["Agent", "Team", "Date", "Available Seconds"]
ON_LEAVE = "Tom Walsh"
NEW_AGENT = ("Lê Thị Cúc", "Tier 1")
WEEKEND_ROTA = ("Somchai P.", "Lena Fischer")


def activity(rng: random.Random, rows: list[dict]) -> list[list]:
    agents = sorted({(r["Agent"], r["Team"]) for r in rows}) + [NEW_AGENT]
    days = sorted({local(r["Created At"]).date() for r in rows})
    out = []
    for day in days:
        midnight = datetime(day.year, day.month, day.day, tzinfo=ZONE).isoformat(sep=" ")
        for agent, team in agents:
            weekend = day.weekday() >= 5
            if weekend and agent not in WEEKEND_ROTA:
                continue
            if agent == ON_LEAVE:
                available = 0
            else:
                hours = rng.uniform(2.0, 3.0) if weekend else rng.uniform(3.6, 4.6)
                available = int(hours * 3600)
            out.append([agent, team, midnight, available])
    return out


def main() -> None:
    write("orders.csv", ORDER_HEADER, orders(random.Random(20260401)))
    helpdesk = tickets()
    write("messages.csv", MESSAGE_HEADER, messages(random.Random(20261005), helpdesk))
    write("agent_activity.csv", ACTIVITY_HEADER, activity(random.Random(20261006), helpdesk))


if __name__ == "__main__":
    main()
