"""Reading exports: header matching, column mapping, unreadable files, unparsable values,
separators, time zones and non-Latin text."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from csaudit.engine import audit
from csaudit.errors import InputError
from csaudit.ingest import open_export
from csaudit.profile.loader import parse_profile
from csaudit.profile.model import Status
from tests.conftest import profile_text

FRT = """
- id: frt
  title: First response
  metric: first_response_time
  statistic: mean
"""

RESOLUTION_RATE = """
- id: rr
  title: Resolution rate
  metric: resolution_rate
"""

MINUTES_BY_AGENT = """
- id: mpi
  title: Minutes per issue
  metric: minutes_per_issue
  each: agent
"""

GOOD = """
id,created_at,first_response_at
1,2024-01-01 08:00:00,2024-01-01 08:01:00
2,2024-01-01 09:00:00,2024-01-01 09:03:00
"""


def only_group(result):
    (group,) = result.standards[0].groups
    return group


def input_error(run_audit, csv_text, standards=FRT, **kwargs) -> str:
    with pytest.raises(InputError) as info:
        run_audit(csv_text, standards, **kwargs)
    return str(info.value)


# -- headers and mapping ----------------------------------------------------------------------


def test_headers_match_case_insensitively_ignoring_surrounding_spaces(run_audit):
    result = run_audit(
        """
         ID , Created_At ,FIRST_RESPONSE_AT
        1,2024-01-01 08:00:00,2024-01-01 08:01:00
        2,2024-01-01 09:00:00,2024-01-01 09:03:00
        """,
        FRT,
    )
    assert result.columns == {"created_at": " Created_At ", "first_response_at": "FIRST_RESPONSE_AT", "id": " ID "}
    group = only_group(result)
    assert (group.value, group.sample_size) == (120.0, 2)


def test_headers_with_spaces_inside_and_a_bom(run_audit):
    result = run_audit(
        "\ufeffId,Created At,First Response At\n1,2024-01-01 08:00:00,2024-01-01 08:01:30\n",
        FRT,
    )
    assert result.columns["id"] == "Id"
    assert result.columns["created_at"] == "Created At"
    assert only_group(result).value == 90.0


OPENED = """
id,Opened,first_response_at
1,2024-01-01 08:00:00,2024-01-01 08:01:00
"""


def test_mapping_argument(run_audit):
    result = run_audit(OPENED, FRT, mapping={"created_at": "Opened"})
    assert result.columns["created_at"] == "Opened"
    assert only_group(result).value == 60.0


def test_mapping_column_matches_like_a_header(run_audit):
    result = run_audit(OPENED, FRT, mapping={"created_at": " opened "})
    assert result.columns["created_at"] == "Opened"


def test_profile_mapping_block(run_audit):
    result = run_audit(OPENED, FRT, extra="mapping:\n  created_at: Opened\n")
    assert result.columns["created_at"] == "Opened"
    assert only_group(result).value == 60.0


def test_command_line_mapping_overrides_the_profile(run_audit):
    csv_text = """
    id,Opened,Started,first_response_at
    1,2024-01-01 08:00:00,2024-01-01 07:00:00,2024-01-01 08:01:00
    """
    profile_only = run_audit(csv_text, FRT, extra="mapping:\n  created_at: Started\n")
    assert only_group(profile_only).value == 3660.0
    both = run_audit(csv_text, FRT, extra="mapping:\n  created_at: Started\n", mapping={"created_at": "Opened"})
    assert both.columns["created_at"] == "Opened"
    assert only_group(both).value == 60.0


def test_mapping_to_a_column_the_file_lacks(run_audit):
    message = input_error(run_audit, GOOD, mapping={"created_at": "Opened"})
    assert "'Opened'" in message  # the column
    assert "created_at" in message  # the field
    assert "--map" in message  # where the mapping came from
    for column in ("'id'", "'created_at'", "'first_response_at'"):  # the available columns
        assert column in message


def test_profile_mapping_to_a_column_the_file_lacks(run_audit):
    message = input_error(run_audit, GOOD, extra="mapping:\n  first_response_at: Answered\n")
    assert "'Answered'" in message
    assert "first_response_at" in message
    assert "mapping" in message
    assert "'created_at'" in message


def test_mapping_an_unknown_field(run_audit):
    message = input_error(run_audit, GOOD, mapping={"created": "created_at"})
    assert "'created' is not a canonical field" in message
    assert "created_at" in message


def test_two_columns_matching_one_field(run_audit):
    message = input_error(
        run_audit,
        """
        id,Created At,created_at,first_response_at
        1,2024-01-01 08:00:00,2024-01-01 08:00:00,2024-01-01 08:01:00
        """,
    )
    assert "created_at" in message and "--map" in message


# -- unreadable input -------------------------------------------------------------------------


def test_missing_file(tmp_path):
    profile = parse_profile(profile_text(FRT), "test.yaml")
    with pytest.raises(InputError) as info:
        audit(profile, tmp_path / "missing.csv")
    assert "missing.csv" in str(info.value)
    assert "no such file" in str(info.value)


def test_folder_instead_of_file(tmp_path):
    profile = parse_profile(profile_text(FRT), "test.yaml")
    with pytest.raises(InputError, match="folder"):
        audit(profile, tmp_path)


@pytest.mark.parametrize("content", ["", "\n\n", "  \n"])
def test_empty_file(run_audit, content):
    assert "empty" in input_error(run_audit, content)


def test_header_only_file(run_audit):
    assert "no rows" in input_error(run_audit, "id,created_at,first_response_at\n")


def test_header_followed_by_blank_lines_has_no_rows(run_audit):
    assert "no rows" in input_error(run_audit, "id,created_at,first_response_at\n\n\n")


def test_blank_lines_are_not_interactions(run_audit):
    # A trailing blank line must not count as an unresolved interaction.
    result = run_audit(
        "id,created_at,resolved_at\n"
        "1,2024-01-01 08:00:00,2024-01-01 09:00:00\n"
        "2,2024-01-01 08:00:00,2024-01-01 10:00:00\n"
        "\n",
        RESOLUTION_RATE,
    )
    assert result.input_rows == 2
    group = only_group(result)
    assert (group.value, group.sample_size) == (1.0, 2)


def test_row_numbers_count_records_across_blank_lines(run_audit):
    result = run_audit(
        "id,created_at,first_response_at\n"
        "1,2024-01-01 08:00:00,2024-01-01 08:01:00\n"
        "\n"
        "3,2024-01-01 08:00:00,later\n",
        FRT,
    )
    assert result.input_rows == 2
    (finding,) = result.findings
    assert finding.rows == [3]


def test_latin1_bytes_are_read_as_cp1252_and_said_so(tmp_path):
    path = tmp_path / "latin1.csv"
    path.write_bytes(
        b"id,agent,created_at,first_response_at\n"
        b"1,Ann,2024-01-01 08:00:00,2024-01-01 08:01:00\n"
        b"2,Jos\xe9,2024-01-01 08:00:00,2024-01-01 08:01:00\n"
    )
    profile = parse_profile(profile_text(MINUTES_BY_AGENT.replace("minutes_per_issue", "first_response_time")), "t.yaml")
    result = audit(profile, path)
    assert sorted(g.group["agent"] for g in result.standards[0].groups) == ["Ann", "José"]
    assert any("cp1252" in note for note in result.notes)


def test_latin1_bytes_in_the_header(tmp_path):
    path = tmp_path / "latin1.csv"
    path.write_bytes(b"id,cr\xe9\xe9,created_at,first_response_at\n1,x,2024-01-01 08:00:00,2024-01-01 08:01:00\n")
    export = open_export(path, {}, {"id"})
    assert export.headers[1] == "créé"


def test_non_utf8_bytes_after_the_sample(tmp_path):
    rows = "".join(f"{i},2024-01-01 08:00:00,2024-01-01 08:01:00\n" for i in range(1, 1500))
    path = tmp_path / "late.csv"
    path.write_bytes(
        ("id,created_at,first_response_at\n" + rows).encode() + b"1500,2024-01-01 08:00:00,2024-01-01 08:0\xff:00\n"
    )
    profile = parse_profile(profile_text(FRT), "test.yaml")
    with pytest.raises(InputError) as info:
        audit(profile, path)
    assert "line 1501" in str(info.value)


def test_ragged_rows_are_an_input_error(run_audit):
    message = input_error(
        run_audit,
        """
        id,created_at,first_response_at
        1,2024-01-01 08:00:00,2024-01-01 08:01:00,extra,more
        """,
    )
    assert "export.csv" in message


# -- values that do not parse -----------------------------------------------------------------


def test_unparsable_timestamps_are_findings_and_excluded(run_audit):
    result = run_audit(
        """
        id,created_at,first_response_at
        1,2024-01-01 08:00:00,2024-01-01 08:01:00
        2,yesterday,2024-01-01 08:01:00
        3,2024-01-01 08:00:00,2024-01-01 08:03:00
        4,2024-01-01 08:00:00,soon
        5,2024-01-01 08:00:00,
        """,
        FRT,
    )
    findings = {f.key: f for f in result.findings}
    assert set(findings) == {"unparsable:created_at", "unparsable:first_response_at"}
    created = findings["unparsable:created_at"]
    assert (created.count, created.rows, created.examples) == (1, [2], ["yesterday"])
    answered = findings["unparsable:first_response_at"]
    assert (answered.count, answered.rows, answered.examples) == (1, [4], ["soon"])  # row 5 is empty, not bad
    group = only_group(result)
    assert (group.value, group.sample_size) == (120.0, 2)
    assert result.input_rows == 5


def test_many_unparsable_timestamps_show_the_first_rows(run_audit):
    lines = ["id,created_at,first_response_at", "1,2024-01-01 08:00:00,2024-01-01 08:01:00"]
    lines += [f"{i},never,2024-01-01 08:01:00" for i in range(2, 10)]
    result = run_audit("\n".join(lines) + "\n", FRT)
    (finding,) = result.findings
    assert finding.count == 8
    assert finding.rows == [2, 3, 4, 5, 6]


def test_a_column_of_non_dates_is_an_input_error(run_audit):
    message = input_error(
        run_audit,
        """
        id,created_at,first_response_at
        1,tomorrow,2024-01-01 08:01:00
        2,yesterday,2024-01-01 08:01:00
        """,
    )
    assert "'created_at'" in message
    assert "tomorrow" in message


def test_duplicate_ids_are_a_finding(run_audit):
    result = run_audit(
        """
        id,created_at,first_response_at
        7,2024-01-01 08:00:00,2024-01-01 08:01:00
        8,2024-01-01 08:00:00,2024-01-01 08:01:00
        7,2024-01-01 08:00:00,2024-01-01 08:01:00
        """,
        FRT,
    )
    (finding,) = result.findings
    assert finding.key == "duplicate:id"
    assert (finding.count, finding.rows) == (2, [1, 3])
    assert only_group(result).sample_size == 3  # counted, not excluded


# -- separators and time zones ----------------------------------------------------------------


def test_tab_separated_file_is_sniffed(run_audit):
    result = run_audit(
        "id\tcreated_at\tfirst_response_at\n1\t2024-01-01 08:00:00\t2024-01-01 08:01:00\n",
        FRT,
    )
    assert set(result.columns) == {"id", "created_at", "first_response_at"}
    assert only_group(result).value == 60.0


def test_semicolon_separated_file_is_sniffed(run_audit):
    result = run_audit("id;created_at;first_response_at\n1;2024-01-01 08:00:00;2024-01-01 08:02:00\n", FRT)
    assert only_group(result).value == 120.0


def test_iso_timestamps_with_zones_become_utc_instants(write_csv):
    path = write_csv(
        """
        id,created_at
        1,2024-01-01T08:00:00Z
        2,2024-01-01T15:00:00+07:00
        3,2024-01-01T03:00:00-05:00
        4,2024-01-01T08:00:00.500Z
        """
    )
    export = open_export(path, {}, {"id", "created_at"})
    values = export.frame.collect()["created_at"].to_list()
    eight = datetime(2024, 1, 1, 8, tzinfo=timezone.utc)
    assert values[:3] == [eight, eight, eight]
    assert values[3] == eight.replace(microsecond=500000)


def test_durations_across_time_zones(run_audit):
    result = run_audit(
        """
        id,created_at,first_response_at
        1,2024-01-01T08:00:00Z,2024-01-01T15:01:00+07:00
        2,2024-01-01T08:00:00+00:00,2024-01-01T03:02:00-05:00
        """,
        FRT,
    )
    assert only_group(result).value == 90.0  # 60 s and 120 s
    assert not result.findings


def test_mixed_zone_and_naive_columns_are_noted(run_audit):
    result = run_audit(
        """
        id,created_at,first_response_at
        1,2024-01-01T08:00:00Z,2024-01-01 08:01:00
        """,
        FRT,
    )
    assert any("time zone" in note for note in result.notes)


def test_ambiguous_day_month_is_noted(run_audit):
    result = run_audit(
        """
        id,created_at,first_response_at
        1,01/02/2024 08:00,01/02/2024 08:01
        """,
        FRT,
    )
    assert any("month/day" in note for note in result.notes)
    assert only_group(result).value == 60.0


# -- text in other scripts --------------------------------------------------------------------


def test_vietnamese_thai_and_chinese_names_survive_into_group_labels(run_audit):
    result = run_audit(
        """
        id,agent,handle_seconds
        1,Nguyễn Văn An,60
        2,สมชาย,120
        3,王伟,180
        4,Nguyễn Văn An,30
        """,
        MINUTES_BY_AGENT,
    )
    groups = {g.group["agent"]: (g.value, g.sample_size) for g in result.standards[0].groups}
    assert groups == {"Nguyễn Văn An": (45.0, 2), "สมชาย": (120.0, 1), "王伟": (180.0, 1)}


def test_team_labels_in_other_scripts(run_audit):
    result = run_audit(
        """
        id,team,handle_seconds
        1,Hỗ trợ khách hàng,60
        2,ฝ่ายบริการ,120
        3,客服部,180
        """,
        """
        - id: mpi
          title: Minutes per issue
          metric: minutes_per_issue
          each: team
        """,
    )
    labels = sorted(g.group["team"] for g in result.standards[0].groups)
    assert labels == sorted(["Hỗ trợ khách hàng", "ฝ่ายบริการ", "客服部"])


@pytest.mark.parametrize("written", ["NGUYỄN VĂN AN", "nguyễn văn an", "Nguyễn Văn An"])
def test_filter_on_vietnamese_names_ignores_case(run_audit, written):
    result = run_audit(
        """
        id,agent,handle_seconds
        1,Nguyễn Văn An,60
        2,Other,120
        """,
        f"""
        - id: mpi
          title: Minutes per issue
          metric: minutes_per_issue
          filter: {{agent: {written}}}
        """,
    )
    group = only_group(result)
    assert (group.value, group.sample_size, group.status) == (60.0, 1, Status.INFO)


def test_filter_matches_text_that_case_folding_would_change(run_audit):
    # "Straße".casefold() is "strasse" but its lower case is "straße", as polars reads the data.
    result = run_audit(
        """
        id,team,handle_seconds
        1,Straße,60
        2,Other,120
        """,
        """
        - id: mpi
          title: Minutes per issue
          metric: minutes_per_issue
          filter: {team: Straße}
        """,
    )
    assert only_group(result).sample_size == 1


def test_rows_with_cells_only_in_columns_not_read_are_left_out_and_counted(run_audit):
    # Only the columns the profile reads are read; a row empty in all of them is no
    # interaction (a resolution rate must not count it as unresolved), and a note says so.
    result = run_audit(
        "id,created_at,resolved_at,notes\n"
        "1,2024-01-01 08:00:00,2024-01-01 09:00:00,\n"
        ",,,see above\n"
        "\n"
        "4,2024-01-01 08:00:00,,\n",
        RESOLUTION_RATE,
    )
    assert result.input_rows == 2
    group = only_group(result)
    assert (group.value, group.sample_size) == (0.5, 2)
    (note,) = [n for n in result.notes if "no value in any column read" in n]
    assert note == (
        "2 rows have no value in any column read (id, resolved_at): blank lines, or cells only in "
        "other columns; left out"
    )


def test_a_row_whose_only_cell_does_not_parse_is_kept_and_reported(run_audit):
    result = run_audit("id,created_at,first_response_at\n1,2024-01-01 08:00:00,2024-01-01 08:01:00\n,,soon\n", FRT)
    assert result.input_rows == 2
    assert [(f.key, f.rows, f.examples) for f in result.findings] == [("unparsable:first_response_at", [2], ["soon"])]


def test_rows_blank_in_every_column_read_leave_nothing_to_audit(run_audit):
    message = input_error(run_audit, "id,created_at,first_response_at,notes\n,,,a\n,,,b\n")
    assert "no rows with a value in the columns read" in message and "its 2 rows are blank there" in message


def test_a_long_cell_is_cut_short_in_a_message(run_audit):
    message = input_error(run_audit, "id,created_at,first_response_at\n1," + "x" * 500 + ",2024-01-01 08:00:00\n")
    assert "'" + "x" * 60 + "…' (500 characters)" in message and "x" * 61 not in message


def test_a_group_is_labelled_by_its_commonest_spelling(run_audit):
    # chat: "Chat" twice, "chat" and "CHAT" once -> "Chat"; email: a tie -> the first in text
    # order ("Email" sorts before "email").
    rows = [("1", "Chat"), ("2", "chat"), ("3", "Chat"), ("4", "CHAT"), ("5", "email"), ("6", "Email")]
    result = run_audit(
        "id,channel,created_at,first_response_at\n"
        + "".join(f"{i},{c},2024-01-01 08:00:00,2024-01-01 08:0{i}:00\n" for i, c in rows),
        FRT + "  each: channel\n",
    )
    groups = result.standards[0].groups
    assert [(g.group["channel"], g.sample_size) for g in groups] == [("Chat", 4), ("Email", 2)]


def test_duplicate_ids_found_through_their_hash_are_checked_by_their_text():
    import polars as pl

    from csaudit.engine import _duplicate_ids

    frame = pl.DataFrame({"_row": [1, 2, 3, 4, 5], "id": ["a", "b", "a", "c", "b"]}).lazy()
    found = _duplicate_ids(frame).collect().row(0, named=True)
    assert found == {"count": 4, "rows": [1, 2, 3, 5], "examples": ["a", "b", "a"]}
    assert _duplicate_ids(frame.filter(pl.col("id") != "b")).collect()["count"].item() == 2


def test_a_timestamp_column_empty_in_its_first_rows_is_read(write_csv):
    # abandoned_at is empty in the first 1,200 rows (more than the 1,000-row sample) and filled
    # in the last 300, as a sorted call log has it: those 300 are read, in their own layout, not
    # left unreadable by a layout guessed from nothing.
    lines = ["id,created_at,abandoned,abandoned_at"]
    for i in range(1500):
        late = i >= 1200
        lines.append(f"{i},2024-01-01 10:00:00,{'yes' if late else 'no'},{'2024-01-01 10:02:30' if late else ''}")
    export = open_export(write_csv("\n".join(lines) + "\n"), {}, {"abandoned", "abandoned_at"})
    frame = export.frame.collect()
    assert export.timestamp_formats["abandoned_at"] == "%Y-%m-%d %H:%M:%S%.f"
    assert frame["abandoned_at"].null_count() == 1200
    assert frame["abandoned_at"][-1] == datetime(2024, 1, 1, 10, 2, 30, tzinfo=timezone.utc)
    assert not any("time zone" in note for note in export.notes)


def test_an_empty_timestamp_column_says_nothing_of_time_zones(write_csv):
    # No value at all in resolved_at: no layout to speak of, so no "carries a time zone" note.
    path = write_csv("id,created_at,resolved_at\n1,2024-01-01 10:00:00,\n2,2024-01-01 11:00:00,\n")
    export = open_export(path, {}, {"created_at", "resolved_at"}, timezone="Europe/Paris")
    assert export.notes == ["timestamps without an offset (`created_at`) were read as Europe/Paris time"]


def test_offsets_other_than_utc_without_a_zone_are_pointed_out(write_csv):
    # +07:00 instants are exact, but periods are cut in UTC unless --timezone says otherwise.
    path = write_csv("id,created_at,resolved_at\n1,2024-01-01T08:00:00+07:00,2024-01-01T09:00:00Z\n")
    notes = open_export(path, {}, {"created_at", "resolved_at"}).notes
    assert [n for n in notes if "cut in UTC" in n] == [
        "timestamps are written with the UTC offset +07:00: instants are exact, but days, weeks and months "
        "(backlog flow, --by week or month, orders' periods) are cut in UTC; give --timezone (the IANA name "
        "of your clock) to cut them where they begin there"
    ]
    # With a zone, or with only Z / +00:00, there is nothing to say.
    assert not [n for n in open_export(path, {}, {"created_at"}, timezone="Asia/Bangkok").notes if "cut in UTC" in n]
    utc = write_csv("id,created_at\n1,2024-01-01T08:00:00Z\n2,2024-01-01T08:00:00+00:00\n", "utc.csv")
    assert not [n for n in open_export(utc, {}, {"created_at"}).notes if "cut in UTC" in n]


def test_a_date_is_not_an_offset_and_has_none_to_lack(write_csv):
    # The "-06" ending 2024-01-06 is a day, not an offset; a date column (no time of day) is
    # neither naive nor aware: only +07:00 is named, and no "carry a time zone but" note.
    path = write_csv("id,created_at,resolved_at\n1,2024-01-01T08:00:00+07:00,2024-01-06\n")
    export = open_export(path, {}, {"created_at", "resolved_at"})
    assert export.offsets == {"+07:00"}
    assert not [n for n in export.notes if "carry a time zone but" in n]


def test_an_unreadable_timestamp_is_described_by_its_columns_layout(run_audit):
    csv = "id,created_at,first_response_at\n1,2024-01-01 08:00:00,2024-01-01 08:01:00\n2,2024-01-01 09:00:00,soon\n"
    result = run_audit(csv, "- {id: f, title: F, metric: first_response_time}")
    (finding,) = [f for f in result.findings if f.key == "unparsable:first_response_at"]
    assert "a timestamp like the rest of the column (layout YYYY-MM-DD hh:mm:ss)" in finding.message
