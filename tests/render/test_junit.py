"""The JUnit XML report: one test case per standard and group, valid XML whatever the export holds."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from csaudit.baseline import Change, Verdict
from csaudit.profile.model import Status
from csaudit.render.junit import JunitFormat, xml_text
from tests.render.fixtures import ERROR_RESULT, RESULT, fresh

EXPECTED = """\
<?xml version="1.0" encoding="UTF-8"?>
<testsuites name="csaudit" tests="3" failures="1" errors="1" skipped="0">
  <testsuite name="csaudit.team" tests="3" failures="1" errors="1" skipped="0">
    <properties>
      <property name="profile" value="team" />
      <property name="profile_title" value="Team standards" />
      <property name="profile_path" value="team.yaml" />
      <property name="input" value="export.csv" />
      <property name="input_rows" value="120" />
      <property name="fail_on" value="fail" />
      <property name="exit_code" value="2" />
    </properties>
    <testcase classname="team.resolve-p1" name="P1 resolved within 4 business hours (90%) [channel=chat]">
      <properties>
        <property name="standard_id" value="resolve-p1" />
        <property name="group" value="channel=chat" />
        <property name="value" value="80.0%" />
        <property name="target" value="≥ 90.0%" />
        <property name="status" value="fail" />
        <property name="sample_size" value="10" />
        <property name="details" value="resolve-p1 · share within 4h · business calendar stanford-it" />
        <property name="calendar" value="stanford-it" />
      </properties>
      <failure message="fail: 80.0% (target ≥ 90.0%, n=10)" type="fail">resolve-p1: P1 resolved within 4 business hours (90%) [channel=chat]
value: 80.0%
target: ≥ 90.0%
status: fail
sample size: 10
calendar: stanford-it
worst interactions:
  row 17, id T-17: 8h 30m (channel=chat, agent==2+5)
  row 4: 6h (channel=chat)</failure>
    </testcase>
    <testcase classname="team.resolve-p1" name="P1 resolved within 4 business hours (90%) [channel==HYPERLINK(&quot;http://x&quot;, &quot;a|b&quot;) &lt;b&gt;50%&lt;/b&gt;, ok:&#10;next]">
      <properties>
        <property name="standard_id" value="resolve-p1" />
        <property name="group" value="channel==HYPERLINK(&quot;http://x&quot;, &quot;a|b&quot;) &lt;b&gt;50%&lt;/b&gt;, ok:&#10;next" />
        <property name="value" value="95.0%" />
        <property name="target" value="≥ 90.0%" />
        <property name="status" value="pass" />
        <property name="sample_size" value="20" />
        <property name="details" value="resolve-p1 · share within 4h · business calendar stanford-it" />
        <property name="calendar" value="stanford-it" />
      </properties>
      <system-out>resolve-p1: P1 resolved within 4 business hours (90%) [channel==HYPERLINK("http://x", "a|b") &lt;b&gt;50%&lt;/b&gt;, ok:
next]
value: 95.0%
target: ≥ 90.0%
status: pass
sample size: 20
calendar: stanford-it</system-out>
    </testcase>
    <testcase classname="team.nps" name="NPS at least 30">
      <properties>
        <property name="standard_id" value="nps" />
        <property name="value" value="—" />
        <property name="target" value="≥ 30" />
        <property name="status" value="error" />
        <property name="sample_size" value="0" />
        <property name="details" value="nps · mean" />
      </properties>
      <error message="cannot be measured: needs the `nps` column (--map nps=COLUMN)" type="error">nps: NPS at least 30
value: —
target: ≥ 30
status: error
reason: needs the `nps` column</error>
    </testcase>
    <system-out>data quality: 2 rows: rows whose `id` appears more than once (rows 5, 6)</system-out>
  </testsuite>
