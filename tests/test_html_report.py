"""The HTML report: chart data from the engine (worked out by hand), one self-contained file
with its charts, user text escaped. ``scripts/screenshot_report.sh`` renders it in headless
Chromium; set CSAUDIT_BROWSER_TESTS=1 to run that here too."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path

import pytest
from typer.testing import CliRunner

from csaudit.charts import RESPONSE_EDGES, WAIT_BUCKETS
from csaudit.cli import app
from csaudit.extras import Extras
from csaudit.profile.model import Status
from csaudit.render.html import HtmlFormat

runner = CliRunner()
REPO = Path(__file__).resolve().parent.parent

# Chat FRT 30, 300, 60, 180, 120 s; email 3600 s and 90000 s (25 h). Chat waits (queued_at to
# first_response_at): 1 [08:00:00, 08:00:30), 2 [08:00, 08:07), 3 [08:03, 08:04); rows 4 and 5
# are answered as they queue (no wait); email is not a live channel.
CSV = """
id,channel,priority,created_at,queued_at,first_response_at,resolved_at
1,chat,P1,2024-01-01 08:00:00,2024-01-01 08:00:00,2024-01-01 08:00:30,2024-01-01 09:00:00
2,chat,P1,2024-01-01 08:02:00,2024-01-01 08:00:00,2024-01-01 08:07:00,2024-01-01 16:00:00
3,chat,P2,2024-01-01 08:03:00,2024-01-01 08:03:00,2024-01-01 08:04:00,2024-01-01 09:00:00
4,chat,P2,2024-01-08 08:00:00,2024-01-08 08:03:00,2024-01-08 08:03:00,2024-01-08 09:00:00
5,chat,P2,2024-01-08 09:00:00,2024-01-08 09:02:00,2024-01-08 09:02:00,2024-01-08 10:00:00
6,email,P1,2024-01-08 10:00:00,,2024-01-08 11:00:00,2024-01-09 10:00:00
7,email,P2,2024-01-08 11:00:00,,2024-01-09 12:00:00,
"""
PROFILE = """
- id: frt-chat
  title: First response on chat under 2 minutes
  metric: first_response_time
  filter: {channel: chat}
  compare: below
  fail: 2m
- id: frt-email
  title: First response on email within a day
  metric: first_response_time
  filter: {channel: email}
  compare: at_most
  fail: 1d
- id: waiting
  title: At most 2 waiting
  metric: waiting_count
  compare: at_most
  fail: 2
- id: resolve-p1
  title: P1 resolved within 4 hours
  metric: resolution_time
  statistic: {share_within: 4h}
  filter: {priority: p1}
  compare: at_least
  fail: 90%
