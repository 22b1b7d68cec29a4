"""Exports as support tools and spreadsheets really write them: title rows above the header,
monthly files whose headers are spelt differently, two columns of one name, 2-digit years,
European decimal commas, concatenated exports (helper-16's review of issue #4)."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from csaudit.cli import app
from csaudit.errors import InputError
from csaudit.ingest import open_export
from csaudit.readers import read_table
from tests.test_readers import rows_of, write_xlsx

ZENDESK = "Id,Created at,Via,Group stations,Assignee\n"
ROW1 = "1,2024-03-04 09:00,Email,1,Nguyễn Văn An\n"
ROW2 = "2,2024-03-04 10:00,Chat,2,王伟\n"


def ids_and_agents(table) -> list[tuple]:
    return [(r["_row"], r["Id"], r["Assignee"]) for r in rows_of(table)]


@pytest.mark.parametrize(
    "title",
    [
        "Zendesk export - March 2024\n\n",  # a title line and a blank line
        "Zendesk export - March 2024,,,,\n,,,,\n",  # the same saved by Excel: empty cells
    ],
)
def test_csv_title_lines_above_the_header_are_left_out(tmp_path, title):
    path = tmp_path / "zd.csv"
    path.write_text(title + ZENDESK + ROW1 + ROW2, encoding="utf-8")
    table = read_table(path)
    assert table.headers == ["Id", "Created at", "Via", "Group stations", "Assignee"]
    assert ids_and_agents(table) == [(1, "1", "Nguyễn Văn An"), (2, "2", "王伟")]
    assert any("lines 1–2 above the header" in n and "the header is line 3" in n for n in table.notes)


def test_xlsx_title_row_above_the_header_is_left_out(tmp_path):
    header = ["Id", "Created at", "Via", "Group stations", "Assignee"]
    path = write_xlsx(
        tmp_path / "zd.xlsx",
        {"Tickets": [["Zendesk export – March 2024"], [], header, ["1", "2024-03-04 09:00", "Email", "1", "สมชาย ใจดี"]]},
    )
    table = read_table(path)
    assert table.headers == header
    assert ids_and_agents(table) == [(1, "1", "สมชาย ใจดี")]
    assert any("rows 1–2 above the header" in n and "the header is row 3" in n for n in table.notes)
    export = open_export(path, {}, {"created_at", "agent"})
    assert export.source.name == "zendesk"


def test_a_header_on_the_first_line_is_not_a_title(tmp_path):
    path = tmp_path / "zd.csv"
    path.write_text(ZENDESK + ROW1, encoding="utf-8")
    table = read_table(path)
    assert table.headers[0] == "Id" and table.parts[0].title_rows == 0
    assert not any("above the header" in n for n in table.notes)


def test_monthly_files_with_headers_spelt_differently_read_as_one_column(tmp_path):
    jan = tmp_path / "2024-01.csv"
    feb = tmp_path / "2024-02.csv"
    jan.write_text(ZENDESK + ROW1, encoding="utf-8")
    feb.write_text(ZENDESK.replace("Created at", "Created At ") + ROW2, encoding="utf-8")
    table = read_table(str(tmp_path / "2024-*.csv"))
    assert table.headers == ["Id", "Created at", "Via", "Group stations", "Assignee"]
    assert [r["Created at"] for r in rows_of(table)] == ["2024-03-04 09:00", "2024-03-04 10:00"]
    assert any("'Created At ' as 'Created at'" in n for n in table.notes)
    # Before: "columns ['Created at', 'Created At '] all match 'Created at'; rename one of them".
    export = open_export(str(tmp_path / "2024-*.csv"), {}, {"created_at"})
    created = export.frame.collect()["created_at"]
    assert created.null_count() == 0 and created.dt.day().to_list() == [4, 4]


def test_a_header_named_twice_says_which_column_is_read(tmp_path):
    path = tmp_path / "zd.csv"
    path.write_text("Id,Replies,Created at,Replies\n1,2,2024-03-04 09:00,99\n", encoding="utf-8")
    table = read_table(path)
    assert rows_of(table)[0]["Replies"] == "2"
    assert any("names 'Replies' more than once" in n and "'Replies_duplicated_0'" in n for n in table.notes)


def test_two_digit_years_are_never_read_as_the_first_century(tmp_path):
    # polars' %Y reads "24" as the year 24: 03/04/24 was read as 0003-04-24 (year 3).
    path = tmp_path / "sn.csv"
    path.write_text("number,opened_at\nINC1,03/04/24 09:00\nINC2,13/04/24 09:00\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"'opened_at'.*2-digit year.*format: \"%d/%m/%y %H:%M\""):
        open_export(path, {"id": ("number", "--map"), "created_at": ("opened_at", "--map")}, {"created_at"})


def test_two_digit_years_declared_in_a_mapping_file_read_day_first(tmp_path):
    path = tmp_path / "sn.csv"
    path.write_text("number,opened_at\nINC1,03/04/24 09:00\nINC2,13/04/24 09:00\n", encoding="utf-8")
    mapping = tmp_path / "m.yaml"
    mapping.write_text(
        'csaudit_source: 1\nname: sn\nfields:\n  id: number\n  created_at: {column: opened_at, format: "%d/%m/%y %H:%M"}\n',
        encoding="utf-8",
    )
    from csaudit.ingest import ReadOptions

    export = open_export(path, {}, {"created_at"}, read=ReadOptions(mapping_file=mapping))
    created = export.frame.collect()["created_at"]
    assert [(d.year, d.month, d.day) for d in created.to_list()] == [(2024, 4, 3), (2024, 4, 13)]


def test_european_decimal_comma_hours(tmp_path):
    # A ';'-separated export (Excel where the comma is the decimal mark): 1,5 h = 5400 s,
    # 24,0 h = 86400 s, 1.234,5 h = 1234.5 * 3600 = 4444200 s; 2.5 h (a dot) still reads 9000 s.
    path = tmp_path / "eu.csv"
    path.write_text(
        "Ticket;Opened;Hours\nA1;2024-04-03 09:00;1,5\nA2;2024-04-13 09:00;24,0\n"
        "A3;2024-04-14 09:00;1.234,5\nA4;2024-04-15 09:00;2.5\n",
        encoding="utf-8",
    )
    mapping = tmp_path / "m.yaml"
    mapping.write_text(
        "csaudit_source: 1\nname: eu\nfields:\n  id: Ticket\n  created_at: Opened\n"
        "  resolution_seconds: {column: Hours, unit: hours}\n",
        encoding="utf-8",
    )
    from csaudit.ingest import ReadOptions

    export = open_export(path, {}, {"resolution_seconds"}, read=ReadOptions(mapping_file=mapping))
    assert export.frame.collect()["resolution_seconds"].to_list() == [5400.0, 86400.0, 4444200.0, 9000.0]


def test_a_comma_is_not_a_decimal_mark_in_a_comma_separated_file(tmp_path):
    # "1,5" in a ',' file is a quoted cell nobody can read safely (1.5? 15?): unreadable, reported.
    path = tmp_path / "us.csv"
    path.write_text('id,created_at,replies\n1,2024-04-03 09:00,"1,5"\n2,2024-04-03 10:00,3\n', encoding="utf-8")
    frame = open_export(path, {}, {"replies"}).frame.collect()
    assert frame["replies"].to_list() == [None, 3.0]


def test_a_repeated_header_line_is_left_out_with_a_note(tmp_path):
    # Two exports joined with `cat`: data row 2 is the second file's header line.
    path = tmp_path / "zd.csv"
    path.write_text(ZENDESK + ROW1 + ZENDESK + ROW2, encoding="utf-8")
    export = open_export(path, {}, {"created_at", "channel"})
    frame = export.frame.collect()
    assert frame["channel"].to_list() == ["email", "chat"]
    assert frame["_row"].to_list() == [1, 3]  # row numbers stay those of the file
    assert "1 row repeats the header line (exports joined together?): row 2; left out" in export.notes
    # What inspect says: 2 rows, nothing unreadable, no "via" channel.
    result = CliRunner().invoke(app, ["inspect", str(path), "--format", "json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["rows"] == 2 and all(f["unreadable"] == 0 for f in report["fields"])
    assert [c["value"] for c in report["channels"]] == ["chat", "email"]


@pytest.mark.parametrize(
    "document",
    [
        # Zendesk sideloading (?include=users): the users' list may come before the tickets'.
        {"users": [{"id": 3, "name": "Nguyễn Văn An"}], "tickets": "TICKETS", "count": 2},
        {"_embedded": {"users": [{"id": 3, "name": "Nguyễn Văn An"}]}, "tickets": "TICKETS"},
        {"tickets": "TICKETS", "users": [{"id": 3, "name": "Nguyễn Văn An"}]},
    ],
)
def test_json_records_are_the_tickets_not_a_sideloaded_list_before_them(tmp_path, document):
    import json

    tickets = [
        {"id": 1, "created_at": "2024-03-04T09:00:00Z", "via": {"channel": "email"}, "assignee_id": 3},
        {"id": 2, "created_at": "2024-03-04T10:00:00Z", "via": {"channel": "web"}, "assignee_id": None},
    ]
    text = json.dumps(document, ensure_ascii=False).replace('"TICKETS"', json.dumps(tickets))
    path = tmp_path / "zd.json"
    path.write_text(text, encoding="utf-8")
    records = rows_of(read_table(path))
    assert [(r["_row"], r["id"], r["via.channel"], r["assignee_id"]) for r in records] == [
        (1, "1", "email", "3"),
        (2, "2", "web", None),
    ]


def test_json_list_of_objects_under_another_key_is_still_read(tmp_path):
    path = tmp_path / "x.json"
    path.write_text('{"meta": {"page": 1}, "conversations_list": [{"id": "a"}, {"id": "b"}], "data": [1, 2]}')
    assert [r["id"] for r in rows_of(read_table(path))] == ["a", "b"]
