"""Exports as real tools write them: every field quoted (""), Excel for Mac's CR line ends, a
title with a comma above the header, files padded with zeros or cut short, vendor values."""

from __future__ import annotations

import bz2
import json
import lzma
import tarfile
import zipfile
from pathlib import Path

import pytest

from csaudit.engine import audit
from csaudit.errors import InputError
from csaudit.ingest import open_export
from csaudit.profile.loader import parse_profile
from csaudit.readers import read_table
from tests.conftest import profile_text
from tests.test_readers import write_xlsx

EXPORTS = Path(__file__).parent / "fixtures" / "exports"
HEADER = "id,created_at,resolved_at,channel"
ROWS = [
    "1,2024-03-04 09:00:00,2024-03-04 10:00:00,email",
    "2,2024-03-04 09:10:00,,chat",
    "3,2024-03-04 09:20:00,,email",
    "4,2024-03-04 09:30:00,2024-03-04 09:45:00,chat",
]
RESOLUTION = """
- id: resolved
  title: Resolution rate
  metric: resolution_rate
"""


def rows_of(table) -> list[dict]:
    return table.records.collect().to_dicts()


def resolution_rate(path) -> tuple[float, int, list[str]]:
    result = audit(parse_profile(profile_text(RESOLUTION), "t.yaml"), path)
    group = result.standards[0].groups[0]
    return group.value, group.sample_size, [f.key for f in result.findings]


def quote_all(line: str) -> str:
    return ",".join(f'"{cell}"' for cell in line.split(","))


# -- every cell quoted: "" is an empty cell -----------------------------------------------------


def test_quoted_empty_cells_are_empty_not_unreadable(tmp_path):
    # Salesforce, ServiceNow and Python's csv.QUOTE_ALL write an empty cell as "".
    plain, quoted = tmp_path / "plain.csv", tmp_path / "quoted.csv"
    plain.write_text("\n".join([HEADER, *ROWS]) + "\n", encoding="utf-8")
    quoted.write_text("\r\n".join(quote_all(line) for line in [HEADER, *ROWS]) + "\r\n", encoding="utf-8")
    assert [r["resolved_at"] for r in rows_of(read_table(quoted))] == ["2024-03-04 10:00:00", None, None, "2024-03-04 09:45:00"]
    # Two of four resolved, whichever way the file quotes; no "unreadable timestamp" finding.
    assert resolution_rate(quoted) == resolution_rate(plain) == (0.5, 4, [])


def test_a_quoted_space_is_still_text(tmp_path):
    path = tmp_path / "x.csv"
    path.write_text('id,channel\n"1"," "\n', encoding="utf-8")
    assert rows_of(read_table(path)) == [{"_row": 1, "id": "1", "channel": " "}]


def test_empty_strings_in_json_are_empty(tmp_path):
    # ServiceNow's JSON export and many API dumps write "" for a date not set.
    records = [dict(zip(HEADER.split(","), row.split(","))) for row in ROWS]
    path = tmp_path / "tickets.json"
    path.write_text(json.dumps({"records": records}), encoding="utf-8")
    assert [r["resolved_at"] for r in rows_of(read_table(path))] == ["2024-03-04 10:00:00", None, None, "2024-03-04 09:45:00"]
    assert resolution_rate(path) == (0.5, 4, [])


# -- line ends --------------------------------------------------------------------------------


def test_lines_ended_by_cr_alone_are_lines(tmp_path):
    # Excel for Mac's "CSV (Macintosh)" ends lines with CR only; here with a cp1252 name too.
    path = tmp_path / "mac.csv"
    path.write_bytes("\r".join([HEADER + ",agent", *(r + ",Zoë" for r in ROWS)]).encode("cp1252") + b"\r")
    table = read_table(path)
    assert [(r["id"], r["agent"]) for r in rows_of(table)] == [("1", "Zoë"), ("2", "Zoë"), ("3", "Zoë"), ("4", "Zoë")]
    assert path.read_bytes().count(b"\n") == 0  # the user's file is left as it is
    assert resolution_rate(path)[:2] == (0.5, 4)


