"""csaudit's values on the real public datasets against a separate reference.

Each test audits a fixed slice of one dataset in ``shared/data/real`` (or the whole file when
it is small), as a user would: the source is recognised from the headers, nothing is mapped
by hand. The reference beside it reads the same slice with the standard library (``csv``,
``zipfile``, ``xml``), applies the dataset's documented interpretation (its SOURCE.md and
the source mapping's notes) and the definitions of STANDARDS.md §2 in plain Python loops:
durations over answered or resolved interactions, negative ones left out (and counted as
findings), percentiles by numpy's linear rule, waiting counts by a sweep in which departures
come before arrivals at equal instants, business time by walking the calendar day by day.

The datasets are not part of the repository: every test skips when its file is absent.
"""

from __future__ import annotations

import csv
import io
import os
import zipfile
from collections import defaultdict
from datetime import date, datetime, time, timedelta
from pathlib import Path
from xml.etree import ElementTree

import numpy
import pytest

from csaudit.engine import audit
from csaudit.profile.loader import load_profile, parse_profile
from tests.conftest import REPO, profile_text

#: The real datasets (shared/data/real beside the checkout, or in a folder above it; or where
#: CSAUDIT_REAL_DATA says). Absent from a bare clone: the tests then skip.
REAL = Path(os.environ["CSAUDIT_REAL_DATA"]) if os.environ.get("CSAUDIT_REAL_DATA") else next(
    (p / "shared" / "data" / "real" for p in REPO.parents if (p / "shared" / "data" / "real").is_dir()),
    REPO.parent / "shared" / "data" / "real",
)


def need(relative: str) -> Path:
    path = REAL / relative
    if not path.is_file():
        pytest.skip(f"dataset not available: {path}")
    return path


def run(path: Path, standards: str, **kwargs):
    profile = parse_profile(profile_text(standards, "defaults:\n  min_sample: 1\n"), "crosscheck.yaml")
    return audit(profile, path, **kwargs)


def by_id(result, standard_id: str):
    return next(s for s in result.standards if s.standard.id == standard_id)


def only(result, standard_id: str) -> tuple[float | None, int]:
    """(value, n) of an ungrouped standard."""
    (group,) = by_id(result, standard_id).groups
    return group.value, group.sample_size


def assert_groups(result, standard_id: str, expected: dict) -> None:
    """Each group's (value, n) of a grouped standard, keyed by its labels, as expected."""
    measured = {tuple(g.group.values()): (g.value, g.sample_size) for g in by_id(result, standard_id).groups}
    assert measured.keys() == expected.keys()
    for key, value in expected.items():
        assert measured[key] == pytest.approx(value), key


def findings(result) -> dict[str, tuple[int, list[int]]]:
    return {f.key: (f.count, f.rows) for f in result.findings}


def share_within(values, limit) -> float:
    return sum(1 for v in values if v <= limit) / len(values)


def mean(values) -> float:
    return sum(values) / len(values)


def peak_waiting(waits) -> int:
    """Most contacts waiting at once over ``[start, end)`` intervals; at equal instants the
    departures (-1) come before the arrivals (+1)."""
    events = sorted([(s, 1) for s, _ in waits] + [(e, -1) for _, e in waits])
    now = peak = 0
    for _, step in events:
        now += step
        peak = max(peak, now)
    return peak


# -- Anonymous Bank call centre (TSV, CRLF) -----------------------------------------------------

BANK = "anonymous-bank-callcenter/data_anonymous_bank_february.txt"
BANK_ROWS = 4000  # of 33,344; data rows 1–4000 include a call that crosses midnight (row 2638)


