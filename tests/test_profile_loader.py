"""Profile loading: the built-in profiles, every kind of error with its exact location, and
the values a valid profile parses to.

Each inline profile is written line by line so that the expected ``file:line:column`` can be
read off the list: line N is item N-1, and a column counts characters from 1.
"""

from __future__ import annotations

import pytest

from csaudit.errors import ProfileError
from csaudit.profile.loader import builtin_profiles, load_profile, parse_profile
from csaudit.profile.model import Profile, Standard

BUILTINS = ("contact-center", "essentials", "forbes", "logistics", "retention", "stanford")

HEAD = [
    "csaudit_profile: 1",  # 1
    "name: t",  # 2
]
FRT = HEAD + [
    "standards:",  # 3
    "  - id: a",  # 4
    "    title: A",  # 5
    "    metric: first_response_time",  # 6
]
CSAT = HEAD + [
    "standards:",  # 3
    "  - id: a",  # 4
    "    title: A",  # 5
    "    metric: csat",  # 6
]
REPLIES = HEAD + [
    "standards:",  # 3
    "  - id: a",  # 4
    "    title: A",  # 5
    "    metric: replies_per_issue",  # 6
]
CES = HEAD + [
    "standards:",  # 3
    "  - id: a",  # 4
    "    title: A",  # 5
    "    metric: customer_effort_score",  # 6
]


def text(lines: list[str]) -> str:
    return "\n".join(lines) + "\n"


def load(lines: list[str]) -> Profile:
    return parse_profile(text(lines), "p.yaml")


def first(lines: list[str]) -> Standard:
    return load(lines).standards[0]


def error(lines: list[str], line: int, column: int) -> str:
    """Parse, expect a ProfileError located at ``p.yaml:line:column``; return its message."""
    with pytest.raises(ProfileError) as info:
        load(lines)
    where = f"p.yaml:{line}:{column}"
    assert info.value.location == where, str(info.value)
    assert str(info.value).startswith(where + ": ")
    return str(info.value)


# -- built-in profiles ------------------------------------------------------------------------


def test_the_builtin_profiles_are_found():
    assert sorted(builtin_profiles()) == sorted(BUILTINS)


@pytest.mark.parametrize("name", BUILTINS)
def test_builtin_profile_loads(name):
    profile = load_profile(name)
    assert profile.name == name
    assert profile.version == 1
    assert profile.standards
    ids = [s.id for s in profile.standards]
    assert len(ids) == len(set(ids))
    for standard in profile.standards:
        assert standard.location.startswith(str(builtin_profiles()[name]) + ":")


@pytest.mark.parametrize("name", BUILTINS)
def test_builtin_profile_parses_from_text(name):
    path = builtin_profiles()[name]
    profile = parse_profile(path.read_text(encoding="utf-8"), path.name)
    assert profile.name == name
    assert profile.path == path.name


def _shape(profile: Profile) -> list:
    return [
        (s.id, s.title, s.metric, repr(s.statistic), repr(s.target), s.filter, s.each, s.min_sample,
         s.required, s.location, s.calendar.name if s.calendar else None, sorted(s.options, key=str))
        for s in profile.standards
    ]


@pytest.mark.parametrize("name", BUILTINS)
def test_builtin_profile_reads_the_same_with_libyaml(name):
    """Built-in profiles are composed by libyaml (load_profile); every other profile by the
    depth-limited Python loader. Both give the same standards, at the same lines."""
    path = builtin_profiles()[name]
    fast = load_profile(name)
    slow = parse_profile(path.read_text(encoding="utf-8"), str(path))
    assert _shape(fast) == _shape(slow)
    assert (fast.mapping, fast.timezone, fast.title) == (slow.mapping, slow.timezone, slow.title)


# -- errors, with their locations ------------------------------------------------------------


def test_unknown_top_level_key_suggests_nearest():
    message = error(HEAD + ["standard:", "  - id: a"], 3, 1)
    assert "unknown key 'standard'" in message
    assert "did you mean 'standards'?" in message


