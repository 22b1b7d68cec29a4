"""`csaudit check` reports, output files, CI integration, exit behaviour and baselines, end to end."""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from typer.testing import CliRunner

from csaudit.cli import app
from tests.test_cli import CSAT_REQUIRED, FRT_FAILS, FRT_WARNS, HEAD

runner = CliRunner()

# No CI around the tests unless a test asks for it (the suite may itself run in GitHub Actions).
NO_CI = {"GITHUB_ACTIONS": None, "GITHUB_STEP_SUMMARY": None}

def export_of(*minutes_to_respond: float) -> str:
    """An export whose first responses take these many minutes (mean = their mean)."""
    rows = ["id,channel,created_at,first_response_at"]
    for i, minutes in enumerate(minutes_to_respond, 1):
        seconds = round(minutes * 60)
        rows.append(f"{i},chat,2024-01-01 08:00:00,2024-01-01 08:{seconds // 60:02d}:{seconds % 60:02d}")
    return "\n".join(rows) + "\n"


@pytest.fixture
def export(tmp_path) -> Path:
    path = tmp_path / "export.csv"
    path.write_text(export_of(1, 3), encoding="utf-8")  # mean 2m
    return path


@pytest.fixture
def profile(tmp_path):
    def write(*standards: str, name: str = "team.yaml") -> Path:
        path = tmp_path / name
        path.write_text(HEAD + "standards:" + "".join(standards), encoding="utf-8")
        return path

    return write


def run(*args, env: dict | None = None):
    result = runner.invoke(app, [str(a) for a in args], env={**NO_CI, **(env or {})})
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.stdout + result.stderr
    return result


def check(export_path, profile_path, *more, env: dict | None = None):
    return run("check", export_path, "--profile", profile_path, *more, env=env)


# -- formats on stdout -------------------------------------------------------------------------


def test_markdown_on_stdout(export, profile):
    result = check(export, profile(FRT_FAILS), "--format", "markdown")
    assert result.exit_code == 1
    assert result.stderr == ""
    assert "| ❌ fail | **First response under 1 minute**<br>`frt` · mean | all | 2m | \\< 1m | 2 |" in result.stdout


def test_junit_on_stdout_is_valid_xml(export, profile):
    result = check(export, profile(FRT_FAILS, FRT_WARNS.replace("id: frt", "id: frt5")), "--format", "junit")
    assert result.exit_code == 1
    root = ET.fromstring(result.stdout.encode("utf-8"))
    assert (root.get("tests"), root.get("failures")) == ("2", "1")
    failure = root.find(".//testcase[@classname='team.frt']/failure")
    assert failure.get("message") == "fail: 2m (target < 1m, n=2)"


def test_github_on_stdout(export, profile):
    path = profile(FRT_FAILS)
    result = check(export, path, "--format", "github")
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    # the profile's path is absolute (outside a repository checkout): no file= property
    assert lines[0].startswith("::error title=First response under 1 minute (frt)%3A fail::fail, 2m (target < 1m, n=2)")
    assert lines[-1].startswith("::notice title=csaudit::profile team,")


def test_csv_on_stdout(export, profile):
    result = check(export, profile(FRT_FAILS), "--format", "csv")
    assert result.exit_code == 1
    (row,) = csv.DictReader(io.StringIO(result.stdout, newline=""))
    assert (row["standard_id"], row["value"], row["value_display"], row["status"], row["sample_size"]) == (
        "frt", "120.0", "2m", "fail", "2"
    )


# -- --output and --report -----------------------------------------------------------------------


def test_output_writes_the_report_to_a_file_instead_of_stdout(export, profile, tmp_path):
    out = tmp_path / "reports" / "report.json"  # a missing folder is created
    result = check(export, profile(FRT_FAILS), "--format", "json", "--output", out)
    assert result.exit_code == 1
    assert result.stdout == "" and result.stderr == ""
    assert json.loads(out.read_text(encoding="utf-8"))["results"][0]["status"] == "fail"


def test_output_text_report_has_no_colour(export, profile, tmp_path):
    out = tmp_path / "report.txt"
    assert check(export, profile(FRT_FAILS), "-o", out).exit_code == 1
    text = out.read_text(encoding="utf-8")
    assert "\x1b[" not in text and "First response under 1 minute" in text


