"""Parquet datasets (a folder, Hive-partitioned or not, or a glob) and URLs, read natively by
polars as one table (issue #7, speed and scale item 3).

Expected values are worked out by hand from the few rows each test writes. URLs cannot be
reached from the tests: polars' scan functions are replaced by recorders, which check that the
URL reaches polars as given and return a local frame.
"""

from __future__ import annotations

import json
import os

import polars as pl
import pytest
from typer.testing import CliRunner

from csaudit import readers
from csaudit.cli import app
from csaudit.errors import InputError
from csaudit.readers import as_url, expand_inputs, read_table

COLUMNS = ["id", "channel", "created_at", "first_response_at"]
#: Three months in Hive folders. First responses: 60 s (chat), 180 s (phone); 120 s (chat),
#: "soon" (chat, unreadable); 300 s (phone).
MONTHS = {
    "year=2025/month=12": [("1", "chat", "2025-12-01 08:00:00", "2025-12-01 08:01:00"),
                           ("2", "phone", "2025-12-01 09:00:00", "2025-12-01 09:03:00")],
    "year=2026/month=01": [("3", "chat", "2026-01-05 08:00:00", "2026-01-05 08:02:00"),
                           ("4", "chat", "2026-01-05 09:00:00", "soon")],
    "year=2026/month=02": [("5", "phone", "2026-02-02 08:00:00", "2026-02-02 08:05:00")],
}
PROFILE = (
    "csaudit_profile: 1\nname: t\nstandards:\n"
    "  - {id: frt, title: FRT, metric: first_response_time, statistic: mean, each: channel}\n"
)


def write(path: str, rows: list[tuple], columns: list[str] = COLUMNS, **extra: list) -> None:
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    frame = pl.DataFrame(rows, schema=columns, orient="row")
    pl.concat([frame, pl.DataFrame(extra)], how="horizontal").write_parquet(path) if extra else frame.write_parquet(path)


@pytest.fixture
def exports(tmp_path, monkeypatch):
    """``exports/year=…/month=…/part-0.parquet`` under the test's own working folder."""
    monkeypatch.chdir(tmp_path)
    for folder, rows in MONTHS.items():
        write(f"exports/{folder}/part-0.parquet", rows)
    (tmp_path / "p.yaml").write_text(PROFILE)
    return tmp_path


def check(*args: str):
    result = CliRunner().invoke(app, ["check", *args, "-p", "p.yaml", "--format", "json"])
    assert "Traceback" not in result.stderr, result.stderr
    return result


def values(report: dict) -> dict[str, tuple[float, int]]:
    return {r["group"]["channel"]: (r["value"], r["sample_size"]) for r in report["results"]}


# -- local datasets -----------------------------------------------------------------------------


@pytest.mark.parametrize("given", ["exports", "exports/", "exports/**/*.parquet", "exports/year=*/month=*/"])
def test_a_hive_dataset_is_one_table_with_its_partition_columns(exports, given):
    table = read_table(given)
    assert table.headers == [*COLUMNS, "year", "month"]
    (part,) = table.parts
    assert part.describe() == "PARQUET dataset of 3 files, partitioned by year, month"
    # Partition values are text as the folders write them ("01", not 1); rows in path order.
    assert table.records.select("_row", "id", "year", "month").collect().rows() == [
        (1, "1", "2025", "12"), (2, "2", "2025", "12"), (3, "3", "2026", "01"), (4, "4", "2026", "01"),
        (5, "5", "2026", "02"),
    ]
    assert table.notes == [
        f"{given}: 3 Parquet files read as one dataset, partition columns year, month (from the folder names); "
        "rows are numbered across the files in path order: exports/year=2025/month=12/part-0.parquet rows 1–2, "
        "exports/year=2026/month=01/part-0.parquet rows 3–4, exports/year=2026/month=02/part-0.parquet row 5"
    ]
    assert table.locate(4) == ("exports/year=2026/month=01/part-0.parquet", 2)
    assert table.describe_rows([1, 5]) == (
        " (rows across files: exports/year=2025/month=12/part-0.parquet 1→1; exports/year=2026/month=02/part-0.parquet 5→1)"
    )


