"""Where a run's reports go: stdout, ``--output``, ``--report FORMAT=PATH``, ``--write-baseline``,
and GitHub Actions' step summary and annotations.

:func:`plan_outputs` checks every destination before the audit runs (a bad format, a
directory, an unwritable place, a report over an input, two reports on one file: exit 2 with
the option named), and :func:`deliver` writes them afterwards. A file is opened only once
its whole text is rendered, so a run that stops early leaves no empty or half report.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Mapping

from csaudit.baseline import baseline_text
from csaudit.errors import CsauditError
from csaudit.render import FORMATS, FormatChoice
from csaudit.result import AuditResult


#: ``--output -``: standard output, as without ``--output``.
STDOUT = "-"


class OutputError(CsauditError):
    """A report destination that cannot be used."""


@dataclass(frozen=True)
class Destination:
    """A file to write: ``format`` None is the baseline."""

    option: str  # how the user asked for it, for messages: "--output", "--report junit", …
    path: Path
    format: FormatChoice | None


@dataclass(frozen=True)
class GithubActions:
    """Running in GitHub Actions (``GITHUB_ACTIONS=true``): where the step summary goes."""

    summary_path: Path | None


@dataclass
class OutputPlan:
    stdout_format: FormatChoice
    output: Destination | None = None
    files: list[Destination] = field(default_factory=list)  # --report … and --write-baseline
    github: GithubActions | None = None


def parse_report_option(text: str) -> tuple[FormatChoice, Path]:
    """``junit=report.xml`` → (junit, Path("report.xml"))."""
    name, sep, path = text.partition("=")
    choices = ", ".join(c.value for c in FormatChoice)
    if not sep or not name.strip() or not path.strip():
        raise OutputError(f"--report {text!r}: write FORMAT=PATH, e.g. --report junit=report.xml (formats: {choices})")
    try:
        choice = FormatChoice(name.strip().lower())
    except ValueError:
        raise OutputError(f"--report {text!r}: unknown format {name.strip()!r}; choose from {choices}") from None
    return choice, Path(path.strip())


def github_actions(environ: Mapping[str, str]) -> GithubActions | None:
    """GitHub Actions' settings when ``GITHUB_ACTIONS`` is ``true``, else None."""
    if environ.get("GITHUB_ACTIONS") != "true":
        return None
    summary = environ.get("GITHUB_STEP_SUMMARY", "").strip()
    return GithubActions(Path(summary) if summary else None)


def plan_outputs(
    stdout_format: FormatChoice,
    output: Path | None,
    reports: list[str],
    write_baseline: Path | None,
    inputs: Mapping[str, Path | None],
    environ: Mapping[str, str] | None = None,
    violations: tuple[Path, Iterable[str]] | None = None,
) -> OutputPlan:
    """Check every destination before the audit. ``inputs`` (label → file) are what the
    user gave to read: no report may overwrite one (the baseline may be rewritten by
    ``--write-baseline`` only). ``environ`` None means no CI detection. ``violations`` is
    ``--violations-dir`` and the profile's standard ids: the files ``DIR/<id>.csv`` it may
    write must be neither an input nor another report. ``--output -`` is stdout."""
    plan = OutputPlan(stdout_format, github=github_actions(environ) if environ is not None else None)
    if output is not None and str(output) != STDOUT:
        plan.output = Destination("--output", output, stdout_format)
    for text in reports:
        choice, path = parse_report_option(text)
        if str(path) == STDOUT:
            raise OutputError(
                f"--report {text!r}: standard output carries the --format report; write this one to a file, "
                f"or print it with --format {choice.value} (and send the other to a file with --output FILE)"
            )
        plan.files.append(Destination(f"--report {choice.value}", path, choice))
    if write_baseline is not None:
        if str(write_baseline) == STDOUT:
            raise OutputError("--write-baseline -: give a file name; the baseline is read back with --baseline FILE")
        plan.files.append(Destination("--write-baseline", write_baseline, None))
    seen: dict[Path, str] = {}
    for dest in ([plan.output] if plan.output else []) + plan.files:
        _check_writable(dest)
        where = dest.path.resolve()
        for label, source in inputs.items():
            if source is None or (label == "--baseline" and dest.format is None):
                continue
            if source.resolve() == where:
                raise OutputError(f"{dest.option} {dest.path}: that file is an input ({label}); csaudit does not overwrite its inputs")
        if where in seen:
            raise OutputError(f"{dest.option} {dest.path}: {seen[where]} already writes to that file")
        seen[where] = dest.option
    if violations is not None:
        directory, standard_ids = violations
        for standard_id in standard_ids:
            path = directory / f"{standard_id}.csv"
            where = path.resolve()
            for label, source in inputs.items():
                if source is not None and source.resolve() == where:
                    raise OutputError(
                        f"--violations-dir {directory}: it would write {path} (standard {standard_id!r}) over an input "
                        f"({label}); csaudit does not overwrite its inputs: choose another folder"
                    )
            if where in seen:
                raise OutputError(
                    f"--violations-dir {directory}: it would write {path} (standard {standard_id!r}), "
                    f"which {seen[where]} writes too; choose another folder or file name"
                )
    return plan


