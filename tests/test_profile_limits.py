"""docs/profiles.md "Limits" states the loader's real limits and messages: each limit is
reached here, one past it is refused, and the message is the documented one."""

from __future__ import annotations

import re

import pytest

from csaudit.errors import ProfileError
from csaudit.profile import loader
from csaudit.profile.loader import parse_profile
from tests.conftest import REPO

HEAD = "csaudit_profile: 1\nname: limits\nstandards:\n"
STANDARD = "  - {{id: s{i}, title: t, metric: csat, compare: at_least, fail: 80%}}\n"


def documented_messages() -> list[str]:
    doc = (REPO / "docs" / "profiles.md").read_text(encoding="utf-8")
    section = doc[doc.index("## Limits") :]
    return [m.strip() for m in re.findall(r"\| (?:``|`)(.+?)(?:``|`) \|$", section, flags=re.M)]


def refusal(text: str) -> str:
    with pytest.raises(ProfileError) as caught:
        parse_profile(text, "FILE")
    return re.sub(r"^FILE:\d+:\d+:", "FILE:LINE:COL:", str(caught.value))


def test_the_documented_numbers_are_the_loaders():
    assert (loader.MAX_PROFILE_BYTES, loader.MAX_STANDARDS, loader.MAX_DEPTH) == (250_000, 1_000, 32)
    assert len(documented_messages()) == 3


def test_size_limit():
    padding = "# " + "x" * (250_000 - len(HEAD) - len(STANDARD.format(i=0)) - 3) + "\n"
    fits = padding + HEAD + STANDARD.format(i=0)
    assert len(fits.encode()) == 250_000
    assert len(parse_profile(fits, "FILE").standards) == 1
    assert refusal("#" + fits) == documented_messages()[0]


def test_standards_limit():
    assert len(parse_profile(HEAD + "".join(STANDARD.format(i=i) for i in range(1_000)), "FILE").standards) == 1_000
    assert refusal(HEAD + "".join(STANDARD.format(i=i) for i in range(1_001))) == documented_messages()[1]


def test_nesting_limit():
    # The top-level mapping (1) and `standards` (2) hold a standard nested k lists deep:
    # 2 + 30 = 32 collections are read (and then refused as no standard), 33 are not YAML here.
    def nested(k: int) -> str:
        return HEAD + "  - " + "[" * k + "]" * k + "\n"

    assert "a standard must be a mapping" in refusal(nested(30))
    assert refusal(nested(31)) == documented_messages()[2]