def test_a_dataset_is_audited_like_one_file(exports):
    result = check("exports/")
    assert result.exit_code == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["input"]["rows"] == 5
    # chat: 60 and 120 s (row 4 unreadable) → 90; phone: 180 and 300 → 240.
    assert values(report) == {"chat": (90.0, 2), "phone": (240.0, 2)}
    (finding,) = report["findings"]
    assert finding["rows"] == [4] and finding["examples"] == ["soon"]
    assert finding["message"].endswith("(rows across files: exports/year=2026/month=01/part-0.parquet 4→2)")
    # The same rows as one Parquet file give the same values.
    pl.read_parquet("exports/**/*.parquet").write_parquet("one.parquet")
    assert values(json.loads(check("one.parquet").stdout)) == values(report)


def test_a_glob_of_partition_folders_reads_those_partitions(exports):
    result = check("exports/year=2026/month=*/")
    assert result.exit_code == 0, result.stderr
    report = json.loads(result.stdout)
    # 2026 only: chat 120 s (row 2, "soon", unreadable), phone 300 s; rows numbered in the selection.
    assert report["input"]["rows"] == 3
    assert values(report) == {"chat": (120.0, 1), "phone": (300.0, 1)}
    assert report["findings"][0]["rows"] == [2]


def test_partition_columns_are_fields_like_any_other(tmp_path, monkeypatch):
    """Partitioned by channel: the folder names are the channel field."""
    monkeypatch.chdir(tmp_path)
    columns = ["id", "created_at", "first_response_at"]
    write("calls/channel=chat/a.parquet", [("1", "2026-01-01 08:00:00", "2026-01-01 08:00:30")], columns)
    write("calls/channel=chat/b.parquet", [("2", "2026-01-01 09:00:00", "2026-01-01 09:01:30")], columns)
    write("calls/channel=phone/a.parquet", [("3", "2026-01-01 10:00:00", "2026-01-01 10:00:20")], columns)
    (tmp_path / "p.yaml").write_text(PROFILE)
    result = check("calls")
    assert result.exit_code == 0, result.stderr
    assert values(json.loads(result.stdout)) == {"chat": (60.0, 2), "phone": (20.0, 1)}  # (30 + 90) / 2


def test_a_folder_of_parquet_files_without_partitions(tmp_path):
    """Files may lack columns others have (empty there, and said); hidden files are skipped."""
    write(str(tmp_path / "d" / "a.parquet"), [("1", "chat")], ["id", "channel"])
    write(str(tmp_path / "d" / "b.parquet"), [("2",)], ["id"], agent=["ann"])
    (tmp_path / "d" / "_SUCCESS").write_text("")
    (tmp_path / "d" / ".a.parquet.crc").write_bytes(b"\x00")
    table = read_table(tmp_path / "d")
    assert table.parts[0].describe() == "PARQUET dataset of 2 files"
    assert table.records.collect().rows() == [(1, "1", "chat", None), (2, "2", None, "ann")]
    assert table.notes[1] == f"{tmp_path / 'd'}: the files do not have the same columns (missing cells are empty): " \
        f"{tmp_path / 'd' / 'a.parquet'} lacks 'agent'; {tmp_path / 'd' / 'b.parquet'} lacks 'channel'"


def test_a_glob_of_several_parquet_files_is_a_dataset_and_one_file_is_a_file(tmp_path):
    for name in ("jan", "feb"):
        write(str(tmp_path / f"{name}.parquet"), [(name,)], ["id"])
    (dataset,) = expand_inputs(str(tmp_path / "*.parquet"))
    assert (dataset.kind, dataset.files) == ("dataset", [str(tmp_path / "feb.parquet"), str(tmp_path / "jan.parquet")])
    assert [i.kind for i in expand_inputs([tmp_path / "jan.parquet", tmp_path / "feb.parquet"])] == ["file", "file"]
    (csv,) = expand_inputs(str(tmp_path / "j*"))
    assert csv.kind == "file"


