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
