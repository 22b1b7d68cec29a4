"""Accuracy metrics (STANDARDS.md §2 "Accuracy"): FCR, resolution rate, errors, DPMO, sigma.

Every expected value is worked out by hand in the comment beside it.
"""

from __future__ import annotations

import math
from statistics import NormalDist

import pytest

from csaudit.profile.model import Status

FCR = """
- id: fcr
  title: FCR
  metric: first_contact_resolution
  compare: at_least
  fail: 75%
"""


def _finding(audit, key):
    found = [f for f in audit.findings if f.key == key]
    assert len(found) == 1, [f.key for f in audit.findings]
    return found[0]


# -- first contact resolution ---------------------------------------------------------------


def test_fcr_derived_rule_resolved_one_contact_no_reopen(run_standard):
    # No flag column: FCR = resolved AND contacts <= 1 AND reopens == 0.
    # 1 yes; 2 no (2 contacts); 3 no (reopened); 4 no (unresolved); 5 yes (contacts 0 <= 1)
    # -> 2 of 5 = 40% < 75% -> fail
    result = run_standard(
        """
        id,resolved_at,contacts,reopens
        1,2024-01-01 10:00:00,1,0
        2,2024-01-01 10:00:00,2,0
        3,2024-01-01 10:00:00,1,1
        4,,1,0
        5,2024-01-01 10:00:00,0,0
        """,
        FCR,
    )
    (group,) = result.groups
    assert group.sample_size == 5
    assert group.value == pytest.approx(2 / 5)
    assert result.status is Status.FAIL


def test_fcr_flag_wins_over_derived_rule(run_standard):
    # Flag present: row 1 flag "no" although derived would say yes -> 0;
    # row 2 flag "yes" although contacts 3 -> 1; row 3 "yes" -> 1; row 4 "yes" -> 1.
    # 3 of 4 = 75% -> at_least 75% passes (edge is inclusive)
    result = run_standard(
        """
        id,first_contact_resolution,resolved_at,contacts,reopens
        1,no,2024-01-01 10:00:00,1,0
        2,yes,2024-01-01 10:00:00,3,2
        3,yes,2024-01-01 10:00:00,1,0
        4,yes,,1,0
        """,
        FCR,
    )
    assert result.groups[0].sample_size == 4
    assert result.groups[0].value == pytest.approx(0.75)
    assert result.status is Status.PASS


def test_fcr_empty_flag_falls_back_to_derived_rule(run_standard):
    # Row 1 flag yes -> 1. Row 2 empty flag, derived: resolved, 1 contact, 0 reopens -> 1.
    # Row 3 empty flag, derived: 2 contacts -> 0. Row 4 flag no -> 0.
    # 2 of 4 = 50%
    result = run_standard(
        """
        id,first_contact_resolution,resolved_at,contacts,reopens
        1,yes,,5,5
        2,,2024-01-01 10:00:00,1,0
        3,,2024-01-01 10:00:00,2,0
        4,no,2024-01-01 10:00:00,1,0
        """,
        FCR,
    )
    assert result.groups[0].sample_size == 4
    assert result.groups[0].value == pytest.approx(0.5)
    assert result.status is Status.FAIL


def test_fcr_empty_flag_without_derivable_columns_is_left_out(run_standard):
    # Flag only (no resolved_at/contacts/reopens): the empty-flag row cannot be judged.
    # yes, yes, no counted; empty left out -> 2 of 3
    result = run_standard(
        """
        id,first_contact_resolution
        1,yes
        2,yes
        3,no
        4,
        """,
        FCR,
    )
    assert result.groups[0].sample_size == 3
    assert result.groups[0].value == pytest.approx(2 / 3)


