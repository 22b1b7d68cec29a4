"""Input formats and encodings: every reader gives the same table of text, row numbers count
records across files, conversions stream and clean up after themselves."""

from __future__ import annotations

import codecs
import gc
import gzip
import io
import json
import sys
import tempfile
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

import polars as pl
import pytest
import zstandard

from csaudit import readers
from csaudit.engine import audit
from csaudit.errors import InputError
from csaudit.ingest import open_export
from csaudit.profile.loader import parse_profile
from csaudit.readers import read_table
from tests.conftest import profile_text

FRT = """
- id: frt
  title: First response
  metric: first_response_time
  statistic: mean
"""

CSV = "id,created_at,first_response_at\n1,2024-01-01 08:00:00,2024-01-01 08:01:00\n2,2024-01-01 09:00:00,2024-01-01 09:03:00\n"
SCRIPTS = ["Nguyễn Văn An", "สมชาย ใจดี", "王伟"]


def rows_of(table) -> list[dict]:
    return table.records.collect().to_dicts()


def frt(path, **kwargs):
    profile = parse_profile(profile_text(FRT), "t.yaml")
    result = audit(profile, path, **kwargs)
    return result, result.standards[0].groups[0]


# -- a minimal xlsx writer: Excel workbooks without a writer dependency -----------------------


