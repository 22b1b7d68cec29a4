"""Command line: parse arguments, call the engine, render, map the outcome to an exit code."""

from __future__ import annotations

import contextlib
import errno
import functools
import io
import os
import shutil
import sys
import traceback
from enum import Enum
from pathlib import Path
from typing import List, Optional

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from csaudit import __version__
from csaudit.errors import CsauditError
from csaudit.gate import FailOn
from csaudit.render import FormatChoice

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


def _write_stderr(text: str) -> None:
    sys.stdout.flush()
    sys.stderr.write(text)
    sys.stderr.flush()


def _warning(message: str) -> None:
    err.print(f"[bold yellow]warning:[/] {escape(message)}", highlight=False, soft_wrap=True)


def _parse_map(pairs: list[str], profile_mapping: dict[str, str] | None = None) -> dict[str, str]:
    """``--map FIELD=COLUMN`` flags (a column name may hold ``=``). A field given twice, or two
    fields of one table reading one column (with the profile's ``mapping:``), is an error."""
    mapping: dict[str, str] = {}
    for pair in pairs:
        field, sep, column = pair.partition("=")
        if not sep or not field.strip() or not column.strip():
            raise CsauditError(f"--map {pair!r}: write FIELD=COLUMN, e.g. --map created_at='Created at'")
        field, column = field.strip(), column.strip()
        if field in mapping:
            raise CsauditError(f"--map {field}= is given twice ({mapping[field]!r} and {column!r}); keep one")
        mapping[field] = column
    readers: dict[tuple[str, str], str] = {}  # (table, column) -> the field reading it
    for field, column in {**(profile_mapping or {}), **mapping}.items():
        twin = readers.setdefault((field.partition(".")[0] if "." in field else "", column.strip().casefold()), field)
        if twin != field:
            origin = f"--map {twin}=" if twin in mapping else f"the profile's mapping: {twin}:"
            raise CsauditError(f"--map {field}={column!r}: {origin} reads that column already; each field "
                               "reads its own column (map one of them to another column)")
    return mapping


# Reports, CI and exit behaviour of ``check`` (README, "CI"), declared once here so that the
# command's signature stays readable.
_OUTPUT = typer.Option(
    None, "--output", "-o", metavar="FILE", help="Write the --format report to FILE instead of stdout."
)
_REPORT = typer.Option(
    [], "--report", metavar="FORMAT=PATH",
    help="Also write a report in FORMAT to PATH (repeatable), e.g. --report junit=report.xml.",
)
_FAIL_ON = typer.Option(
    FailOn.fail, "--fail-on",
    help="Exit 1 when a standard fails (fail), fails or warns (warn), or fails and is new or worse "
    "than in --baseline (regression).",
)
_EXIT_ZERO = typer.Option(
    False, "--exit-zero", help="Exit 0 even when standards fail (still 2 when one cannot be measured)."
)
_BASELINE = typer.Option(
    None, "--baseline", metavar="FILE", help="Compare with a baseline written by --write-baseline."
)
_WRITE_BASELINE = typer.Option(
    None, "--write-baseline", metavar="FILE", help="Store this audit's results as a baseline in FILE."
)
_NO_CI_DETECT = typer.Option(
    False, "--no-ci-detect",
    help="In GitHub Actions, do not append to the step summary or emit annotations.",
)

# What the report shows beyond each standard's value (README, "Evidence, breakdowns and charts").
_SAMPLES = typer.Option(
    5, "--samples", min=0, max=1_000_000, metavar="N",
    help="Worst interactions shown under each failed or warned result (0: none; every one: --violations-dir).",
)
_VIOLATIONS_DIR = typer.Option(
    None, "--violations-dir", metavar="DIR", file_okay=False,
    help="Write DIR/<standard id>.csv per failed standard: every interaction that missed the target.",
)
_BY = typer.Option(
    [], "--by", metavar="KEY",
    help="Evaluate every standard again per agent, team, channel, priority, week or month "
    "(repeatable, or comma-separated to cross them).",
)

#: Inputs at least this large get a progress display on a terminal.
PROGRESS_MIN_BYTES = 4 << 20