@pytest.mark.parametrize(
    "breakage",
    ["missing export", "bad profile", "bad report format", "bad baseline"],
)
def test_output_is_not_created_when_the_run_stops_before_rendering(export, profile, tmp_path, breakage):
    out = tmp_path / "report.json"
    args = [export, profile(FRT_FAILS)]
    more = ["--format", "json", "--output", out]
    if breakage == "missing export":
        args[0] = tmp_path / "nowhere.csv"
    elif breakage == "bad profile":
        args[1] = tmp_path / "nowhere.yaml"
    elif breakage == "bad report format":
        more += ["--report", "xml=report.xml"]
    else:
        (tmp_path / "base.json").write_text("{}", encoding="utf-8")
        more += ["--baseline", tmp_path / "base.json"]
    result = check(*args, *more)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.startswith("error:")
    assert not out.exists()


def test_report_writes_several_files_in_one_run(export, profile, tmp_path):
    files = {fmt: tmp_path / f"out.{fmt}" for fmt in ("junit", "csv", "markdown", "json", "github", "text")}
    options = [a for fmt, path in files.items() for a in ("--report", f"{fmt}={path}")]
    result = check(export, profile(FRT_FAILS), *options, "--write-baseline", tmp_path / "base.json")
    assert result.exit_code == 1
    assert "First response under 1 minute" in result.stdout  # stdout keeps the text report
    assert ET.fromstring(files["junit"].read_bytes()).get("failures") == "1"
    assert next(csv.DictReader(io.StringIO(files["csv"].read_text(encoding="utf-8"), newline="")))["status"] == "fail"
    assert files["markdown"].read_text(encoding="utf-8").startswith("### csaudit · profile team")
    assert json.loads(files["json"].read_text(encoding="utf-8"))["summary"]["exit_code"] == 1
    assert files["github"].read_text(encoding="utf-8").startswith("::error ")
    assert "\x1b[" not in files["text"].read_text(encoding="utf-8")
    assert json.loads((tmp_path / "base.json").read_text(encoding="utf-8"))["schema"] == "csaudit.baseline/1"


@pytest.mark.parametrize(
    "report, message",
    [
        ("xml=report.xml", "--report 'xml=report.xml': unknown format 'xml'; choose from text, json, markdown"),
        ("junit", "--report 'junit': write FORMAT=PATH, e.g. --report junit=report.xml"),
        ("=report.xml", "write FORMAT=PATH"),
        ("junit=", "write FORMAT=PATH"),
    ],
)
def test_a_bad_report_option_stops_before_the_audit(export, profile, report, message):
    result = check(export, profile(FRT_FAILS), "--report", report)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert message in " ".join(result.stderr.split())


def test_an_unwritable_report_path_stops_before_the_audit(export, profile, tmp_path):
    folder = tmp_path / "folder"
    folder.mkdir()
    result = check(export, profile(FRT_FAILS), "--report", f"junit={folder}")
    assert result.exit_code == 2 and result.stdout == ""
    assert "is a directory" in result.stderr
    result = check(export, profile(FRT_FAILS), "--report", f"csv={export}/report.csv")
    assert result.exit_code == 2 and result.stdout == ""
    assert "is a file, not a folder" in result.stderr


def test_a_report_never_overwrites_an_input(export, profile):
    before = export.read_bytes()
    result = check(export, profile(FRT_FAILS), "--report", f"csv={export}")
    assert result.exit_code == 2
    assert f"--report csv {export}: that file is an input (export" in result.stderr
    assert "csaudit does not overwrite its inputs" in " ".join(result.stderr.split())
    assert export.read_bytes() == before
    path = profile(FRT_FAILS)
    assert check(export, path, "--output", path).exit_code == 2


def test_two_reports_on_one_file_are_refused(export, profile, tmp_path):
    out = tmp_path / "same.txt"
    result = check(export, profile(FRT_FAILS), "--output", out, "--report", f"csv={out}")
    assert result.exit_code == 2
    assert "--output already writes to that file" in " ".join(result.stderr.split())
    assert not out.exists()


# -- exit behaviour ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "standards, options, code",
    [
        ((FRT_WARNS,), (), 0),
        ((FRT_WARNS,), ("--fail-on", "warn"), 1),
        ((FRT_WARNS,), ("--fail-on", "fail"), 0),
        ((FRT_FAILS,), (), 1),
        ((FRT_FAILS,), ("--exit-zero",), 0),
        ((FRT_WARNS,), ("--fail-on", "warn", "--exit-zero"), 0),
        ((FRT_FAILS, CSAT_REQUIRED), (), 2),
        ((FRT_FAILS, CSAT_REQUIRED), ("--exit-zero",), 2),  # an error is never hidden
    ],
)
def test_exit_codes(export, profile, standards, options, code):
    result = check(export, profile(*standards), *options, "--format", "json")
    assert result.exit_code == code, result.stderr
    assert json.loads(result.stdout)["summary"]["exit_code"] == code  # the report agrees