def test_unknown_standard_key_treshold_suggests_fail():
    message = error(FRT + ["    compare: below", "    treshold: 2m"], 8, 5)
    assert "unknown key 'treshold'" in message
    assert "did you mean 'fail'?" in message


@pytest.mark.parametrize(
    "key, nearest",
    [("titel", "title"), ("metrics", "metric"), ("statistics", "statistic"), ("filters", "filter")],
)
def test_misspelt_standard_key_suggests_nearest(key, nearest):
    message = error(FRT + [f"    {key}: x"], 7, 5)
    assert f"unknown key {key!r}" in message
    assert f"did you mean {nearest!r}?" in message


def test_unknown_defaults_key_suggests_nearest():
    message = error(HEAD + ["defaults:", "  min_sampel: 3", "standards:", "  - id: a"], 4, 3)
    assert "did you mean 'min_sample'?" in message


def test_unknown_metric_suggests_nearest():
    lines = HEAD + ["standards:", "  - id: a", "    title: A", "    metric: first_respons_time"]
    message = error(lines, 6, 13)
    assert "unknown metric 'first_respons_time'" in message
    assert "did you mean 'first_response_time'?" in message


def test_statistic_not_allowed_for_metric():
    message = error(FRT + ["    statistic: rate"], 7, 16)
    assert "statistic 'rate' does not apply to first_response_time" in message
    assert "p90" in message  # the allowed statistics are listed


def test_percentile_not_allowed_for_rate_metric():
    message = error(CSAT + ["    statistic: p90"], 7, 16)
    assert "does not apply to csat" in message


def test_share_within_not_allowed_for_rate_metric():
    message = error(CSAT + ["    statistic: {share_within: 20s}"], 7, 16)
    assert "share_within" in message


def test_percentile_out_of_range():
    error(FRT + ["    statistic: p0"], 7, 16)


@pytest.mark.parametrize("value", ["2 minutes", "120", "2", "-2m", "1m1m", "soon"])
def test_bad_duration_threshold(value):
    message = error(FRT + ["    compare: below", f"    fail: {value}"], 8, 11)
    assert "duration" in message
    assert "fail" in message


def test_bare_number_for_share_within_limit():
    message = error(FRT + ["    statistic: {share_within: 20}"], 7, 31)
    assert "duration" in message


def test_duration_threshold_for_a_share_is_refused():
    lines = FRT + ["    statistic: {share_within: 20s}", "    compare: at_least", "    fail: 2m"]
    message = error(lines, 9, 11)
    assert "percentage" in message


@pytest.mark.parametrize("value", ["75", "101%", "1.5", "high"])
def test_bad_percentage_for_a_rate(value):
    message = error(CSAT + ["    compare: at_least", f"    fail: {value}"], 8, 11)
    assert "percentage" in message


def test_warn_less_strict_than_fail_at_most():
    lines = FRT + ["    compare: below", "    fail: 2m", "    warn: 3m"]
    message = error(lines, 9, 11)
    assert "warn must be stricter than fail" in message


def test_warn_less_strict_than_fail_at_least():
    lines = CSAT + ["    compare: at_least", "    fail: 80%", "    warn: 75%"]
    assert "warn must be stricter than fail" in error(lines, 9, 11)


def test_warn_band_wider_than_fail_band():
    lines = REPLIES + ["    compare: between", "    fail: [2, 4]", "    warn: [1, 5]"]
    assert "warn must be stricter than fail" in error(lines, 9, 11)


@pytest.mark.parametrize("value", ["3", "[3]", "[1, 2, 3]"])
def test_between_needs_two_values(value):
    message = error(REPLIES + ["    compare: between", f"    fail: {value}"], 8, 11)
    assert "[low, high]" in message


def test_between_low_above_high():
    message = error(REPLIES + ["    compare: between", "    fail: [4, 2]"], 8, 11)
    assert "low is above high" in message


def test_unknown_compare_suggests_nearest():
    message = error(FRT + ["    compare: bellow", "    fail: 2m"], 7, 14)
    assert "did you mean 'below'?" in message


