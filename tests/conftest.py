"""Shared fixtures: run standards written inline against a CSV written inline."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from csaudit.engine import audit
from csaudit.profile.loader import parse_profile
from csaudit.result import AuditResult, StandardResult

REPO = Path(__file__).resolve().parent.parent


def profile_text(standards_yaml: str, extra: str = "") -> str:
    """A minimal profile around a YAML list of standards (indented or not)."""
    body = textwrap.indent(textwrap.dedent(standards_yaml).strip("\n"), "  ")
    return f"csaudit_profile: 1\nname: test\n{textwrap.dedent(extra)}standards:\n{body}\n"


@pytest.fixture(autouse=True)
def _outside_ci(monkeypatch):
    """Tests see a plain terminal-less run even when the suite itself runs in GitHub Actions
    (which would otherwise add annotations and a step summary to every check)."""
    for name in ("GITHUB_ACTIONS", "GITHUB_STEP_SUMMARY"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def write_csv(tmp_path):
    """Write CSV text (dedented) to a file and return its path."""

    def write(text: str, name: str = "export.csv") -> Path:
        path = tmp_path / name
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
        return path

    return write


@pytest.fixture
def run_audit(write_csv):
    """``run_audit(csv_text, standards_yaml, **kw) -> AuditResult``."""

    def run(csv_text: str, standards_yaml: str, extra: str = "", **kwargs) -> AuditResult:
        profile = parse_profile(profile_text(standards_yaml, extra), "test.yaml")
        return audit(profile, write_csv(csv_text), **kwargs)

    return run


@pytest.fixture
def run_standard(run_audit):
    """``run_standard(csv_text, one_standard_yaml) -> StandardResult`` for the first standard."""

    def run(csv_text: str, standards_yaml: str, **kwargs) -> StandardResult:
        return run_audit(csv_text, standards_yaml, **kwargs).standards[0]

    return run
