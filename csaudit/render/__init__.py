"""Report formats. Each renders an :class:`~csaudit.result.AuditResult` to text."""

from __future__ import annotations

from enum import Enum

from csaudit.render.base import ReportFormat
from csaudit.render.csv_format import CsvFormat
from csaudit.render.github import GithubFormat
from csaudit.render.html import HtmlFormat
from csaudit.render.json_format import JsonFormat
from csaudit.render.junit import JunitFormat
from csaudit.render.markdown import MarkdownFormat
from csaudit.render.text import TextFormat


class FormatChoice(str, Enum):
    """The values of ``--format``."""

    text = "text"
    json = "json"
    markdown = "markdown"
    junit = "junit"
    github = "github"
    csv = "csv"
    html = "html"


FORMATS: dict[FormatChoice, type[ReportFormat]] = {
    FormatChoice.text: TextFormat,
    FormatChoice.json: JsonFormat,
    FormatChoice.markdown: MarkdownFormat,
    FormatChoice.junit: JunitFormat,
    FormatChoice.github: GithubFormat,
    FormatChoice.csv: CsvFormat,
    FormatChoice.html: HtmlFormat,
}

__all__ = ["FORMATS", "FormatChoice", "ReportFormat"]