def test_dataset_errors_name_the_problem(tmp_path):
    write(str(tmp_path / "typed" / "a.parquet"), [("1", 5)], ["id", "csat"])
    write(str(tmp_path / "typed" / "b.parquet"), [("2", "good")], ["id", "csat"])
    with pytest.raises(InputError, match=r"typed: column 'csat' is Int64 in .*a.parquet but String in .*b.parquet; "
                       "a dataset is read with one type per column. Give the files as separate arguments"):
        read_table(tmp_path / "typed")
    write(str(tmp_path / "mixed" / "a.parquet"), [("1",)], ["id"])
    (tmp_path / "mixed" / "notes.csv").write_text("id\n2\n")
    with pytest.raises(InputError, match=r"mixed: a folder is read as a Parquet dataset, but .*notes.csv is not Parquet; "
                       r"give the export files themselves, or a glob that matches only them \(e.g. '.*mixed/\*.csv'"):
        read_table(tmp_path / "mixed")
    (tmp_path / "empty").mkdir()
    with pytest.raises(InputError, match="empty: the folder holds no files"):
        read_table(tmp_path / "empty")
    write(str(tmp_path / "layout" / "year=2026" / "a.parquet"), [("1",)], ["id"])
    write(str(tmp_path / "layout" / "month=01" / "a.parquet"), [("2",)], ["id"])
    with pytest.raises(InputError, match=r"the files are not partitioned alike: .*month=01/a.parquet is under month=… "
                       r"but .*year=2026/a.parquet under year=…"):
        read_table(tmp_path / "layout")
    (tmp_path / "broken").mkdir()
    (tmp_path / "broken" / "a.parquet").write_bytes(b"PAR1 not really")
    with pytest.raises(InputError, match=r"broken/a.parquet: cannot be read as Parquet: "):
        read_table(tmp_path / "broken")


def test_a_folder_through_the_cli_is_a_clean_error_when_not_parquet(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "p.yaml").write_text(PROFILE)
    (tmp_path / "csvs").mkdir()
    (tmp_path / "csvs" / "jan.csv").write_text("id\n1\n")
    result = check("csvs")
    assert result.exit_code == 2 and result.stderr.startswith("error: csvs: a folder is read as a Parquet dataset")


# -- reading only the columns the audit uses ------------------------------------------------------


def test_the_dataset_is_one_native_scan(exports):
    plan = read_table("exports").records.explain()
    assert plan.count("Parquet SCAN") == 1 and "3 sources" in plan.replace("2 other sources", "3 sources")


def test_a_column_the_audit_does_not_use_is_not_read(exports):
    for folder, rows in MONTHS.items():
        write(f"exports/{folder}/part-0.parquet", rows, attachment=[b"\xff\xfe"] * len(rows))
    result = check("exports")
    assert result.exit_code == 0, result.stderr
    assert values(json.loads(result.stdout)) == {"chat": (90.0, 2), "phone": (240.0, 2)}


# -- URLs, handed to polars -------------------------------------------------------------------------

FRAME = pl.DataFrame(
    {"id": ["1", "2"], "channel": ["chat", "chat"], "created_at": ["2026-01-01 08:00:00"] * 2,
     "first_response_at": ["2026-01-01 08:01:00", "2026-01-01 08:03:00"]}
)


@pytest.fixture
def scans(monkeypatch):
    """polars' scan functions, recorded: (function, source, options) per call."""
    calls: list[tuple[str, object, dict]] = []

    def recorder(name):
        def scan(source, **options):
            calls.append((name, source, options))
            return FRAME.lazy()
        return scan

    monkeypatch.setattr(pl, "scan_parquet", recorder("scan_parquet"))
    monkeypatch.setattr(pl, "scan_csv", recorder("scan_csv"))
    return calls


