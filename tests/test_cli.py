"""The command line: exit codes, where output goes, the JSON report, the other commands.

Typer's ``CliRunner`` keeps stdout and stderr apart (``result.stdout``, ``result.stderr``;
``result.output`` is both interleaved), so every test can check each stream on its own.
"""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from csaudit.cli import app
from csaudit.metrics import REGISTRY
from csaudit.profile.loader import builtin_profiles

runner = CliRunner()

BUILTINS = ("contact-center", "essentials", "forbes", "logistics", "retention", "stanford")

# FRT: 60 s and 180 s, mean 120 s.
EXPORT = """
id,channel,agent,created_at,first_response_at
1,chat,Nguyễn Văn An,2024-01-01 08:00:00,2024-01-01 08:01:00
2,chat,王伟,2024-01-01 09:00:00,2024-01-01 09:03:00
"""

HEAD = "csaudit_profile: 1\nname: team\ntitle: Team standards\n"

FRT_WARNS = """
  - id: frt
    title: First response under 5 minutes
    metric: first_response_time
    statistic: mean
    compare: below
    fail: 5m
    warn: 1m
"""
FRT_FAILS = """
  - id: frt
    title: First response under 1 minute
    metric: first_response_time
    statistic: mean
    compare: below
    fail: 1m
"""
FRT_PASSES = """
  - id: frt-pass
    title: First response under 10 minutes
    metric: first_response_time
    compare: at_most
    fail: 10m
"""
CSAT_OPTIONAL = """
  - id: csat
    title: CSAT at least 80%
    metric: csat
    compare: at_least
    fail: 80%
    required: false
"""
CSAT_REQUIRED = """
  - id: csat
    title: CSAT at least 80%
    metric: csat
    compare: at_least
    fail: 80%
"""
FRT_NEEDS_20 = """
  - id: frt-sample
    title: First response, at least 20 contacts
    metric: first_response_time
    min_sample: 20
"""
FRT_BY_AGENT = """
  - id: frt-agent
    title: First response by agent
    metric: first_response_time
    each: agent
"""


@pytest.fixture
def export(write_csv) -> Path:
    return write_csv(EXPORT)


@pytest.fixture
def profile(tmp_path):
    """``profile(*standards)`` writes a profile file of those standards and returns its path."""

    def write(*standards: str, name: str = "team.yaml") -> Path:
        path = tmp_path / name
        path.write_text(HEAD + "standards:" + "".join(standards), encoding="utf-8")
        return path

    return write


def run(*args):
    """Invoke the CLI; no invocation may crash or show a traceback."""
    result = runner.invoke(app, [str(a) for a in args])
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.stdout
    assert "Traceback" not in result.stderr
    return result


def check(export_path, profile_path, *more):
    return run("check", export_path, "--profile", profile_path, *more)


# -- exit codes -------------------------------------------------------------------------------


def test_exit_0_when_every_standard_passes(export, profile):
    result = check(export, profile(FRT_PASSES))
    assert result.exit_code == 0
    assert "1 passed" in result.stdout
    assert "0 failed" in result.stdout
    assert result.stderr == ""


def test_exit_0_when_a_standard_only_warns(export, profile):
    result = check(export, profile(FRT_WARNS, FRT_PASSES))
    assert result.exit_code == 0
    assert "warn" in result.stdout
    assert "2 standards: 1 passed, 1 warned, 0 failed" in result.stdout
    assert result.stderr == ""


def test_exit_1_when_a_standard_fails(export, profile):
    result = check(export, profile(FRT_FAILS, FRT_PASSES))
    assert result.exit_code == 1
    assert "1 failed" in result.stdout
    assert "1 passed" in result.stdout
    assert "First response under 1 minute" in result.stdout
    assert result.stderr == ""


def test_exit_2_for_an_unknown_profile_name(export):
    result = check(export, "stanfrod")
    assert result.exit_code == 2
    assert "stanfrod" in result.stderr
    assert "did you mean 'stanford'?" in result.stderr
    assert result.stdout == ""