@pytest.mark.parametrize(
    "true_word,false_word",
    [("yes", "no"), ("true", "false"), ("1", "0"), ("Y", "N"), ("YES", "No"), ("TRUE", "False"), ("y", "n")],
)
def test_fcr_bool_spellings(run_audit, true_word, false_word):
    # 3 true, 1 false -> 3 of 4 = 75%; no spelling may be an unparsable finding
    audit = run_audit(
        f"""
        id,first_contact_resolution
        1,{true_word}
        2,{true_word}
        3,{false_word}
        4,{true_word}
        """,
        FCR,
    )
    result = audit.standards[0]
    assert result.groups[0].sample_size == 4
    assert result.groups[0].value == pytest.approx(0.75)
    assert not [f for f in audit.findings if f.key.startswith("unparsable")]


def test_fcr_excludes_abandoned_from_denominator(run_standard):
    # Rows 3 and 4 abandoned -> left out; rows 1 (yes), 2 (no), 5 (yes) counted.
    # 2 of 3 = 66.7%
    result = run_standard(
        """
        id,abandoned,first_contact_resolution
        1,no,yes
        2,no,no
        3,yes,no
        4,yes,no
        5,,yes
        """,
        FCR,
    )
    assert result.groups[0].sample_size == 3
    assert result.groups[0].value == pytest.approx(2 / 3)


def test_fcr_abandoned_inferred_from_abandoned_at(run_standard):
    # No `abandoned` column: row 2 has abandoned_at -> abandoned, left out.
    # Derived: row 1 yes, row 3 no (unresolved) -> 1 of 2 = 50%
    result = run_standard(
        """
        id,abandoned_at,resolved_at,contacts,reopens
        1,,2024-01-01 10:00:00,1,0
        2,2024-01-01 09:00:05,,1,0
        3,,,1,0
        """,
        FCR,
    )
    assert result.groups[0].sample_size == 2
    assert result.groups[0].value == pytest.approx(0.5)


def test_fcr_required_but_unmeasurable_is_an_error(run_audit):
    # Neither the flag nor contacts/reopens: cannot compute; required by default -> error, exit 2
    audit = run_audit(
        """
        id,resolved_at
        1,2024-01-01 10:00:00
        """,
        FCR,
    )
    result = audit.standards[0]
    assert result.status is Status.ERROR
    assert audit.exit_code == 2
    assert "first_contact_resolution" in result.reason
    assert "contacts" in result.reason and "reopens" in result.reason
    # resolved_at is there, so it is not named as missing
    assert "missing: `contacts`, `reopens`" in result.reason
    assert not result.groups


def test_fcr_optional_and_unmeasurable_is_not_measured(run_audit):
    # Same data, required: false -> "not measured", exit code 0 (nothing else failed)
    audit = run_audit(
        """
        id,contacts
        1,1
        """,
        FCR + "  required: false\n",
    )
    result = audit.standards[0]
    assert result.status is Status.NOT_MEASURED
    assert audit.exit_code == 0
    assert "`resolved_at`" in result.reason and "`reopens`" in result.reason
    assert "`contacts`" not in result.reason.split("missing:")[1]


def test_fcr_optional_unmeasurable_does_not_mask_a_failure(run_audit):
    # A failing standard beside the not-measured one -> exit 1 (not 2, not 0).
    # resolution rate: 0 of 1 resolved = 0% < 50% -> fail
    audit = run_audit(
        """
        id,resolved_at
        1,
        """,
        FCR
        + "  required: false\n"
        + """
- id: res
  title: Resolved
  metric: resolution_rate
  compare: at_least
  fail: 50%
""",
    )
    assert audit.standards[0].status is Status.NOT_MEASURED
    assert audit.standards[1].status is Status.FAIL
    assert audit.exit_code == 1


def test_fcr_unknown_count_on_resolved_row_is_left_out(run_standard):
    # Row 2 resolved but contacts empty: cannot tell -> left out. Row 3 unresolved with
    # empty contacts is a "no" whatever the count. Row 1 yes. -> 1 of 2 = 50%
    result = run_standard(
        """
        id,resolved_at,contacts,reopens
        1,2024-01-01 10:00:00,1,0
        2,2024-01-01 10:00:00,,0
        3,,,0
        """,
        FCR,
    )
    assert result.groups[0].sample_size == 2
    assert result.groups[0].value == pytest.approx(0.5)


# -- resolution rate ------------------------------------------------------------------------