</testsuites>
"""


def _render(result) -> ET.Element:
    return ET.fromstring(JunitFormat().render(result).encode("utf-8"))


def _outcomes(root: ET.Element) -> dict[str, str]:
    out = {}
    for case in root.iter("testcase"):
        kind = next((child.tag for child in case if child.tag in ("failure", "error", "skipped")), "passed")
        out[case.get("name")] = kind
    return out


def test_junit_report():
    result = fresh(ERROR_RESULT)
    result.standards = [result.standards[2], result.standards[5]]
    assert JunitFormat().render(result) == EXPECTED


def test_one_case_per_standard_and_group_with_its_outcome():
    root = _render(fresh())
    suite = root.find("testsuite")
    assert suite.get("tests") == "7" and root.get("tests") == "7"
    assert (suite.get("failures"), suite.get("errors"), suite.get("skipped")) == ("1", "0", "2")
    outcomes = _outcomes(root)
    assert outcomes["First response under 1 hour"] == "passed"
    assert outcomes["CSAT at least 85% (warn under 90%)"] == "passed"  # a warn does not fail by default
    assert outcomes["P1 resolved within 4 business hours (90%) [channel=chat]"] == "failure"
    assert outcomes["Average handle time"] == "passed"
    assert outcomes["FCR at least 70%"] == "skipped"
    assert outcomes["NPS at least 30"] == "skipped"
    skipped = root.find(".//testcase[@name='FCR at least 70%']/skipped")
    assert skipped.get("message") == "insufficient data: fewer than 50 measured interactions (the minimum sample)"
    props = {p.get("name"): p.get("value") for p in suite.find("properties")}
    assert props["profile"] == "team" and props["input"] == "export.csv" and props["input_rows"] == "120"


def test_a_warn_is_a_failure_under_fail_on_warn_and_insufficient_data_under_strict():
    outcomes = _outcomes(_render(fresh(fail_on="warn", strict=True)))
    assert outcomes["CSAT at least 85% (warn under 90%)"] == "failure"
    assert outcomes["FCR at least 70%"] == "failure"
    assert outcomes["NPS at least 30"] == "skipped"


def test_the_baseline_comparison_is_a_property_and_in_the_failure_text():
    result = fresh()
    chat = result.standards[2].groups[0]
    chat.change = Change(Verdict.REGRESSED, "regressed: -5.0 pp (was 85.0%)", Status.FAIL, 0.85, -0.05)
    root = _render(result)
    case = root.find(".//testcase[@name='P1 resolved within 4 business hours (90%) [channel=chat]']")
    props = {p.get("name"): p.get("value") for p in case.find("properties")}
    assert props["baseline"] == "regressed: -5.0 pp (was 85.0%)"
    assert "since the baseline: regressed: -5.0 pp (was 85.0%)" in case.find("failure").text


def test_control_characters_from_an_export_still_give_valid_xml():
    result = fresh()
    result.standards[2].groups[1].group = {"channel": "bell\x07 nul\x00 esc\x1b ok\ttab"}
    root = _render(result)  # parses
    names = [case.get("name") for case in root.iter("testcase")]
    assert "P1 resolved within 4 business hours (90%) [channel=bell\\x07 nul\\x00 esc\\x1b ok\ttab]" in names
    assert xml_text("a\ufffeb\U0001F600") == "a\\xfffeb\U0001F600"


def test_the_fixture_is_not_changed_by_rendering():
    before = repr(RESULT)
    JunitFormat().render(RESULT)
    assert repr(RESULT) == before


def test_under_the_regression_gate_a_failure_the_baseline_had_is_skipped_not_failed():
    # Exit 0 with <failure> elements made GitLab show failed tests on a passing job. A failure
    # that --fail-on regression lets pass is an expected failure: <skipped type="baseline">.
    result = fresh(fail_on="regression")
    resolve = result.standards[2]
    resolve.groups[0].change = Change(Verdict.UNCHANGED, "unchanged", Status.FAIL, 0.8, 0.0)
    resolve.groups[1].change = Change(Verdict.UNCHANGED, "unchanged", Status.PASS, 0.95, 0.0)
    assert result.exit_code == 0
    root = ET.fromstring(JunitFormat().render(result))
    suite = root.find("testsuite")
    assert (suite.get("failures"), suite.get("skipped"), suite.get("tests")) == ("0", "3", "7")
    chat = next(c for c in suite.iter("testcase") if c.get("name").endswith("[channel=chat]"))
    assert chat.find("failure") is None
    skipped = chat.find("skipped")
    assert skipped.get("type") == "baseline"
    assert skipped.get("message") == "fail: 80.0% (target ≥ 90.0%, n=10); unchanged (failing in the baseline too)"
    assert "since the baseline: unchanged" in chat.find("system-out").text
    # Worse than in the baseline: it fails the gate, and the test case fails.
    resolve.groups[0].change = Change(Verdict.REGRESSED, "regressed: -5.0 pp (was 85.0%)", Status.FAIL, 0.85, -0.05)
    suite = ET.fromstring(JunitFormat().render(result)).find("testsuite")
    assert suite.get("failures") == "1"


def test_a_carriage_return_from_an_export_survives_in_element_text():
    # Written raw in a <failure> body, a CR came back from any XML parser as a line feed.
    result = fresh()
    for ev in result.standards[2].evidence:
        ev.fields["agent"] = "Bo\rAnn"
    text = JunitFormat().render(result)
    assert "\r" not in text
    chat = next(c for c in ET.fromstring(text).iter("testcase") if c.get("name").endswith("[channel=chat]"))
    assert "row 17, id T-17: 8h 30m (channel=chat, agent=Bo\rAnn)" in chat.find("failure").text