@contextlib.contextmanager
def _progress(exports: list[Path]):
    """A status line on stderr while a large export is read and audited: only when stderr is a
    terminal, never in CI (``CI`` set) or with ``TERM=dumb``. Yields the callback, or None."""
    sizes = [p.stat().st_size if p.is_file() else PROGRESS_MIN_BYTES for p in exports]
    if not err.is_terminal or os.environ.get("CI") or os.environ.get("TERM") == "dumb" or sum(sizes) < PROGRESS_MIN_BYTES:
        yield None
        return
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    what = f"{exports[0].name}{f' (+{len(exports) - 1} files)' if len(exports) > 1 else ''}, {sum(sizes) / 1e6:,.0f} MB"
    with Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(), console=err, transient=True) as bar:
        task = bar.add_task(f"csaudit: {what}", total=None)
        yield lambda message: bar.update(task, description=f"csaudit: {message} · {what}")

# How the export is read (docs/sources.md), shared by ``check`` and ``inspect``.
_EXPORTS = typer.Argument(
    ..., show_default=False, metavar="EXPORT...",
    help="The export: CSV/TSV, Excel, JSON/NDJSON or Parquet, plain, gzip, zstd or zip; several files "
    "or a glob are read as one table; - reads standard input.",
)
_SOURCE = typer.Option(
    None, "--source", "-s", metavar="NAME",
    help="The tool the export comes from (zendesk, freshdesk, servicenow …; see docs/sources.md); "
    "default: recognised from the headers.",
)
_MAPPING_FILE = typer.Option(
    None, "--mapping-file", metavar="FILE", help="Your own mapping of columns to fields (YAML, docs/sources.md)."
)
_SHEET = typer.Option(None, "--sheet", metavar="NAME", help="The Excel sheet to read, when the workbook has several.")
_ENCODING = typer.Option(
    None, "--encoding", metavar="NAME", help="Text encoding of the export (e.g. cp1258, gbk); default: detected."
)


# Second tables of an interactions audit (csaudit/tables.py); with --events the export may be left out.
_CHECK_EXPORTS = typer.Argument(
    None, show_default=False, metavar="[EXPORT]...", help=_EXPORTS.help + " Optional with --events."
)
_EVENTS = typer.Option(
    None, "--events", metavar="FILE",
    help="Message events, one row per message (interaction_id, at, author: customer/agent/bot): first "
    "human response, reply gaps and replies per interaction; alone, they are the interactions.",
)
_AGENTS = typer.Option(
    None, "--agents", metavar="FILE",
    help="Agent activity (agent, date or interval_start/interval_end, available_seconds) for occupancy.",
)


def _read_options(source, mapping_file, sheet, encoding):
    from csaudit.ingest import ReadOptions

    return ReadOptions(source=source, mapping_file=mapping_file, sheet=sheet, encoding=encoding)


