"""The Markdown report (GitHub step summary), checked against text written out by hand."""

from __future__ import annotations

from csaudit.baseline import Change, Comparison, RemovedResult, Verdict
from csaudit.metrics.base import Unit
from csaudit.profile.model import Status
from csaudit.render.markdown import MarkdownFormat, md
from tests.render.fixtures import PASSING, RESULT, fresh

EXPECTED = """\
### csaudit · profile team (Team standards)

export.csv · 120 rows

**6 standards: 1 passed, 1 warned, 1 failed, 1 not measured, 1 insufficient data, 0 errors, 1 reported** · exit code 1

| Status | Standard | Group | Value | Target | n |
|---|---|---|--:|---|--:|
| ✅ pass | **First response under 1 hour**<br>`frt` · mean | all | 25m 30s | \\< 1h | 118 |
| ⚠️ warn | **CSAT at least 85% (warn under 90%)**<br>`csat` · rate | all | 87.5% | ≥ 90.0% (fail \\< 85.0%) | 40 |
| ❌ fail | **P1 resolved within 4 business hours (90%)**<br>`resolve-p1` · share within 4h · business calendar stanford-it | channel=chat | 80.0% | ≥ 90.0% | 10 |
| ✅ pass |  | channel==HYPERLINK("http://x", "a\\|b") \\<b\\>50%\\</b\\>, ok: next | 95.0% |  | 20 |
| ℹ️ info | **Average handle time**<br>`aht` · mean | all | 9m | — | 100 |
| ❔ insufficient data | **FCR at least 70%**<br>`fcr` · rate<br>*fewer than 50 measured interactions (the minimum sample)* | all | 75.0% | ≥ 70.0% | 12 |
| ➖ not measured | **NPS at least 30**<br>`nps` · mean · optional<br>*needs the \\`nps\\` column* |  | — | ≥ 30 | 0 |

**By agent**

| Status | Standard | Group | Value | n |
|---|---|---|--:|--:|
| ✅ pass | `resolve-p1` | agent=Ann | 100.0% | 4 |
| ❌ fail | `resolve-p1` | agent=Bo | 50.0% | 6 |

**Worst interactions**

- `resolve-p1` P1 resolved within 4 business hours (90%) · channel=chat: row 17, id T-17: 8h 30m (channel=chat, agent==2+5); row 4: 6h (channel=chat)

**Data quality**

- 2 rows: rows whose \\`id\\` appears more than once (rows 5, 6; e.g. 'T-5', 'T-5')
"""


def test_markdown_report():
    assert MarkdownFormat().render(fresh()) == EXPECTED


def test_every_table_row_has_the_same_number_of_cells():
    """An escaped | inside a cell must not open a new column."""
    lines = [line for line in MarkdownFormat().render(fresh()).splitlines() if line.startswith("| ")]
    header = lines[0]
    for line in lines[1:7]:
        cells = line.replace("\\|", "").count("|")
        assert cells == header.count("|"), line


def test_markup_in_user_text_is_escaped():
    assert md("a|b") == "a\\|b"
    assert md("<script>") == "\\<script\\>"
    assert md("*bold* _it_ [link](x) `code` ~~s~~ &amp; #1 !") == (
        "\\*bold\\* \\_it\\_ \\[link\\](x) \\`code\\` \\~\\~s\\~\\~ \\&amp; \\#1 \\!"
    )
    assert md("one\r\ntwo\nthree\rfour") == "one two three four"


def test_markdown_with_a_baseline_adds_a_column_and_the_removed_standards():
    result = fresh(PASSING)
    result.standards[0].groups[0].change = Change(Verdict.REGRESSED, "regressed: +15s (was 45s)", Status.PASS, 45.0, 15.0)
    result.standards[1].groups[0].change = Change(Verdict.UNCHANGED, "unchanged", Status.PASS, 3.0, 0.0)
    result.comparison = Comparison(
        "base.json",
        "last-week.csv",
        3,
        {"regressed": 1, "unchanged": 1},
        [RemovedResult("csat", "CSAT | 85%", None, Status.FAIL, 0.8, Unit.FRACTION)],
    )
    assert MarkdownFormat().render(result) == """\
### csaudit · profile team (Team standards)

export.csv · 3 rows · compared with baseline base.json

**2 standards: 2 passed, 0 warned, 0 failed, 0 not measured, 0 insufficient data, 0 errors** · exit code 0 · since the baseline: 1 regressed, 1 unchanged, 1 removed

| Status | Standard | Group | Value | Target | n | Since baseline |
|---|---|---|--:|---|--:|---|
| ✅ pass | **First response under 1 hour**<br>`frt` · mean | all | 1m | \\< 1h | 3 | regressed: +15s (was 45s) |
| ✅ pass | **Two to four replies per issue**<br>`replies` · mean | all | 3 | 2 – 4 | 3 | unchanged |

**Removed since the baseline**

- `csat` CSAT \\| 85%: removed (was fail, 80.0%)
"""


def test_the_fixture_is_not_changed_by_rendering():
    before = repr(RESULT)
    MarkdownFormat().render(RESULT)
    assert repr(RESULT) == before


def test_worst_interactions_are_listed_per_group():
    # Two failing groups' interactions on one line read as one group's.
    from tests.render.fixtures import second_group_missing

    result = second_group_missing(Status.FAIL)
    out = MarkdownFormat().render(result).splitlines()
    start = out.index("**Worst interactions**")
    assert out[start + 2 : start + 4] == [
        "- `resolve-p1` P1 resolved within 4 business hours (90%) · channel=chat: "
        "row 17, id T-17: 8h 30m (channel=chat, agent==2+5); row 4: 6h (channel=chat)",
        "- `resolve-p1` P1 resolved within 4 business hours (90%) · "
        'channel==HYPERLINK("http://x", "a\\|b") \\<b\\>50%\\</b\\>, ok: next: '
        'row 99, id T-99: 1h (channel==HYPERLINK("http://x", "a\\|b") \\<b\\>50%\\</b\\>, ok: next)',
    ]