def write_xlsx(path: Path, sheets: dict[str, list[list]]) -> Path:
    """Write an .xlsx: strings as inline strings, floats as numbers; a value ("time", 0.25) is
    a number styled as a time of day (Excel's day fraction)."""

    def cell(ref: str, value) -> str:
        if value is None:
            return ""
        if isinstance(value, tuple):
            return f'<c r="{ref}" s="1"><v>{value[1]}</v></c>'
        if isinstance(value, (int, float)):
            return f'<c r="{ref}"><v>{value}</v></c>'
        return f'<c r="{ref}" t="inlineStr"><is><t>{escape(str(value))}</t></is></c>'

    def sheet_xml(rows: list[list]) -> str:
        body = "".join(
            f'<row r="{r}">' + "".join(cell(f"{chr(65 + c)}{r}", v) for c, v in enumerate(row)) + "</row>"
            for r, row in enumerate(rows, start=1)
        )
        return (
            '<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/'
            f'spreadsheetml/2006/main"><sheetData>{body}</sheetData></worksheet>'
        )

    names = list(sheets)
    ns = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
    rel_ns = 'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
    with zipfile.ZipFile(path, "w") as book:
        book.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
            'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
            'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/'
            'workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.'
            'spreadsheetml.styles+xml"/>'
            + "".join(
                f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="application/vnd.openxmlformats-'
                'officedocument.spreadsheetml.worksheet+xml"/>'
                for i in range(1, len(names) + 1)
            )
            + "</Types>",
        )
        book.writestr(
            "_rels/.rels",
            '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/'
            '2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
            'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        )
        book.writestr(
            "xl/workbook.xml",
            f'<?xml version="1.0" encoding="UTF-8"?><workbook {ns} {rel_ns}><sheets>'
            + "".join(f'<sheet name="{escape(n)}" sheetId="{i}" r:id="rId{i}"/>' for i, n in enumerate(names, 1))
            + "</sheets></workbook>",
        )
        book.writestr(
            "xl/_rels/workbook.xml.rels",
            '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/'
            '2006/relationships">'
            + "".join(
                f'<Relationship Id="rId{i}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
                f'worksheet" Target="worksheets/sheet{i}.xml"/>'
                for i in range(1, len(names) + 1)
            )
            + f'<Relationship Id="rId{len(names) + 1}" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
            'relationships/styles" Target="styles.xml"/></Relationships>',
        )
        book.writestr(
            "xl/styles.xml",
            f'<?xml version="1.0" encoding="UTF-8"?><styleSheet {ns}><fonts count="1"><font/></fonts><fills count="1">'
            '<fill/></fills><borders count="1"><border/></borders><cellStyleXfs count="1"><xf/></cellStyleXfs>'
            '<cellXfs count="2"><xf numFmtId="0"/><xf numFmtId="21" applyNumberFormat="1"/></cellXfs></styleSheet>',
        )
        for i, name in enumerate(names, 1):
            book.writestr(f"xl/worksheets/sheet{i}.xml", sheet_xml(sheets[name]))
    return path


# -- CSV and its separators -------------------------------------------------------------------


@pytest.mark.parametrize("separator", [",", "\t", ";", "|"])
def test_separators_are_sniffed(tmp_path, separator):
    path = tmp_path / "x.csv"
    path.write_text(CSV.replace(",", separator), encoding="utf-8")
    table = read_table(path)
    assert table.parts[0].separator == separator
    assert [r["id"] for r in rows_of(table)] == ["1", "2"]


def test_plain_utf8_csv_is_scanned_in_place(tmp_path):
    # The fast path: no copy, the file itself is scanned.
    path = tmp_path / "x.csv"
    path.write_text(CSV, encoding="utf-8")
    table = read_table(path)
    assert table.parts[0].path == path
    assert (table.parts[0].format, table.parts[0].encoding, table.parts[0].compression) == ("csv", "utf-8", None)


# -- compression ------------------------------------------------------------------------------


def test_gzip(tmp_path):
    path = tmp_path / "x.csv.gz"
    path.write_bytes(gzip.compress(CSV.encode()))
    result, group = frt(path)
    assert (group.value, group.sample_size) == (120.0, 2)  # 60 s and 180 s


def test_zstd(tmp_path):
    path = tmp_path / "x.csv.zst"
    path.write_bytes(zstandard.ZstdCompressor().compress(CSV.encode()))
    table = read_table(path)
    assert table.parts[0].compression == "zstd"
    assert len(rows_of(table)) == 2


def test_zip_with_a_macos_resource_fork(tmp_path):
    path = tmp_path / "x.csv.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("export.csv", CSV)
        archive.writestr("__MACOSX/._export.csv", b"\x00\x05\x16\x07")
    _, group = frt(path)
    assert group.value == 120.0


def test_zip_with_two_files_names_them(tmp_path):
    path = tmp_path / "x.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("jan.csv", CSV)
        archive.writestr("feb.csv", CSV)
    with pytest.raises(InputError, match="'jan.csv', 'feb.csv'"):
        read_table(path)


def test_damaged_gzip(tmp_path):
    path = tmp_path / "x.csv.gz"
    path.write_bytes(gzip.compress(CSV.encode())[:25])
    with pytest.raises(InputError, match="damaged or cut short"):
        read_table(path)


# -- encodings --------------------------------------------------------------------------------


def _agents_csv() -> str:
    return "id,agent,handle_seconds\n" + "".join(f"{i},{name},60\n" for i, name in enumerate(SCRIPTS, 1))


@pytest.mark.parametrize(
    "encoding, label",
    [("utf-8", "utf-8"), ("utf-8-sig", "utf-8"), ("utf-16", "utf-16"), ("utf-16-le", "utf-16-le"),
     ("utf-16-be", "utf-16-be")],
)
def test_vietnamese_thai_and_chinese_survive_every_unicode_encoding(tmp_path, encoding, label):
    path = tmp_path / "agents.txt"
    text = _agents_csv()
    if encoding == "utf-16":  # Excel "Unicode text": UTF-16 LE with a BOM, tab-separated
        text = text.replace(",", "\t")
    path.write_bytes(text.encode(encoding))
    table = read_table(path)
    assert table.parts[0].encoding == label
    assert [r["agent"] for r in rows_of(table)] == SCRIPTS


def test_utf16_is_noted_in_the_result(tmp_path):
    path = tmp_path / "unicode.txt"
    path.write_bytes(CSV.replace(",", "\t").encode("utf-16"))
    result, group = frt(path)
    assert group.value == 120.0
    assert any("utf-16" in note for note in result.notes)


def test_cp1252_fallback_reads_smart_quotes_and_euro(tmp_path):
    path = tmp_path / "legacy.csv"
    path.write_bytes("id,agent\n1,Zoë “Z” €\n".encode("cp1252"))
    table = read_table(path)
    assert table.parts[0].encoding == "cp1252"
    assert rows_of(table)[0]["agent"] == "Zoë “Z” €"
    assert any("cp1252" in note for note in table.notes)


def test_latin1_when_cp1252_cannot_decode(tmp_path):
    path = tmp_path / "legacy.csv"
    path.write_bytes(b"id,agent\n1,Jos\xe9 \x81\n")  # 0x81 is undefined in cp1252
    table = read_table(path)
    assert table.parts[0].encoding == "latin-1"
    assert rows_of(table)[0]["agent"] == "José \x81"


def test_encoding_option_overrides_detection(tmp_path):
    path = tmp_path / "zh.csv"
    path.write_bytes("id,agent\n1,王伟\n".encode("gbk"))
    table = read_table(path, encoding="gbk")
    assert rows_of(table)[0]["agent"] == "王伟"
    assert table.parts[0].encoding == "gbk"


def test_unknown_encoding_name(tmp_path):
    path = tmp_path / "x.csv"
    path.write_text(CSV)
    with pytest.raises(InputError, match="--encoding 'klingon'"):
        read_table(path, encoding="klingon")


def test_transcoding_in_small_chunks_keeps_multibyte_characters(tmp_path, monkeypatch):
    # Chunks of 7 bytes split UTF-16 code units and characters: the decoder must carry them over.
    monkeypatch.setattr(readers, "CHUNK", 7)
    path = tmp_path / "agents.txt"
    path.write_bytes(_agents_csv().encode("utf-16"))
    assert [r["agent"] for r in rows_of(read_table(path))] == SCRIPTS


def test_late_non_utf8_bytes_point_to_the_encoding_option(tmp_path):
    rows = "".join(f"{i},2024-01-01 08:00:00,2024-01-01 08:01:00\n" for i in range(1, 5000))
    path = tmp_path / "late.csv"
    path.write_bytes(("id,created_at,first_response_at\n" + rows).encode() + b"5000,2024-01-01 08:00:00,caf\xe9\n")
    with pytest.raises(InputError) as info:
        frt(path)
    assert "line 5001" in str(info.value) and "--encoding" in str(info.value)


# -- Excel ------------------------------------------------------------------------------------


def test_xlsx_single_sheet_with_time_cells(tmp_path):
    path = write_xlsx(
        tmp_path / "calls.xlsx",
        {"Calls": [["id", "agent", "talk"], ["1", "Minh", ("time", 0.0016550925925925926)], ["2", "王伟", None]]},
    )
    table = read_table(path)
    assert (table.parts[0].format, table.parts[0].sheet) == ("excel", "Calls")
    assert rows_of(table) == [
        {"_row": 1, "id": "1", "agent": "Minh", "talk": "00:02:23"},  # 143 s as Excel keeps it
        {"_row": 2, "id": "2", "agent": "王伟", "talk": None},
    ]


def test_xlsx_with_several_sheets_needs_sheet(tmp_path):
    path = write_xlsx(tmp_path / "book.xlsx", {"Summary": [["a"], ["1"]], "Tickets": [["id"], ["7"]]})
    with pytest.raises(InputError) as info:
        read_table(path)
    assert "2 sheets ('Summary', 'Tickets')" in str(info.value) and "--sheet" in str(info.value)
    assert rows_of(read_table(path, sheet="Tickets")) == [{"_row": 1, "id": "7"}]
    with pytest.raises(InputError, match="no such sheet"):
        read_table(path, sheet="Nope")


# -- JSON, NDJSON, Parquet --------------------------------------------------------------------


def test_json_array_with_nested_objects(tmp_path):
    path = tmp_path / "x.json"
    path.write_text(json.dumps([
        {"id": 1, "via": {"channel": "web"}, "tags": ["a", "b"], "vip": True, "score": 4.5},
        {"id": 2, "via": {"channel": "email"}, "tags": [], "vip": False, "extra": None},
    ]))
    assert rows_of(read_table(path)) == [
        {"_row": 1, "id": "1", "via.channel": "web", "tags": '["a", "b"]', "vip": "true", "score": "4.5", "extra": None},
        {"_row": 2, "id": "2", "via.channel": "email", "tags": None, "vip": "false", "score": None, "extra": None},
    ]


def test_records_under_a_key_and_under_embedded(tmp_path):
    zendesk = tmp_path / "z.json"
    zendesk.write_text('{"count": 2, "tickets": [{"id": 1}, {"id": 2}], "next_page": null}')
    helpscout = tmp_path / "h.json"
    helpscout.write_text('{"page": {"size": 2}, "_embedded": {"conversations": [{"number": 7}]}}')
    assert [r["id"] for r in rows_of(read_table(zendesk))] == ["1", "2"]
    assert rows_of(read_table(helpscout)) == [{"_row": 1, "number": "7"}]


def test_json_streams_records_across_small_chunks(tmp_path, monkeypatch):
    monkeypatch.setattr(readers, "CHUNK", 5)
    path = tmp_path / "x.json"
    records = [{"id": i, "agent": name, "n": 1234567} for i, name in enumerate(SCRIPTS * 3)]
    path.write_text(json.dumps({"tickets": records}, ensure_ascii=False), encoding="utf-8")
    got = rows_of(read_table(path))
    assert [r["agent"] for r in got] == SCRIPTS * 3 and {r["n"] for r in got} == {"1234567"}


def test_ndjson(tmp_path):
    path = tmp_path / "x.ndjson"
    path.write_text('{"id": 1, "a": "x"}\n\n{"id": 2, "b": "y"}\n')
    table = read_table(path)
    assert table.parts[0].format == "ndjson"
    assert rows_of(table) == [{"_row": 1, "id": "1", "a": "x", "b": None}, {"_row": 2, "id": "2", "a": None, "b": "y"}]


def test_broken_json_says_where(tmp_path):
    path = tmp_path / "x.json"
    path.write_text('[{"id": 1}, {"id": 2,,}]')
    with pytest.raises(InputError, match="character 12"):
        read_table(path)


def test_json_without_records(tmp_path):
    path = tmp_path / "x.json"
    path.write_text('{"count": 0, "tickets": []}')
    with pytest.raises(InputError, match="no records"):
        read_table(path)


def test_parquet_keeps_times_flags_and_numbers_typed(tmp_path):
    from datetime import datetime, timezone

    path = tmp_path / "x.parquet"
    pl.DataFrame({
        "id": [1, 2],
        "created_at": [datetime(2024, 1, 1, 8, tzinfo=timezone.utc), datetime(2024, 1, 1, 9, tzinfo=timezone.utc)],
        "first_response_at": [datetime(2024, 1, 1, 8, 1, tzinfo=timezone.utc), None],
        "vip": [True, None],
        "via": [{"channel": "web"}, {"channel": "chat"}],
    }).write_parquet(path)
    got = rows_of(read_table(path))
    # Times, flags and numbers stay typed (the audit reads them without a text round trip);
    # a struct is flattened, other types become text.
    assert got[0] == {"_row": 1, "id": 1, "created_at": datetime(2024, 1, 1, 8, tzinfo=timezone.utc),
                      "first_response_at": datetime(2024, 1, 1, 8, 1, tzinfo=timezone.utc), "vip": True,
                      "via.channel": "web"}
    _, group = frt(path)
    assert (group.value, group.sample_size) == (60.0, 1)


# -- standard input, several files, globs ------------------------------------------------------


def test_standard_input(monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(gzip.compress(CSV.encode()))))
    result, group = frt("-")
    assert (group.value, result.input_path) == (120.0, "<stdin>")