@app.command()
@_user_errors
def check(
    export: List[Path] = _CHECK_EXPORTS,
    profile: str = typer.Option(..., "--profile", "-p", help="A built-in profile name or a profile YAML file."),
    map_: List[str] = typer.Option(
        [], "--map", "-m", help="Read a canonical field from a column: FIELD=COLUMN (repeatable)."
    ),
    format_: FormatChoice = typer.Option(FormatChoice.text, "--format", "-f", help="Report format on stdout."),
    strict: bool = typer.Option(
        False, "--strict", help="Optional standards that cannot be measured become errors; insufficient data fails."
    ),
    timezone: Optional[str] = typer.Option(
        None, "--timezone", "-z", metavar="ZONE",
        help="IANA time zone of timestamps without an offset, e.g. America/Los_Angeles "
        "(default: the profile's timezone:, else UTC).",
    ),
    output: Optional[Path] = _OUTPUT,
    report: List[str] = _REPORT,
    fail_on: FailOn = _FAIL_ON,
    exit_zero: bool = _EXIT_ZERO,
    baseline: Optional[Path] = _BASELINE,
    write_baseline: Optional[Path] = _WRITE_BASELINE,
    no_ci_detect: bool = _NO_CI_DETECT,
    source: Optional[str] = _SOURCE,
    mapping_file: Optional[Path] = _MAPPING_FILE,
    sheet: Optional[str] = _SHEET,
    encoding: Optional[str] = _ENCODING,
    events: Optional[Path] = _EVENTS,
    agents: Optional[Path] = _AGENTS,
    samples: int = _SAMPLES,
    violations_dir: Optional[Path] = _VIOLATIONS_DIR,
    by: List[str] = _BY,
) -> None:
    """Audit EXPORT against every standard of a profile.

    Exit codes: 0 no standard fails (under --fail-on; always with --exit-zero), 1 a standard
    fails, 2 usage error, bad profile or baseline, unreadable input, or a required standard
    that cannot be measured.

    Example:

        csaudit check examples/helpdesk_export.csv --profile stanford

        csaudit check export.csv -p stanford --report junit=report.xml --baseline base.json --fail-on regression

        csaudit check tickets.csv --events messages.csv --agents activity.csv -p stanford

        csaudit check export.csv -p stanford --by week --format html --output report.html
    """
    from csaudit.baseline import compare, read_baseline
    from csaudit.engine import audit
    from csaudit.extras import Extras
    from csaudit.profile.loader import load_profile
    from csaudit.render import FORMATS
    from csaudit.render.outputs import deliver, plan_outputs

    loaded = load_profile(profile)
    inputs = {**{f"export {p}": p for p in export or []}, "profile": Path(loaded.path), "--baseline": baseline,
              "--events": events, "--agents": agents}
    plan = plan_outputs(format_, output, report, write_baseline, inputs, None if no_ci_detect else os.environ,
                        violations=(violations_dir, [s.id for s in loaded.standards]) if violations_dir else None)
    previous = read_baseline(baseline, loaded) if baseline is not None else None
    if fail_on is FailOn.regression and previous is None:
        raise CsauditError("--fail-on regression compares with a baseline: add --baseline FILE "
                           "(written by an earlier run with --write-baseline FILE)")
    formats = {plan.stdout_format} | {d.format for d in ([plan.output] if plan.output else []) + plan.files}
    charts = any(FORMATS[f].needs_charts for f in formats if f is not None)
    extras = Extras(samples=samples, by=by, charts=charts, violations_dir=violations_dir)
    with _progress(export or []) as progress:
        result = audit(loaded, export or None, mapping=_parse_map(map_, loaded.mapping), strict=strict, timezone=timezone,
                       read=_read_options(source, mapping_file, sheet, encoding), events=events, agents=agents,
                       extras=extras, progress=progress)
    if result.violation_files:
        _write_stderr(f"wrote {len(result.violation_files)} violation file(s) to {violations_dir}\n")
    result.fail_on, result.exit_zero = fail_on.value, exit_zero
    if previous is not None:
        compare(result, previous)
    tty = sys.stdout.isatty() and plan.output is None
    color = format_ is FormatChoice.text and tty and "NO_COLOR" not in os.environ
    width = shutil.get_terminal_size((120, 24)).columns if tty else 120
    deliver(result, plan, stdout=_write_report, stderr=_write_stderr, warn=_warning, color=color, width=width)
    for sr in result.errors():
        how = ""
        if sr.missing_fields:
            flags = " ".join(f"--map {field}=COLUMN" for field in sr.missing_fields)
            how = f" Map the column(s) with {flags}, or in the profile's mapping: block."
        _error(f"standard {sr.standard.id!r} ({sr.standard.metric}) cannot be measured: {sr.reason}.{how}")
    raise typer.Exit(result.exit_code)


class InspectFormat(str, Enum):
    text = "text"
    json = "json"


class InspectKind(str, Enum):
    """The kinds of table ``check`` reads (csaudit.inspect.KIND_FIELDS)."""

    interactions = "interactions"
    orders = "orders"
    events = "events"
    agents = "agents"


@app.command()
@_user_errors
def inspect(
    export: List[Path] = _EXPORTS,
    profile: Optional[str] = typer.Option(
        None, "--profile", "-p", help="Also say which standards of this profile the file can measure."
    ),
    map_: List[str] = typer.Option(
        [], "--map", "-m", help="Read a canonical field from a column: FIELD=COLUMN (repeatable)."
    ),
    format_: InspectFormat = typer.Option(InspectFormat.text, "--format", "-f", help="text or json on stdout."),
    source: Optional[str] = _SOURCE,
    mapping_file: Optional[Path] = _MAPPING_FILE,
    sheet: Optional[str] = _SHEET,
    encoding: Optional[str] = _ENCODING,
    timezone: Optional[str] = typer.Option(
        None, "--timezone", "-z", metavar="ZONE",
        help="IANA time zone of timestamps without an offset, e.g. America/Los_Angeles "
        "(default: the profile's timezone:, else UTC), as with check.",
    ),
    kind: Optional[InspectKind] = typer.Option(
        None, "--kind", "-k",
        help="The kind of table: an interactions export, an orders table, message events (check --events) "
        "or agent activity (check --agents); default: the profile's kind, else recognised from the headers.",
    ),
) -> None:
    """Show what csaudit understands of EXPORT, before auditing it: source and encoding,
    kind of table, rows, each canonical field and the column it comes from, empty and
    unreadable shares, time span and time zone, the most frequent channels, priorities (or
    carriers, authors, teams), and (with --profile) which standards are measurable.

    Example:

        csaudit inspect tickets.csv --profile stanford

        csaudit inspect messages.csv --kind events --map events.author=Sender -z Europe/Berlin
    """
    from csaudit.inspect import inspect_export
    from csaudit.profile.loader import load_profile
    from csaudit.render.inspection import render_inspection_json, render_inspection_text

    loaded = load_profile(profile) if profile else None
    inspection = inspect_export(
        export, loaded, mapping=_parse_map(map_, loaded.mapping if loaded else None), read=_read_options(source, mapping_file, sheet, encoding),
        timezone=timezone, kind=kind.value if kind else None,
    )
    if format_ is InspectFormat.json:
        _write_report(render_inspection_json(inspection))
        return
    tty = sys.stdout.isatty()
    color = tty and "NO_COLOR" not in os.environ
    width = shutil.get_terminal_size((120, 24)).columns if tty else 120
    _write_report(render_inspection_text(inspection, color=color, width=width))


