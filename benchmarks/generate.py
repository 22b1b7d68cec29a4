"""Write a realistic synthetic customer-service export for benchmarking csaudit.

    python benchmarks/generate.py --rows 1000000 --out benchmarks/out/export_1000000_s0.csv

Every column is generated with vectorised numpy and written with polars, so a million rows
take a few seconds. The columns are the canonical fields the ``stanford`` profile reads
(``csaudit/fields.py``); timestamps are ``YYYY-MM-DD HH:MM:SS``; empty cells mean "not
applicable / unknown", as in real exports.

What the data looks like (roughly, per row):

* channel: email 40 %, chat 25 %, phone 20 %, messaging 10 %, social 5 %
* priority: P1 3 %, P2 15 %, P3 50 %, P4 32 %
* created_at: 26 weeks from 2024-01-01, busier on weekdays and in office hours, file sorted by it
* live channels (chat, phone, messaging) have ``queued_at`` a few seconds after creation; 7 %
  of live contacts are abandoned (``abandoned=true``, ``abandoned_at`` set, no response)
* first response: about a minute on chat/phone, minutes on messaging, hours on email
* 8 % of non-abandoned interactions are unresolved (empty ``resolved_at``); resolution time
  grows with priority
* ``first_contact_resolution`` is empty on 20 % of rows (csaudit then derives it)
* csat / nps / ces are answered on a minority of rows
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import polars as pl

TIMESTAMP_FORMAT = "%Y-%m-%d %H:%M:%S"
TIMESTAMP_COLUMNS = ("created_at", "queued_at", "first_response_at", "abandoned_at", "resolved_at")
COLUMNS = (
    "id", "channel", "priority", "created_at", "queued_at", "first_response_at", "abandoned",
    "abandoned_at", "resolved_at", "agent", "team", "replies", "reopens", "transfers", "contacts",
    "first_contact_resolution", "handle_seconds", "hold_seconds", "wrap_seconds", "csat", "nps", "ces",
)

CHANNELS = np.array(["email", "chat", "phone", "messaging", "social"])
CHANNEL_P = [0.40, 0.25, 0.20, 0.10, 0.05]
LIVE = {"chat", "phone", "messaging"}
PRIORITIES = np.array(["P1", "P2", "P3", "P4"])
PRIORITY_P = [0.03, 0.15, 0.50, 0.32]
# Mean first-response wait per channel, seconds.
FRT_MEAN = {"email": 6 * 3600, "chat": 50, "phone": 75, "messaging": 240, "social": 35 * 60}
# Median time from first response to resolution per priority, seconds.
RESOLVE_MEDIAN = {"P1": 1.5 * 3600, "P2": 4 * 3600, "P3": 10 * 3600, "P4": 20 * 3600}
TEAMS = ["Tier 1", "Tier 2", "Billing", "Accounts", "Hardware", "Software", "Network", "Onboarding",
         "Escalations", "Social Care", "Night Shift", "VIP"]
FIRST = ["Alex", "Binh", "Carla", "Dmitri", "Esra", "Farah", "Gustavo", "Hana", "Ivan", "Jia", "Kofi",
         "Lena", "Minh", "Nadia", "Omar", "Priya", "Quinn", "Rosa", "Sven", "Thu", "Uma", "Victor"]
LAST = ["Nguyen", "Smith", "Garcia", "Tran", "Kim", "Muller", "Okafor", "Rossi", "Sato", "Haddad",
        "Novak", "Silva", "Le", "Jensen", "Patel"]

START = np.datetime64("2024-01-01T00:00:00", "s")
SPAN_DAYS = 26 * 7


def _created(rng: np.random.Generator, n: int) -> np.ndarray:
    """Creation instants in seconds since START, weighted to weekdays and office hours, sorted."""
    hour_weight = np.array([1, 1, 1, 1, 1, 2, 4, 7, 10, 12, 12, 11, 10, 11, 12, 11, 9, 7, 5, 4, 3, 2, 2, 1], float)
    day_weight = np.array([1.0, 1.0, 1.0, 1.0, 0.95, 0.35, 0.3])  # Mon..Sun (2024-01-01 is a Monday)
    weights = (day_weight[np.arange(SPAN_DAYS) % 7][:, None] * hour_weight[None, :]).ravel()
    hours = rng.choice(weights.size, size=n, p=weights / weights.sum())
    seconds = hours.astype(np.int64) * 3600 + rng.integers(0, 3600, size=n)
    seconds.sort()
    return seconds


def generate(rows: int, seed: int = 0) -> pl.DataFrame:
    rng = np.random.default_rng(seed)
    n = rows
    channel = rng.choice(CHANNELS, size=n, p=CHANNEL_P)
    priority = rng.choice(PRIORITIES, size=n, p=PRIORITY_P)
    live = np.isin(channel, list(LIVE))
    created = _created(rng, n)

    queued = np.where(live, created + rng.integers(0, 20, size=n), -1)
    abandoned = live & (rng.random(n) < 0.07)

    frt_mean = np.zeros(n)
    for name, mean in FRT_MEAN.items():
        frt_mean[channel == name] = mean
    frt_mean *= np.choose(np.searchsorted(PRIORITIES, priority), [0.5, 0.8, 1.0, 1.3])
    wait = np.maximum(1, rng.exponential(frt_mean)).astype(np.int64)
    start = np.where(live, queued, created)
    responded = ~abandoned & (rng.random(n) >= 0.01)  # 1 % never got a human response
    first_response = np.where(responded, start + wait, -1)
    abandoned_at = np.where(abandoned, start + np.maximum(1, rng.exponential(45, size=n)).astype(np.int64), -1)

    median = np.zeros(n)
    for name, value in RESOLVE_MEDIAN.items():
        median[priority == name] = value
    work = (median * rng.lognormal(0.0, 0.9, size=n)).astype(np.int64)
    resolved_flag = responded & (rng.random(n) >= 0.08)
    resolved = np.where(resolved_flag, first_response + work, -1)

    handled = responded
    reopens = np.where(resolved_flag, rng.choice([0, 1, 2, 3], size=n, p=[0.88, 0.09, 0.02, 0.01]), 0)
    transfers = np.where(handled, rng.choice([0, 1, 2], size=n, p=[0.82, 0.15, 0.03]), 0)
    contacts = 1 + rng.poisson(0.35, size=n) + reopens
    replies = np.where(handled, 1 + rng.poisson(np.where(live, 1.2, 2.0)), 0)
    fcr = resolved_flag & (contacts <= 1) & (reopens == 0)
    fcr_known = handled & (rng.random(n) >= 0.20)

    handle = np.where(handled, rng.lognormal(np.log(np.where(live, 420, 300)), 0.6), np.nan).round()
    hold = np.where(handled & (channel == "phone"), rng.exponential(40, size=n), 0.0).round()
    wrap = np.where(handled, rng.exponential(60, size=n), np.nan).round()

    agents = np.array([f"{FIRST[i // len(LAST) % len(FIRST)]} {LAST[i % len(LAST)]}" for i in range(240)])
    agent_idx = rng.integers(0, agents.size, size=n)
    team_of_agent = np.array([TEAMS[i % len(TEAMS)] for i in range(agents.size)])

    csat_answered = resolved_flag & (rng.random(n) < 0.25)
    nps_answered = resolved_flag & (rng.random(n) < 0.15)
    ces_answered = resolved_flag & (rng.random(n) < 0.15)
    csat = rng.choice([1, 2, 3, 4, 5], size=n, p=[0.05, 0.05, 0.12, 0.33, 0.45])
    nps = rng.choice(np.arange(11), size=n, p=[0.02, 0.01, 0.02, 0.02, 0.03, 0.05, 0.07, 0.12, 0.2, 0.2, 0.26])
    ces = rng.choice([1, 2, 3, 4, 5], size=n, p=[0.35, 0.3, 0.18, 0.12, 0.05])

    def ts(seconds: np.ndarray) -> pl.Series:
        values = (START + seconds.astype("timedelta64[s]")).astype("datetime64[us]")
        return pl.Series(values).set(pl.Series(seconds < 0), None)

    def nullable_int(values: np.ndarray, mask: np.ndarray) -> pl.Series:
        return pl.Series(values.astype(np.int64)).set(pl.Series(~mask), None)

    frame = pl.DataFrame(
        {
            "id": "T" + pl.Series(np.arange(1, n + 1)).cast(pl.String).str.zfill(8),
            "channel": channel,
            "priority": priority,
            "created_at": ts(created),
            "queued_at": ts(queued),
            "first_response_at": ts(first_response),
            "abandoned": pl.Series(abandoned).set(pl.Series(~live), None),
            "abandoned_at": ts(abandoned_at),
            "resolved_at": ts(resolved),
            "agent": pl.Series(agents[agent_idx]).set(pl.Series(~handled), None),
            "team": pl.Series(team_of_agent[agent_idx]).set(pl.Series(~handled), None),
            "replies": replies.astype(np.int64),
            "reopens": reopens.astype(np.int64),
            "transfers": transfers.astype(np.int64),
            "contacts": contacts.astype(np.int64),
            "first_contact_resolution": pl.Series(fcr).set(pl.Series(~fcr_known), None),
            "handle_seconds": pl.Series(handle).fill_nan(None).cast(pl.Int64),
            "hold_seconds": pl.Series(hold).fill_nan(None).cast(pl.Int64),
            "wrap_seconds": pl.Series(wrap).fill_nan(None).cast(pl.Int64),
            "csat": nullable_int(csat, csat_answered),
            "nps": nullable_int(nps, nps_answered),
            "ces": nullable_int(ces, ces_answered),
        }
    )
    return frame.with_columns(pl.col(c).dt.strftime(TIMESTAMP_FORMAT) for c in TIMESTAMP_COLUMNS).select(COLUMNS)


def write(rows: int, out: Path, seed: int = 0) -> Path:
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".tmp")
    generate(rows, seed).write_csv(tmp)
    tmp.replace(out)  # never leave a half-written file where the benchmark would reuse it
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="data rows (default 1,000,000)")
    parser.add_argument("--out", type=Path, default=None, help="output CSV (default benchmarks/out/export_<rows>_s<seed>.csv)")
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    args = parser.parse_args(argv)
    if args.rows < 1:
        parser.error("--rows must be at least 1")
    out = args.out or Path(__file__).resolve().parent / "out" / f"export_{args.rows}_s{args.seed}.csv"
    began = time.perf_counter()
    write(args.rows, out, args.seed)
    size = out.stat().st_size
    print(f"wrote {out} ({args.rows:,} rows, {size / 1e6:.1f} MB) in {time.perf_counter() - began:.1f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