# -- titles above the header ------------------------------------------------------------------


@pytest.mark.parametrize(
    "title, lines",
    [
        ("Tickets report, March 2024\n", 1),
        ("Helpdesk export\nGenerated: 2024-04-01 10:00, by admin\n\n", 3),
    ],
)
def test_a_title_with_a_comma_is_left_out(tmp_path, title, lines):
    path = tmp_path / "report.csv"
    path.write_text(title + "\n".join([HEADER, *ROWS]) + "\n", encoding="utf-8")
    table = read_table(path)
    assert table.parts[0].title_rows == lines
    assert table.headers == HEADER.split(",")
    assert [r["id"] for r in rows_of(table)] == ["1", "2", "3", "4"]
    assert any(f"the header is line {lines + 1}" in note for note in table.notes)


def test_commas_inside_quoted_cells_do_not_make_the_header_a_title(tmp_path):
    path = tmp_path / "x.csv"
    path.write_text('id,subject\n1,"a, b, c, d, e, f"\n2,"g, h, i, j"\n', encoding="utf-8")
    table = read_table(path)
    assert table.parts[0].title_rows == 0
    assert [r["subject"] for r in rows_of(table)] == ["a, b, c, d, e, f", "g, h, i, j"]


# -- damaged files ----------------------------------------------------------------------------


def test_a_file_padded_with_zero_bytes_is_refused(tmp_path):
    # A copy or download cut short: the text, then zeros where the rest should be.
    text = ("\n".join([HEADER, *ROWS * 1000]) + "\n").encode()
    path = tmp_path / "export.csv"
    path.write_bytes(text + b"\x00" * 4096)
    with pytest.raises(InputError) as info:
        read_table(path)
    assert str(info.value).startswith(f"{path}: near the end, byte {len(text):,} is a NUL byte (0x00): the file ends in binary zeros")


def test_zero_bytes_near_the_start_name_the_line(tmp_path):
    path = tmp_path / "export.csv"
    path.write_bytes(f"{HEADER}\n{ROWS[0]}\n".encode() + b"\x00\x00\n" + f"{ROWS[1]}\n".encode())
    with pytest.raises(InputError, match=r"line 3, byte 82 is a NUL byte .* the file is binary \(or damaged\)"):
        read_table(path)


def tar_of(path, member):
    with tarfile.open(path, "w:gz") as archive:
        archive.add(member, arcname=member.name)


