"""The interface every report format implements."""

from __future__ import annotations

from abc import ABC, abstractmethod

from csaudit.result import AuditResult


class ReportFormat(ABC):
    """Renders a result. ``color`` is a hint only formats for terminals use."""

    #: Whether the result must carry chart data (``audit(..., Extras(charts=True))``).
    needs_charts = False

    def __init__(self, color: bool = False, width: int = 120):
        self.color = color
        self.width = width

    @abstractmethod
    def render(self, result: AuditResult) -> str:
        """The whole report as text, ending with a newline."""
