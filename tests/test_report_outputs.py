"""Where reports go, tried the way a CI engineer would break it: ``-`` as a path, a
``--violations-dir`` holding an input or another report."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.test_cli import FRT_FAILS, HEAD
from tests.test_cli_output import check, export_of


@pytest.fixture
def files(tmp_path) -> tuple[Path, Path]:
    export = tmp_path / "export.csv"
    export.write_text(export_of(1, 3), encoding="utf-8")  # mean 2m: frt (under 1m) fails
    profile = tmp_path / "team.yaml"
    profile.write_text(HEAD + "standards:" + FRT_FAILS, encoding="utf-8")
    return export, profile


def test_output_dash_is_stdout_not_a_file_named_dash(files, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = check(*files, "--format", "json", "--output", "-")
    assert result.exit_code == 1
    assert result.stdout.lstrip().startswith("{") and '"schema": "csaudit.report/1"' in result.stdout
    assert not (tmp_path / "-").exists()


@pytest.mark.parametrize("option", [["--report", "json=-"], ["--write-baseline", "-"]])
def test_a_second_report_or_a_baseline_on_stdout_is_refused(files, tmp_path, monkeypatch, option):
    # Two payloads on one stdout could not be parsed; before, a file named "-" was written.
    monkeypatch.chdir(tmp_path)
    result = check(*files, *option)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert f"{option[0]} " in result.stderr
    assert not (tmp_path / "-").exists()


def test_violations_dir_never_overwrites_the_export(files, tmp_path):
    # The export is DIR/<standard id>.csv: writing frt's violations would replace it.
    export, profile = files
    inside = tmp_path / "frt.csv"
    export.rename(inside)
    before = inside.read_bytes()
    result = check(inside, profile, "--violations-dir", tmp_path)
    assert result.exit_code == 2
    message = " ".join(result.stderr.split())
    assert f"--violations-dir {tmp_path}: it would write {inside} (standard 'frt') over an input (export {inside})" in message
    assert inside.read_bytes() == before


def test_violations_dir_and_a_report_on_one_file_are_refused(files, tmp_path):
    folder = tmp_path / "violations"
    result = check(*files, "--violations-dir", folder, "--report", f"csv={folder / 'frt.csv'}")
    assert result.exit_code == 2
    assert "which --report csv writes too" in " ".join(result.stderr.split())
    assert not folder.exists()


def test_violations_dir_beside_other_files_is_fine(files, tmp_path):
    folder = tmp_path / "violations"
    folder.mkdir()
    (folder / "notes.txt").write_text("keep", encoding="utf-8")
    result = check(*files, "--violations-dir", folder, "--report", f"csv={folder / 'report.csv'}")
    assert result.exit_code == 1
    assert (folder / "frt.csv").read_text(encoding="utf-8").splitlines()[0].startswith("row,id,value,display")
    assert (folder / "notes.txt").read_text(encoding="utf-8") == "keep"
    assert (folder / "report.csv").exists()


def test_violation_files_neutralise_a_formula_after_leading_spaces(tmp_path):
    # The export's own columns are written as exported, leading spaces included; an import
    # that trims them (Google Sheets by default) would run " =HYPERLINK(...)".
    export = tmp_path / "export.csv"
    export.write_text(
        "id,channel,agent,created_at,first_response_at\n"
        '1,chat," =HYPERLINK(""http://x"")",2024-01-01 08:00:00,2024-01-01 08:03:00\n'
        "2,chat, -5,2024-01-01 08:00:00,2024-01-01 08:04:00\n",
        encoding="utf-8",
    )
    profile = tmp_path / "team.yaml"
    profile.write_text(HEAD + "standards:" + FRT_FAILS, encoding="utf-8")
    result = check(export, profile, "--violations-dir", tmp_path / "v")
    assert result.exit_code == 1
    written = (tmp_path / "v" / "frt.csv").read_bytes().decode("utf-8").split("\r\n")
    assert written[1] == "2,2,240.0,4m,chat, -5,2024-01-01 08:00:00,2024-01-01 08:04:00"  # a number stays
    assert written[2] == '1,1,180.0,3m,chat,"\' =HYPERLINK(""http://x"")",2024-01-01 08:00:00,2024-01-01 08:03:00'


NOTE = (
    "\n\n*The report is cut here: GitHub shows at most 1 MiB per step summary. "
    "Write the whole report with `--report markdown=FILE`.*\n"
)


def test_a_step_summary_over_githubs_limit_is_cut_at_a_line_end():
    # GitHub drops a step summary over 1 MiB altogether; a breakdown over many agents and weeks
    # can pass it.
    from csaudit.render.outputs import STEP_SUMMARY_LIMIT, fit_step_summary

    assert STEP_SUMMARY_LIMIT == 1048576
    markdown = "a\nbb\n" + "c" * 500 + "\n"
    assert fit_step_summary(markdown, 100_000) == markdown
    room = len(NOTE.encode("utf-8")) + 6  # 5 bytes: "a\nbb\n", and 1 of the c line
    assert fit_step_summary(markdown, room) == "a\nbb" + NOTE
    assert fit_step_summary("é\nü\n" + "c" * 500, len(NOTE.encode("utf-8")) + 6) == "é\nü" + NOTE  # é, ü: 2 bytes
    assert fit_step_summary("é\nü\n" + "c" * 500, len(NOTE.encode("utf-8")) + 4) == "é" + NOTE  # never half a line
    assert fit_step_summary(markdown, 3) == ""


def test_the_limit_counts_what_earlier_steps_wrote(tmp_path):
    from csaudit.render.outputs import append_step_summary

    summary = tmp_path / "summary.md"
    summary.write_bytes(b"x" * 10)
    limit = 10 + len(NOTE.encode("utf-8")) + 6  # room for "\n" + "a\nbb\n" (the blank line first)
    append_step_summary(summary, "a\nbb\n" + "c" * 500 + "\n", limit=limit)
    assert summary.read_text(encoding="utf-8") == "x" * 10 + "\na\nbb" + NOTE
    assert len(summary.read_bytes()) <= limit