def test_fail_without_compare():
    message = error(FRT + ["    fail: 2m"], 4, 5)  # located at the standard
    assert "compare" in message


def test_duplicate_standard_ids():
    lines = FRT + ["  - id: a", "    title: B", "    metric: csat"]
    message = error(lines, 7, 5)
    assert "'a' is used twice" in message
    assert "p.yaml:4:5" in message  # where it was first used


def test_duplicate_yaml_key_in_standard():
    message = error(FRT + ["    title: B"], 7, 5)
    assert "'title' appears twice" in message


def test_duplicate_yaml_key_at_top_level():
    message = error(HEAD + ["name: u", "standards:", "  - id: a"], 3, 1)
    assert "'name' appears twice" in message


def test_duplicate_yaml_key_in_mapping_block():
    lines = HEAD + ["mapping:", "  created_at: A", "  created_at: B"] + FRT[2:]
    message = error(lines, 5, 3)
    assert "'created_at' appears twice" in message


def test_invalid_yaml_syntax():
    lines = HEAD + ["standards:", "  - id: a", "    title: a: b"]
    message = error(lines, 5, 13)  # the second colon
    assert "not valid YAML" in message


def test_invalid_yaml_unclosed_bracket_is_located():
    with pytest.raises(ProfileError) as info:
        load(FRT + ["    filter: {channel: [chat"])
    assert info.value.location and info.value.location.startswith("p.yaml:")
    assert "not valid YAML" in str(info.value)


def test_missing_format_version():
    message = error(["name: t", "standards:", "  - id: a", "    title: A", "    metric: csat"], 1, 1)
    assert "csaudit_profile" in message


@pytest.mark.parametrize("version", ["2", "0", "'1'", "true", "1.0"])
def test_wrong_format_version(version):
    message = error([f"csaudit_profile: {version}"] + FRT[1:], 1, 18)
    assert "format version 1" in message


def test_unknown_filter_field():
    message = error(FRT + ["    filter: {chanel: chat}"], 7, 14)
    assert "'chanel'" in message
    assert "did you mean 'channel'?" in message


def test_filter_on_a_field_that_is_not_text():
    message = error(FRT + ["    filter: {created_at: today}"], 7, 14)
    assert "'created_at'" in message


def test_unknown_each_field():
    message = error(FRT + ["    each: agnet"], 7, 11)
    assert "did you mean 'agent'?" in message


def test_unknown_each_field_in_a_list():
    message = error(FRT + ["    each: [agent, tem]"], 7, 11)
    assert "did you mean 'team'?" in message


def test_unknown_metric_option():
    message = error(CES + ["    options: {scal: 5}"], 7, 15)
    assert "unknown key 'scal'" in message
    assert "did you mean 'scale'?" in message


def test_bad_metric_option_value():
    message = error(CES + ["    options: {scale: 6}"], 7, 22)
    assert "options.scale" in message
    assert "6" in message


def test_option_for_a_metric_without_options():
    message = error(REPLIES + ["    options: {scale: 5}"], 7, 14)
    assert "takes no options" in message


def test_mapping_to_an_unknown_canonical_field():
    lines = HEAD + ["mapping:", "  created: Opened"] + FRT[2:]
    message = error(lines, 4, 3)
    assert "'created' is not a canonical field" in message
    assert "did you mean 'created_at'?" in message


def test_min_sample_must_be_positive():
    error(FRT + ["    min_sample: 0"], 7, 17)


def test_bad_id():
    message = error(HEAD + ["standards:", "  - id: A B", "    title: A", "    metric: csat"], 4, 9)
    assert "lower-case" in message


def test_standards_must_not_be_empty():
    error(HEAD + ["standards: []"], 3, 12)


@pytest.mark.parametrize(
    "line",
    [
        "name: !!python/name:os.system x",
        "name: !custom t",
    ],
)
def test_yaml_tags_are_a_profile_error_not_a_crash(line):
    message = error(["csaudit_profile: 1", line] + FRT[2:], 2, 7)
    assert "name" in message


def test_unreadable_scalar_is_a_profile_error():
    error(FRT + ["    min_sample: !!int abc"], 7, 17)


