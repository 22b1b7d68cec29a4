"""The default report: a Rich table, coloured on a terminal and plain when piped.

Under a failed or warned row, its evidence (the worst interactions); after the table, the
``--by`` breakdowns (a compact table per standard and group, with a sparkline per row for a
time grouping), the data-quality findings, the baseline comparison and the summary line.
"""

from __future__ import annotations

import io
import math

from rich import box
from rich.cells import cell_len
from rich.console import Console
from rich.markup import escape
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from csaudit.profile.model import Status
from csaudit.render.base import ReportFormat
from csaudit.render.describe import group_label, printable, standard_details
from csaudit.result import AuditResult, Evidence, Finding, GroupResult, StandardResult

STATUS_STYLE = {
    Status.PASS: "bold green",
    Status.INFO: "cyan",
    Status.WARN: "bold yellow",
    Status.INSUFFICIENT: "magenta",
    Status.NOT_MEASURED: "dim",
    Status.FAIL: "bold red",
    Status.ERROR: "bold white on red",
}

#: Marks after a breakdown value, so that a failing group shows without colour too.
STATUS_MARK = {Status.FAIL: " ✗", Status.WARN: " !", Status.INSUFFICIENT: " ?", Status.ERROR: " ✗"}

VERDICT_STYLE = {"improved": "green", "regressed": "bold red", "new": "cyan", "changed": "yellow"}

SUMMARY_ORDER = [
    (Status.PASS, "passed"),
    (Status.WARN, "warned"),
    (Status.FAIL, "failed"),
    (Status.NOT_MEASURED, "not measured"),
    (Status.INSUFFICIENT, "insufficient data"),
    (Status.ERROR, "errors"),
    (Status.INFO, "reported"),
]

SPARKS = "▁▂▃▄▅▆▇█"
PERIOD_KEYS = ("week", "month")


def summary_line(result: AuditResult) -> str:
    counts = result.counts()
    parts = []
    for status, label in SUMMARY_ORDER:
        n = counts[status.value]
        if n or status is not Status.INFO:
            parts.append(f"{n} {label[:-1] if n == 1 and label == 'errors' else label}")
    total = len(result.standards)
    return f"{total} standard{'' if total == 1 else 's'}: " + ", ".join(parts)


