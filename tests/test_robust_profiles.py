"""A demanding user's and a hostile file's profiles: YAML features (anchors, merge keys,
duplicate keys, tabs, encodings), values YAML reads as something else (``yes``, ``1:30``,
``.inf``), impossible thresholds and percentiles, and where ``--profile`` points.

Line N of an inline profile is item N-1 of its list; columns count characters from 1.
"""

from __future__ import annotations

import pytest

from csaudit.errors import ProfileError
from csaudit.profile.loader import load_profile, parse_profile, resolve_profile


def text(lines: list[str]) -> str:
    return "\n".join(lines) + "\n"


def error(source: str, filename: str = "p.yaml") -> str:
    with pytest.raises(ProfileError) as caught:
        parse_profile(source, filename)
    return str(caught.value)


def one(standard: str, *extra: str) -> str:
    """A profile of one standard written in flow style on line 4 (it starts at column 5)."""
    return text(["csaudit_profile: 1", "name: t", *extra, "standards:", f"  - {standard}"])


# -- YAML structure -------------------------------------------------------------------------

def test_duplicate_key_names_both_lines():
    source = text(["csaudit_profile: 1", "name: a", "name: b", "standards:", "  - {id: a, title: A, metric: csat}"])
    message = error(source)
    assert message.startswith("p.yaml:3:1: the profile: key 'name' appears twice (first at line 2, column 1)")


def test_merge_keys_share_a_target_and_own_keys_win():
    source = text([
        "csaudit_profile: 1",  # 1
        "name: t",  # 2
        "standards:",  # 3
        "  - &frt {id: chat, title: Chat, metric: first_response_time, compare: at_most, fail: 2m}",  # 4
        "  - <<: *frt",  # 5
        "    id: email",  # 6
        "    fail: 1h",  # 7
        "  - <<: [{id: phone, fail: 30s}, *frt]",  # 8: the first merged mapping wins over the second
        "    title: Phone",  # 9
    ])
    standards = parse_profile(source, "p.yaml").standards
    assert [(s.id, s.title, s.metric, s.target.fail) for s in standards] == [
        ("chat", "Chat", "first_response_time", 120.0),
        ("email", "Chat", "first_response_time", 3600.0),
        ("phone", "Phone", "first_response_time", 30.0),
    ]
    assert standards[1].location == "p.yaml:5:5"


def test_merged_keys_are_checked_like_written_ones():
    # A merged standard keeps its anchor's id unless it gives its own: the id is used twice.
    source = text([
        "csaudit_profile: 1", "name: t", "standards:",
        "  - &s {id: a, title: A, metric: csat}",  # 4
        "  - <<: *s",  # 5
        "    title: B",
    ])
    assert error(source) == "p.yaml:5:5: standard id 'a' is used twice (first at p.yaml:4:5)"
    bad = text(["csaudit_profile: 1", "name: t", "standards:", "  - <<: chat", "    id: a"])
    assert error(bad).startswith("p.yaml:4:9: standard 'a': `<<` merges a mapping into this one")


def test_merge_keys_that_expand_without_end_are_refused_quickly():
    # Each level merges the previous one nine times over: 9**12 copies if expanded naively.
    lines = ["csaudit_profile: 1", "name: t", "standards:", "  - &m0 {id: a, title: A, metric: csat}"]
    for level in range(1, 13):
        lines.append(f"  - &m{level} {{<<: [{', '.join([f'*m{level - 1}'] * 9)}], k{level}: 1}}")
    message = error(text(lines))
    assert "standard 'a': unknown key 'k1'" in message  # read once, not 9**12 times


def test_merge_keys_doubling_at_every_level_stop_at_the_bound():
    # m_i and n_i both merge m_(i-1) and n_(i-1): 2**i mappings copied for the i-th level.
    lines = ["csaudit_profile: 1", "name: t", "standards:",
             "  - &m0 {id: m0, title: M, metric: csat}", "  - &n0 {id: n0, title: N, metric: csat}"]
    for level in range(1, 30):
        for name in "mn":
            lines.append(f"  - &{name}{level} {{<<: [*m{level - 1}, *n{level - 1}], id: {name}{level}}}")
    assert "merge keys (<<) expand to more than 100,000 keys; a profile is a short list of standards" in error(text(lines))


