"""The default report: a Rich table, coloured on a terminal and plain when piped."""

from __future__ import annotations

import io

from rich import box
from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from csaudit.profile.model import Status
from csaudit.render.base import ReportFormat
from csaudit.result import AuditResult, StandardResult, format_target, format_value

STATUS_STYLE = {
    Status.PASS: "bold green",
    Status.INFO: "cyan",
    Status.WARN: "bold yellow",
    Status.INSUFFICIENT: "magenta",
    Status.NOT_MEASURED: "dim",
    Status.FAIL: "bold red",
    Status.ERROR: "bold white on red",
}

SUMMARY_ORDER = [
    (Status.PASS, "passed"),
    (Status.WARN, "warned"),
    (Status.FAIL, "failed"),
    (Status.NOT_MEASURED, "not measured"),
    (Status.INSUFFICIENT, "insufficient data"),
    (Status.ERROR, "errors"),
    (Status.INFO, "reported"),
]


def summary_line(result: AuditResult) -> str:
    counts = result.counts()
    parts = []
    for status, label in SUMMARY_ORDER:
        n = counts[status.value]
        if n or status is not Status.INFO:
            parts.append(f"{n} {label[:-1] if n == 1 and label == 'errors' else label}")
    total = len(result.standards)
    return f"{total} standard{'' if total == 1 else 's'}: " + ", ".join(parts)


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
            f"[bold]csaudit[/] · profile [bold]{escape(result.profile_name)}[/] "
            f"({escape(result.profile_title)}) · {escape(result.input_path)} · {result.input_rows:,} rows"
        )
        table = Table(box=box.SIMPLE_HEAD, pad_edge=False)
        table.add_column("Standard", overflow="fold", min_width=36, ratio=1)
        table.add_column("Group", overflow="fold", max_width=28)
        table.add_column("Value", justify="right", no_wrap=True)
        table.add_column("Target", no_wrap=True)
        table.add_column("Status", no_wrap=True)
        table.add_column("n", justify="right", no_wrap=True)
        for sr in result.standards:
            self._rows(table, sr)
        console.print(table)
        if result.findings:
            console.print("[bold]Data quality[/]")
            for f in result.findings:
                rows = ", ".join(str(r) for r in f.rows) + (", …" if f.count > len(f.rows) else "")
                examples = ", ".join(repr(e) for e in f.examples)
                console.print(
                    f"  • {f.count:,} {'row' if f.count == 1 else 'rows'}: {escape(f.message)}"
                    f" ({'row' if len(f.rows) == 1 and f.count == 1 else 'rows'} {rows}" + (f"; e.g. {escape(examples)}" if examples else "") + ")"
                )
        for note in result.notes:
            console.print(f"[dim]  note: {escape(note)}[/]")
        style = "bold red" if result.exit_code else "bold green"
        console.print(Text(summary_line(result), style=style))
        return buffer.getvalue()

    def _rows(self, table: Table, sr: StandardResult) -> None:
        std = sr.standard
        title = Text(std.title, style="bold")
        details = [std.id, std.statistic.text] + ([] if std.required else ["optional"])
        title.append("\n" + " · ".join(details), style="dim")
        if sr.reason:
            title.append(f"\n{sr.reason}", style="italic")
        for note in sr.notes:
            title.append(f"\nnote: {note}", style="dim italic")
        target = format_target(std.target, sr.unit)
        if not sr.groups:
            table.add_row(title, "", "—", target, Text(sr.status.value, style=STATUS_STYLE[sr.status]), "0")
            return
        for i, g in enumerate(sr.groups):
            group = ", ".join(f"{k}={'(blank)' if v is None else v}" for k, v in g.group.items()) or "all"
            table.add_row(
                title if i == 0 else "",
                group,
                format_value(g.value, sr.unit),
                target if i == 0 else "",
                Text(g.status.value, style=STATUS_STYLE[g.status]),
                f"{g.sample_size:,}",
            )