@pytest.mark.parametrize(
    "make, expected",
    [
        (lambda path: tar_of(path, EXPORTS / "zendesk.csv"), "is a tar archive"),
        (lambda path: path.write_bytes(bz2.compress(b"id\n1\n")), "is bzip2-compressed"),
        (lambda path: path.write_bytes(lzma.compress(b"id\n1\n")), "is xz-compressed"),
        (lambda path: path.write_bytes(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n"), "is a PDF document"),
    ],
)
def test_archives_and_documents_that_are_not_exports_say_what_they_are(tmp_path, make, expected):
    path = tmp_path / "export.csv"
    make(path)
    with pytest.raises(InputError) as info:
        read_table(path)
    assert str(info.value).startswith(f"{path}: {expected}")


def test_a_file_cut_short_in_its_last_line_is_refused(tmp_path):
    text = "\n".join([HEADER, *ROWS]) + "\n"
    path = tmp_path / "export.csv"
    path.write_text(text[: text.rindex("\n", 0, -1) + 20], encoding="utf-8")  # "4,2024-03-04 09:30:"
    with pytest.raises(InputError) as info:
        read_table(path)
    assert "export.csv" in str(info.value) and "last line has 2 of the header's 4 cells" in str(info.value)


@pytest.mark.parametrize(
    "text",
    [
        HEADER + "\n" + "\n".join(ROWS),  # no line end after a complete last line
        'id,note\n1,"first line\nsecond, third"',  # a last cell of several lines
        "id,created_at,resolved_at\n1,2024-03-04 09:00:00,",  # an empty last cell
    ],
)
def test_a_complete_last_line_without_a_line_end_is_read(tmp_path, text):
    path = tmp_path / "export.csv"
    path.write_text(text, encoding="utf-8")
    assert len(rows_of(read_table(path))) == text.count("\n") - ("second" in text)


# -- vendor layouts ---------------------------------------------------------------------------


def test_zendesk_ratings_with_a_comment_are_good_and_bad(tmp_path):
    # Zendesk's satisfaction values: Unoffered, Offered, Good, Good with comment, Bad, Bad with comment.
    text = (EXPORTS / "zendesk.csv").read_text(encoding="utf-8")
    path = tmp_path / "zendesk.csv"
    path.write_text(text.replace(",Good,", ",Good with comment,").replace(",Bad,", ",Bad with comment,"), encoding="utf-8")
    assert ",Good with comment," in path.read_text(encoding="utf-8")
    result = audit(parse_profile(profile_text("- id: csat\n  title: CSAT\n  metric: csat\n"), "t.yaml"), path)
    group = result.standards[0].groups[0]
    assert (group.value, group.sample_size) == (0.5, 2)  # as with Good / Bad
    assert not result.findings


def test_servicenow_excel_export_is_recognised_by_its_column_labels(tmp_path):
    # ServiceNow writes field names in CSV exports but field labels in Excel/XLSX ones.
    labels = {"number": "Number", "opened_at": "Opened", "resolved_at": "Resolved", "priority": "Priority",
              "contact_type": "Channel", "assignment_group": "Assignment group", "assigned_to": "Assigned to",
              "caller_id": "Caller", "reassignment_count": "Reassignment count", "calendar_stc": "Resolve time"}
    lines = (EXPORTS / "servicenow.csv").read_text(encoding="utf-8").splitlines()
    names = lines[0].split(",")
    path = tmp_path / "incident.csv"
    path.write_text(",".join(labels.get(n, n) for n in names) + "\n" + "\n".join(lines[1:]) + "\n", encoding="utf-8")
    by_name = run_metrics(EXPORTS / "servicenow.csv")
    by_label = run_metrics(path)
    assert by_label == by_name and by_label["res"][1] > 0
    frame = open_export(path, {}, {"id", "priority", "channel"}).frame.collect()
    assert frame["priority"].to_list()[0] == "p1" and frame["channel"].to_list()[0] == "phone"


def run_metrics(path) -> dict[str, tuple]:
    standards = "".join(
        f"- id: {key}\n  title: {key}\n  metric: {metric}\n"
        for key, metric in (("res", "resolution_time"), ("tr", "transfers_per_issue"))
    )
    result = audit(parse_profile(profile_text(standards), "t.yaml"), path)
    return {s.standard.id: (s.groups[0].value, s.groups[0].sample_size) for s in result.standards}


# -- Excel ------------------------------------------------------------------------------------


def rewrite(path, member: str, old: bytes, new: bytes) -> None:
    """Replace ``old`` by ``new`` in one member of a workbook (a cell's type, a number format)."""
    with zipfile.ZipFile(path) as book:
        members = {name: book.read(name) for name in book.namelist()}
    assert old in members[member]
    members[member] = members[member].replace(old, new)
    with zipfile.ZipFile(path, "w") as book:
        for name, data in members.items():
            book.writestr(name, data)


def test_excel_error_cells_are_pointed_out(tmp_path):
    # A lookup formula that found nothing (#N/A) is no value, and the reader says where it is.
    path = write_xlsx(tmp_path / "tickets.xlsx", {"Notes": [["a", "b"], ["1", "2"]], "Tickets": [
        ["id", "created_at", "resolved_at"],
        ["1", "2024-03-04 09:00:00", "2024-03-04 10:00:00"],
        ["2", "2024-03-04 09:10:00", "#N/A"],
        ["3", "2024-03-04 09:20:00", "#VALUE!"],
    ]})
    for value in (b"#N/A", b"#VALUE!"):
        rewrite(path, "xl/worksheets/sheet2.xml", b' t="inlineStr"><is><t>' + value + b"</t></is></c>",
                b' s="0" t="e"><f>VLOOKUP(A2,Other!A:B,2,0)</f><v>' + value + b"</v></c>")
    table = read_table(path, sheet="Tickets")
    assert [r["resolved_at"] for r in rows_of(table)] == ["2024-03-04 10:00:00", None, None]
    assert [n for n in table.notes if "Excel error" in n] == [
        f"{path}: sheet 'Tickets' has 2 cells holding an Excel error (C3 #N/A, C4 #VALUE!); they are read as "
        "empty: fix the formulas, or check the results that use those columns"
    ]
    assert not [n for n in read_table(path, sheet="Notes").notes if "Excel error" in n]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("<!DOCTYPE html>\n<html><head><title>Link expired</title></head><body>Request a new export</body></html>\n",
         "is a web page (HTML), not an export"),
        ('\ufeff<?xml version="1.0" encoding="UTF-8"?>\n<tickets type="array"><ticket><nice-id>1</nice-id></ticket></tickets>\n',
         "is XML (or another markup); csaudit reads CSV/TSV, Excel, JSON/NDJSON and Parquet"),
    ],
)
def test_a_web_page_or_xml_saved_as_the_export_says_so(tmp_path, text, expected):
    path = tmp_path / "export.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as info:
        read_table(path)
    assert str(info.value).startswith(f"{path}: {expected}")