def test_empty_profile():
    with pytest.raises(ProfileError) as info:
        parse_profile("", "p.yaml")
    assert str(info.value).startswith("p.yaml: ")


def test_unknown_builtin_name_suggests_nearest():
    with pytest.raises(ProfileError) as info:
        load_profile("stanfrod")
    assert "did you mean 'stanford'?" in str(info.value)
    for name in BUILTINS:
        assert name in str(info.value)


# -- good paths -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "written, seconds",
    [("90s", 90), ("2m", 120), ("24h", 86400), ("1d", 86400), ("1h30m", 5400), ("1.5h", 5400), ("1w", 604800)],
)
def test_durations_parse_to_seconds(written, seconds):
    standard = first(FRT + ["    compare: at_most", f"    fail: {written}"])
    assert standard.target.fail == seconds
    assert isinstance(standard.target.fail, float)


def test_warn_and_fail_thresholds():
    standard = first(FRT + ["    compare: below", "    fail: 5m", "    warn: 90s"])
    assert (standard.target.compare, standard.target.fail, standard.target.warn) == ("below", 300, 90)


def test_warn_equal_to_fail_is_allowed():
    standard = first(FRT + ["    compare: below", "    fail: 1d", "    warn: 24h"])
    assert standard.target.warn == standard.target.fail == 86400


def test_p90_is_the_0_9_quantile():
    standard = first(FRT + ["    statistic: p90"])
    assert standard.statistic.kind == "quantile"
    assert standard.statistic.q == pytest.approx(0.9)
    assert standard.statistic.text == "p90"


def test_fractional_percentile():
    assert first(FRT + ["    statistic: p99.5"]).statistic.q == pytest.approx(0.995)


def test_share_within():
    standard = first(FRT + ["    statistic: {share_within: 20s}", "    compare: at_least", "    fail: 80%"])
    assert standard.statistic.kind == "share_within"
    assert standard.statistic.within == 20
    assert standard.statistic.yields_fraction
    assert standard.target.fail == pytest.approx(0.8)


@pytest.mark.parametrize("written", ["75%", "0.75", "75.0%"])
def test_percentages(written):
    assert first(CSAT + ["    compare: at_least", f"    fail: {written}"]).target.fail == pytest.approx(0.75)


def test_between_thresholds():
    standard = first(REPLIES + ["    compare: between", "    fail: [1, 5]", "    warn: [2, 4]"])
    assert standard.target.fail == (1, 5)
    assert standard.target.warn == (2, 4)


def test_standard_without_target_is_reported_only():
    standard = first(FRT)
    assert standard.target is None
    assert standard.statistic.kind == "mean"  # the metric's default


def test_defaults_apply_and_standards_override_them():
    lines = HEAD + ["defaults:", "  min_sample: 20", "  required: false"] + FRT[2:]
    lines += ["  - id: b", "    title: B", "    metric: csat", "    min_sample: 3", "    required: true"]
    a, b = load(lines).standards
    assert (a.min_sample, a.required) == (20, False)
    assert (b.min_sample, b.required) == (3, True)


def test_required_by_default():
    assert first(FRT).required is True
    assert first(FRT).min_sample == 1


def test_profile_mapping_block():
    profile = load(HEAD + ["mapping:", "  created_at: Opened", "  agent: Nhân viên"] + FRT[2:])
    assert profile.mapping == {"created_at": "Opened", "agent": "Nhân viên"}


def test_filter_values_are_lower_cased_and_each_is_a_tuple():
    standard = first(FRT + ["    filter: {channel: [Chat, PHONE], team: Straße}", "    each: [agent, team]"])
    assert standard.filter == {"channel": ("chat", "phone"), "team": ("straße",)}
    assert standard.each == ("agent", "team")


def test_metric_options_parse():
    assert first(CES + ["    options: {scale: 7}"]).options == {"scale": 7}
    assert first(CES).options == {"scale": 5}  # the default


def test_standard_location_is_recorded():
    assert first(FRT).location == "p.yaml:4:5"
