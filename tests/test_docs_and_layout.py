"""The README's example works, docs cover the catalogue, and the layering holds."""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

from typer.testing import CliRunner

from csaudit.cli import app
from csaudit.metrics import REGISTRY
from csaudit.profile.loader import builtin_profiles, load_profile
from csaudit.render import FORMATS, FormatChoice

REPO = Path(__file__).resolve().parent.parent


def test_readme_opens_with_the_two_commands():
    text = (REPO / "README.md").read_text(encoding="utf-8")
    block = re.search(r"```sh\n(.*?)```", text, re.S).group(1).strip().splitlines()
    assert block[0] == "python -m pip install . && csaudit check examples/helpdesk_export.csv --profile stanford"
    assert block[1] == "python -m pip install '.[test]' && python -m pytest"
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    assert block[1] in ci


def test_readme_example_runs_and_shows_passes_and_failures():
    result = CliRunner().invoke(app, ["check", str(REPO / "examples/helpdesk_export.csv"), "--profile", "stanford"])
    assert result.exit_code == 1, result.output
    assert " pass " in result.stdout and " fail " in result.stdout
    assert "Traceback" not in result.output


def test_bundled_example_json_agrees_with_the_text_report():
    result = CliRunner().invoke(
        app, ["check", str(REPO / "examples/helpdesk_export.csv"), "-p", "stanford", "--format", "json"]
    )
    report = json.loads(result.stdout)
    assert report["input"]["rows"] == 1601
    statuses = {r["standard_id"]: r["status"] for r in report["standards"]}
    assert statuses["fcr"] == "fail" and statuses["frt-email"] == "pass"
    assert report["summary"]["exit_code"] == result.exit_code == 1


def test_example_generator_is_reproducible(tmp_path, monkeypatch):
    import runpy

    source = REPO / "examples" / "make_example.py"
    copy = tmp_path / "make_example.py"
    copy.write_text(source.read_text(encoding="utf-8"), encoding="utf-8")
    runpy.run_path(str(copy), run_name="__main__")
    assert (tmp_path / "helpdesk_export.csv").read_bytes() == (REPO / "examples/helpdesk_export.csv").read_bytes()


def test_every_metric_is_documented():
    doc = (REPO / "docs" / "metrics.md").read_text(encoding="utf-8")
    for name in REGISTRY:
        assert f"`{name}`" in doc, name


def test_every_format_choice_has_a_renderer():
    assert set(FORMATS) == set(FormatChoice)


def test_builtin_profiles_are_the_six_of_the_spec_and_carry_their_source():
    assert set(builtin_profiles()) == {"stanford", "forbes", "essentials", "contact-center", "logistics", "retention"}
    for name in builtin_profiles():
        profile = load_profile(name)
        assert profile.source, name


def test_core_does_not_import_the_cli_libraries():
    """The engine is a library: only cli.py and render/ may use typer or rich."""
    package = REPO / "csaudit"
    for path in package.rglob("*.py"):
        relative = path.relative_to(package).as_posix()
        if relative in ("cli.py", "__main__.py") or relative.startswith("render/"):
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            for name in names:
                assert name.split(".")[0] not in {"typer", "rich", "click"}, f"{relative} imports {name}"
                assert not name.startswith("csaudit.cli"), f"{relative} imports the CLI"