def test_a_utf16_file_cut_in_the_middle_of_a_character_says_it_is_cut_short(tmp_path):
    data = ("\r\n".join(line.replace(",", "\t") for line in [HEADER, *ROWS]) + "\r\n").encode("utf-16")
    path = tmp_path / "export.txt"
    path.write_bytes(data[:-1])
    with pytest.raises(InputError) as info:
        read_table(path)
    assert str(info.value) == (
        f"{path}: the file ends in the middle of a utf-16 character, after byte {len(data) - 1:,}: it looks cut "
        "short (an interrupted download or export); export it again"
    )


def test_excel_durations_of_a_day_or_more_read_as_hours(tmp_path):
    # A contact-centre report's [h]:mm:ss cells (number format 46): 12h, 30h, 40 days, 1m 26.4s.
    path = write_xlsx(tmp_path / "calls.xlsx", {"Calls": [
        ["id", "created_at", "talk", "resolution"],
        ["1", "2024-03-04 09:00:00", ("time", 0.001), ("time", 0.5)],
        ["2", "2024-03-04 10:00:00", ("time", 0.0104166667), ("time", 1.25)],
        ["3", "2024-03-04 11:00:00", None, ("time", 40.0)],
    ]})
    rewrite(path, "xl/styles.xml", b'numFmtId="21"', b'numFmtId="46"')
    rows = rows_of(read_table(path))
    assert [(r["talk"], r["resolution"]) for r in rows] == [
        ("00:01:26.400", "12:00:00"), ("00:15:00", "30:00:00"), (None, "960:00:00")
    ]
    assert [r["created_at"] for r in rows] == ["2024-03-04 09:00:00", "2024-03-04 10:00:00", "2024-03-04 11:00:00"]


def test_short_rows_throughout_are_not_a_cut(tmp_path):
    # Some tools leave out a row's trailing empty cells: every such row is short, not only the last.
    path = tmp_path / "export.tsv"
    path.write_text("id\tcreated_at\tresolved_at\tnote\n1\t2024-03-04 09:00:00\n2\t2024-03-04 10:00:00", encoding="utf-8")
    assert [r["created_at"] for r in rows_of(read_table(path))] == ["2024-03-04 09:00:00", "2024-03-04 10:00:00"]
