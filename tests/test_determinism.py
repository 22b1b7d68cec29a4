"""Determinism: the same input gives byte-identical JSON, across runs (hash seeds, thread
counts) and across the order of the export's rows (and columns).

What legitimately depends on row order is the row *numbers*: a finding lists the first five
offending rows and three example cells in file order, and evidence names rows (ties between
equal values go by row number, docs/report-json.md). The test translates every row number of
a reordered export back to the original numbering; to compare whole lists, the data keep each
finding to at most three rows and the per-row values of standards with a target (the ones
that show evidence) distinct. Everything else - values to the last bit, group order and
labels, sample sizes, statuses, messages - must be identical.
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from csaudit.engine import audit
from csaudit.profile.loader import parse_profile
from csaudit.render import FORMATS, FormatChoice

REPO = Path(__file__).resolve().parent.parent

PROFILE_TEXT = """\
csaudit_profile: 1
name: determinism
defaults: {required: false}
standards:
  - {id: frt-mean, title: FRT mean by channel, metric: first_response_time, statistic: mean, each: channel}
  - {id: frt-p90, title: FRT p90 by priority, metric: first_response_time, statistic: p90, each: priority}
  - {id: frt-max, title: FRT at most 30 seconds, metric: first_response_time, statistic: max, compare: at_most, fail: 30s}
  - {id: frt-share, title: FRT within 5 minutes, metric: first_response_time, statistic: {share_within: 5m}}
  - {id: asa, title: ASA median, metric: speed_of_answer, statistic: median, each: channel}
  - {id: wait-peak, title: Waiting peak, metric: waiting_count, statistic: max, each: channel}
  - {id: wait-mean, title: Waiting mean, metric: waiting_count, statistic: mean}
  - {id: wait-share, title: Waiting at most 1, metric: waiting_count, statistic: {share_within: 1}}
  - {id: backlog, title: Backlog per day, metric: backlog_flow, statistic: mean, options: {period: day}}
  - {id: backlog-median, title: Backlog median, metric: backlog_flow, statistic: median, each: channel, options: {period: day}}
  - {id: resolution, title: Resolution p50, metric: resolution_time, statistic: median, each: [channel, priority]}
  - {id: fcr, title: FCR, metric: first_contact_resolution, each: [channel, priority]}
  - {id: abandonment, title: Abandonment, metric: abandonment_rate, each: channel}
  - {id: aht, title: AHT by agent, metric: average_handle_time, statistic: mean, each: agent}
  - {id: aht-target, title: AHT at most 5 minutes, metric: average_handle_time, statistic: mean, compare: at_most, fail: 5m}
  - {id: csat, title: CSAT, metric: csat, each: agent}
  - {id: nps, title: NPS, metric: nps}
  - {id: dpmo, title: DPMO, metric: dpmo, options: {opportunities: 3}}
