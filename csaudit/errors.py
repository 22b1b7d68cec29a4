"""Errors a user can cause. Each one carries a message meant to be read by that user.

Anything raised as a ``CsauditError`` ends the run with exit code 2 and its message on
stderr; anything else is a bug in csaudit.
"""

from __future__ import annotations


class CsauditError(Exception):
    """A user error: bad arguments, an unreadable input, an invalid profile."""

    exit_code = 2


class InputError(CsauditError):
    """The export cannot be read or is not usable."""


class ProfileError(CsauditError):
    """A profile is invalid. ``location`` is ``file:line:column`` when known."""

    def __init__(self, message: str, location: str | None = None):
        self.location = location
        super().__init__(f"{location}: {message}" if location else message)