def test_bad_fail_on_is_a_usage_error(export, profile):
    result = check(export, profile(FRT_FAILS), "--fail-on", "error")
    assert result.exit_code == 2 and result.stdout == ""


def test_fail_on_regression_needs_a_baseline(export, profile):
    result = check(export, profile(FRT_FAILS), "--fail-on", "regression")
    assert result.exit_code == 2
    assert "--fail-on regression compares with a baseline: add --baseline FILE" in " ".join(result.stderr.split())
    assert result.stdout == ""


# -- baselines -----------------------------------------------------------------------------------


def test_regression_gate_with_a_baseline(tmp_path, profile):
    """A failing standard passes the gate while it does not get worse."""
    path = profile(FRT_FAILS)
    last_week = tmp_path / "last.csv"
    last_week.write_text(export_of(1, 3), encoding="utf-8")  # 2m: fails
    base = tmp_path / "base.json"
    assert check(last_week, path, "--write-baseline", base).exit_code == 1

    def this_week(*minutes):
        current = tmp_path / "now.csv"
        current.write_text(export_of(*minutes), encoding="utf-8")
        return check(current, path, "--baseline", base, "--fail-on", "regression", "--format", "csv")

    same = this_week(1, 3)
    assert same.exit_code == 0
    assert next(csv.DictReader(io.StringIO(same.stdout, newline="")))["change"] == "unchanged"
    better = this_week(1, 2)  # 1m 30s: still fails, but better
    assert better.exit_code == 0
    row = next(csv.DictReader(io.StringIO(better.stdout, newline="")))
    assert (row["change"], row["baseline_value"], row["delta"]) == ("improved", "120.0", "-30.0")
    worse = this_week(2, 3)  # 2m 30s
    assert worse.exit_code == 1
    assert next(csv.DictReader(io.StringIO(worse.stdout, newline="")))["change"] == "regressed"
    # without the gate, every failure fails
    assert check(tmp_path / "now.csv", path, "--baseline", base).exit_code == 1


@pytest.fixture
def slower_than_baseline(export, profile, tmp_path) -> tuple[Path, Path, Path]:
    """(profile, baseline of the 2m export, an export at 2m 30s), for FRT under 1 minute."""
    path = profile(FRT_FAILS)
    base = tmp_path / "base.json"
    check(export, path, "--write-baseline", base)
    slower = tmp_path / "slower.csv"
    slower.write_text(export_of(2, 3), encoding="utf-8")
    return path, base, slower


def test_comparison_shows_in_the_text_of_each_format(slower_than_baseline):
    path, base, slower = slower_than_baseline
    markdown = check(slower, path, "--baseline", base, "--format", "markdown").stdout
    assert "| 2m 30s | \\< 1m | 2 | regressed: +30s (was 2m) |" in markdown
    assert "since the baseline: 1 regressed" in markdown
    github = check(slower, path, "--baseline", base, "--format", "github").stdout
    assert "fail, 2m 30s (target < 1m, n=2); regressed: +30s (was 2m)" in github
    junit = ET.fromstring(check(slower, path, "--baseline", base, "--format", "junit").stdout.encode("utf-8"))
    assert junit.find(".//testcase/properties/property[@name='baseline']").get("value") == "regressed: +30s (was 2m)"


def test_under_the_regression_gate_a_failure_the_baseline_had_is_a_warning(export, profile, tmp_path):
    path = profile(FRT_FAILS)
    base = tmp_path / "base.json"
    check(export, path, "--write-baseline", base)
    github = check(export, path, "--baseline", base, "--fail-on", "regression", "--format", "github")
    assert github.exit_code == 0
    assert github.stdout.startswith(
        "::warning title=First response under 1 minute (frt)%3A fail::fail, 2m (target < 1m, n=2); unchanged"
    )


def test_write_baseline_may_replace_the_baseline_it_compares_with(slower_than_baseline):
    path, base, slower = slower_than_baseline
    result = check(slower, path, "--baseline", base, "--write-baseline", base, "--fail-on", "regression")
    assert result.exit_code == 1  # compared with the old baseline
    assert json.loads(base.read_text(encoding="utf-8"))["standards"][0]["groups"][0]["value"] == 150.0
    assert check(slower, path, "--baseline", base, "--fail-on", "regression").exit_code == 0