def test_unknown_key_names_the_standard_by_its_id():
    message = error(one("{id: frt, title: A, metric: csat, treshold: 80%}"))
    assert message.startswith("p.yaml:4:39: standard 'frt': unknown key 'treshold'; did you mean 'fail'?")


def test_a_tab_says_yaml_indents_with_spaces():
    source = "csaudit_profile: 1\nname: t\nstandards:\n\t- {id: a, title: A, metric: csat}\n"
    assert error(source) == "p.yaml:4:1: not valid YAML: a tab; YAML indents with spaces only (replace the tab with spaces)"


def test_crlf_and_a_byte_order_mark_are_read(tmp_path):
    path = tmp_path / "p.yaml"
    path.write_bytes(b"\xef\xbb\xbfcsaudit_profile: 1\r\nname: t\r\nstandards:\r\n  - {id: a, title: A, metric: csat}\r\n")
    assert load_profile(str(path)).standards[0].id == "a"


def test_utf16_with_its_byte_order_mark_is_read_and_positions_hold(tmp_path):
    path = tmp_path / "p.yaml"
    path.write_bytes(one("{id: a, title: A, metric: csat, bad: 1}").encode("utf-16"))
    with pytest.raises(ProfileError) as caught:
        load_profile(str(path))
    assert str(caught.value).startswith(f"{path}:4:37: standard 'a': unknown key 'bad'")


def test_non_utf8_names_line_column_and_what_to_do(tmp_path):
    path = tmp_path / "p.yaml"
    path.write_bytes(b"csaudit_profile: 1\nname: caf\xe9\n")
    with pytest.raises(ProfileError) as caught:
        load_profile(str(path))
    # "café" is on line 2; the é (byte 28 of the file) is its 10th character.
    assert str(caught.value) == (
        f"{path}:2:10: not UTF-8 text: byte 0xe9 (byte 28 of the file) is not UTF-8; save the profile as UTF-8"
    )


# -- values YAML reads as something else ----------------------------------------------------

@pytest.mark.parametrize(
    ("standard", "expected"),
    [
        ("{id: a, title: A, metric: replies_per_issue, compare: at_most, fail: .inf}",
         "fail: expected a finite number, got inf (YAML reads '.inf' as inf)"),
        ("{id: a, title: A, metric: replies_per_issue, compare: at_most, fail: .nan}",
         "fail: expected a finite number, got nan (YAML reads '.nan' as nan)"),
        ("{id: a, title: A, metric: replies_per_issue, compare: at_most, fail: 1e400}",
         "fail: expected a finite number, got '1e400', which is infinite"),
        ("{id: a, title: A, metric: replies_per_issue, compare: between, fail: [nan, 3]}",
         "fail: expected a finite number, got 'nan'"),
        ("{id: a, title: A, metric: csat, compare: at_least, fail: yes}",
         "fail: expected a percentage such as 75% or a fraction such as 0.75, got True (YAML reads 'yes' as True)"),
        ("{id: a, title: A, metric: csat, compare: at_least, fail: inf%}",
         "fail: expected a finite number, got 'inf%', which is infinite"),
        ("{id: a, title: A, metric: first_response_time, compare: at_most, fail: 1:30}",
         "fail: '1:30' is read by YAML as the number 90 (base 60); write 1m30s"),
        ("{id: a, title: A, metric: replies_per_issue, compare: at_most, fail: 1:30}",
         "fail: '1:30' is read by YAML as the number 90 (base 60); write a plain number such as 90"),
    ],
)
def test_thresholds_that_are_not_finite_or_not_what_was_written(standard, expected):
    message = error(one(standard))
    assert message.startswith("p.yaml:4:")
    assert message.endswith(f"standard 'a': {expected}")


def test_a_huge_duration_is_refused_and_not_repeated_in_full():
    message = error(one("{id: a, title: A, metric: first_response_time, compare: at_most, fail: " + "9" * 400 + "w}"))
    assert "expected a finite number, got '99999" in message and "…' (401 characters), which is infinite" in message
    assert len(message) < 250


