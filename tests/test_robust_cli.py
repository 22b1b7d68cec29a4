"""The command line under hostile conditions: ``--map`` flags that contradict each other, a
closed standard output or standard error, a full disk, Ctrl-C while the program starts.
Each ends in one message and exit 2 (or 130 for Ctrl-C), never a traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from csaudit.cli import app

REPO = Path(__file__).resolve().parent.parent
EXAMPLE = REPO / "examples" / "helpdesk_export.csv"
runner = CliRunner()

PROFILE = """\
csaudit_profile: 1
name: t
mapping: {created_at: Opened}
standards:
  - {id: a, title: A, metric: first_response_time, compare: at_most, fail: 2m}
"""
EXPORT = "id,Opened,Answered\n1,2024-01-01 10:00:00,2024-01-01 10:01:00\n"


@pytest.fixture
def files(tmp_path):
    (tmp_path / "p.yaml").write_text(PROFILE)
    (tmp_path / "e.csv").write_text(EXPORT)
    return tmp_path


def check(files, *maps):
    args = ["check", str(files / "e.csv"), "-p", str(files / "p.yaml")]
    return runner.invoke(app, args + [f"--map={m}" for m in maps])


def test_the_same_field_mapped_twice(files):
    done = check(files, "first_response_at=Answered", "first_response_at=Opened")
    assert done.exit_code == 2
    assert "--map first_response_at= is given twice ('Answered' and 'Opened'); keep one" in done.output


def test_two_fields_on_one_column_with_the_profiles_mapping(files):
    done = check(files, "first_response_at= opened ")
    assert done.exit_code == 2
    assert ("--map first_response_at='opened': the profile's mapping: created_at: reads that column already; "
            "each field reads its own column") in done.output


def test_two_map_flags_on_one_column(files):
    done = check(files, "created_at=Answered", "first_response_at=ANSWERED")
    assert done.exit_code == 2
    assert "--map first_response_at='ANSWERED': --map created_at= reads that column already" in done.output


def test_a_map_flag_overrides_the_profile_and_a_column_may_hold_an_equals_sign(files):
    (files / "e.csv").write_text("id,Opened,a=b\n1,2024-01-01 10:00:00,2024-01-01 10:01:00\n")
    done = check(files, "first_response_at=a=b")
    assert done.exit_code == 0, done.output
    # --map replaces the profile's created_at: Opened; the column is then free for nobody else.
    done = check(files, "created_at=a=b", "first_response_at=Opened")
    assert done.exit_code == 0, done.output
    # The swap makes the response precede its creation: a finding, and no value (0 measured).
    assert "`first_response_at` is before `created_at`" in done.output and "insufficient data   0" in done.output


def test_a_second_table_may_use_a_column_name_of_the_export(files):
    # events.at and created_at live in different files: the same header is no conflict.
    done = check(files, "first_response_at=Answered", "events.at=Opened")
    assert "reads that column already" not in done.output


def run(*args, **popen):
    return subprocess.run([sys.executable, "-m", "csaudit", *args], capture_output=popen.pop("capture", True),
                          text=True, cwd=REPO, **popen)


def test_closed_stdout_is_an_error_not_a_traceback():
    done = subprocess.run([sys.executable, "-m", "csaudit", "validate", "stanford"], stderr=subprocess.PIPE,
                          text=True, cwd=REPO, preexec_fn=lambda: os.close(1))
    assert done.returncode == 2
    assert done.stderr == (
        "error: cannot write to standard output: standard output is closed; redirect it (> report.txt or > /dev/null)\n"
    )


def test_closed_stdout_is_fine_when_the_report_goes_to_a_file(tmp_path):
    report = tmp_path / "report.json"
    done = subprocess.run([sys.executable, "-m", "csaudit", "check", str(EXAMPLE), "-p", "forbes", "-f", "json",
                           "-o", str(report)], stderr=subprocess.PIPE, text=True, cwd=REPO,
                          preexec_fn=lambda: os.close(1))
    assert done.returncode == 1, done.stderr  # forbes fails on the example
    assert report.read_text().startswith("{")


def test_closed_stderr_keeps_the_exit_code():
    done = subprocess.run([sys.executable, "-m", "csaudit", "validate", "no-such-profile"],
                          stdout=subprocess.PIPE, cwd=REPO, preexec_fn=lambda: os.close(2))
    assert done.returncode == 2


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
@pytest.mark.parametrize("args", [["validate", "stanford"], ["metrics"], ["check", str(EXAMPLE), "-p", "forbes"]])
def test_a_full_disk_on_stdout(args):
    with open("/dev/full", "w") as full:
        done = subprocess.run([sys.executable, "-m", "csaudit", *args], stdout=full, stderr=subprocess.PIPE,
                              text=True, cwd=REPO)
    assert done.returncode == 2
    assert done.stderr == "error: cannot write to standard output: No space left on device\n"


def interrupted_while_starting(start: str) -> subprocess.CompletedProcess:
    """Run ``start`` (Python that starts csaudit) with a Ctrl-C arriving while csaudit imports
    its libraries (the first few tenths of a second)."""
    interrupt = (
        "import runpy, sys\n"
        "class Interrupt:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name == 'typer':\n"
        "            raise KeyboardInterrupt\n"
        "sys.meta_path.insert(0, Interrupt())\n"
        "sys.argv = ['csaudit', 'profiles']\n"
    ) + start
    return subprocess.run([sys.executable, "-c", interrupt], capture_output=True, text=True, cwd=REPO)


def test_ctrl_c_while_starting_exits_130_without_a_traceback():
    done = interrupted_while_starting("runpy.run_module('csaudit', run_name='__main__')\n")
    assert (done.returncode, done.stdout, done.stderr) == (130, "", "")


def test_a_filter_value_that_never_appears_is_named(run_standard):
    result = run_standard(
        "id,channel,created_at,first_response_at\n"
        "1,chat,2024-01-01 10:00:00,2024-01-01 10:01:00\n"
        "2,email,2024-01-01 10:00:00,2024-01-01 11:00:00\n",
        "- {id: a, title: A, metric: first_response_time, filter: {channel: chta}, compare: at_most, fail: 2m}",
    )
    assert result.groups[0].sample_size == 0
    assert result.reason == (
        "no measured interactions; no interaction has channel 'chta' (the export's channel values: chat, email)"
    )


def test_samples_beyond_any_report_is_a_usage_error(files):
    # 10**20 overflowed polars' integers: an internal error quoting the whole query plan.
    done = runner.invoke(app, ["check", str(files / "e.csv"), "-p", str(files / "p.yaml"), "--samples", str(10**20)])
    assert done.exit_code == 2
    assert "Invalid value for '--samples'" in done.output and "less than or equal to 1000000" in done.output


def test_an_empty_profile_name(files):
    done = runner.invoke(app, ["validate", ""])
    assert done.exit_code == 2
    assert "error: the profile name is empty; give a built-in name (contact-center," in done.output


def test_an_internal_error_is_one_short_line(monkeypatch, capsys):
    import csaudit.cli as cli

    def broken():
        raise RuntimeError("plan " + "x" * 5000)

    monkeypatch.setattr(cli, "app", broken)
    monkeypatch.delenv("CSAUDIT_DEBUG", raising=False)
    with pytest.raises(SystemExit) as done:
        cli.main()
    assert done.value.code == 2
    message = capsys.readouterr().err
    assert message.startswith("internal error: RuntimeError: plan xxx")
    assert "… (5,005 characters). This is a bug in csaudit" in message and len(message) < 700


def test_the_installed_script_starts_where_python_m_does():
    # The console script's entry point is __main__.main, which turns a Ctrl-C during the
    # imports into exit 130 (csaudit.cli:run would raise it as a traceback).
    pyproject = (REPO / "pyproject.toml").read_text(encoding="utf-8")  # (tomllib is 3.11+)
    assert '[project.scripts]\ncsaudit = "csaudit.__main__:main"\n' in pyproject
    done = interrupted_while_starting("from csaudit.__main__ import main\nmain()\n")
    assert (done.returncode, done.stdout, done.stderr) == (130, "", "")
