"""`csaudit inspect`: what was understood of an export, computed by a library function and
rendered by the CLI as text or JSON; plus the read options of `csaudit check`."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from csaudit.cli import app
from csaudit.ingest import ReadOptions
from csaudit.inspect import inspect_export
from csaudit.profile.loader import load_profile
from tests.test_readers import write_xlsx

EXPORTS = Path(__file__).parent / "fixtures" / "exports"
runner = CliRunner()


def cli(*args):
    return runner.invoke(app, [str(a) for a in args])


def by_field(inspection):
    return {f.field: f for f in inspection.fields}


def test_inspection_of_a_zendesk_export():
    inspection = inspect_export(EXPORTS / "zendesk.csv", load_profile("stanford"))
    assert (inspection.source, inspection.source_how, inspection.encoding, inspection.rows) == (
        "zendesk", "headers", "utf-8", 4
    )
    fields = by_field(inspection)
    assert fields["created_at"].column == "Created at" and fields["created_at"].format == "%Y-%m-%d %H:%M"
    # Solved at: 3 filled, 1 empty; csat: Good and Bad read, Offered / Not Offered are empty.
    assert (fields["resolved_at"].filled, fields["resolved_at"].empty, fields["resolved_at"].unreadable) == (3, 1, 0)
    assert (fields["csat"].filled, fields["csat"].empty) == (2, 2)
    assert inspection.time_span == {"field": "created_at", "first": "2024-03-04T09:00:00+00:00",
                                    "last": "2024-03-06T08:00:00+00:00"}
    assert [(v.value, v.label, v.count) for v in inspection.channels] == [
        ("chat", "Chat", 1), ("email", "Email", 1), ("phone", "Voice", 1), ("web", "Web form", 1)
    ]
    assert {v.value for v in inspection.priorities} == {"normal", "high", "low", "urgent"}
    assert "Subject" in inspection.unmapped_columns and "Created at" not in inspection.unmapped_columns
    standards = {s.id: s for s in inspection.standards}
    assert standards["frt-email"].measurable  # from First reply time in minutes
    assert not standards["ces"].measurable and standards["ces"].missing_fields == ["ces"]


def test_unreadable_cells_and_candidate_columns(write_csv):
    path = write_csv(
        "id,created_at,first_response_at,Solved On\n"
        "1,2024-01-01 08:00:00,2024-01-01 08:01:00,2024-01-01 09:00:00\n"
        "2,2024-01-01 09:00:00,later,\n"
    )
    inspection = inspect_export(path, load_profile("essentials"))
    first = by_field(inspection)["first_response_at"]
    assert (first.filled, first.empty, first.unreadable) == (1, 0, 1)
    missing = [s for s in inspection.standards if "resolved_at" in s.missing_fields]
    assert missing and all(s.candidates["resolved_at"] == ["Solved On"] for s in missing)


def test_event_log_inspection_counts_events_and_cases():
    inspection = inspect_export(EXPORTS / "volvo_events.csv")
    assert (inspection.rows, inspection.event_rows, inspection.source) == (3, 10, "bpi2013_volvo")
    assert "Completed-Resolved" in by_field(inspection)["resolved_at"].column


def test_excluded_rows_are_listed():
    inspection = inspect_export(EXPORTS / "bank_callcenter.tsv")
    assert [(e["rows"]) for e in inspection.excluded] == [1, 1]
    assert by_field(inspection)["queued_at"].column == "date + q_start, else date + ser_start"
    assert by_field(inspection)["id"].column == "vru+line / call_id"


def test_cli_inspect_text():
    result = cli("inspect", EXPORTS / "freshdesk.csv", "--profile", "stanford")
    assert result.exit_code == 0, result.output
    out = result.stdout
    for expected in ("freshdesk", "recognised from its headers", "Initial response time", "First response time (in hrs)",
                     "profile stanford", "✓", "✗", "--map ces=COLUMN"):
        assert expected in out, expected


def test_cli_inspect_json_of_an_xlsx_sheet(tmp_path):
    rows = [["Ticket ID", "Created time", "Agent interactions", "Source"], ["1", "2024-05-02 09:00:00", "2", "Chat"]]
    path = write_xlsx(tmp_path / "fd.xlsx", {"Tickets": rows, "Notes": [["x"], ["y"]]})
    result = cli("inspect", path, "--sheet", "Tickets", "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert (data["schema"], data["source"], data["rows"], data["files"][0]["sheet"]) == (
        "csaudit.inspect/1", "freshdesk", 1, "Tickets"
    )
    assert data["channels"] == [{"value": "chat", "label": "Chat", "count": 1}]


def test_cli_errors_are_one_line_and_exit_2(tmp_path, write_csv):
    path = write_xlsx(tmp_path / "book.xlsx", {"A": [["x"], ["1"]], "B": [["y"], ["2"]]})
    result = cli("inspect", path)
    assert result.exit_code == 2 and "--sheet" in result.stderr and "Traceback" not in result.output
    unknown = write_csv("Ticket,Opened\n1,2024-01-01\n")
    result = cli("inspect", unknown)
    assert result.exit_code == 2 and "not recognised" in result.stderr


def test_cli_check_with_source_and_mapping_file(tmp_path, write_csv):
    profile = tmp_path / "p.yaml"
    profile.write_text(
        "csaudit_profile: 1\nname: t\nstandards:\n  - id: frt\n    title: FRT\n    metric: first_response_time\n"
        "    compare: at_most\n    fail: 1h\n    min_sample: 1\n",
        encoding="utf-8",
    )
    result = cli("check", EXPORTS / "zendesk.csv", "--profile", profile, "--format", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["results"][0]["value"] == 2520.0
    path = write_csv("Ticket,Opened,Answered\nA,2024-01-01 08:00,2024-01-01 08:30\n")
    mapping = tmp_path / "m.yaml"
    mapping.write_text("csaudit_source: 1\nfields: {id: Ticket, created_at: Opened, first_response_at: Answered}\n")
    result = cli("check", path, "--profile", profile, "--mapping-file", mapping, "--format", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["results"][0]["value"] == 1800.0
    result = cli("check", path, "--profile", profile, "--source", "nope")
    assert result.exit_code == 2 and "no such source" in result.stderr


def test_read_options_reach_the_library(tmp_path):
    path = tmp_path / "x.csv"
    path.write_bytes("id,agent\n1,王伟\n".encode("gbk"))
    inspection = inspect_export(path, read=ReadOptions(encoding="gbk"))
    assert inspection.encoding == "gbk"


NAIVE = (
    "id,channel,priority,created_at,first_response_at,resolved_at\n"
    "1,email,P1,2024-01-02 09:00:00,2024-01-02 09:30:00,2024-01-02 11:00:00\n"
    "2,chat,P2,2024-01-02 10:00:00,2024-01-02 10:01:00,2024-01-02 10:30:00\n"
)


def test_inspect_decides_measurability_as_check_does(write_csv):
    """Stanford's per-priority standards are in Los Angeles business hours: with timestamps
    that have no offset and no --timezone they cannot be measured, in inspect as in check;
    with a zone they can. Every standard's verdict is check's."""
    from csaudit.engine import audit
    from csaudit.profile.model import Status

    path = write_csv(NAIVE)
    profile = load_profile("stanford")
    for zone in (None, "UTC"):
        inspected = {s.id: s for s in inspect_export(path, profile, timezone=zone).standards}
        checked = {r.standard.id: r for r in audit(profile, path, timezone=zone).standards}
        assert inspected.keys() == checked.keys()
        for sid, report in inspected.items():
            unmeasured = checked[sid].status in (Status.NOT_MEASURED, Status.ERROR)
            assert report.measurable is not unmeasured, (zone, sid)
            if unmeasured:
                assert report.reason == checked[sid].reason, (zone, sid)
        assert inspected["respond-p1"].measurable is (zone is not None)
    reasons = {s.id: s.reason for s in inspect_export(path, profile).standards}
    assert "--timezone America/Los_Angeles" in reasons["respond-p1"]


def test_cli_inspect_says_bom_names_unnamed_columns_and_counts_one_row(tmp_path):
    # Excel's "CSV UTF-8" begins with a byte-order mark; a pandas index column has no name.
    path = tmp_path / "excel.csv"
    path.write_bytes(b"\xef\xbb\xbf,id,created_at\n0,1,2024-01-01 08:00\n")
    out = cli("inspect", path).stdout
    assert "CSV, utf-8 with BOM" in out
    assert "not used    (a column without a name)" in out
    bank = cli("inspect", EXPORTS / "bank_callcenter.tsv").stdout
    assert "1 row left out" in bank and "1 rows" not in bank