def test_exit_2_for_an_invalid_profile_file(export, tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text("csaudit_profile: 1\nname: t\nstandard:\n  - id: a\n", encoding="utf-8")
    result = check(export, path)
    assert result.exit_code == 2
    assert f"{path}:3:1" in result.stderr
    assert "did you mean 'standards'?" in result.stderr
    assert result.stdout == ""


def test_exit_2_for_a_profile_with_a_yaml_tag(export, tmp_path):
    path = tmp_path / "tag.yaml"
    path.write_text(
        "csaudit_profile: 1\nname: !!python/name:os.system x\nstandards:\n  - id: a\n    title: A\n    metric: csat\n",
        encoding="utf-8",
    )
    result = check(export, path)
    assert result.exit_code == 2
    assert f"{path}:2:7" in result.stderr


def test_exit_2_for_a_missing_export(tmp_path, profile):
    result = check(tmp_path / "nowhere.csv", profile(FRT_PASSES))
    assert result.exit_code == 2
    assert "nowhere.csv" in result.stderr
    assert result.stdout == ""


def test_exit_2_for_a_required_standard_whose_column_is_missing(export, profile):
    result = check(export, profile(FRT_PASSES, CSAT_REQUIRED))
    assert result.exit_code == 2
    assert "'csat'" in result.stderr  # the standard id
    assert "`csat`" in result.stderr  # the missing field
    assert "--map csat=COLUMN" in result.stderr
    assert "error" in result.stdout  # the report still shows what was measured
    assert "--map" not in result.stdout


def test_a_required_standard_can_be_fixed_with_map(write_csv, profile):
    path = write_csv(
        """
        id,created_at,Answered
        1,2024-01-01 08:00:00,2024-01-01 08:01:00
        """
    )
    missing = check(path, profile(FRT_PASSES))
    assert missing.exit_code == 2
    assert "'frt-pass'" in missing.stderr
    assert "--map first_response_at=COLUMN" in missing.stderr
    mapped = check(path, profile(FRT_PASSES), "--map", "first_response_at=Answered")
    assert mapped.exit_code == 0
    assert mapped.stderr == ""


@pytest.mark.parametrize("pair", ["created_at", "=Opened", "created_at="])
def test_exit_2_for_bad_map_syntax(export, profile, pair):
    result = check(export, profile(FRT_PASSES), "--map", pair)
    assert result.exit_code == 2
    assert "FIELD=COLUMN" in result.stderr
    assert result.stdout == ""


def test_exit_2_for_a_map_to_a_missing_column(export, profile):
    result = check(export, profile(FRT_PASSES), "--map", "created_at=Opened")
    assert result.exit_code == 2
    assert "'Opened'" in result.stderr
    assert "created_at" in result.stderr


def test_exit_2_for_an_unknown_option(export, profile):
    result = check(export, profile(FRT_PASSES), "--bogus")
    assert result.exit_code == 2
    assert "--bogus" in result.stderr
    assert result.stdout == ""


def test_exit_2_for_an_unknown_format(export, profile):
    result = check(export, profile(FRT_PASSES), "--format", "xml")
    assert result.exit_code == 2
    assert result.stdout == ""


# -- optional standards and --strict ----------------------------------------------------------


def test_optional_standard_without_data_is_not_measured(export, profile):
    result = check(export, profile(FRT_PASSES, CSAT_OPTIONAL))
    assert result.exit_code == 0
    assert "not measured" in result.stdout
    assert "1 not measured" in result.stdout
    assert result.stderr == ""


def test_strict_makes_an_unmeasurable_optional_standard_exit_2(export, profile):
    result = check(export, profile(FRT_PASSES, CSAT_OPTIONAL), "--strict")
    assert result.exit_code == 2
    assert "'csat'" in result.stderr
    assert "--map csat=COLUMN" in result.stderr


def test_insufficient_data_passes_unless_strict(export, profile):
    path = profile(FRT_NEEDS_20)
    lenient = check(export, path)
    assert lenient.exit_code == 0
    assert "insufficient data" in lenient.stdout
    assert check(export, path, "--strict").exit_code == 1


# -- the JSON report --------------------------------------------------------------------------


def test_json_report(export, profile):
    path = profile(FRT_WARNS, CSAT_OPTIONAL)
    result = check(export, path, "--format", "json")
    assert result.exit_code == 0
    assert result.stderr == ""
    report = json.loads(result.stdout)
    assert report["schema"] == "csaudit.report/1"
    assert report["profile"]["name"] == "team"
    assert report["input"]["rows"] == 2
    by_id = {r["standard_id"]: r for r in report["results"]}
    frt = by_id["frt"]
    assert frt["metric"] == "first_response_time"
    assert frt["group"] is None
    assert frt["value"] == 120.0
    assert frt["unit"] == "seconds"
    assert frt["thresholds"] == {"compare": "below", "fail": 300.0, "warn": 60.0}
    assert frt["status"] == "warn"
    assert frt["sample_size"] == 2
    csat = by_id["csat"]
    assert csat["status"] == "not measured"
    assert csat["value"] is None
    assert csat["unit"] == "fraction"
    assert csat["thresholds"] == {"compare": "at_least", "fail": 0.8, "warn": None}
    assert csat["sample_size"] == 0


def test_json_report_groups_keep_names_in_other_scripts(export, profile):
    result = check(export, profile(FRT_BY_AGENT), "--format", "json")
    assert result.exit_code == 0
    results = json.loads(result.stdout)["results"]
    assert sorted(r["group"]["agent"] for r in results) == sorted(["Nguyễn Văn An", "王伟"])
    assert all(r["standard_id"] == "frt-agent" for r in results)


def test_json_report_stays_parsable_when_a_standard_cannot_be_measured(export, profile):
    result = check(export, profile(FRT_PASSES, CSAT_REQUIRED), "--format", "json")
    assert result.exit_code == 2
    report = json.loads(result.stdout)  # the report alone on stdout
    assert {r["standard_id"]: r["status"] for r in report["results"]} == {"frt-pass": "pass", "csat": "error"}
    assert "--map csat=COLUMN" in result.stderr


def test_json_report_exit_1_when_failing(export, profile):
    result = check(export, profile(FRT_FAILS), "--format", "json")
    assert result.exit_code == 1
    assert json.loads(result.stdout)["results"][0]["status"] == "fail"


# -- streams, tracebacks and colour -----------------------------------------------------------


def _user_errors(tmp_path: Path, export: Path, good_profile: Path) -> list[list]:
    bad_yaml = tmp_path / "broken.yaml"
    bad_yaml.write_text("csaudit_profile: 1\nname: t\nstandards:\n  - id: a\n    title: a: b\n", encoding="utf-8")
    latin1 = tmp_path / "latin1.csv"
    latin1.write_bytes(b"id,created_at,first_response_at\n1,2024-01-01 08:00:00,caf\xe9\n")
    empty = tmp_path / "empty.csv"
    empty.write_text("", encoding="utf-8")
    header_only = tmp_path / "header.csv"
    header_only.write_text("id,created_at,first_response_at\n", encoding="utf-8")
    dates = tmp_path / "dates.csv"
    dates.write_text("id,created_at,first_response_at\n1,soon,later\n", encoding="utf-8")
    return [
        ["check", export, "--profile", "nope"],
        ["check", export, "--profile", bad_yaml],
        ["check", export, "--profile", tmp_path],
        ["check", tmp_path / "missing.csv", "--profile", good_profile],
        ["check", tmp_path, "--profile", good_profile],
        ["check", latin1, "--profile", good_profile],
        ["check", empty, "--profile", good_profile],
        ["check", header_only, "--profile", good_profile],
        ["check", dates, "--profile", good_profile],
        ["check", export, "--profile", good_profile, "--map", "nonsense"],
        ["check", export, "--profile", good_profile, "--map", "created=Opened"],
        ["check", export, "--profile", good_profile, "--bogus"],
        ["check", export],
        ["validate", bad_yaml],
        ["validate", "nope"],
        ["frobnicate"],
    ]


def test_user_errors_exit_2_on_stderr_without_traceback(tmp_path, export, profile):
    for args in _user_errors(tmp_path, export, profile(FRT_PASSES)):
        result = run(*args)  # checks: no exception other than SystemExit, no "Traceback"
        assert result.exit_code == 2, (args, result.stdout, result.stderr)
        assert result.stderr.strip(), args
        assert result.stdout == "", (args, result.stdout)
        assert "\x1b[" not in result.stderr, args


def test_specific_input_errors_reach_stderr(tmp_path, export, profile):
    path = profile(FRT_PASSES)
    errors = _user_errors(tmp_path, export, path)
    latin1 = run(*errors[5])  # read as cp1252, so the bad cell is "café", not a timestamp
    assert "'first_response_at'" in latin1.stderr and "café" in latin1.stderr
    assert "empty" in run(*errors[6]).stderr
    assert "no rows" in run(*errors[7]).stderr
    assert "'created_at'" in run(*errors[8]).stderr


def test_text_report_is_plain_when_not_a_terminal(export, profile):
    result = check(export, profile(FRT_FAILS, CSAT_OPTIONAL))
    assert result.exit_code == 1
    assert "\x1b[" not in result.stdout
    assert "\x1b[" not in result.stderr
    assert "profile team" in result.stdout
    assert "2 rows" in " ".join(result.stdout.split())  # the header line may wrap


def test_text_report_groups_keep_names_in_other_scripts(export, profile):
    result = check(export, profile(FRT_BY_AGENT))
    assert "agent=Nguyễn Văn An" in result.stdout
    assert "agent=王伟" in result.stdout


# -- the other commands -----------------------------------------------------------------------


def test_profiles_lists_the_builtins():
    result = run("profiles")
    assert result.exit_code == 0
    listed = [line.split()[0] for line in result.stdout.splitlines() if line.strip()]
    assert listed == sorted(BUILTINS)
    assert sorted(builtin_profiles()) == sorted(BUILTINS)


@pytest.mark.parametrize("name", BUILTINS)
def test_validate_builtin_profile(name):
    result = run("validate", name)
    assert result.exit_code == 0
    assert "valid profile" in result.stdout + result.stderr


def test_validate_a_profile_file(profile):
    assert run("validate", profile(FRT_WARNS, CSAT_OPTIONAL)).exit_code == 0
    one = run("validate", profile(FRT_WARNS))
    assert one.exit_code == 0 and "with 1 standard\n" in one.stdout


def test_validate_confirms_on_stdout():
    result = run("validate", "stanford")
    assert "valid profile 'stanford'" in result.stdout
    assert result.stderr == ""


def test_validate_invalid_profile_names_the_location(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text(
        "csaudit_profile: 1\nname: t\nstandards:\n  - id: a\n    title: A\n    metric: first_respons_time\n",
        encoding="utf-8",
    )
    result = run("validate", path)
    assert result.exit_code == 2
    assert f"{path}:6:13" in result.stderr
    assert "did you mean 'first_response_time'?" in result.stderr


def test_metrics_lists_every_metric():
    result = run("metrics")
    assert result.exit_code == 0
    names = {line.split()[0] for line in result.stdout.splitlines() if line.strip()}
    assert set(REGISTRY) <= names
    assert "\x1b[" not in result.stdout


def test_version():
    result = run("--version")
    assert result.exit_code == 0
    assert result.stdout.startswith("csaudit ")


def _command_names() -> list[str]:
    names = []
    for info in app.registered_commands:
        names.append(info.name or typer.main.get_command_name(info.callback.__name__))
    return names


def test_the_commands_are_registered():
    assert sorted(_command_names()) == ["check", "inspect", "metrics", "profiles", "validate"]


@pytest.mark.parametrize("info", app.registered_commands, ids=lambda i: i.callback.__name__)
def test_every_command_has_help_with_an_example(info):
    name = info.name or typer.main.get_command_name(info.callback.__name__)
    doc = textwrap.dedent(info.help or info.callback.__doc__ or "")
    assert "Example" in doc
    result = run(name, "--help")
    assert result.exit_code == 0
    assert "Example" in result.stdout
    assert f"csaudit {name}" in result.stdout


def test_report_survives_a_stdout_that_is_not_utf8(export, profile):
    result = CliRunner(charset="cp1252").invoke(app, ["check", str(export), "--profile", str(profile(FRT_FAILS))])
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert result.exit_code == 1