def test_bank_call_centre_queue_measures_match_a_reference(tmp_path):
    lines = need(BANK).read_bytes().split(b"\r\n")
    path = tmp_path / "bank.txt"
    path.write_bytes(b"\r\n".join(lines[: BANK_ROWS + 1]) + b"\r\n")
    header = lines[0].decode().split("\t")
    rows = [dict(zip(header, line.decode().split("\t"))) for line in lines[1 : BANK_ROWS + 1]]

    def at(row, column):  # yymmdd + H:MM:SS; 0:00:00 is "did not happen" (SOURCE.md)
        if row[column] == "0:00:00":
            return None
        return datetime.strptime(f"{row['date']} {row[column]}", "%y%m%d %H:%M:%S")

    offered = []  # (file row, row): PHANTOM and hang-ups in the voice-response unit left out
    for number, row in enumerate(rows, start=1):
        if row["outcome"] == "PHANTOM" or (row["outcome"] == "HANG" and row["q_start"] == "0:00:00"):
            continue
        offered.append((number, row))
    speed, frt, handle, waits = [], [], [], []
    negative_speed, negative_frt, no_end, negative_wait = [], [], [], []
    for number, row in offered:
        answered = row["outcome"] == "AGENT"
        queued = at(row, "q_start") or at(row, "ser_start")  # never queued: waited 0 s
        start, created = at(row, "ser_start"), at(row, "vru_entry")
        if start and queued and start < queued:
            negative_speed.append(number)
        if start and start < created:
            negative_frt.append(number)
        if answered:
            handle.append(int(row["ser_time"]))
            if start and start >= queued:
                speed.append((start - queued).total_seconds())
            if start and start >= created:
                frt.append((start - created).total_seconds())
        end = start if answered else at(row, "q_exit")
        if end is None:
            no_end.append(number)
        elif end < queued:
            negative_wait.append(number)
        else:
            waits.append((queued, end))
    abandoned = sum(1 for _, row in offered if row["outcome"] == "HANG")

    result = run(path, """
        - {id: sl, title: t, metric: speed_of_answer, statistic: {share_within: 20s}}
        - {id: asa, title: t, metric: speed_of_answer, statistic: mean}
        - {id: soa-p90, title: t, metric: speed_of_answer, statistic: p90}
        - {id: soa-max, title: t, metric: speed_of_answer, statistic: max}
        - {id: abandonment, title: t, metric: abandonment_rate}
        - {id: frt, title: t, metric: first_response_time, statistic: median}
        - {id: aht, title: t, metric: average_handle_time}
        - {id: waiting, title: t, metric: waiting_count, statistic: max}
    """)

    assert len(speed) > 3000 and negative_speed and negative_frt  # the slice exercises the edge cases
    assert only(result, "sl") == pytest.approx((share_within(speed, 20), len(speed)))
    assert only(result, "asa") == pytest.approx((mean(speed), len(speed)))
    assert only(result, "soa-p90") == pytest.approx((numpy.percentile(speed, 90), len(speed)))
    assert only(result, "soa-max") == (max(speed), len(speed))
    assert only(result, "abandonment") == pytest.approx((abandoned / len(offered), len(offered)))
    assert only(result, "frt") == (numpy.median(frt), len(frt))
    assert only(result, "aht") == pytest.approx((mean(handle), len(handle)))
    assert only(result, "waiting") == (peak_waiting(waits), len(waits))
    found = findings(result)
    assert found["negative:queued_at:first_response_at"] == (len(negative_speed), negative_speed[:5])
    assert found["negative:created_at:first_response_at"] == (len(negative_frt), negative_frt[:5])
    assert found["negative:queued_at:wait_end"][0] == len(negative_wait)
    assert next(count for key, (count, _) in found.items() if key.startswith("waiting:no_end")) == len(no_end)
    assert not any(key.startswith("duplicate") for key in found)  # vru+line / call_id is unique


# -- PwC call centre workbook (Excel) -----------------------------------------------------------

PWC = "pwc-callcenter-synthetic/01 Call-Center-Dataset.xlsx"
SHEET = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"


def read_sheet(path: Path) -> list[dict[str, str]]:
    """The workbook's first sheet from its XML, cell text as stored (numbers unconverted)."""
    with zipfile.ZipFile(path) as book:
        strings = ["".join(t.text or "" for t in si.iter(f"{SHEET}t"))
                   for si in ElementTree.fromstring(book.read("xl/sharedStrings.xml"))]
        sheet = ElementTree.fromstring(book.read("xl/worksheets/sheet1.xml"))
    table = []
    for row in sheet.iter(f"{SHEET}row"):
        cells = {}
        for cell in row.iter(f"{SHEET}c"):
            value = cell.find(f"{SHEET}v")
            text = "" if value is None else value.text
            cells["".join(ch for ch in cell.get("r") if ch.isalpha())] = strings[int(text)] if cell.get("t") == "s" else text
        table.append(cells)
    header = table[0]
    return [{header[col]: cells.get(col, "") for col in header} for cells in table[1:]]