"""


@pytest.fixture
def result(run_audit):
    return run_audit(CSV, PROFILE, extras=Extras(charts=True))


def test_first_response_histograms_per_channel_with_the_target(result):
    charts = result.charts
    by_channel = {h.group: h for h in charts.first_response}
    assert list(by_channel) == ["chat", "email"]
    chat, email = by_channel["chat"], by_channel["email"]
    assert chat.edges == [float(e) for e in RESPONSE_EDGES]
    # Chat: 30 s in [30 s, 1 m); 60 s (row 3) in [1 m, 2 m); 180 s (row 4) and 120 s (row 5)
    # in [2 m, 5 m); 300 s (row 2: created 08:02, answered 08:07) in [5 m, 10 m).
    assert chat.counts[2:6] == [1, 1, 2, 1] and chat.total == 5
    assert (chat.standard_id, chat.limit) == ("frt-chat", 120.0)
    assert chat.within == 2  # "below 2m": 30 s and 60 s; 120 s is not below
    # Email, against "≤ 1d" (bins closed on the right): 3600 s in (30 m, 1 h], 90000 s in
    # (1 d, 2 d]; within a day: 1.
    assert email.counts[7] == 1 and email.counts[12] == 1
    assert (email.standard_id, email.limit, email.within) == ("frt-email", 86400.0, 1)


def test_waiting_series_keeps_the_peak(result):
    (series,) = result.charts.waiting
    assert (series.standard_id, series.group, series.limit) == ("waiting", None, 2.0)
    assert len(series.peaks) == WAIT_BUCKETS
    # Waits span 08:00 (first arrival) to 08:07 (last departure, row 2): two wait at 08:00 and
    # from 08:03 to 08:04, one until 08:07.
    assert series.start == datetime(2024, 1, 1, 8, 0, tzinfo=timezone.utc)
    assert series.step_seconds == pytest.approx(420 / WAIT_BUCKETS)
    assert series.peaks[0] == 2 and series.peaks[-1] == 1 and max(series.peaks) == 2
    # 08:03 is 180 s in, bucket 180 / 1.75 = 102.9; 08:04 is bucket 137.1.
    assert series.peaks[101] == 1 and series.peaks[102] == 2 and series.peaks[137] == 2 and series.peaks[138] == 1


def test_resolution_bars_and_weekly_trend_come_from_the_results(result):
    (bar,) = result.charts.resolution
    # P1 resolved in 1 h, 8 h (row 2: 08:02 to 16:00 is 7 h 58 m) and 24 h: 1 of 3 within 4 h.
    assert (bar.standard_id, bar.label, bar.target, bar.status) == ("resolve-p1", "P1", 0.9, Status.FAIL)
    assert bar.value == pytest.approx(1 / 3)
    weeks = {g.group["week"]: g.value for g in result.charts.trend["frt-chat"]}
    assert weeks == {"2024-01-01": 130.0, "2024-01-08": 150.0}  # (30+300+60)/3, (180+120)/2


def test_the_weekly_trend_is_cut_on_the_audits_clock(run_audit):
    # Read as Auckland time (UTC+13 in January), rows 4 and 5 (Monday 8 January, 08:00 and
    # 09:00 there) are Sunday evening in UTC: their week is still that of 8 January.
    result = run_audit(CSV, PROFILE, extras=Extras(charts=True), timezone="Pacific/Auckland")
    weeks = {g.group["week"]: g.value for g in result.charts.trend["frt-chat"]}
    assert weeks == {"2024-01-01": 130.0, "2024-01-08": 150.0}


def test_the_report_is_one_self_contained_file_with_its_charts(tmp_path, write_csv):
    profile = tmp_path / "p.yaml"
    profile.write_text("csaudit_profile: 1\nname: t\nstandards:\n" + PROFILE, encoding="utf-8")
    out = tmp_path / "report.html"
    run = runner.invoke(app, ["check", str(write_csv(CSV)), "-p", str(profile), "--format", "html", "--output", str(out)])
    assert run.exit_code == 1, run.output
    html = out.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>") and html.rstrip().endswith("</html>")
    # Nothing to fetch: no script, stylesheet link, image, frame, font or URL reference.
    for forbidden in ("<script", "<link", "<img", "<iframe", "src=", "href=", "url(", "@import", "xlink"):
        assert forbidden not in html.lower(), forbidden
    charts = re.findall(r'<svg class="chart (\w+)"', html)
    assert charts.count("frt") == 1 and charts.count("waiting") == 1 and charts.count("resolution") == 1
    assert charts.count("trend") == 4  # one per standard with a target
    frt_svg = html[html.index('<svg class="chart frt"') :]
    frt_svg = frt_svg[: frt_svg.index("</svg>")]
    assert re.findall(r'data-series="([^"]+)"', frt_svg) == ["chat", "email"]
    assert "target &lt; 2m" in frt_svg and "target ≤ 1d" in frt_svg
    assert 'data-series="P1"' in html
    # The evidence of the failures, under their rows.
    assert "worst interactions" in html


def test_user_text_is_escaped(run_audit):
    csv_text = '''
    id,channel,created_at,first_response_at
    <i>1</i>,"<script>alert(1)</script>",2024-01-01 08:00:00,2024-01-01 09:00:00
    2,"a&b ""q""",2024-01-01 08:00:00,2024-01-01 08:30:00
    '''
    standard = """
    - id: frt
      title: 'FRT <b>bold</b> & "quoted"'
      metric: first_response_time
      each: channel
      compare: below
      fail: 1m
    """
    result = run_audit(csv_text, standard, extra="title: '<img src=x onerror=alert(1)>'\n", extras=Extras(charts=True))
    html = HtmlFormat().render(result)
    assert "<script>" not in html and "<img" not in html and "<b>bold" not in html and "<i>1" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "FRT &lt;b&gt;bold&lt;/b&gt; &amp; &quot;quoted&quot;" in html
    assert 'data-series="a&amp;b &quot;q&quot;"' in html
    assert "&lt;i&gt;1&lt;/i&gt;" in html  # the evidence's id


def test_without_chart_data_the_report_still_renders(run_audit):
    result = run_audit(CSV, PROFILE)
    assert result.charts is None
    html = HtmlFormat().render(result)
    assert "<svg" not in html and "First response on chat under 2 minutes" in html


@pytest.mark.skipif(
    not os.environ.get("CSAUDIT_BROWSER_TESTS") or not shutil.which("chromium"),
    reason="renders in headless Chromium: set CSAUDIT_BROWSER_TESTS=1 (Debian: apt-get install chromium)",
)
def test_the_example_report_renders_in_chromium(tmp_path):
    png = tmp_path / "report.png"
    env = {**os.environ, "PYTHON": sys.executable}
    subprocess.run([str(REPO / "scripts" / "screenshot_report.sh"), str(png), "1200"], check=True, timeout=120, env=env)
    data = png.read_bytes()
    assert data.startswith(b"\x89PNG") and len(data) > 50_000


def test_the_trends_axis_shows_its_extremes_as_values_are_shown(result):
    # Weekly peaks 1 and 4 against "at most 15": the axis runs from 1 to 15, labelled "1" and
    # "15" as counts are written (the padded bounds minus the padding would give
    # 14.999999999999998, which reads "15.00").
    from csaudit.render.html_charts import trend_chart
    from csaudit.result import GroupResult

    waiting = next(sr for sr in result.standards if sr.standard.id == "waiting")
    waiting = replace(waiting, standard=replace(waiting.standard, target=replace(waiting.standard.target, fail=15)))
    weeks = [GroupResult({"week": w}, v, 3, Status.PASS) for w, v in (("2024-01-01", 1.0), ("2024-01-08", 4.0))]
    ticks = re.findall(r'class="tick"[^>]*>([^<]*)<', trend_chart(waiting, weeks))
    assert ticks[:2] == ["15", "1"]  # then the weeks


# A response of exactly the limit. Chat FRT 120 s (row 1) and 90 s (row 2) against "≤ 2m":
# both within; email FRT 86400 s (row 3, exactly a day) and 90000 s (row 4) against "≤ 1d":
# one within.
AT_LIMIT_CSV = """
id,channel,created_at,first_response_at
1,chat,2024-01-01 08:00:00,2024-01-01 08:02:00
2,chat,2024-01-01 08:00:00,2024-01-01 08:01:30
3,email,2024-01-01 08:00:00,2024-01-02 08:00:00
4,email,2024-01-01 08:00:00,2024-01-02 09:00:00
"""
# The first response standards of PROFILE: chat "< 2m", email "≤ 1d".
FRT_PROFILE = PROFILE[: PROFILE.index("- id: waiting")]
AT_LIMIT_PROFILE = FRT_PROFILE.replace("compare: below", "compare: at_most")


def test_a_response_at_an_inclusive_limit_is_drawn_under_it(run_audit):
    # Against "≤ 2m" a 120 s response meets the target: its bar must be the one under the
    # limit (1m – 2m, blue), not 2m – 5m (red), so the bars under the limit add up to `within`.
    result = run_audit(AT_LIMIT_CSV, AT_LIMIT_PROFILE, extras=Extras(charts=True))
    by_channel = {h.group: h for h in result.charts.first_response}
    chat, email = by_channel["chat"], by_channel["email"]
    assert chat.closed_right and chat.within == 2
    assert chat.counts[3] == 2 and chat.counts[4] == 0  # (1m, 2m] holds 90 s and 120 s
    assert email.within == 1
    assert email.counts[11] == 1 and email.counts[12] == 1  # (8h, 1d] holds 86400 s; (1d, 2d] 90000 s
    for h in (chat, email):
        under = sum(c for c, edge in zip(h.counts, h.edges) if edge < h.limit)
        assert under == h.within


def test_a_below_limit_keeps_the_value_at_the_limit_over_it(run_audit):
    # "< 2m": 120 s misses, and stays in [2m, 5m), drawn red.
    result = run_audit(AT_LIMIT_CSV, FRT_PROFILE, extras=Extras(charts=True))
    chat = next(h for h in result.charts.first_response if h.group == "chat")
    assert not chat.closed_right and chat.within == 1
    assert chat.counts[3] == 1 and chat.counts[4] == 1


def test_the_share_within_the_limit_never_reads_100_percent_when_one_missed():
    # 465 of 466 within a day (the example's email) is 99.79%: "100%" beside a red bar of 1
    # would contradict the chart.
    from csaudit.charts import Histogram
    from csaudit.render.html_charts import response_histograms

    counts = [0] * len(RESPONSE_EDGES)
    counts[11], counts[12] = 465, 1
    h = Histogram("email", "frt-email", [float(e) for e in RESPONSE_EDGES], counts, 86400.0, 465)
    svg = response_histograms([h], {"frt-email": "≤ 1d"})
    assert "99.8% within 1d" in svg and "100" not in re.sub(r"<[^>]+>", " ", svg).split("within")[0]
    h = replace(h, counts=[0] * 11 + [466] + [0] * 3, within=466)
    assert "100.0% within 1d" in response_histograms([h], {"frt-email": "≤ 1d"})
