"""The same numbers wherever csaudit shows them: a ``--by`` group equals the standard run on
that group's interactions alone; every report format carries the same value, status and n.

The subsets are cut by the test itself (plain ``csv``, case-insensitive like the profile's
filters), not by csaudit's grouping. Values below were worked out by hand."""

from __future__ import annotations

import csv
import io
import json
import re
import textwrap
import xml.etree.ElementTree as ET
from datetime import datetime, timedelta, timezone

import pytest

from csaudit.extras import Extras
from csaudit.render import FORMATS
from csaudit.render.json_format import report_dict

# Times are Los Angeles (-07:00). Row 2 writes "Chat", row 8 "p1" and "cy"; row 4 has no
# channel or agent, row 5 no priority or team; row 6 was abandoned. Per row:
#  FRT s: 1 180, 2 60, 3 600, 4 120, 5 30, 7 90000, 8 32400
#  resolution in open hours (Mon–Fri 08–17): 1 1h, 2 5h59m, 4 8h57m, 5 26m, 7 17h55m, 8 8h
#  first contact resolved: 1, 4, 5, 7, 8 (2 was reopened, 3 unresolved with 2 contacts)
CSV = """
ID,Channel,Priority,Created At,Queued At,First Response At,Abandoned,Abandoned At,Resolved At,Agent,Team,Replies,Reopens,Contacts,CSAT
A1,chat,P1,2026-10-05 09:00:00-07:00,2026-10-05 09:00:00-07:00,2026-10-05 09:03:00-07:00,no,,2026-10-05 10:00:00-07:00,Ann,T1,3,0,1,5
A2,Chat,P1,2026-10-05 09:01:00-07:00,2026-10-05 09:01:00-07:00,2026-10-05 09:02:00-07:00,no,,2026-10-05 15:00:00-07:00,Bob,T1,2,1,1,2
A3,chat,P2,2026-10-05 09:02:00-07:00,2026-10-05 09:02:00-07:00,2026-10-05 09:12:00-07:00,no,,,Ann,T2,1,0,2,
A4,,P2,2026-10-05 09:03:00-07:00,2026-10-05 09:03:00-07:00,2026-10-05 09:05:00-07:00,no,,2026-10-06 09:00:00-07:00,,T2,5,0,1,1
A5,phone,,2026-10-05 09:04:00-07:00,2026-10-05 09:04:00-07:00,2026-10-05 09:04:30-07:00,no,,2026-10-05 09:30:00-07:00,Bob,,4,0,1,4
A6,phone,P3,2026-10-12 09:05:00-07:00,2026-10-12 09:05:00-07:00,,yes,2026-10-12 09:10:00-07:00,,Ann,T1,0,0,1,
A7,email,P1,2026-10-12 09:05:00-07:00,,2026-10-13 10:05:00-07:00,no,,2026-10-14 09:00:00-07:00,Cy,T1,2,0,1,3
A8,email,p1,2026-10-18 23:30:00-07:00,,2026-10-19 08:30:00-07:00,no,,2026-10-19 16:00:00-07:00,cy,T1,2,0,1,5
"""
PROFILE = """
csaudit_profile: 1
name: consistency
defaults:
  min_sample: 1
calendars:
  biz:
    timezone: America/Los_Angeles
    hours:
      mon-fri: 08:00-17:00
standards:
  - {id: frt-live, title: t, metric: first_response_time, statistic: mean, filter: {channel: [chat, phone]},
     each: channel, compare: below, fail: 2m}
  - {id: frt-p90, title: t, metric: first_response_time, statistic: p90, compare: at_most, fail: 5m}
  - {id: resolve-biz, title: t, metric: resolution_time, statistic: {share_within: 4h}, compare: at_least,
     fail: 90%, calendar: biz}
  - {id: fcr, title: t, metric: first_contact_resolution, compare: at_least, fail: 75%}
  - {id: waiting, title: t, metric: waiting_count, statistic: max, filter: {channel: [chat, phone]},
     compare: at_most, fail: 1}
  - {id: backlog, title: t, metric: backlog_flow, statistic: ratio, options: {period: week}, compare: at_most, fail: 0.5}
  - {id: csat, title: t, metric: csat, compare: at_least, fail: 80%}
  - {id: replies, title: t, metric: replies_per_issue, statistic: mean, compare: between, fail: [2, 4]}
"""
COLUMN = {"channel": "Channel", "agent": "Agent"}


@pytest.fixture
def audit_text(tmp_path):
    from csaudit.engine import audit
    from csaudit.profile.loader import parse_profile

    profile = parse_profile(textwrap.dedent(PROFILE), "consistency.yaml")
    count = iter(range(1000))

    def run(text: str, **extras):
        path = tmp_path / f"export{next(count)}.csv"
        path.write_text(text, encoding="utf-8")
        return report_dict(audit(profile, path, extras=Extras(samples=0, **extras)))

    return run


def _subset(keep) -> str:
    rows = list(csv.reader(io.StringIO(textwrap.dedent(CSV).lstrip())))
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows([rows[0]] + [r for r in rows[1:] if keep(dict(zip(rows[0], r)))])
    return out.getvalue()


def _week(row: dict) -> str:
    """The Monday (UTC: the profile has no timezone) of the row's creation."""
    created = datetime.fromisoformat(row["Created At"]).astimezone(timezone.utc)
    return (created - timedelta(days=created.weekday())).strftime("%Y-%m-%d")