def test_pwc_workbook_measures_match_a_reference():
    path = need(PWC)
    calls = read_sheet(path)
    answered = [c for c in calls if c["Answered (Y/N)"] == "Y"]
    speed = [float(c["Speed of answer in seconds"]) for c in answered]
    talk = [round(float(c["AvgTalkDuration"]) * 86400) for c in answered]  # an Excel time of day
    csat = [float(c["Satisfaction rating"]) for c in answered if c["Satisfaction rating"]]
    per_agent = defaultdict(list)
    for call, seconds in zip(answered, talk):
        per_agent[call["Agent"]].append(seconds)

    result = run(path, """
        - {id: sl, title: t, metric: speed_of_answer, statistic: {share_within: 20s}}
        - {id: asa, title: t, metric: speed_of_answer, statistic: mean}
        - {id: abandonment, title: t, metric: abandonment_rate}
        - {id: fcr, title: t, metric: first_contact_resolution}
        - {id: csat, title: t, metric: csat}
        - {id: aht, title: t, metric: average_handle_time, statistic: p75}
        - {id: minutes, title: t, metric: minutes_per_issue, each: agent}
    """)

    assert len(calls) == 5000 and len(answered) == 4054
    assert only(result, "sl") == pytest.approx((share_within(speed, 20), len(speed)))
    assert only(result, "asa") == pytest.approx((mean(speed), len(speed)))
    assert only(result, "abandonment") == pytest.approx((1 - len(answered) / len(calls), len(calls)))
    resolved = sum(1 for c in answered if c["Resolved"] == "Y")
    assert only(result, "fcr") == pytest.approx((resolved / len(answered), len(answered)))
    assert only(result, "csat") == pytest.approx((sum(1 for v in csat if v >= 4) / len(csat), len(csat)))
    assert only(result, "aht") == pytest.approx((numpy.percentile(talk, 75), len(talk)))
    assert_groups(result, "minutes", {(a,): (mean(v), len(v)) for a, v in per_agent.items()})
    assert result.findings == []


# -- NYC 311 (CSV, US dates with AM/PM) ---------------------------------------------------------

NYC = "nyc-311-dohmh/311.csv"
NYC_ROWS = 2500  # of 5,895; includes both 01/01/1900 placeholder closings (rows 1500 and 1942)


def test_nyc_311_resolution_measures_match_a_reference(tmp_path):
    with need(NYC).open(newline="", encoding="utf-8") as handle:
        reader = csv.reader(handle)
        header = next(reader)
        rows = [row for _, row in zip(range(NYC_ROWS), reader)]
    path = tmp_path / "311.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows([header, *rows])
    records = [dict(zip(header, row)) for row in rows]

    def at(text):
        return datetime.strptime(text, "%m/%d/%Y %I:%M:%S %p") if text else None

    channel_of = {"ONLINE": "web", "PHONE": "phone", "UNKNOWN": None}
    durations, negative = [], []
    per_channel = defaultdict(list)
    for number, record in enumerate(records, start=1):
        created, closed = at(record["Created Date"]), at(record["Closed Date"])
        if closed is None:
            continue
        if closed < created:
            negative.append(number)
            continue
        seconds = (closed - created).total_seconds()
        durations.append(seconds)
        per_channel[channel_of[record["Open Data Channel Type"]]].append(seconds)
    resolved = sum(1 for r in records if r["Closed Date"])
    # Backlog flow: a request closed before it was opened (the placeholders) counts in neither.
    weekly = defaultdict(lambda: [0, 0])
    for record in records:
        created, closed = at(record["Created Date"]), at(record["Closed Date"])
        if closed is not None and closed < created:
            continue
        for index, moment in enumerate((created, closed)):
            if moment is not None:
                weekly[moment.date() - timedelta(days=moment.weekday())][index] += 1

    result = run(path, """
        - {id: backlog, title: t, metric: backlog_flow, options: {period: week}}
        - {id: within-10h, title: t, metric: resolution_time, statistic: {share_within: 10h}}
        - {id: p90, title: t, metric: resolution_time, statistic: p90}
        - {id: median, title: t, metric: resolution_time, statistic: median}
        - {id: rate, title: t, metric: resolution_rate}
        - {id: by-channel, title: t, metric: resolution_time, statistic: mean, each: channel}
    """)

    assert negative == [1500, 1942]
    assert only(result, "within-10h") == pytest.approx((share_within(durations, 36000), len(durations)))
    assert only(result, "p90") == pytest.approx((numpy.percentile(durations, 90), len(durations)))
    assert only(result, "median") == (numpy.median(durations), len(durations))
    # A request is resolved when it has a Closed Date (the source mapping), placeholder or not.
    assert only(result, "rate") == pytest.approx((resolved / len(records), len(records)))
    labels = {"web": "ONLINE", "phone": "PHONE", None: None}
    expected = {(labels[k],): (mean(v), len(v)) for k, v in per_channel.items()}
    assert_groups(result, "by-channel", expected)
    created_all, resolved_all = (sum(counts[i] for counts in weekly.values()) for i in (0, 1))
    assert only(result, "backlog") == pytest.approx((created_all / resolved_all, len(weekly)))
    assert min(weekly).year > 1900  # no week of 1900
    assert findings(result) == {
        "negative:created_at:resolved_at": (2, [1500, 1942]),
        "backlog:resolved_before_created": (2, [1500, 1942]),
    }


