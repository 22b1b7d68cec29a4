"""The audit's cached frame keeps no second copy of typed cells that parsed (Export.lean):
findings still show their cells in the export's own layout and zone."""

import polars as pl

from csaudit.fields import FIELDS, raw_column
from csaudit.ingest import open_export

FRT = """
  - id: frt
    title: First response
    metric: first_response_time
    statistic: max
    compare: at_most
    fail: 1h
"""


def finding(result, key):
    return next(f for f in result.findings if f.key == key)


def test_readable_typed_cells_are_not_kept_twice(write_csv):
    path = write_csv("id,created_at,first_response_at,csat,abandoned\nA,2024-05-01 10:00:00,2024-05-01 10:05:00,4,no\nB,2024-05-01 11:00:00,soon,five,maybe\n")
    export = open_export(path, {}, {"id", "created_at", "first_response_at", "csat", "abandoned"}, FIELDS, lean=True)
    frame = export.frame.collect()
    assert frame[raw_column("created_at")].to_list() == [None, None]
    assert frame[raw_column("first_response_at")].to_list() == [None, "soon"]
    assert frame[raw_column("csat")].to_list() == [None, "five"]
    assert frame[raw_column("abandoned")].to_list() == [None, "maybe"]
    assert frame[raw_column("id")].to_list() == ["A", "B"]  # text keeps its spelling
    assert set(export.lean) == {"created_at", "first_response_at", "csat", "abandoned"}
    shown = frame.select(
        export.cell_text("created_at"), export.cell_text("csat"), export.cell_text("abandoned")
    )
    assert shown.rows() == [("2024-05-01 10:00:00", "4", "false"), ("2024-05-01 11:00:00", "five", "maybe")]


def test_without_lean_every_cell_is_kept(write_csv):
    path = write_csv("id,created_at,first_response_at\nA,2024-05-01 10:00:00,2024-05-01 10:05:00\n")
    export = open_export(path, {}, {"id", "created_at", "first_response_at"}, FIELDS)
    assert export.lean == {}
    assert export.frame.collect()[raw_column("created_at")].to_list() == ["2024-05-01 10:00:00"]


def test_negative_duration_example_is_written_in_the_exports_layout_and_zone(run_audit):
    # Read as New York time; the example is the wall-clock time of the export, not UTC.
    result = run_audit(
        "id,created_at,first_response_at\nA,2024-05-01 10:00:00,2024-05-01 09:58:30.25\nB,2024-05-01 10:00:00,2024-05-01 10:01:00\n",
        FRT,
        timezone="America/New_York",
    )
    negative = finding(result, "negative:created_at:first_response_at")
    assert negative.count == 1 and negative.rows == [1]
    assert negative.examples == ["2024-05-01 09:58:30.250"]


def test_offset_timestamps_keep_their_text(run_audit):
    # An instant does not remember the offset it was written with: such columns stay as written.
    result = run_audit(
        "id,created_at,first_response_at\nA,2024-05-01T10:00:00+07:00,2024-05-01T09:00:00+07:00\n", FRT
    )
    assert finding(result, "negative:created_at:first_response_at").examples == ["2024-05-01T09:00:00+07:00"]


def test_cell_text_of_numbers():
    from csaudit.fields import FieldType
    from csaudit.ingest import Export

    export = Export(path=None, frame=None, columns={}, headers=[], separator=",", lean={"n": FieldType.NUMBER})
    frame = pl.DataFrame({"n": [3.0, 2.5, None, -0.0], raw_column("n"): [None, None, "x", None]})
    assert frame.select(export.cell_text("n"))["n__raw"].to_list() == ["3", "2.5", "x", "0"]


def test_cells_the_fast_path_misses_are_read_again_by_row(write_csv):
    # Spaces around a timestamp or number, a fraction of a second, a capitalised flag: the one
    # pass misses them, the second read (those rows only) parses them; what still does not
    # parse keeps its text, in its own row, for every field at once.
    path = write_csv(
        "id,created_at,first_response_at,csat,abandoned\n"
        "A,2024-05-01 10:00:00,2024-05-01 10:05:00,4,no\n"
        "B, 2024-05-01 11:00:00 ,2024-05-01 11:00:30.5,  5 ,Yes\n"
        "C,2024-05-01 12:00:00,soon,five,maybe\n"
        "D,2024-05-01 13:00:00,   ,,\n"
    )
    export = open_export(path, {}, {"id", "created_at", "first_response_at", "csat", "abandoned"}, FIELDS, lean=True)
    frame = export.frame.collect()
    assert frame["id"].to_list() == ["A", "B", "C", "D"]
    assert [str(v) for v in frame["created_at"].to_list()] == [
        "2024-05-01 10:00:00+00:00", "2024-05-01 11:00:00+00:00", "2024-05-01 12:00:00+00:00", "2024-05-01 13:00:00+00:00"
    ]
    assert [None if v is None else str(v) for v in frame["first_response_at"].to_list()] == [
        "2024-05-01 10:05:00+00:00", "2024-05-01 11:00:30.500000+00:00", None, None
    ]
    assert frame["csat"].to_list() == [4.0, 5.0, None, None]
    assert frame["abandoned"].to_list() == [False, True, None, None]
    assert frame[raw_column("created_at")].to_list() == [None] * 4
    # A cell of only spaces is unreadable, and shown as it is.
    assert frame[raw_column("first_response_at")].to_list() == [None, None, "soon", "   "]
    assert frame[raw_column("csat")].to_list() == [None, None, "five", None]
    assert frame[raw_column("abandoned")].to_list() == [None, None, "maybe", None]
    assert not [c for c in frame.columns if c.endswith("__failed")]