def test_resolution_rate_resolved_over_non_abandoned(run_standard):
    # Non-abandoned: 1, 2, 4, 5 (3 abandoned). Resolved among them: 1, 4 -> 2 of 4 = 50%
    result = run_standard(
        """
        id,abandoned,resolved_at
        1,no,2024-01-01 10:00:00
        2,no,
        3,yes,
        4,no,2024-01-02 10:00:00
        5,,
        """,
        """
        - id: res
          title: Resolution
          metric: resolution_rate
          compare: at_least
          fail: 50%
        """,
    )
    assert result.groups[0].sample_size == 4
    assert result.groups[0].value == pytest.approx(0.5)
    assert result.status is Status.PASS  # 50% >= 50%


def test_resolution_rate_unparsable_resolved_at_is_left_out(run_audit):
    # Row 2's resolved_at is not a timestamp: reported, and (ingest's promise) left out of
    # every metric using the field -- not counted as "unresolved".
    # Rows 1 and 3 resolved, row 4 unresolved -> 2 of 3
    audit = run_audit(
        """
        id,resolved_at
        1,2024-01-01 10:00:00
        2,soon
        3,2024-01-01 11:00:00
        4,
        """,
        """
        - id: res
          title: Resolution
          metric: resolution_rate
        """,
    )
    result = audit.standards[0]
    assert result.groups[0].sample_size == 3
    assert result.groups[0].value == pytest.approx(2 / 3)
    finding = _finding(audit, "unparsable:resolved_at")
    assert finding.count == 1 and finding.rows == [2]


# -- errors, DPMO, sigma --------------------------------------------------------------------

ERRORS_CSV = """
id,errors
1,0
2,1
3,2
4,0
"""


def test_error_rate_is_mean_errors(run_standard):
    # (0 + 1 + 2 + 0) / 4 = 0.75 errors per interaction; at_most 0.5 -> fail
    result = run_standard(
        ERRORS_CSV,
        """
        - id: err
          title: Errors
          metric: error_rate
          compare: at_most
          fail: 0.5
        """,
    )
    assert result.groups[0].value == pytest.approx(0.75)
    assert result.groups[0].sample_size == 4
    assert result.status is Status.FAIL


def test_dpmo_with_five_opportunities(run_standard):
    # 3 errors / (4 interactions x 5 opportunities) x 10^6 = 3/20 x 10^6 = 150,000
    result = run_standard(
        ERRORS_CSV,
        """
        - id: dpmo
          title: DPMO
          metric: dpmo
          options: {opportunities: 5}
          compare: at_most
          fail: 200000
        """,
    )
    assert result.groups[0].value == pytest.approx(150_000)
    assert result.status is Status.PASS


def test_dpmo_default_one_opportunity(run_standard):
    # 3 errors / (4 x 1) x 10^6 = 750,000
    result = run_standard(
        ERRORS_CSV,
        """
        - id: dpmo
          title: DPMO
          metric: dpmo
        """,
    )
    assert result.groups[0].value == pytest.approx(750_000)


def test_sigma_level_from_dpmo(run_standard):
    # DPMO = 150,000 (above) -> sigma = inv_cdf(1 - 0.15) + 1.5 = inv_cdf(0.85) + 1.5 ~ 2.536
    expected = NormalDist().inv_cdf(0.85) + 1.5
    assert 2.53 < expected < 2.54  # sanity check of the hand value itself
    result = run_standard(
        ERRORS_CSV,
        """
        - id: sigma
          title: Sigma
          metric: sigma_level
          options: {opportunities: 5}
          compare: at_least
          fail: 3
        """,
    )
    assert result.groups[0].value == pytest.approx(expected)
    assert result.status is Status.FAIL


def test_sigma_level_one_defect_in_twenty_opportunities(run_standard):
    # 1 error / (4 x 5) = 0.05 -> DPMO 50,000 -> inv_cdf(0.95) + 1.5 ~ 1.645 + 1.5 = 3.145
    expected = NormalDist().inv_cdf(0.95) + 1.5
    result = run_standard(
        """
        id,errors
        1,0
        2,0
        3,1
        4,0
        """,
        """
        - id: sigma
          title: Sigma
          metric: sigma_level
          options: {opportunities: 5}
          compare: at_least
          fail: 3
        """,
    )
    assert result.groups[0].value == pytest.approx(expected)
    assert result.status is Status.PASS