def test_a_report_may_not_overwrite_the_baseline(export, profile, tmp_path):
    path = profile(FRT_FAILS)
    base = tmp_path / "base.json"
    check(export, path, "--write-baseline", base)
    result = check(export, path, "--baseline", base, "--output", base)
    assert result.exit_code == 2
    assert "that file is an input (--baseline)" in " ".join(result.stderr.split())


def test_a_malformed_baseline_exits_2_before_the_audit(export, profile, tmp_path):
    base = tmp_path / "base.json"
    base.write_text('{"schema": "csaudit.baseline/1", "profile": {"name": "team"}}', encoding="utf-8")
    result = check(export, profile(FRT_FAILS), "--baseline", base, "--format", "json")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert f"baseline {base}: input: expected an object" in " ".join(result.stderr.split())


def test_a_baseline_of_another_profile_exits_2(export, profile, tmp_path):
    base = tmp_path / "base.json"
    check(export, profile(FRT_FAILS), "--write-baseline", base)
    other = tmp_path / "other.yaml"
    other.write_text(HEAD.replace("name: team", "name: other") + "standards:" + FRT_FAILS, encoding="utf-8")
    result = check(export, other, "--baseline", base)
    assert result.exit_code == 2
    assert "was written for profile 'team', but this audit uses profile 'other'" in " ".join(result.stderr.split())


# -- GitHub Actions ----------------------------------------------------------------------------


def _github(tmp_path, summary: Path | None = None) -> dict:
    summary = summary or tmp_path / "step_summary.md"
    return {"GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": str(summary)}


def test_in_github_actions_the_summary_is_appended_and_annotations_follow_the_text(export, profile, tmp_path):
    summary = tmp_path / "step_summary.md"
    summary.write_text("## Earlier step\nkept", encoding="utf-8")
    result = check(export, profile(FRT_FAILS), env=_github(tmp_path, summary))
    assert result.exit_code == 1
    text, _, annotations = result.stdout.partition("::error ")
    assert "First response under 1 minute" in text
    assert annotations.startswith("title=First response under 1 minute (frt)%3A fail")
    assert result.stderr == ""
    written = summary.read_text(encoding="utf-8")
    assert written.startswith("## Earlier step\nkept\n### csaudit · profile team")
    check(export, profile(FRT_FAILS), env=_github(tmp_path, summary))
    assert summary.read_text(encoding="utf-8").count("### csaudit · profile team") == 2  # appended, not overwritten


def test_in_github_actions_a_machine_readable_stdout_stays_parseable(export, profile, tmp_path):
    result = check(export, profile(FRT_FAILS), "--format", "json", env=_github(tmp_path))
    assert json.loads(result.stdout)["summary"]["exit_code"] == 1
    assert result.stderr.startswith("::error title=First response under 1 minute (frt)%3A fail")


def test_in_github_actions_annotations_are_not_printed_twice(export, profile, tmp_path):
    result = check(export, profile(FRT_FAILS), "--format", "github", env=_github(tmp_path))
    assert result.stdout.count("::error ") == 1
    assert result.stdout.count("::notice title=csaudit::") == 1
    assert result.stderr == ""


def test_in_github_actions_with_output_the_annotations_go_to_stdout(export, profile, tmp_path):
    result = check(export, profile(FRT_FAILS), "--format", "github", "-o", tmp_path / "a.txt", env=_github(tmp_path))
    assert result.stdout.count("::error ") == 1
    assert (tmp_path / "a.txt").read_text(encoding="utf-8").count("::error ") == 1


def test_no_ci_detect(export, profile, tmp_path):
    summary = tmp_path / "step_summary.md"
    result = check(export, profile(FRT_FAILS), "--no-ci-detect", env=_github(tmp_path, summary))
    assert "::" not in result.stdout + result.stderr
    assert not summary.exists()


def test_an_unwritable_step_summary_is_a_warning(export, profile, tmp_path):
    result = check(export, profile(FRT_FAILS), env=_github(tmp_path, tmp_path))  # a directory
    assert result.exit_code == 1
    assert "warning: cannot append to $GITHUB_STEP_SUMMARY" in " ".join(result.stderr.split())


def test_in_github_actions_annotations_point_at_a_profile_in_the_repository(export, profile, tmp_path, monkeypatch):
    profile(FRT_FAILS, name="team.yaml")
    monkeypatch.chdir(tmp_path)
    result = check(export, "team.yaml", env=_github(tmp_path))
    assert "::error title=First response under 1 minute (frt)%3A fail,file=team.yaml,line=5::" in result.stdout
