"""Report formats. Each renders an :class:`~csaudit.result.AuditResult` to text."""

from __future__ import annotations

from enum import Enum

import importlib
from collections.abc import Iterator, Mapping

from csaudit.render.base import ReportFormat


class FormatChoice(str, Enum):
    """The values of ``--format``."""

    text = "text"
    json = "json"
    markdown = "markdown"
    junit = "junit"
    github = "github"
    csv = "csv"
    html = "html"


#: Where each format's renderer lives: imported when it is used (start-up stays short).
_RENDERERS = {
    FormatChoice.text: ("csaudit.render.text", "TextFormat"),
    FormatChoice.json: ("csaudit.render.json_format", "JsonFormat"),
    FormatChoice.markdown: ("csaudit.render.markdown", "MarkdownFormat"),
    FormatChoice.junit: ("csaudit.render.junit", "JunitFormat"),
    FormatChoice.github: ("csaudit.render.github", "GithubFormat"),
    FormatChoice.csv: ("csaudit.render.csv_format", "CsvFormat"),
    FormatChoice.html: ("csaudit.render.html", "HtmlFormat"),
}


class _Formats(Mapping):
    """``--format`` value → its :class:`ReportFormat` class."""

    def __getitem__(self, choice: FormatChoice | str) -> type[ReportFormat]:
        module, name = _RENDERERS[FormatChoice(choice)]
        return getattr(importlib.import_module(module), name)

    def __iter__(self) -> Iterator[FormatChoice]:
        return iter(_RENDERERS)

    def __len__(self) -> int:
        return len(_RENDERERS)


FORMATS: Mapping[FormatChoice, type[ReportFormat]] = _Formats()

__all__ = ["FORMATS", "FormatChoice", "ReportFormat"]