@pytest.mark.parametrize("given", ["s3://bucket/exports/x.parquet", "s3:/bucket/exports/x.parquet",
                                   "https://example.com/a//b.csv", "gs://b/e/**/*.parquet", "az://c/e/",
                                   "HTTPS://example.com/x.tsv?sig=a%20b", "hf://datasets/o/n/x.parquet"])
def test_urls_are_recognised_and_left_as_given(given):
    (one,) = expand_inputs(given)
    assert one.kind == "url" and one.name == given.replace("s3:/b", "s3://b")
    assert as_url("C:/exports/x.csv") is None and as_url("exports/x:y.csv") is None and as_url("file.csv") is None


@pytest.mark.parametrize(
    ("given", "function", "source", "options"),
    [
        ("s3://bucket/exports/x.parquet", "scan_parquet", "s3://bucket/exports/x.parquet", {"hive_partitioning": None}),
        ("gs://bucket/exports/year=2026/", "scan_parquet", "gs://bucket/exports/year=2026/", {"hive_partitioning": True}),
        ("az://c/exports/**/*.parquet", "scan_parquet", "az://c/exports/**/*.parquet", {"hive_partitioning": True}),
        # Through the command line a URL becomes a path ("s3:/bucket/exports"): it gets its // and / back.
        ("s3://bucket/exports/", "scan_parquet", "s3://bucket/exports/", {"hive_partitioning": True}),
        ("https://example.com/exports/jan.csv?x=1", "scan_csv", "https://example.com/exports/jan.csv?x=1",
         {"separator": ",", "infer_schema": False}),
    ],
)
def test_a_url_is_handed_to_polars_and_audited(tmp_path, monkeypatch, scans, given, function, source, options):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "p.yaml").write_text(PROFILE)
    result = check(given)
    assert result.exit_code == 0, result.stderr
    assert values(json.loads(result.stdout)) == {"chat": (120.0, 2)}  # (60 + 180) / 2
    ((name, called, used), *_) = scans
    assert (name, called) == (function, source)
    assert {key: used[key] for key in options} == options
    dataset_note = f"{source}: read by polars as one dataset (partition folders key=value are columns)"
    assert any(n.startswith(dataset_note) for n in json.loads(result.stdout)["notes"]) == (options.get("hive_partitioning") is True)


def test_an_unreachable_url_is_a_clean_error(tmp_path, monkeypatch):
    class Unreachable:
        def collect_schema(self):
            raise ConnectionRefusedError("object-store error: Generic HTTP error: error sending request\nCaused by: …")

    monkeypatch.setattr(pl, "scan_parquet", lambda source, **options: Unreachable())
    monkeypatch.chdir(tmp_path)
    (tmp_path / "p.yaml").write_text(PROFILE)
    result = check("https://127.0.0.1:9/exports/x.parquet")
    assert result.exit_code == 2
    assert result.stderr == (
        "error: https://127.0.0.1:9/exports/x.parquet: cannot be read as Parquet: "
        "object-store error: Generic HTTP error: error sending request\n"
    )


def test_a_url_of_another_format_says_what_is_read(scans):
    with pytest.raises(InputError, match=r"https://example.com/x.json: a URL is read by polars directly, as Parquet .* "
                       r"download other files \(JSON, Excel, compressed\) and give the local file"):
        read_table("https://example.com/x.json")
    with pytest.raises(InputError, match="a URL is read by polars as UTF-8"):
        read_table("s3://b/x.csv", encoding="cp1252")
    assert scans == []


def test_the_bomb_and_folder_limits_do_not_apply_to_what_polars_reads(monkeypatch, scans):
    monkeypatch.setattr(readers, "MAX_DECOMPRESSED", 1)
    assert read_table("s3://b/x.parquet").records.collect().height == 2
