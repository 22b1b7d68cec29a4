"""Typed columns (Parquet) are read as they are: times, flags and numbers without a text round
trip, with the same rules as text - naive times are wall-clock time in the export's zone,
non-finite numbers are unreadable, findings show the cells."""

from datetime import datetime, timezone

import polars as pl

from csaudit.engine import audit
from csaudit.fields import FIELDS
from csaudit.ingest import open_export
from csaudit.profile.loader import parse_profile
from tests.conftest import profile_text

FRT = """
- id: frt
  title: FRT
  metric: first_response_time
  statistic: mean
"""
CSAT = "- {id: csat, title: CSAT, metric: csat}"


def frame_of(path, wanted, **kwargs):
    return open_export(path, {}, set(wanted), FIELDS, lean=True, **kwargs).frame.collect()


def test_naive_parquet_times_are_wall_clock_time_in_the_zone(tmp_path):
    path = tmp_path / "x.parquet"
    pl.DataFrame({
        "id": [1, 2, 3],
        "created_at": [datetime(2024, 3, 10, 1, 0), datetime(2024, 3, 10, 2, 30), datetime(2024, 7, 1, 9, 0)],
        "first_response_at": [datetime(2024, 3, 10, 1, 5), datetime(2024, 3, 10, 3, 5), datetime(2024, 7, 1, 9, 2)],
    }).write_parquet(path)
    result = audit(parse_profile(profile_text(FRT), "t.yaml"), path, timezone="America/New_York")
    # Row 2's 02:30 does not exist in New York on 10 March 2024 (clocks go 02:00 -> 03:00).
    (skipped,) = [f for f in result.findings if f.key == "nonexistent:created_at"]
    assert (skipped.count, skipped.rows, skipped.examples) == (1, [2], ["2024-03-10 02:30:00"])
    group = result.standards[0].groups[0]
    # Rows 1 and 3: 5 min and 2 min.
    assert (group.value, group.sample_size) == (210.0, 2)
    frame = frame_of(path, ["id", "created_at"], timezone="America/New_York")
    assert frame["created_at"].to_list()[0] == datetime(2024, 3, 10, 6, 0, tzinfo=timezone.utc)
    assert frame["id"].to_list() == ["1", "2", "3"]  # an integer id is text


def test_aware_parquet_times_are_instants_and_numbers_must_be_finite(tmp_path):
    path = tmp_path / "x.parquet"
    pl.DataFrame({
        "id": ["a", "b", "c"],
        "created_at": [datetime(2024, 1, 1, 8, tzinfo=timezone.utc)] * 3,
        "csat": [5.0, float("nan"), 2.0],
    }).with_columns(pl.col("created_at").dt.convert_time_zone("Asia/Bangkok")).write_parquet(path)
    frame = frame_of(path, ["id", "created_at", "csat"], timezone="America/New_York")
    assert frame["created_at"].to_list() == [datetime(2024, 1, 1, 8, tzinfo=timezone.utc)] * 3
    assert frame["csat"].to_list() == [5.0, None, 2.0]
    result = audit(parse_profile(profile_text(CSAT), "t.yaml"), path)
    (bad,) = [f for f in result.findings if f.key == "unparsable:csat"]
    assert (bad.rows, bad.examples) == ([2], ["NaN"])
    group = result.standards[0].groups[0]
    assert (group.value, group.sample_size) == (0.5, 2)  # 5 is top-2-box, 2 is not


def test_a_csv_and_a_parquet_file_read_as_one_table(tmp_path):
    csv = tmp_path / "a.csv"
    csv.write_text("id,created_at,first_response_at\n1,2024-01-01 08:00:00,2024-01-01 08:01:00\n")
    parquet = tmp_path / "b.parquet"
    pl.DataFrame({"id": [2], "created_at": [datetime(2024, 1, 1, 9)], "first_response_at": [datetime(2024, 1, 1, 9, 3)]}).write_parquet(parquet)
    result = audit(parse_profile(profile_text(FRT), "t.yaml"), [csv, parquet])
    group = result.standards[0].groups[0]
    assert (group.value, group.sample_size) == (120.0, 2)