# -- ServiceNow incident event log (zip, one row per update) -----------------------------------

SERVICENOW = "servicenow-incident-uci/incident_event_log.csv.zip"
SERVICENOW_ROWS = 6000  # event rows of 141,712: a few hundred incidents, both early negative ones


def test_servicenow_event_log_roll_up_and_measures_match_a_reference(tmp_path):
    with zipfile.ZipFile(need(SERVICENOW)) as archive, archive.open("incident_event_log.csv") as member:
        text = io.TextIOWrapper(member, encoding="utf-8", newline="")
        lines = [line for _, line in zip(range(SERVICENOW_ROWS + 1), text)]
    path = tmp_path / "incident_event_log.csv"
    path.write_text("".join(lines), encoding="utf-8", newline="")
    events = list(csv.DictReader(lines))

    def at(value):  # day-first, no zero padding; "?" is no value
        return None if value == "?" else datetime.strptime(value, "%d/%m/%Y %H:%M")

    cases: dict[str, list] = defaultdict(list)
    for number, event in enumerate(events, start=1):
        cases[event["number"]].append((at(event["sys_updated_at"]), number, event))
    channel_of = {"Phone": "phone", "IVR": "phone", "Email": "email", "Self service": "web", "Direct opening": "direct"}
    label_of = {"phone": "Phone", "email": "Email", "web": "Self service", "direct": "Direct opening"}
    frt, resolution, negative, transferred, created_all, resolved_all = defaultdict(list), [], [], 0, [], []
    for updates in cases.values():
        updates.sort(key=lambda u: (u[0], u[1]))
        first_row, last = min(u[1] for u in updates), updates[-1][2]  # attributes: the last update
        created, resolved = at(last["opened_at"]), at(last["resolved_at"])
        active = [u[0] for u in updates if u[2]["incident_state"] == "Active"]
        created_all.append(created)
        if resolved:
            resolved_all.append(resolved)
            resolution.append((resolved - created).total_seconds())
        if active:
            if active[0] < created:
                negative.append(first_row)
            else:
                frt[channel_of[last["contact_type"]]].append((active[0] - created).total_seconds())
        transferred += int(last["reassignment_count"]) > 0

    def monday(moment: datetime) -> date:
        return moment.date() - timedelta(days=moment.weekday())

    weeks = {monday(t) for t in created_all} | {monday(t) for t in resolved_all}

    result = run(path, """
        - {id: frt, title: t, metric: first_response_time, statistic: median, each: channel}
        - {id: within-10h, title: t, metric: resolution_time, statistic: {share_within: 10h}}
        - {id: rate, title: t, metric: resolution_rate}
        - {id: transfers, title: t, metric: transfer_rate}
        - {id: backlog, title: t, metric: backlog_flow, options: {period: week}}
    """)

    assert len(cases) > 500 and negative  # the slice exercises the edge case
    expected = {(label_of[k],): (numpy.median(v), len(v)) for k, v in frt.items()}
    assert_groups(result, "frt", expected)
    assert only(result, "within-10h") == pytest.approx((share_within(resolution, 36000), len(resolution)))
    assert only(result, "rate") == pytest.approx((len(resolved_all) / len(cases), len(cases)))
    assert only(result, "transfers") == pytest.approx((transferred / len(cases), len(cases)))
    assert only(result, "backlog") == pytest.approx((len(created_all) / len(resolved_all), len(weeks)))
    assert findings(result)["negative:created_at:first_response_at"] == (len(negative), sorted(negative)[:5])