def test_several_files_are_one_table_and_findings_name_the_file(tmp_path):
    jan = tmp_path / "2024-01.csv"
    feb = tmp_path / "2024-02.csv"
    jan.write_text(CSV)
    feb.write_text("id,created_at,first_response_at\n3,2024-02-01 08:00:00,soon\n4,2024-02-01 08:00:00,2024-02-01 08:02:00\n")
    result, group = frt(str(tmp_path / "2024-*.csv"))
    assert (group.value, group.sample_size, result.input_rows) == (120.0, 3, 4)  # 60, 180, 120 s
    (finding,) = result.findings
    assert finding.rows == [3]  # counted across the files…
    assert f"{feb} 3→1" in finding.message  # …and located in the file that holds it
    assert any("rows 1–2" in note and "rows 3–4" in note for note in result.notes)


def test_a_file_of_one_row_among_several_is_said_as_one_row(tmp_path):
    (tmp_path / "a.csv").write_text("id,created_at\n1,2024-01-01 08:00\n2,2024-01-01 09:00\n")
    (tmp_path / "b.csv").write_text("id,created_at\n3,2024-02-01 08:00\n")
    notes = read_table(str(tmp_path / "*.csv")).notes
    assert any(n.endswith(f"{tmp_path / 'a.csv'} rows 1–2, {tmp_path / 'b.csv'} row 3") for n in notes), notes