def test_nan_and_infinity_are_not_numbers(write_csv):
    path = write_csv("id,csat\nA,4\nB,nan\nC,inf\nD,-Infinity\n")
    frame = open_export(path, {}, {"id", "csat"}, FIELDS, lean=True).frame.collect()
    assert frame["csat"].to_list() == [4.0, None, None, None]
    assert frame[raw_column("csat")].to_list() == [None, "nan", "inf", "-Infinity"]


def test_a_column_of_fractions_is_read_in_one_pass(write_csv):
    path = write_csv(
        "id,created_at,first_response_at\n"
        + "".join(f"{i},2024-05-01 10:00:0{i}.25,2024-05-01 10:01:00\n" for i in range(5))
        + "9,2024-05-01 10:00:09,2024-05-01 10:01:00\n"
    )
    export = open_export(path, {}, {"id", "created_at", "first_response_at"}, FIELDS, lean=True)
    # The first pass keeps the fraction: the whole-second cell is the one read again.
    frame = export.frame.collect()
    assert frame["created_at"].dt.second().to_list() == [0, 1, 2, 3, 4, 9]
    assert frame["created_at"].dt.millisecond().to_list() == [250] * 5 + [0]
    assert frame[raw_column("created_at")].null_count() == 6


def test_the_first_pass_keeps_the_fraction_when_the_sample_has_them():
    from csaudit.ingest import _fractions_usual

    fmt = "%Y-%m-%d %H:%M:%S%.f"
    assert _fractions_usual(pl.Series(["2024-05-01 10:00:00.25", "2024-05-01 10:00:01.5", "2024-05-01 10:00:02"]), fmt)
    assert not _fractions_usual(pl.Series(["2024-05-01 10:00:00", "2024-05-01 10:00:01.5", "2024-05-01 10:00:02"]), fmt)
    assert not _fractions_usual(pl.Series(["2024-05-01 10:00:00.25"]), "%Y-%m-%d %H:%M:%S")


def test_text_fields_are_cleaned_after_the_pass(write_csv):
    path = write_csv(
        "id,channel,agent,created_at\n"
        " A ,Chat,Ann Lee,2024-05-01 10:00:00\n"
        "B, chat ,ann lee,2024-05-01 10:00:00\n"
        "C,CHAT,  ,2024-05-01 10:00:00\n"
        "D,email,Bob,2024-05-01 10:00:00\n"
        "  ,  ,,\n"
    )
    export = open_export(path, {}, {"id", "channel", "agent", "created_at"}, FIELDS, lean=True)
    frame = export.frame.collect()
    # Row 5 has only spaces in the columns read: it is no interaction.
    assert export.empty_rows == 1 and frame.height == 4
    assert frame["id"].to_list() == ["A", "B", "C", "D"]  # ids keep their case
    assert frame["channel"].to_list() == ["chat", "chat", "chat", "email"]
    assert frame[raw_column("channel")].to_list() == ["Chat", "chat", "CHAT", "email"]
    assert frame["agent"].to_list() == ["ann lee", "ann lee", None, "bob"]
    assert frame[raw_column("agent")].to_list() == ["Ann Lee", "ann lee", None, "Bob"]


def test_many_distinct_texts_are_cleaned_cell_by_cell(write_csv):
    rows = "".join(f" T{i} ,Agent {i},2024-05-01 10:00:00\n" for i in range(1_500))
    path = write_csv("id,agent,created_at\n" + rows)
    frame = open_export(path, {}, {"id", "agent", "created_at"}, FIELDS, lean=True).frame.collect()
    assert frame["id"].head(2).to_list() == ["T0", "T1"]
    assert frame["agent"].head(2).to_list() == ["agent 0", "agent 1"]
    assert frame[raw_column("agent")].head(2).to_list() == ["Agent 0", "Agent 1"]


def test_a_standard_that_needs_agent_activity_reads_no_optional_column_without_it(run_audit):
    # Occupancy would use `team` with --agents; without the file it is not measured, and the
    # export's team column is not read at all (its required fields still are, for the reason).
    result = run_audit(
        "id,agent,team,handle_seconds,created_at,first_response_at\n"
        "1,Ann,Tier 1,60,2024-05-01 10:00:00,2024-05-01 10:01:00\n",
        FRT + "  - {id: occ, title: Occupancy, metric: occupancy, required: false}\n",
    )
    assert "team" not in result.columns and {"agent", "handle_seconds"} <= set(result.columns)
    occupancy = result.standards[1]
    assert occupancy.status.value == "not measured" and "--agents" in occupancy.reason