def test_sigma_level_without_defects_is_infinite(run_standard):
    # 0 errors -> DPMO 0 -> 1 - 0 = 1 -> Φ⁻¹(1) = +inf; passes any at_least target
    result = run_standard(
        """
        id,errors
        1,0
        2,0
        """,
        """
        - id: sigma
          title: Sigma
          metric: sigma_level
          compare: at_least
          fail: 6
        """,
    )
    assert math.isinf(result.groups[0].value) and result.groups[0].value > 0
    assert result.status is Status.PASS


def test_non_numeric_errors_reported_and_excluded(run_audit):
    # Row 2 "three" is not a number: a finding (row 2, example "three"), and left out.
    # Rows 1, 3: (1 + 2) / 2 = 1.5
    audit = run_audit(
        """
        id,errors
        1,1
        2,three
        3,2
        """,
        """
        - id: err
          title: Errors
          metric: error_rate
        """,
    )
    result = audit.standards[0]
    assert result.groups[0].value == pytest.approx(1.5)
    assert result.groups[0].sample_size == 2
    finding = _finding(audit, "unparsable:errors")
    assert finding.count == 1
    assert finding.rows == [2]
    assert finding.examples == ["three"]


def test_negative_errors_reported_and_excluded(run_audit):
    # Row 1 has -1 errors: excluded and reported. Rows 2, 3: (0 + 2) / 2 = 1.0
    # DPMO with 2 opportunities: 2 / (2 x 2) x 10^6 = 500,000
    audit = run_audit(
        """
        id,errors
        1,-1
        2,0
        3,2
        """,
        """
        - id: err
          title: Errors
          metric: error_rate
        - id: dpmo
          title: DPMO
          metric: dpmo
          options: {opportunities: 2}
        """,
    )
    assert audit.standards[0].groups[0].value == pytest.approx(1.0)
    assert audit.standards[1].groups[0].value == pytest.approx(500_000)
    finding = _finding(audit, "negative:errors")  # shared by both standards, reported once
    assert finding.count == 1 and finding.rows == [1]


def test_fcr_unreadable_flag_is_left_out_not_derived(run_audit):
    # Row 2's flag "maybe" is unreadable: reported and left out (only an *empty* flag falls
    # back to the rule; were it derived it would count as a yes).
    # Row 3's resolved_at "soon" is unreadable: with an empty flag the rule cannot tell -> out.
    # Counted: row 1 (yes), row 4 (empty flag, derived: unresolved -> no) -> 1 of 2 = 50%
    audit = run_audit(
        """
        id,first_contact_resolution,resolved_at,contacts,reopens
        1,yes,2024-01-01 10:00:00,1,0
        2,maybe,2024-01-01 10:00:00,1,0
        3,,soon,1,0
        4,,,1,0
        """,
        FCR,
    )
    result = audit.standards[0]
    assert result.groups[0].sample_size == 2
    assert result.groups[0].value == pytest.approx(0.5)
    assert _finding(audit, "unparsable:first_contact_resolution").rows == [2]
    assert _finding(audit, "unparsable:resolved_at").rows == [3]


def test_resolution_rate_unreadable_abandoned_flag_is_left_out(run_standard):
    # Row 2's abandoned "perhaps" is unreadable -> left out. Rows 1 (resolved), 3 (not) -> 50%
    # (the bug counts row 2 as a non-abandoned, unresolved contact: 1 of 3)
    result = run_standard(
        """
        id,abandoned,resolved_at
        1,no,2024-01-01 10:00:00
        2,perhaps,
        3,no,
        """,
        """
        - id: res
          title: Resolution
          metric: resolution_rate
        """,
    )
    assert result.groups[0].sample_size == 2
    assert result.groups[0].value == pytest.approx(0.5)
