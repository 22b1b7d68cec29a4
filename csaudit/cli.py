"""Command line: parse arguments, call the engine, render, map the outcome to an exit code."""

from __future__ import annotations

import functools
import os
import shutil
import sys
import traceback
from pathlib import Path
from typing import List

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from csaudit import __version__
from csaudit.errors import CsauditError
from csaudit.render import FORMATS, FormatChoice

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    help="Audit customer-service exports against service-quality standards.",
)
err = Console(stderr=True, highlight=False, soft_wrap=True)


def _error(message: str) -> None:
    err.print(f"[bold red]error:[/] {escape(message)}", highlight=False, soft_wrap=True)


def _user_errors(command):
    """Report a user error as one message on stderr and exit 2, never a traceback."""

    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        try:
            return command(*args, **kwargs)
        except CsauditError as exc:
            _error(str(exc))
            raise typer.Exit(exc.exit_code) from None

    return wrapper


def _write_report(text: str) -> None:
    """Write the report; where stdout's encoding cannot hold it (a cp1252 pipe), as UTF-8 bytes."""
    try:
        sys.stdout.write(text)
    except UnicodeEncodeError:
        sys.stdout.flush()
        sys.stdout.buffer.write(text.encode("utf-8"))
    sys.stdout.flush()


def _parse_map(pairs: list[str]) -> dict[str, str]:
    mapping = {}
    for pair in pairs:
        field, sep, column = pair.partition("=")
        if not sep or not field.strip() or not column.strip():
            raise CsauditError(f"--map {pair!r}: write FIELD=COLUMN, e.g. --map created_at='Created at'")
        mapping[field.strip()] = column.strip()
    return mapping


@app.command()
@_user_errors
def check(
    export: Path = typer.Argument(..., help="The exported interactions (CSV or TSV).", show_default=False),
    profile: str = typer.Option(..., "--profile", "-p", help="A built-in profile name or a profile YAML file."),
    map_: List[str] = typer.Option(
        [], "--map", "-m", help="Read a canonical field from a column: FIELD=COLUMN (repeatable)."
    ),
    format_: FormatChoice = typer.Option(FormatChoice.text, "--format", "-f", help="Report format on stdout."),
    strict: bool = typer.Option(
        False, "--strict", help="Optional standards that cannot be measured become errors; insufficient data fails."
    ),
) -> None:
    """Audit EXPORT against every standard of a profile.

    Exit codes: 0 every standard passed (warnings allowed), 1 at least one failed,
    2 usage error, bad profile, unreadable input, or a required standard that cannot be measured.

    Example:

        csaudit check examples/helpdesk_export.csv --profile stanford
    """
    from csaudit.engine import audit
    from csaudit.profile.loader import load_profile

    loaded = load_profile(profile)
    result = audit(loaded, export, mapping=_parse_map(map_), strict=strict)
    color = format_ is FormatChoice.text and sys.stdout.isatty() and "NO_COLOR" not in os.environ
    width = shutil.get_terminal_size((120, 24)).columns if sys.stdout.isatty() else 120
    _write_report(FORMATS[format_](color=color, width=width).render(result))
    for sr in result.errors():
        how = ""
        if sr.missing_fields:
            flags = " ".join(f"--map {field}=COLUMN" for field in sr.missing_fields)
            how = f" Map the column(s) with {flags}, or in the profile's mapping: block."
        _error(f"standard {sr.standard.id!r} ({sr.standard.metric}) cannot be measured: {sr.reason}.{how}")
    raise typer.Exit(result.exit_code)


@app.command()
@_user_errors
def validate(profile: str = typer.Argument(..., help="A built-in profile name or a profile YAML file.")) -> None:
    """Check a profile without data: keys, metrics, statistics, thresholds.

    Example:

        csaudit validate my-team.yaml
    """
    from csaudit.profile.loader import load_profile

    loaded = load_profile(profile)
    print(f"{loaded.path}: valid profile {loaded.name!r} with {len(loaded.standards)} standards")


@app.command()
@_user_errors
def profiles() -> None:
    """List the built-in profiles.

    Example:

        csaudit profiles
    """
    from csaudit.profile.loader import builtin_profiles, load_profile

    for name in builtin_profiles():
        loaded = load_profile(name)
        print(f"{name:<16} {loaded.title} ({len(loaded.standards)} standards)")


@app.command()
@_user_errors
def metrics() -> None:
    """List the metric catalogue: name, unit, statistics and the fields each needs.

    Example:

        csaudit metrics
    """
    from csaudit.metrics import REGISTRY

    table = Table(box=None, show_header=True, pad_edge=False)
    for column in ("metric", "family", "unit", "statistics", "needs"):
        table.add_column(column, overflow="fold")
    for name, metric in REGISTRY.items():
        stats = ", ".join("pNN" if s == "quantile" else s for s in metric.statistics)
        needs = ", ".join(metric.requires) or getattr(metric, "needs", "") or "see description"
        table.add_row(name, metric.family, metric.unit.value, stats, needs)
    Console(width=160 if not sys.stdout.isatty() else None).print(table)


def _version(value: bool) -> None:
    if value:
        print(f"csaudit {__version__}")
        raise typer.Exit(0)


@app.callback()
def _root(
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="Show the version."),
) -> None:
    """Audit customer-service exports against service-quality standards."""


def main() -> None:
    """Entry point. User errors are handled by each command; anything else is a bug in
    csaudit, reported in one line with exit 2 (the traceback only with CSAUDIT_DEBUG=1)."""
    try:
        app()
    except Exception as exc:
        if os.environ.get("CSAUDIT_DEBUG"):
            traceback.print_exc()
        err.print(
            escape(f"internal error: {type(exc).__name__}: {exc}. This is a bug in csaudit; "
                   "run with CSAUDIT_DEBUG=1 for details and report it."),
            highlight=False,
            soft_wrap=True,
        )
        sys.exit(2)
