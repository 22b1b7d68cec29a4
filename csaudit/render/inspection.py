"""``csaudit inspect`` as text (Rich, plain when piped) or JSON."""

from __future__ import annotations

import io
import json

from rich import box
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from csaudit.inspect import Inspection


def _share(count: int, rows: int) -> str:
    return f"{100 * count / rows:.1f}%" if rows else "—"


def render_inspection_json(inspection: Inspection) -> str:
    return json.dumps(inspection.to_dict(), indent=2, ensure_ascii=False) + "\n"


def render_inspection_text(inspection: Inspection, color: bool = False, width: int = 120) -> str:
    buffer = io.StringIO()
    console = Console(file=buffer, force_terminal=color, no_color=not color, width=width, highlight=False, emoji=False)
    out = console.print
    i = inspection
    how = {
        "headers": "recognised from its headers",
        "--source": "named with --source",
        "--mapping-file": "your mapping file",
        "": "",
    }[i.source_how]
    source = f"{i.source} — {i.source_title} ({how})" if i.source else "none: canonical column names"
    out(f"[bold]input[/]       {escape(i.input)}")
    for part in i.files:
        rows = f", {part['rows']:,} rows" if part.get("rows") is not None else ""
        out(f"            {escape(part['name'])}: {escape(part['format'])}{rows}")
    out(f"[bold]encoding[/]    {escape(i.encoding)}")
    out(f"[bold]source[/]      {escape(source)}")
    rows = f"{i.rows:,}"
    if i.event_rows is not None:
        rows += f" cases (rolled up from {i.event_rows:,} event rows)"
    out(f"[bold]rows[/]        {rows}")
    for item in i.excluded:
        out(f"            {item['rows']:,} rows left out: {escape(item['reason'])}")
    if i.time_span:
        span = i.time_span
        out(f"[bold]time span[/]   {span['first']} → {span['last']} ({span['field']})")
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False, show_edge=False)
    for name, justify in (("field", "left"), ("column", "left"), ("filled", "right"), ("empty", "right"),
                          ("unreadable", "right"), ("values", "left")):
        table.add_column(name, justify=justify, overflow="fold")
    for f in i.fields:
        detail = ""
        if f.format:
            detail = f.format + (f"; {f.first[:19]} → {f.last[:19]}" if f.first else "")
        bad = _share(f.unreadable, i.rows)
        if f.unreadable:
            bad = f"[bold red]{bad}[/]"
        table.add_row(f.field, escape(f.column), _share(f.filled, i.rows), _share(f.empty, i.rows), bad, escape(detail))
    out()
    out(table)
    for label, values in (("channels", i.channels), ("priorities", i.priorities)):
        if values:
            shown = ", ".join(
                f"{escape(v.value)} {v.count:,}" + (f" ({escape(v.label)})" if v.label.casefold() != v.value else "")
                for v in values
            )
            out(f"[bold]{label}[/]  {shown}")
    if i.unmapped_columns:
        out(f"[bold]not used[/]    {escape(', '.join(i.unmapped_columns))}")
    if i.profile is not None:
        measurable = len(i.measurable)
        out()
        out(f"[bold]profile {escape(i.profile)}[/]: {measurable} of {len(i.standards)} standards measurable with this file")
        for s in i.standards:
            if s.measurable:
                out(f"  [green]✓[/] {escape(s.id)} — {escape(s.title)}")
                continue
            kind = "required" if s.required else "optional"
            hints = []
            for field, columns in s.candidates.items():
                hint = f"--map {field}=COLUMN"
                if columns:
                    hint += " (perhaps " + ", ".join(repr(c) for c in columns) + ")"
                hints.append(hint)
            out(f"  [red]✗[/] {escape(s.id)} ({kind}) — {escape(s.reason)}" + (f"; {escape('; '.join(hints))}" if hints else ""))
    if i.notes:
        out()
        for note in i.notes:
            out(f"[dim]note:[/] {escape(note)}")
    return buffer.getvalue()
