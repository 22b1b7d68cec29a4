"""GitHub Actions annotations: levels, escaping, one per standard."""

from __future__ import annotations

import dataclasses

from csaudit.baseline import Change, Verdict
from csaudit.profile.model import Status
from csaudit.render.github import GithubFormat, escape_data, escape_property, workflow_command
from tests.render.fixtures import ERROR_RESULT, PASSING, fresh

EXPECTED = """\
::warning title=CSAT at least 85%25 (warn under 90%25) (csat)%3A warn,file=team.yaml,line=11::warn, 87.5%25 (target ≥ 90.0%25 (fail < 85.0%25), n=40)
::error title=P1 resolved within 4 business hours (90%25) (resolve-p1)%3A fail,file=team.yaml,line=17::channel=chat: fail, 80.0%25 (target ≥ 90.0%25, n=10)%0A(1 of 2 groups)%0Ameasured in business calendar stanford-it%0Aworst: row 17, id T-17: 8h 30m (channel=chat, agent==2+5); row 4: 6h (channel=chat)
::notice title=FCR at least 70%25 (fcr)%3A insufficient data,file=team.yaml,line=29::fewer than 50 measured interactions (the minimum sample)%0Ainsufficient data, 75.0%25 (target ≥ 70.0%25, n=12)
::notice title=NPS at least 30 (nps)%3A not measured,file=team.yaml,line=35::needs the `nps` column
::warning title=csaudit data quality::2 rows of export.csv: rows whose `id` appears more than once (rows 5, 6; e.g. 'T-5', 'T-5')
::notice title=csaudit::profile team, export.csv: 6 standards: 1 passed, 1 warned, 1 failed, 1 not measured, 1 insufficient data, 0 errors, 1 reported; exit code 1
"""


def test_github_annotations():
    assert GithubFormat().render(fresh()) == EXPECTED


def test_escaping_follows_the_toolkit():
    assert escape_data("50% done\r\nnext: a, b") == "50%25 done%0D%0Anext: a, b"
    assert escape_property("50% done\r\nnext: a, b") == "50%25 done%0D%0Anext%3A a%2C b"
    # % first, so that an escape is never escaped twice
    assert escape_data("%0A") == "%250A"
    assert workflow_command("error", "line 1\nline 2", title="a: b, c", file="p.yaml") == (
        "::error title=a%3A b%2C c,file=p.yaml::line 1%0Aline 2"
    )
    assert workflow_command("notice", "plain") == "::notice::plain"


def test_every_line_is_one_workflow_command():
    result = fresh()
    result.standards[2].groups[1].status = Status.FAIL  # the group with a newline, %, : and , in its name
    for line in GithubFormat().render(result).splitlines():
        assert line.startswith(("::error ", "::warning ", "::notice ")), line
    assert "channel==HYPERLINK(\"http://x\", \"a|b\") <b>50%25</b>, ok:%0Anext: fail" in GithubFormat().render(result)


def test_an_error_names_the_column_to_map():
    text = GithubFormat().render(fresh(ERROR_RESULT))
    assert (
        "::error title=NPS at least 30 (nps)%3A error,file=team.yaml,line=35::cannot be measured: "
        "needs the `nps` column. Map the column(s) with --map nps=COLUMN.\n"
    ) in text


def test_a_warn_is_an_error_under_fail_on_warn():
    text = GithubFormat().render(fresh(fail_on="warn"))
    assert text.startswith("::error title=CSAT at least 85%25 (warn under 90%25) (csat)%3A warn,")


def test_a_clean_audit_gives_only_the_summary():
    result = fresh(PASSING)
    assert GithubFormat().render(result) == (
        "::notice title=csaudit::profile team, export.csv: 2 standards: 2 passed, 0 warned, 0 failed, "
        "0 not measured, 0 insufficient data, 0 errors; exit code 0\n"
    )


def test_a_regression_that_still_passes_is_a_notice_with_the_change():
    result = fresh(PASSING)
    result.standards[0].groups[0].change = Change(Verdict.REGRESSED, "regressed: +15s (was 45s)", Status.PASS, 45.0, 15.0)
    first = GithubFormat().render(result).splitlines()[0]
    assert first == (
        "::notice title=First response under 1 hour (frt)%3A regressed,file=team.yaml,line=5::"
        "pass, 1m (target < 1h, n=3); regressed: +15s (was 45s)"
    )


def test_a_profile_outside_the_repository_gives_no_file():
    """Built-in profiles (and absolute paths) are not files of the repository being checked."""
    result = fresh()
    csat = result.standards[1]
    csat.standard = dataclasses.replace(csat.standard, location="/opt/venv/csaudit/standards/team.yaml:11:5")
    assert GithubFormat().render(result).startswith(
        "::warning title=CSAT at least 85%25 (warn under 90%25) (csat)%3A warn::"
    )


def test_an_annotation_shows_the_evidence_of_the_groups_it_lists_only():
    # resolve-p1 fails on chat and warns on the other channel: the ::error lists chat, so its
    # "worst" are chat's interactions, not the warned group's (which made a failure look wider).
    from tests.render.fixtures import second_group_missing

    result = second_group_missing(Status.WARN)
    lines = GithubFormat().render(result).splitlines()
    error = next(line for line in lines if "(resolve-p1)" in line)
    assert error.startswith("::error ")
    assert error.endswith("%0Aworst: row 17, id T-17: 8h 30m (channel=chat, agent==2+5); row 4: 6h (channel=chat)")
    assert "T-99" not in error