def _check_writable(dest: Destination) -> None:
    path = dest.path
    if path.is_dir():
        raise OutputError(f"{dest.option} {path}: is a directory; give a file name")
    if path.exists():
        if not os.access(path, os.W_OK):
            raise OutputError(f"{dest.option} {path}: the file is not writable")
        return
    # Missing folders are created when the file is written; the nearest existing one must allow it.
    parent = path.absolute().parent
    while not parent.exists():
        parent = parent.parent
    if not parent.is_dir():
        raise OutputError(f"{dest.option} {path}: {parent} is a file, not a folder")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise OutputError(f"{dest.option} {path}: cannot create files in {parent} (permission denied)")


def write_file(dest: Destination, text: str) -> None:
    """Write ``text`` as UTF-8, creating missing folders; a failure is an :class:`OutputError`."""
    try:
        dest.path.parent.mkdir(parents=True, exist_ok=True)
        dest.path.write_bytes(text.encode("utf-8"))
    except OSError as exc:
        raise OutputError(f"{dest.option} {dest.path}: cannot write the file: {exc.strerror or exc}") from None


#: GitHub refuses a step summary over 1 MiB (the whole file: "upload aborted"), and shows none.
STEP_SUMMARY_LIMIT = 1024 * 1024


def fit_step_summary(markdown: str, room: int) -> str:
    """``markdown`` cut at a line end so that it takes at most ``room`` bytes of UTF-8, with a
    closing line that says so; unchanged when it fits. A breakdown over hundreds of agents and
    weeks can pass the limit, and then GitHub would show no summary at all."""
    data = markdown.encode("utf-8")
    if len(data) <= room:
        return markdown
    note = ("\n\n*The report is cut here: GitHub shows at most 1 MiB per step summary. "
            "Write the whole report with `--report markdown=FILE`.*\n")
    budget = room - len(note.encode("utf-8"))
    if budget <= 0:
        return ""
    cut = data[:budget]
    cut = cut[: cut.rfind(b"\n") + 1] if b"\n" in cut else b""
    return cut.decode("utf-8", errors="ignore").rstrip("\n") + note


def append_step_summary(path: Path, markdown: str, limit: int = STEP_SUMMARY_LIMIT) -> None:
    """Append to ``$GITHUB_STEP_SUMMARY`` (other steps' and tools' summaries stay), cut to
    what is left of GitHub's limit."""
    try:
        with open(path, "ab") as handle:
            if handle.tell() > 0:
                markdown = "\n" + markdown  # a blank line: a previous summary may end mid-paragraph
            markdown = fit_step_summary(markdown, limit - handle.tell())
            handle.write(markdown.encode("utf-8"))
    except OSError as exc:
        raise OutputError(f"cannot append to $GITHUB_STEP_SUMMARY {path}: {exc.strerror or exc}") from None


class Renderings:
    """Each format rendered at most once per run, however many places it goes to."""

    def __init__(self, result: AuditResult, width: int = 120):
        self.result = result
        self.width = width
        self._done: dict[tuple[FormatChoice, bool], str] = {}

    def text(self, choice: FormatChoice, color: bool = False) -> str:
        key = (choice, color)
        if key not in self._done:
            self._done[key] = FORMATS[choice](color=color, width=self.width).render(self.result)
        return self._done[key]


def deliver(
    result: AuditResult,
    plan: OutputPlan,
    stdout: Callable[[str], None],
    stderr: Callable[[str], None],
    warn: Callable[[str], None],
    color: bool = False,
    width: int = 120,
) -> None:
    """Render and write every report of ``plan``.

    In GitHub Actions, also append the Markdown report to the step summary and emit the
    annotations: on stdout after a text report (or when the report went to ``--output``),
    on stderr when stdout carries another format so that it stays parseable (the runner
    reads workflow commands from both), and not at all when stdout already carries them.
    """
    renderings = Renderings(result, width=width)
    if plan.output is not None:
        write_file(plan.output, renderings.text(plan.stdout_format))
    else:
        stdout(renderings.text(plan.stdout_format, color=color))
    for dest in plan.files:
        write_file(dest, renderings.text(dest.format) if dest.format is not None else baseline_text(result))
    if plan.github is None:
        return
    if plan.github.summary_path is not None:
        try:
            append_step_summary(plan.github.summary_path, renderings.text(FormatChoice.markdown))
        except OutputError as exc:
            warn(str(exc))
    stdout_is_free = plan.output is not None or plan.stdout_format is FormatChoice.text
    if plan.output is None and plan.stdout_format is FormatChoice.github:
        return
    (stdout if stdout_is_free else stderr)(renderings.text(FormatChoice.github))