# -- BPI 2013 Volvo incidents: business hours of the stanford profile --------------------------

VOLVO = "bpi2013-volvo-incidents/VINST-new.csv"
VOLVO_CASES = 300  # of each of Medium and Low impact, with every Major and High one (65,533 events)


def business_seconds(start: datetime, end: datetime, zone, closed: set[date]) -> float:
    """Seconds of [start, end] inside Mon–Fri 08:00–17:00 of ``zone``, holidays closed."""
    start, end = start.astimezone(zone), end.astimezone(zone)
    total, day = 0.0, start.date()
    while day <= end.date():
        if day.weekday() < 5 and day not in closed:
            opens = datetime.combine(day, time(8), zone)
            closes = datetime.combine(day, time(17), zone)
            total += max(0.0, (min(closes, end) - max(opens, start)).total_seconds())
        day += timedelta(days=1)
    return total


def test_volvo_business_hour_targets_match_a_reference(tmp_path):
    import holidays
    from zoneinfo import ZoneInfo

    lines = need(VOLVO).read_bytes().removesuffix(b"\r\n").split(b"\r\n")
    impact = {}  # case → impact, in the file's order
    for record in csv.DictReader(io.StringIO(b"\r\n".join(lines).decode("utf-8-sig"))):
        impact.setdefault(record["SR Number"], record["SR Latest Impact"])
    chosen = {case for case, level in impact.items() if level in ("Major", "High")}
    for level in ("Medium", "Low"):
        chosen.update([case for case, found in impact.items() if found == level][:VOLVO_CASES])
    kept = [lines[0], *(line for line in lines[1:] if line.split(b",", 1)[0].decode() in chosen)]
    path = tmp_path / "VINST.csv"
    path.write_bytes(b"\r\n".join(kept) + b"\r\n")  # the BOM stays
    events = list(csv.DictReader(io.StringIO(b"\r\n".join(kept).decode("utf-8-sig"))))

    cases: dict[str, list] = defaultdict(list)
    for number, event in enumerate(events):
        cases[event["SR Number"]].append((datetime.fromisoformat(event["Change Date+Time"]), number, event))
    resolutions = {"Completed-Resolved", "Completed-In Call"}
    zone = ZoneInfo("America/Los_Angeles")
    closed = set(holidays.country_holidays("US", years=range(2009, 2014)))
    limits = {"p1": (1, 4), "p2": (4, 9), "p3": (9, 27), "p4": (18, 45)}
    respond, resolve = defaultdict(list), defaultdict(list)
    for updates in cases.values():
        updates.sort(key=lambda u: (u[0], u[1]))
        created = updates[0][0]
        priority = {"Major": "p1", "High": "p2", "Medium": "p3", "Low": "p4"}[updates[-1][2]["SR Latest Impact"]]
        started = [t for t, _, e in updates if e["Activity"] == "Accepted-In Progress"]
        # A resolution repeated with no other activity between is one, at its first time.
        runs = [t for i, (t, _, e) in enumerate(updates)
                if e["Activity"] in resolutions and (i == 0 or updates[i - 1][2]["Activity"] not in resolutions)]
        if started:
            respond[priority].append(business_seconds(created, started[0], zone, closed))
        if runs:
            resolve[priority].append(business_seconds(created, runs[-1], zone, closed))

    result = audit(load_profile("stanford"), path)

    assert sum(map(len, resolve.values())) > 500
    for priority, (respond_hours, resolve_hours) in limits.items():
        for kind, values, hours in (("respond", respond, respond_hours), ("resolve", resolve, resolve_hours)):
            measured = only(result, f"{kind}-{priority}")
            sample = values[priority]
            if sample:
                assert measured == pytest.approx((share_within(sample, hours * 3600), len(sample))), (kind, priority)
            else:
                assert measured == (None, 0)