"""
PROFILE = parse_profile(PROFILE_TEXT, "determinism.yaml")

COLUMNS = [
    "id", "channel", "priority", "agent", "created_at", "queued_at", "first_response_at", "abandoned",
    "abandoned_at", "resolved_at", "first_contact_resolution", "handle_seconds", "csat", "nps", "errors",
]
# Equal counts of "Chat" and "chat" (12 each): the label is the first in code-point order.
CHANNELS = ["Chat", "chat", "phone", "email", "Email", "email", "messaging", ""]
AGENTS = ["Ann Lee", "ann lee", "Bo Tran", "Cy Ng", ""]
BASE = datetime(2024, 3, 4, 8, 0, 0)


def stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S.%f")


def table(rows: int = 96, seed: int = 7) -> list[dict[str, str]]:
    """Interactions with ties everywhere a statistic could be order-sensitive: queue and
    answer instants on a 10 s grid (waits start when others end), equal label counts, equal
    values in medians; but distinct first-response and handle times (rows µs apart)."""
    rng = random.Random(seed)
    out = []
    for i in range(rows):
        channel = CHANNELS[i % len(CHANNELS)]
        live = channel.lower() in ("chat", "phone")
        created = BASE + timedelta(seconds=10 * rng.randrange(0, 40), microseconds=i + 1)
        queued = created.replace(microsecond=0) + timedelta(seconds=10 * rng.randrange(0, 3))
        abandoned = live and i % 9 == 4
        answer = queued + timedelta(seconds=10 * rng.randrange(1, 6), microseconds=2 * (i + 1))
        resolved = created + timedelta(hours=rng.randrange(1, 60), microseconds=3 * i)
        row = {
            "id": f"T{i:04d}",
            "channel": channel,
            "priority": ["P1", "P2", "p2", ""][i % 4],
            "agent": AGENTS[i % len(AGENTS)],
            "created_at": stamp(created),
            "queued_at": stamp(queued) if live else "",
            "first_response_at": "" if abandoned else stamp(answer),
            "abandoned": "yes" if abandoned else "no",
            "abandoned_at": stamp(queued + timedelta(seconds=10 * rng.randrange(1, 4))) if abandoned else "",
            "resolved_at": stamp(resolved) if i % 6 else "",
            "first_contact_resolution": ["yes", "no", ""][i % 3],
            "handle_seconds": f"{rng.randrange(60, 900)}.{i:03d}",
            "csat": str(rng.randrange(1, 6)) if i % 2 else "",
            "nps": str(rng.randrange(0, 11)) if i % 3 else "",
            "errors": str(rng.randrange(0, 3)),
        }
        out.append(row)
    # Data-quality findings, each of at most three rows (so their lists are complete).
    out[5]["created_at"] = "soon"
    out[50]["created_at"] = "n/a"
    out[17]["handle_seconds"] = "n/a"
    out[30]["csat"] = "9"
    out[41]["first_response_at"] = stamp(BASE - timedelta(hours=1))  # before creation
    out[63]["id"] = out[12]["id"]  # a duplicate id
    out[70]["first_response_at"] = ""  # a live contact never answered (row 70: chat)
    out[70]["abandoned"] = "no"
    return out


def write(path: Path, rows: list[dict[str, str]], columns: list[str] = COLUMNS) -> None:
    lines = [",".join(columns)] + [",".join(row[c] for c in columns) for row in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def report(folder: Path, monkeypatch) -> tuple[dict, str]:
    """The JSON report of ``folder/export.csv``, read with a relative path (the report names it)."""
    monkeypatch.chdir(folder)
    text = FORMATS[FormatChoice.json]().render(audit(PROFILE, Path("export.csv")))
    return json.loads(text), text


def in_original_numbering(report_data: dict, original_row) -> dict:
    """``report_data`` with every row number translated by ``original_row`` (and the lists
    that follow file order sorted, as their order is the file's)."""
    data = json.loads(json.dumps(report_data))
    for finding in data["findings"]:
        assert finding["count"] <= 3, "the test data keep findings complete"
        finding["rows"] = sorted(original_row(r) for r in finding["rows"])
        finding["examples"] = sorted(finding["examples"])
    for result in data["results"]:
        for evidence in result.get("evidence") or []:
            evidence["row"] = original_row(evidence["row"])
    return data


def test_findings_and_evidence_are_present(tmp_path, monkeypatch):
    """The data exercise what the order test compares: findings, evidence, ties, labels."""
    write(tmp_path / "export.csv", table())
    data, _ = report(tmp_path, monkeypatch)
    keys = {f["key"] for f in data["findings"]}
    assert {"unparsable:created_at", "unparsable:handle_seconds", "range:csat", "duplicate:id"} <= keys
    assert any(r.get("evidence") for r in data["results"])
    channels = {r["group"]["channel"] for r in data["results"] if r["standard_id"] == "frt-mean"}
    assert {"Chat", "email", None} <= channels  # Chat and chat tie: the first in code-point order


@pytest.mark.parametrize("order", ["reversed", "shuffled-1", "shuffled-2", "columns-reordered"])
def test_row_order_does_not_change_the_report(tmp_path, monkeypatch, order):
    rows = table()
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    write(tmp_path / "a" / "export.csv", rows)
    positions = list(range(len(rows)))
    columns = COLUMNS
    if order == "reversed":
        positions.reverse()
    elif order.startswith("shuffled"):
        random.Random(order).shuffle(positions)
    else:
        columns = list(reversed(COLUMNS))
    write(tmp_path / "b" / "export.csv", [rows[p] for p in positions], columns)
    original, original_text = report(tmp_path / "a", monkeypatch)
    reordered, reordered_text = report(tmp_path / "b", monkeypatch)
    if order == "columns-reordered":
        assert reordered_text == original_text  # rows unmoved: byte for byte
    translated = in_original_numbering(reordered, lambda row: positions[row - 1] + 1)
    assert json.dumps(translated, indent=1) == json.dumps(in_original_numbering(original, lambda row: row), indent=1)


def test_order_free_mean_regression(run_audit):
    """Float sums depend on their order: the mean of 0.1, 0.2 and 0.3 s was
    0.20000000000000004 s in one order and 0.19999999999999998 s in the other (and differed
    between a grouped and an ungrouped standard). Summed exactly, it is 0.2 either way."""
    rows = [("1", "10:00:00.100"), ("2", "10:00:00.200"), ("3", "10:00:00.300")]
    standards = """
        - {id: plain, title: Mean, metric: first_response_time, statistic: mean}
        - {id: grouped, title: Mean by channel, metric: first_response_time, statistic: mean, each: channel}
        """
    for ordered in (rows, rows[::-1]):
        csv = "id,channel,created_at,first_response_at\n" + "".join(
            f"{i},chat,2024-01-01 10:00:00,2024-01-01 {t}\n" for i, t in ordered
        )
        for result in run_audit(csv, standards).standards:
            assert result.groups[0].value == 0.2


def test_backlog_mean_is_order_free(run_standard):
    # Days: Mon 2 created / 3 resolved, Tue 1 / 3, Wed 2 / 3 -> mean (2/3 + 1/3 + 2/3) / 3 = 5/9.
    # Periods come out of a group-by in no set order; the mean must not depend on it (nor on
    # the rows' order), to the last bit.
    created = ["2024-01-01 09:00:00"] * 2 + ["2024-01-02 09:00:00"] + ["2024-01-03 09:00:00"] * 2 + [""] * 4
    # Each row resolved after it was created (one resolved before would count in neither).
    mon, tue, wed = "2024-01-01 18:00:00", "2024-01-02 18:00:00", "2024-01-03 18:00:00"
    resolved = [mon, mon, tue, wed, wed, mon, tue, tue, wed]
    rows = [f"{i},{c},{r}" for i, (c, r) in enumerate(zip(created, resolved))]
    values = set()
    for ordered in (rows, rows[::-1], rows[3:] + rows[:3]):
        result = run_standard(
            "id,created_at,resolved_at\n" + "\n".join(ordered) + "\n",
            "- {id: b, title: B, metric: backlog_flow, statistic: mean, options: {period: day}}",
        )
        assert result.groups[0].value == pytest.approx(5 / 9, rel=1e-12)
        assert result.groups[0].sample_size == 3
        values.add(result.groups[0].value)
    assert len(values) == 1


def test_same_bytes_across_runs_hash_seeds_and_threads(tmp_path):
    """Two CLI runs on a 20,000-row export (big enough for polars to work in parallel), with
    different hash seeds and thread counts, print the same bytes."""
    sys.path.insert(0, str(REPO / "benchmarks"))
    try:
        from generate import generate
    finally:
        sys.path.pop(0)
    frame = generate(20_000, seed=5)
    frame.write_csv(tmp_path / "export.csv")
    (tmp_path / "determinism.yaml").write_text(PROFILE_TEXT)
    runs = []
    for seed, threads in (("1", "1"), ("2024", "2")):
        env = dict(os.environ, PYTHONHASHSEED=seed, POLARS_MAX_THREADS=threads, PYTHONPATH=str(REPO))
        runs.append(
            subprocess.Popen(
                [sys.executable, "-m", "csaudit", "check", "export.csv", "-p", "determinism.yaml", "--format", "json"],
                cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            )
        )
    outputs = [proc.communicate(timeout=300) for proc in runs]
    for proc, (out, err) in zip(runs, outputs):
        assert proc.returncode in (0, 1), err.decode()
    assert outputs[0][0] == outputs[1][0]
    assert b'"standard_id": "aht"' in outputs[0][0]