def sparkline(values: list[float | None]) -> str:
    """``▁▃█`` scaled between the smallest and largest value; a gap is a space."""
    known = [v for v in values if v is not None and math.isfinite(v)]
    if not known:
        return " " * len(values)
    low, high = min(known), max(known)
    out = []
    for v in values:
        if v is None or not math.isfinite(v):
            out.append(" ")
        elif high == low:
            out.append(SPARKS[len(SPARKS) // 2])
        else:
            out.append(SPARKS[round((v - low) / (high - low) * (len(SPARKS) - 1))])
    return "".join(out)


def finding_where(f: Finding) -> str:
    """``rows 5, 6, …; e.g. 'T-5', 'T-5'``: where a data-quality finding is."""
    rows = ", ".join(str(r) for r in f.rows) + (", …" if f.count > len(f.rows) else "")
    examples = ", ".join(repr(e) for e in f.examples)
    word = "row" if len(f.rows) == 1 and f.count == 1 else "rows"
    return f"{word} {rows}" + (f"; e.g. {examples}" if examples else "")


def evidence_text(ev: Evidence) -> str:
    """``row 12 · T-1 · 5m 3s · chat · P1 · An`` — one interaction behind a result."""
    parts = [f"row {ev.row}"] + ([ev.id] if ev.id is not None else []) + [ev.display]
    parts += [v for v in ev.fields.values() if v]
    return printable(" · ".join(parts))


class TextFormat(ReportFormat):
    def render(self, result: AuditResult) -> str:
        buffer = io.StringIO()
        console = Console(
            file=buffer,
            force_terminal=self.color,
            no_color=not self.color,
            width=self.width,
            highlight=False,
            emoji=False,
        )
        console.print(
            f"[bold]csaudit[/] · profile [bold]{_markup(result.profile_name)}[/] "
            f"({_markup(result.profile_title)}) · {_markup(result.input_path)} · {result.input_rows:,} rows"
        )
        _Results(console, result, self.width).print()
        for sr in result.standards:
            if sr.breakdown:
                _breakdowns(console, result, self.width)
                break
        if result.findings:
            console.print("[bold]Data quality[/]")
            for f in result.findings:
                console.print(
                    f"  • {f.count:,} {'row' if f.count == 1 else 'rows'}: {_markup(f.message)} ({_markup(finding_where(f))})"
                )
        for note in result.notes:
            console.print(f"[dim]  note: {_markup(note)}[/]")
        for written in result.violation_files:
            console.print(f"[dim]  violations: {_markup(written.path)} ({written.rows:,} rows, {_markup(written.standard_id)})[/]")
        if result.comparison is not None:
            comparison = result.comparison
            console.print(
                Text(printable(f"{comparison.summary} ({comparison.baseline_path}, {comparison.baseline_rows:,} rows)"), style="bold")
            )
            for removed in comparison.removed:
                where = f" [{group_label(removed.group)}]" if removed.group else ""
                console.print(f"  • {_markup(removed.standard_id)}{_markup(where)}: {_markup(removed.text)}", style="dim")
        style = "bold red" if result.exit_code else "bold green"
        console.print(Text(summary_line(result), style=style))
        return buffer.getvalue()


class _Results:
    """The results table, cut after each row that has evidence so that the evidence lines can
    use the whole width; every piece has the same column widths, so it reads as one table."""

    def __init__(self, console: Console, result: AuditResult, width: int):
        self.console, self.result = console, result
        self.baseline = result.comparison is not None
        rows = [(sr, g) for sr in result.standards for g in (sr.groups or [None])]
        targets = [sr.shown_target() for sr in result.standards]
        values = [sr.shown(g.value) if g else "—" for sr, g in rows]
        groups = [printable(group_label(g.group)) if g and g.group else "" for _, g in rows]
        self.widths = {
            "Group": min(28, max([5] + [len(t) for t in groups])),
            "Value": max([5] + [len(t) for t in values]),
            "Target": max([6] + [len(t) for t in targets]),
            "Status": max([6] + [len(sr.status.value) for sr in result.standards] + [len(g.status.value) for _, g in rows if g]),
            "n": max([1] + [len(f"{g.sample_size:,}") for _, g in rows if g]),
        }
        if self.baseline:
            self.widths["vs baseline"] = min(40, max([11] + [len(_change(sr, g)) for sr, g in rows]))
        # Between two columns: their padding and the (blank) divider, 3 characters.
        standard = width - sum(self.widths.values()) - 3 * len(self.widths) - 1
        # On a narrow terminal the group, target and change columns wrap before the standard does.
        for name, floor in (("vs baseline", 16), ("Group", 10), ("Target", 10), ("Status", 12)):
            give = min(max(0, self.widths.get(name, 0) - floor), max(0, 28 - standard))
            if name in self.widths and give:
                self.widths[name] -= give
                standard += give
        self.widths = {"Standard": max(16, standard), **self.widths}
        self.table = self._table(header=True)

    def _table(self, header: bool) -> Table:
        table = Table(box=box.SIMPLE_HEAD, pad_edge=False, show_header=header, show_edge=False)
        for name, width in self.widths.items():
            justify = "right" if name in ("Value", "n") else "left"
            wraps = name in ("Standard", "Group", "Target", "Status", "vs baseline")
            table.add_column(name, width=width, justify=justify, overflow="fold" if wraps else "ellipsis", no_wrap=not wraps)
        return table

    def print(self) -> None:
        for sr in self.result.standards:
            self._standard(sr)
        self.console.print(self.table)

    def _flush(self, evidence: list[Evidence], group: GroupResult) -> None:
        self.console.print(self.table)
        where = f" in {printable(group_label(group.group))}" if group.group else ""
        self.console.print(Text(f"    worst{where}:", style="dim"))
        for ev in evidence:
            # Indented as a block, so that a long line wraps under its own start.
            self.console.print(Padding(Text(evidence_text(ev), style="dim", overflow="fold"), (0, 0, 0, 6), expand=False))
        self.table = self._table(header=False)

    def _standard(self, sr: StandardResult) -> None:
        std = sr.standard
        title = Text(printable(std.title), style="bold")
        title.append("\n" + printable(" · ".join(standard_details(sr))), style="dim")
        if sr.reason:
            title.append(f"\n{printable(sr.reason)}", style="italic")
        for note in sr.notes:
            title.append(f"\nnote: {printable(note)}", style="dim italic")
        target = Text(sr.shown_target())
        if not sr.groups:
            cells = [title, "", "—", target, Text(sr.status.value, style=STATUS_STYLE[sr.status]), "0"]
            self.table.add_row(*cells, *([_change_text(sr, None)] if self.baseline else []))
            return
        for i, g in enumerate(sr.groups):
            cells = [
                title if i == 0 else "",
                Text(printable(group_label(g.group)) if g.group else "all"),
                Text(sr.shown(g.value)),
                target if i == 0 else "",
                Text(g.status.value, style=STATUS_STYLE[g.status]),
                f"{g.sample_size:,}",
            ]
            self.table.add_row(*cells, *([_change_text(sr, g)] if self.baseline else []))
            evidence = [ev for ev in sr.evidence if ev.group == g.group]
            if evidence:
                self._flush(evidence, g)


def _markup(text: object) -> str:
    """Text from a profile or an export inside Rich markup: shown as written, never read as
    ``[style]`` tags (an agent named ``[/]`` would stop the report), controls made visible."""
    return escape(printable(text))


def _change(sr: StandardResult, g: GroupResult | None) -> str:
    change = g.change if g is not None else sr.change
    return change.text if change is not None else ""


def _change_text(sr: StandardResult, g: GroupResult | None) -> Text:
    change = g.change if g is not None else sr.change
    if change is None:
        return Text("")
    return Text(printable(change.text), style=VERDICT_STYLE.get(change.verdict.value, "dim"))


# ---------------------------------------------------------------------------------------
# --by breakdowns
# ---------------------------------------------------------------------------------------


def _cell(sr: StandardResult, g: GroupResult) -> Text:
    return Text(sr.shown(g.value) + STATUS_MARK.get(g.status, ""), style=STATUS_STYLE[g.status])


def _breakdowns(console: Console, result: AuditResult, width: int) -> None:
    """With a period among the ``--by`` keys: a row per standard (and group), its sparkline,
    how many periods failed and the latest periods' values. Otherwise a matrix: a row per
    ``--by`` group, a column per standard (and group of its own ``each``)."""
    period = next((k for k in result.by if k in PERIOD_KEYS), None)
    console.print(
        Text("Breakdown by " + ", ".join(result.by), style="bold")
        + Text("  (✗ fail, ! warn, ? insufficient data)", style="dim")
    )
    cells: dict[tuple[str, str], tuple[StandardResult, GroupResult]] = {}
    rows: list[str] = []
    columns: list[str] = []
    for sr in result.standards:
        for g in sr.breakdown:
            own = {k: v for k, v in g.group.items() if k not in result.by}
            by = {k: v for k, v in g.group.items() if k in result.by}
            if period:
                rest = {k: v for k, v in by.items() if k != period}
                row = " ".join(filter(None, [sr.standard.id, group_label({**own, **rest}, whole="")]))
                column = "(blank)" if by.get(period) is None else str(by[period])
            else:
                row = group_label(by)
                column = " ".join(filter(None, [sr.standard.id, group_label(own, whole="")]))
            row, column = printable(row), printable(column)
            cells[row, column] = (sr, g)
            rows.append(row) if row not in rows else None
            columns.append(column) if column not in columns else None
    if period:
        columns.sort()
    texts = {key: _cell(sr, g) for key, (sr, g) in cells.items()}
    label_width = min(40, max(cell_len(r) for r in rows))
    cell_width = max([t.cell_len for t in texts.values()] + [min(20, cell_len(c)) for c in columns] + [4])
    fixed = label_width + (max(5, len(columns)) + 3 + 5 + 3 if period else 0)
    fits = max(1, (width - fixed - 1) // (cell_width + 3))
    chunks = [columns[-fits:]] if period else [columns[i : i + fits] for i in range(0, len(columns), fits)]
    for chunk in chunks:
        table = Table(box=box.SIMPLE_HEAD, pad_edge=False, show_edge=False)
        table.add_column("", width=label_width, overflow="fold")
        if period:
            table.add_column("trend", no_wrap=True)
            table.add_column("fails", justify="right", no_wrap=True)
        for column in chunk:
            table.add_column(Text(column), justify="right", width=cell_width, overflow="fold")
        for row in rows:
            line: list = [Text(row)]
            if period:
                series = [cells.get((row, c), (None, None))[1] for c in columns]
                spark = Text()
                for char, g in zip(sparkline([g.value if g else None for g in series]), series):
                    spark.append(char, style=STATUS_STYLE[g.status] if g else "dim")
                failing = sum(1 for g in series if g and g.status is Status.FAIL)
                line += [spark, Text(f"{failing}/{sum(1 for g in series if g)}", style="bold red" if failing else "dim")]
            line += [texts.get((row, c), Text("")) for c in chunk]
            table.add_row(*line)
        console.print(table)
