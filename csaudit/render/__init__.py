"""Report formats. Each renders an :class:`~csaudit.result.AuditResult` to text."""

from __future__ import annotations

from enum import Enum

from csaudit.render.base import ReportFormat
from csaudit.render.json_format import JsonFormat
from csaudit.render.text import TextFormat


class FormatChoice(str, Enum):
    """The values of ``--format``."""

    text = "text"
    json = "json"


FORMATS: dict[FormatChoice, type[ReportFormat]] = {
    FormatChoice.text: TextFormat,
    FormatChoice.json: JsonFormat,
}

__all__ = ["FORMATS", "FormatChoice", "ReportFormat"]
