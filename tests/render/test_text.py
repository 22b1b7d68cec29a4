"""The text report from the shared result fixture: rows, evidence under its row, calendar,
breakdown matrix, baseline column, summary."""

from __future__ import annotations

from csaudit.baseline import Change, Comparison, RemovedResult, Verdict
from csaudit.metrics.base import Unit
from csaudit.profile.model import Status
from csaudit.render.text import TextFormat, evidence_text
from csaudit.result import Evidence
from tests.render.fixtures import PASSING, RESULT, fresh


def lines(result, width: int = 120) -> list[str]:
    return TextFormat(width=width).render(result).splitlines()


def test_rows_and_summary():
    out = lines(RESULT)
    assert out[0] == "csaudit · profile team (Team standards) · export.csv · 120 rows"
    assert out[1].split() == ["Standard", "Group", "Value", "Target", "Status", "n"]
    frt = next(line for line in out if line.startswith("First response under 1 hour"))
    assert frt.split()[-6:] == ["all", "25m", "30s", "<", "1h", "pass", "118"][-6:]
    assert out[-1] == "6 standards: 1 passed, 1 warned, 1 failed, 1 not measured, 1 insufficient data, 0 errors, 1 reported"


def test_evidence_sits_under_its_group_row_and_the_calendar_with_the_standard():
    out = lines(RESULT)
    chat = next(i for i, line in enumerate(out) if "channel=chat" in line and "80.0%" in line)
    details = " ".join(line[: out[chat].index("channel=chat")].strip() for line in out[chat + 1 : chat + 5])
    assert "resolve-p1 · share within 4h · business calendar stanford-it" in details
    worst = out.index("    worst in channel=chat:")
    assert worst > chat
    assert out[worst + 1] == "      row 17 · T-17 · 8h 30m · chat · =2+5"
    assert out[worst + 2] == "      row 4 · 6h · chat"
    # Then the next group of the same standard, in the same columns.
    assert "95.0%" in out[worst + 3] and out[worst + 3].index("95.0%") == out[chat].index("80.0%")


def test_evidence_text_with_a_label_and_without_a_value():
    abandoned = Evidence(3, "A3", 600.0, {"channel": "chat"}, label="abandoned", unit=Unit.SECONDS)
    assert evidence_text(abandoned) == "row 3 · A3 · 10m (abandoned) · chat"
    fcr = Evidence(1, "F1", None, {"channel": None}, label="not resolved on first contact")
    assert evidence_text(fcr) == "row 1 · F1 · not resolved on first contact"


def test_breakdown_matrix_marks_failing_groups():
    out = lines(RESULT)
    start = next(i for i, line in enumerate(out) if line.startswith("Breakdown by agent"))
    assert out[start + 1].strip() == "resolve-p1"
    assert out[start + 3].split() == ["agent=Ann", "100.0%"]
    assert out[start + 4].split() == ["agent=Bo", "50.0%", "✗"]


def test_baseline_changes_in_their_own_column_and_the_comparison_at_the_end():
    result = fresh(PASSING)
    result.standards[0].groups[0].change = Change(Verdict.REGRESSED, "regressed: +15s (was 45s)", Status.PASS, 45.0, 15.0)
    result.standards[1].groups[0].change = Change(Verdict.UNCHANGED, "unchanged", Status.PASS, 3.0, 0.0)
    result.comparison = Comparison(
        "base.json", "last-week.csv", 3, {"regressed": 1, "unchanged": 1},
        [RemovedResult("csat", "CSAT", None, Status.FAIL, 0.8, Unit.FRACTION)],
    )
    out = lines(result)
    assert out[1].split()[-2:] == ["vs", "baseline"]
    frt = next(line for line in out if line.startswith("First response under 1 hour"))
    assert frt.rstrip().endswith("regressed: +15s (was 45s)")
    assert "since the baseline: 1 regressed, 1 unchanged, 1 removed (base.json, 3 rows)" in out
    assert "  • csat: removed (was fail, 80.0%)" in out


def test_narrow_terminal_keeps_every_column():
    for width in (80, 100):
        out = lines(RESULT, width)
        assert all(len(line) <= width for line in out if not line.startswith(("  •", "6 standards"))), width
        header = out[1].split()
        assert header[-1] == "n" and "Status" in header


def test_colour_only_when_asked():
    assert "\x1b[" not in TextFormat(color=False).render(RESULT)
    assert "\x1b[" in TextFormat(color=True).render(RESULT)


def _hostile(agent: str):
    """RESULT with the failing chat group's evidence and a --by agent group named ``agent``."""
    result = fresh()
    resolve = result.standards[2]
    resolve.evidence[0].fields["agent"] = agent
    resolve.breakdown[1].group["agent"] = agent
    resolve.groups[0].group["channel"] = agent
    resolve.evidence[0].group["channel"] = agent
    resolve.evidence[1].group["channel"] = agent
    return result


def test_text_from_the_export_is_never_read_as_rich_markup():
    # An agent named "[/]" stopped the whole report with an internal error (MarkupError, exit 2);
    # "[bold red]x[/]" was shown as a red "x".
    for agent in ("[/]", "[bold red]Boss[/]", "[link=http://evil]x"):
        out = TextFormat(width=160).render(_hostile(agent))
        assert f"channel={agent}" in out  # the group cell
        assert f"worst in channel={agent}:" in out
        assert f"row 17 · T-17 · 8h 30m · chat · {agent}" in out.replace(f"· {agent} · {agent}", f"· {agent}")
        assert f"agent={agent}" in out  # the breakdown row
    coloured = TextFormat(color=True, width=160).render(_hostile("[bold red]Boss[/]"))
    assert "[bold red]Boss[/]" in coloured


def test_control_characters_from_the_export_are_made_visible():
    # An ESC sequence in an agent's name would recolour (or retitle, or clear) the reader's
    # terminal; a line break would split a table row.
    out = TextFormat(width=160).render(_hostile("Bo\x1b[2J\x07\tx\ny\r"))
    assert "\x1b" not in out and "\x07" not in out and "\t" not in out and "\r" not in out
    assert "channel=Bo\\x1b[2J\\x07\\tx\\ny\\r" in out
    assert "agent=Bo\\x1b[2J\\x07\\tx\\ny\\r" in out