@app.command()
@_user_errors
def validate(profile: str = typer.Argument(..., help="A built-in profile name or a profile YAML file.")) -> None:
    """Check a profile without data: keys, metrics, statistics, thresholds.

    Example:

        csaudit validate my-team.yaml
    """
    from csaudit.profile.loader import load_profile

    loaded = load_profile(profile)
    count = len(loaded.standards)
    print(f"{loaded.path}: valid profile {loaded.name!r} with {count} standard{'' if count == 1 else 's'}")
    for name, calendar in loaded.calendars.items():
        print(f"  calendar {name!r}: {calendar.describe()}")


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
    for column in ("metric", "kind", "family", "unit", "statistics", "needs"):
        table.add_column(column, overflow="fold")
    for name, metric in REGISTRY.items():
        stats = ", ".join("pNN" if s == "quantile" else s for s in metric.statistics)
        fields = ", ".join(f for f in metric.requires if f != "response_gaps")  # response_gaps: from --events
        needs = " + ".join(filter(None, [fields, getattr(metric, "needs", "")])) or "see description"
        table.add_row(name, metric.kind, metric.family, metric.unit.value, stats, needs)
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
    except OSError as exc:
        if exc.errno not in _OUTPUT_ERRNOS:
            _internal_error(exc)
        _output_error(exc)
    except Exception as exc:
        _internal_error(exc)


#: Errors of writing output that are the machine's, not csaudit's: a full disk, a quota, a
#: closed standard output (a broken pipe is click's: exit 1, quietly).
_OUTPUT_ERRNOS = (errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EIO, errno.EBADF)


def _output_error(exc: OSError) -> None:
    where = f"cannot write {exc.filename}" if exc.filename else "cannot write to standard output"
    _error(f"{where}: {exc.strerror or exc}")
    sys.exit(2)


class _ClosedOutput(io.TextIOBase):
    """Standard output when the process was started without one (``csaudit … >&-``): a report
    written to it is an error (exit 2), a run that writes none (``--output FILE``) works."""

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        raise OSError(errno.EBADF, "standard output is closed; redirect it (> report.txt or > /dev/null)")


def _internal_error(exc: Exception) -> None:
    if os.environ.get("CSAUDIT_DEBUG"):
        traceback.print_exc()
    what = str(exc) if len(str(exc)) <= 500 else f"{str(exc)[:500]} … ({len(str(exc)):,} characters)"
    err.print(
        escape(f"internal error: {type(exc).__name__}: {what}. This is a bug in csaudit; "
               "run with CSAUDIT_DEBUG=1 for details and report it."),
        highlight=False,
        soft_wrap=True,
    )
    sys.exit(2)


def run() -> None:
    """The program: :func:`main`, then an exit that skips tearing the interpreter down. An
    audit of millions of rows leaves gigabytes of frames that would otherwise be freed one
    by one (a tenth of a second or more) just before the process ends anyway. Output is
    flushed and exit handlers (temporary files) run first."""
    import atexit

    if sys.stderr is None:  # started with stderr closed: messages have nowhere to go, exit codes stay
        sys.stderr = open(os.devnull, "w")
    if sys.stdout is None:
        sys.stdout = _ClosedOutput()
    try:
        main()
        code = 0
    except SystemExit as done:
        if done.code is None or isinstance(done.code, int):
            code = done.code or 0
        else:
            print(done.code, file=sys.stderr)
            code = 1
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (BrokenPipeError, ValueError):
        code = code or 1
    except OSError as exc:  # buffered output that did not fit (a full disk)
        try:
            _output_error(exc)
        except SystemExit:
            code = 2
    atexit._run_exitfuncs()
    os._exit(code)
