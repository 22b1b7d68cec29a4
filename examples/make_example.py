"""Write examples/helpdesk_export.csv: two weeks of a small, realistic support team.

The numbers are invented (no real customers) but shaped like a real helpdesk export: chat
and phone answered in about a minute with busy peaks, email within hours, some abandoned
calls, P1–P4 tickets resolved over hours to days, a few data errors (a reply logged before
the ticket was created, a timestamp typed by hand). The team works in Palo Alto: timestamps
are local wall-clock times written with their UTC offset (``2026-10-05 06:43:05-07:00``), as
exact instants, so the `stanford` profile's business-hours standards need no --timezone; the
two weeks include a US holiday (Columbus Day, Monday 12 October). Run it again to regenerate
the file; the seed makes it byte-for-byte the same.

    python examples/make_example.py
"""

from __future__ import annotations

import csv
import random
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

OUT = Path(__file__).with_name("helpdesk_export.csv")
START = datetime(2026, 10, 5)  # a Monday
ZONE = ZoneInfo("America/Los_Angeles")  # the team's clock; the export writes its offset
DAYS = 14

AGENTS = {
    "Tier 1": ["Nguyễn Văn An", "Trần Thị Bình", "Somchai P.", "Lena Fischer", "Marco Rossi"],
    "Tier 2": ["王伟", "Priya Nair", "Tom Walsh"],
}
CHANNELS = [("chat", 0.38), ("phone", 0.27), ("email", 0.28), ("social", 0.07)]
PRIORITIES = [("P1", 0.04), ("P2", 0.16), ("P3", 0.55), ("P4", 0.25)]
HEADER = [
    "ID", "Channel", "Priority", "Created At", "Queued At", "First Response At",
    "Abandoned", "Abandoned At", "Resolved At", "Agent", "Team", "Replies", "Reopens",
    "Transfers", "Contacts", "Handle Seconds", "Hold Seconds", "Wrap Seconds", "CSAT", "NPS", "CES",
]


def pick(rng: random.Random, weighted: list[tuple[str, float]]) -> str:
    return rng.choices([v for v, _ in weighted], [w for _, w in weighted])[0]


def stamp(moment: datetime | None) -> str:
    """A local wall-clock time with its UTC offset, e.g. 2026-10-05 06:43:05-07:00."""
    return moment.replace(tzinfo=ZONE).isoformat(sep=" ", timespec="seconds") if moment else ""


def arrival(rng: random.Random) -> datetime:
    day = START + timedelta(days=rng.randrange(DAYS))
    weekend = day.weekday() >= 5
    if weekend and rng.random() < 0.6:
        day -= timedelta(days=day.weekday() - 4)  # most weekend traffic moves to Friday
    # Two daily peaks, around 10:00 and 14:30.
    hour = rng.choice([rng.gauss(10, 1.3), rng.gauss(14.5, 1.6), rng.uniform(7, 20)])
    hour = min(max(hour, 6.0), 21.9)
    return day + timedelta(seconds=int(hour * 3600 + rng.uniform(0, 59)))


def main() -> None:
    rng = random.Random(20261005)
    rows = []
    for n in range(1, 1601):
        channel = pick(rng, CHANNELS)
        priority = pick(rng, PRIORITIES)
        team = "Tier 2" if priority in ("P1", "P2") and rng.random() < 0.6 else "Tier 1"
        agent = rng.choice(AGENTS[team])
        created = arrival(rng)
        live = channel in ("chat", "phone")
        queued = created + timedelta(seconds=rng.randint(5, 40)) if live else None
        abandoned = live and rng.random() < (0.09 if channel == "phone" else 0.04)
        first_response = abandoned_at = resolved = None
        if abandoned:
            abandoned_at = queued + timedelta(seconds=int(rng.expovariate(1 / 70)) + 1)
        elif live:
            wait = rng.expovariate(1 / (95 if channel == "chat" else 70))
            first_response = queued + timedelta(seconds=int(wait) + 3)
        elif channel == "email":
            first_response = created + timedelta(minutes=rng.expovariate(1 / 260))
        else:
            first_response = created + timedelta(minutes=rng.expovariate(1 / 35))
        if not abandoned:
            scale = {"P1": 3, "P2": 5, "P3": 11, "P4": 18}[priority]
            if rng.random() < 0.93:
                resolved = (first_response or created) + timedelta(hours=rng.expovariate(1 / scale))
        contacts = 1 if rng.random() < 0.86 else rng.randint(2, 4)
        reopens = 0 if rng.random() < 0.9 else 1
        replies = max(1, round(rng.gauss(3.1 if channel == "email" else 2.4, 1.2)))
        handle = max(45, int(rng.gauss(420 if channel == "phone" else 600, 150))) if not abandoned else ""
        hold = int(rng.expovariate(1 / 25)) if channel == "phone" and not abandoned else ""
        wrap = max(0, int(rng.gauss(60, 20))) if not abandoned else ""
        answered = resolved is not None and rng.random() < 0.35
        csat = rng.choices([5, 4, 3, 2, 1], [45, 28, 12, 8, 7])[0] if answered else ""
        nps = rng.choices(range(11), [2, 1, 1, 2, 2, 4, 6, 10, 18, 24, 30])[0] if answered else ""
        ces = rng.choices([1, 2, 3, 4, 5], [30, 32, 20, 12, 6])[0] if answered and rng.random() < 0.5 else ""
        rows.append(
            [
                f"T-{100000 + n}", channel, priority, stamp(created), stamp(queued), stamp(first_response),
                "yes" if abandoned else "no", stamp(abandoned_at), stamp(resolved), agent, team, replies,
                reopens, 0 if rng.random() < 0.88 else rng.randint(1, 2), contacts, handle, hold, wrap,
                csat, nps, ces,
            ]
        )
    # Data errors a real export has: a response logged before creation, a hand-typed date,
    # and a ticket exported twice.
    rows[41][5] = stamp(datetime.fromisoformat(rows[41][3]).replace(tzinfo=None) - timedelta(minutes=12))
    rows[77][8] = "next Tuesday"
    rows.append(list(rows[120]))
    rows.sort(key=lambda r: r[3])
    with OUT.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(HEADER)
        writer.writerows(rows)
    print(f"wrote {OUT} ({len(rows)} rows)")


if __name__ == "__main__":
    main()
