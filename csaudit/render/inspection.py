"""``csaudit inspect`` as text (Rich, plain when piped) or JSON."""

from __future__ import annotations

import io
import json

from rich import box
from rich.console import Console
from rich.markup import escape as _escape_markup
from rich.table import Table

from csaudit.inspect import Inspection
from csaudit.render.describe import printable


def escape(text: object) -> str:
    """Text from the file inside Rich markup: never read as ``[style]`` tags, and control
    characters (an ESC sequence in a channel's name) shown, not sent to the terminal."""
    return _escape_markup(printable(text))


def _share(count: int, rows: int) -> str:
    return f"{100 * count / rows:.1f}%" if rows else "—"


#: What one row of each kind of table is.
KIND_ROWS = {
    "interactions": "one row per ticket, chat or call",
    "orders": "one row per order (profiles of kind: orders)",
    "events": "message events, one row per message (check --events)",
    "agents": "agent activity, available time per agent (check --agents)",
}


def _zone_line(zone: dict) -> str:
    """How timestamps without an offset are read, and which fields have one."""
    origin = {"--timezone": "--timezone", "profile": "the profile's timezone:", "default": "default"}[zone["from"]]
    text = f"{zone['zone']} ({origin})"
    if zone["naive"]:
        one = len(zone["naive"]) == 1
        text += ": " + ", ".join(zone["naive"]) + (" has no offset and is" if one else " have no offset and are")
        text += f" read as {zone['zone']} time"
        if zone["from"] == "default":
            text += " (--timezone ZONE if the export's clock shows another zone)"
    elif zone["offset"]:
        text += ": every timestamp carries its offset and is read as written"
    if zone["offset"] and zone["naive"]:
        text += "; " + ", ".join(zone["offset"]) + (" carries" if len(zone["offset"]) == 1 else " carry") + " an offset"
    if zone["from"] != "default":
        text += f"; --by week and month are cut in {zone['zone']}"
    return text


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
    kind_how = {"--kind": "--kind", "profile": f"the kind of profile {i.profile}", "headers": "recognised from its headers",
                "default": "the default; --kind orders, events or agents for another table"}[i.kind_how]
    out(f"[bold]kind[/]        {escape(i.kind)} — {escape(KIND_ROWS[i.kind])} ({escape(kind_how)})")
    rows = f"{i.rows:,}"
    if i.event_rows is not None:
        rows += f" cases (rolled up from {i.event_rows:,} event rows)"
    out(f"[bold]rows[/]        {rows}")
    for item in i.excluded:
        out(f"            {item['rows']:,} row{'' if item['rows'] == 1 else 's'} left out: {escape(item['reason'])}")
    if i.time_span:
        span = i.time_span
        out(f"[bold]time span[/]   {span['first']} → {span['last']} ({span['field']})")
        if "first_local" in span:
            out(f"            {span['first_local']} → {span['last_local']} in {escape(span['zone'])}")
    if i.timezone:
        out(f"[bold]time zone[/]   {escape(_zone_line(i.timezone))}")
    if i.missing_required:
        maps = " ".join(f"--map {i.kind}.{f}=COLUMN" for f in i.missing_required)
        out(f"[bold red]missing[/]     check --{i.kind} needs " + ", ".join(f"`{f}`" for f in i.missing_required)
            + f" (no column found): {escape(maps)}")
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
    for name, values in i.values.items():
        label = f"{'priorities' if name == 'priority' else name + 's':<10}"
        if values:
            shown = ", ".join(
                f"{escape(v.value)} {v.count:,}" + (f" ({escape(v.label)})" if v.label.casefold() != v.value else "")
                for v in values
            )
            out(f"[bold]{label}[/]  {shown}")
    if i.unmapped_columns:
        names = [c if c.strip() else "(a column without a name)" for c in i.unmapped_columns]
        out(f"[bold]not used[/]    {escape(', '.join(names))}")
    if i.profile is not None:
        measurable = len(i.measurable)
        out()
        scope = f" {i.standards_scope}" if i.standards_scope else ""
        out(f"[bold]profile {escape(i.profile)}[/]: {measurable} of {len(i.standards)} standards measurable with this "
            f"file{escape(scope)}")
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