def test_files_with_different_columns_are_noted(tmp_path):
    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    a.write_text("id,channel\n1,chat\n")
    b.write_text("id\n2\n")
    table = read_table([a, b])
    assert rows_of(table) == [{"_row": 1, "id": "1", "channel": "chat"}, {"_row": 2, "id": "2", "channel": None}]
    assert any("lacks 'channel'" in note for note in table.notes)


def test_a_glob_matching_nothing(tmp_path):
    with pytest.raises(InputError, match="no file matches"):
        read_table(str(tmp_path / "*.csv"))


# -- temporary files --------------------------------------------------------------------------


def _temp_dirs() -> set[str]:
    return {p.name for p in Path(tempfile.gettempdir()).glob("csaudit-*")}


@pytest.fixture(autouse=True)
def private_temp(tmp_path, monkeypatch):
    """Temporary files in a folder of this test's own (others may run csaudit meanwhile)."""
    folder = tmp_path / "tmp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))


def test_temporary_files_are_removed(tmp_path):
    path = tmp_path / "x.csv.gz"
    path.write_bytes(gzip.compress(CSV.encode()))
    gc.collect()
    before = _temp_dirs()
    export = open_export(path, {}, {"id"})
    (made,) = _temp_dirs() - before  # the decompressed copy
    export.close()
    assert made not in _temp_dirs()
    before = _temp_dirs()
    frt(path)  # an audit cleans up when it is done with the export
    gc.collect()
    assert not _temp_dirs() - before


def test_temporary_files_are_removed_after_an_error(tmp_path):
    path = tmp_path / "x.csv.gz"
    path.write_bytes(gzip.compress(b"id,created_at\n"))
    gc.collect()
    before = _temp_dirs()
    with pytest.raises(InputError, match="no rows"):
        open_export(path, {}, {"id"})
    assert not _temp_dirs() - before


def test_utf8_bom_is_detected_without_copying(tmp_path):
    path = tmp_path / "bom.csv"
    path.write_bytes(codecs.BOM_UTF8 + CSV.encode())
    table = read_table(path)
    assert table.parts[0].path == path and table.headers[0] == "id"