def _key(group: dict | None) -> tuple:
    return tuple(sorted((k, (v or "").lower()) for k, v in (group or {}).items()))


@pytest.mark.parametrize("by", ["channel", "agent", "week"])
def test_each_group_of_a_breakdown_is_the_standard_on_that_group_alone(audit_text, by):
    report = audit_text(textwrap.dedent(CSV).lstrip(), by=(by,))
    groups: dict = {}
    for b in report["breakdown"]:
        groups.setdefault(b["group"][by], []).append(b)
    assert groups
    for value, rows in groups.items():
        if by == "week":
            keep = lambda r, v=value: _week(r) == v  # noqa: E731
        else:
            keep = lambda r, v=value: r[COLUMN[by]].strip().lower() == (v or "").lower()  # noqa: E731
        alone = {(r["standard_id"], _key(r["group"])): r for r in audit_text(_subset(keep))["results"]}
        for b in rows:
            if b["standard_id"] == "backlog" and by == "week":
                continue  # each creation and each resolution counts in its own week, by design
            own = {k: v for k, v in b["group"].items() if k != by}
            r = alone.get((b["standard_id"], _key(own))) or alone[(b["standard_id"], _key(b["group"]))]
            assert (b["value"], b["sample_size"], b["status"]) == pytest.approx(
                (r["value"], r["sample_size"], r["status"])
            ), (by, value, b["standard_id"])


def test_breakdown_by_channel_worked_by_hand(audit_text):
    report = audit_text(textwrap.dedent(CSV).lstrip(), by=("channel",))
    got = {(b["standard_id"], b["group"]["channel"]): (b["value"], b["sample_size"]) for b in report["breakdown"]}
    assert got[("frt-live", "chat")] == pytest.approx((280.0, 3))  # (180 + 60 + 600) / 3, "Chat" included
    assert got[("fcr", "chat")] == pytest.approx((1 / 3, 3))  # only row 1
    assert got[("backlog", "chat")] == pytest.approx((1.5, 1))  # 3 created, 2 resolved, all in one week
    assert got[("backlog", "phone")] == pytest.approx((2.0, 2))  # 2 created (week 1 and 2), 1 resolved
    assert got[("replies", None)] == pytest.approx((5.0, 1))  # the blank channel: row 4
    assert got[("resolve-biz", "email")] == pytest.approx((0.0, 2))  # 17h 55m and 8h of open time
    assert got[("waiting", "chat")] == pytest.approx((2.0, 3))  # 09:02–09:03: rows 1 and 3


def test_every_format_carries_the_same_value_status_and_n(tmp_path):
    from csaudit.engine import audit
    from csaudit.profile.loader import parse_profile

    path = tmp_path / "export.csv"
    path.write_text(textwrap.dedent(CSV).lstrip(), encoding="utf-8")
    result = audit(parse_profile(textwrap.dedent(PROFILE), "p.yaml"), path, extras=Extras(samples=1, by=("channel", "week")))
    data = report_dict(result)

    def group(g):
        return ", ".join(f"{k}={'(blank)' if v is None else v}" for k, v in (g or {}).items()) or "all"

    main = [(r["standard_id"], group(r["group"]), r["display"], r["status"], r["sample_size"]) for r in data["results"]]
    broken = [(b["standard_id"], group(b["group"]), b["display"], b["status"], b["sample_size"]) for b in data["breakdown"]]
    assert len(broken) > len(main)
    assert json.loads(FORMATS["json"]().render(result))["results"] == json.loads(json.dumps(data["results"]))

    rows = list(csv.DictReader(io.StringIO(FORMATS["csv"]().render(result))))
    as_csv = [(r["standard_id"], r["group"] or "all", r["value_display"], r["status"], int(r["sample_size"])) for r in rows]
    assert [x for x, r in zip(as_csv, rows) if not r["by"]] == main
    assert [x for x, r in zip(as_csv, rows) if r["by"]] == broken
    assert [float(r["value"]) if r["value"] else None for r in rows if not r["by"]] == [r["value"] for r in data["results"]]

    cases = []
    for case in ET.fromstring(FORMATS["junit"]().render(result)).iter("testcase"):
        p = {e.get("name"): e.get("value") for e in case.iter("property")}
        cases.append((p["standard_id"], p.get("group") or "all", p["value"], p["status"], int(p["sample_size"])))
    assert cases[: len(main)] == main

    markdown = FORMATS["markdown"]().render(result)
    table, *breakdowns = re.split(r"\n\*\*By ", markdown)

    def cells(line):
        return [re.sub(r"\\(.)", r"\1", c).strip() for c in line.strip().strip("|").split(" | ")]

    md_main, last = [], None
    for line in table.splitlines():
        if line.startswith("| ") and not line.startswith("| Status"):
            c = cells(line)
            last = (re.findall(r"`([^`]+)`", c[1]) or [last])[0]
            md_main.append((last, c[2] or "all", c[3], c[0].split(" ", 1)[1], int(c[-1].replace(",", ""))))
    assert md_main == main
    md_broken = [
        (c[1].strip("`"), c[2], c[3], c[0].split(" ", 1)[1], int(c[-1].replace(",", "")))
        for part in breakdowns for line in part.splitlines()
        if line.startswith("| ") and not line.startswith("| Status") and (c := cells(line))
    ]
    assert md_broken == broken
