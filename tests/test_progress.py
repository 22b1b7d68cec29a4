"""The progress display: on a terminal only, never in CI; the engine reports its stages."""

from __future__ import annotations

import io

from rich.console import Console

from csaudit import cli
from csaudit.extras import Extras


def terminal(monkeypatch) -> io.StringIO:
    buffer = io.StringIO()
    monkeypatch.setattr(cli, "err", Console(file=buffer, force_terminal=True, width=100))
    monkeypatch.setattr(cli, "PROGRESS_MIN_BYTES", 0)
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.delenv("TERM", raising=False)
    return buffer


def test_a_terminal_gets_a_progress_display(monkeypatch, write_csv):
    buffer = terminal(monkeypatch)
    with cli._progress([write_csv("id\n1\n")]) as progress:
        assert progress is not None
        progress("reading and auditing")
    assert "csaudit: reading and auditing · export.csv" in buffer.getvalue()


def test_none_in_ci_when_piped_or_for_a_small_file(monkeypatch, write_csv):
    path = write_csv("id\n1\n")
    terminal(monkeypatch)
    monkeypatch.setenv("CI", "true")
    with cli._progress([path]) as progress:
        assert progress is None
    monkeypatch.delenv("CI")
    monkeypatch.setattr(cli, "PROGRESS_MIN_BYTES", 1 << 20)
    with cli._progress([path]) as progress:
        assert progress is None
    monkeypatch.setattr(cli, "PROGRESS_MIN_BYTES", 0)
    monkeypatch.setattr(cli, "err", Console(file=io.StringIO(), force_terminal=False))
    with cli._progress([path]) as progress:
        assert progress is None


def test_the_engine_reports_its_stages(run_audit, tmp_path):
    seen: list[str] = []
    csv_text = "id,created_at,first_response_at\n1,2024-01-01 08:00,2024-01-01 09:00\n"
    standard = "- {id: frt, title: FRT, metric: first_response_time, compare: below, fail: 1m}"
    run_audit(csv_text, standard, extras=Extras(violations_dir=tmp_path / "v"), progress=seen.append)
    assert seen == ["reading the export's header", "reading and auditing", "writing violation files (a second pass over the data)"]