def test_a_5000_digit_number_is_not_repeated_in_full():
    message = error(one("{id: a, title: A, metric: replies_per_issue, compare: at_most, fail: 1" + "0" * 5000 + "}"))
    assert message.startswith("p.yaml:4:74: standard 'a': fail: cannot read the value '1000")
    assert "(5,001 characters)" in message and len(message) < 400


def test_numbers_dates_and_yes_no_are_text_where_text_is_expected():
    source = text([
        "csaudit_profile: 1",
        "name: 2024",
        "mapping: {channel: 2024, priority: 01}",
        "standards:",
        "  - {id: 007, title: 2024-01-31, metric: first_response_time, filter: {priority: [1, 01], channel: no}}",
    ])
    profile = parse_profile(source, "p.yaml")
    standard = profile.standards[0]
    assert (profile.name, profile.mapping) == ("2024", {"channel": "2024", "priority": "01"})
    assert (standard.id, standard.title) == ("007", "2024-01-31")
    assert standard.filter == {"priority": ("1", "01"), "channel": ("no",)}
    # ~ (null) is still no text.
    assert error(one("{id: a, title: A, metric: csat, filter: {channel: ~}}")).endswith(
        "standard 'a': filter.channel must be text, got None"
    )


def test_two_fields_mapped_to_one_column():
    source = text([
        "csaudit_profile: 1", "name: t",
        "mapping:",  # 3
        "  created_at: Opened",  # 4
        "  first_response_at: ' opened'",  # 5: header matching ignores case and surrounding spaces
        "standards:", "  - {id: a, title: A, metric: first_response_time}",
    ])
    assert error(source) == (
        "p.yaml:5:22: mapping: first_response_at and created_at both read the column 'opened'; each field "
        "reads its own column (map one of them to another column, or leave it out)"
    )


# -- statistics ------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("p0", "(p0 is the minimum: write `statistic: min`)"),
        ("p100", "(p100 is the maximum: write `statistic: max`)"),
        ("p101", "e.g. p0.5, p90, p99.9"),
    ],
)
def test_percentiles_outside_0_100(word, expected):
    message = error(one(f"{{id: a, title: A, metric: first_response_time, statistic: {word}}}"))
    assert message.startswith(
        f"p.yaml:4:63: standard 'a': statistic {word!r}: a percentile is above p0 and below p100"
    )
    assert message.endswith(expected)


def test_fractional_percentiles_near_the_ends_are_accepted():
    for word, q in (("p0.5", 0.005), ("p99.9", 0.999), ("p9", 0.09)):
        statistic = parse_profile(one(f"{{id: a, title: A, metric: first_response_time, statistic: {word}}}")).standards[0].statistic
        assert statistic.q == pytest.approx(q)


# -- where --profile points ---------------------------------------------------------------------

def test_profile_that_is_a_folder(tmp_path):
    (tmp_path / "team.yaml").write_text("x")
    with pytest.raises(ProfileError) as caught:
        resolve_profile(str(tmp_path))
    assert str(caught.value) == f"{tmp_path} is a folder; a profile is a YAML file or a built-in name (YAML files there: team.yaml)"


def test_profile_path_that_does_not_exist(tmp_path):
    with pytest.raises(ProfileError) as caught:
        resolve_profile(str(tmp_path / "nowhere" / "stanford.yaml"))
    message = str(caught.value)
    assert message.startswith(f"no profile file {tmp_path}/nowhere/stanford.yaml (there is no folder {tmp_path}/nowhere)")
    assert "did you mean the built-in profile 'stanford'?" in message
    with pytest.raises(ProfileError) as caught:
        resolve_profile("my-team.yaml")
    assert str(caught.value).startswith("no profile file my-team.yaml. Give the path of a profile YAML file, or a built-in name: ")


@pytest.mark.parametrize("value", [".inf", ".nan", "-.inf"])
def test_metric_options_are_never_infinite_or_nan(value):
    message = error(one(f"{{id: a, title: A, metric: dpmo, options: {{opportunities: {value}}}}}"))
    assert message == f"p.yaml:4:62: standard 'a': options.opportunities: expected a finite number, got {value!r}"


def test_an_option_that_is_a_mapping_names_its_standard_and_option():
    message = error(one("{id: a, title: A, metric: backlog_flow, options: {period: {a: 1}}}"))
    assert message == "p.yaml:4:63: standard 'a': options.period must be a single value, not a list or mapping"
