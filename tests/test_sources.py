"""Vendor sources as data: detection from headers, value parsing (placeholders, day-first and
2-digit-year dates, separate date and time columns, durations in minutes / HH:MM:SS / "1 Day 4
Hours" / epoch offsets, value maps), user mapping files and their errors. Expected values are
worked out by hand from the fixtures in tests/fixtures/exports/."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from csaudit.engine import audit
from csaudit.errors import InputError
from csaudit.ingest import ReadOptions, open_export
from csaudit.metrics.speed import exported_duration
from csaudit.profile.loader import parse_profile
from csaudit.sources import builtin_sources, detect_source, load_source
from tests.conftest import profile_text

EXPORTS = Path(__file__).parent / "fixtures" / "exports"


def standard(metric: str, statistic: str = "", extra: str = "") -> str:
    stat = f"\n  statistic: {statistic}" if statistic else ""
    return f"- id: s\n  title: s\n  metric: {metric}{stat}{extra}\n"


def run(path, *standards: str, **kwargs):
    profile = parse_profile(profile_text("".join(standards)), "t.yaml")
    return audit(profile, path, **kwargs)


def values(result) -> dict[str, tuple]:
    return {s.standard.id: (s.groups[0].value, s.groups[0].sample_size) if s.groups else None for s in result.standards}


def one(path, metric, statistic="", **kwargs):
    result = run(path, standard(metric, statistic), **kwargs)
    group = result.standards[0].groups[0]
    return result, group.value, group.sample_size


def mapping_file(tmp_path, text: str) -> Path:
    path = tmp_path / "mine.yaml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


# -- detection --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "fixture, source",
    [
        ("zendesk.csv", "zendesk"),
        ("zendesk_tickets.json", "zendesk_json"),
        ("freshdesk.csv", "freshdesk"),
        ("zammad.csv", "zammad"),
        ("helpscout.csv", "helpscout"),
        ("intercom.csv", "intercom"),
        ("intercom_conversations.json", "intercom_json"),
        ("servicenow.csv", "servicenow"),
        ("servicenow_events.csv", "servicenow_event_log"),
        ("queue_log.csv", "queue_log"),
        ("bank_callcenter.tsv", "bank_callcenter"),
        ("volvo_events.csv", "bpi2013_volvo"),
        ("helpdesk_events.csv", "helpdesk_log"),
        ("nyc311.csv", "nyc311"),
    ],
)
def test_each_fixture_is_recognised_from_its_headers(fixture, source):
    export = open_export(EXPORTS / fixture, {}, {"id", "created_at"})
    assert (export.source.name, export.source_how) == (source, "headers")
    assert "id" in export.columns


def test_every_builtin_source_has_a_title_detection_and_fields():
    sources = builtin_sources()
    assert {"zendesk", "freshdesk", "zammad", "helpscout", "intercom", "servicenow", "queue_log"} <= set(sources)
    for source in sources.values():
        assert source.title and source.detect, source.name
        assert source.fields or source.rollup, source.name


def test_the_most_specific_source_wins():
    # The UCI event log also has ServiceNow's incident columns.
    headers = ["number", "incident_state", "sys_updated_at", "sys_mod_count", "opened_at", "priority", "contact_type"]
    assert [s.name for s in detect_source(headers)][:2] == ["servicenow_event_log", "servicenow"]


def test_canonical_files_need_no_source(write_csv):
    export = open_export(write_csv("id,created_at\n1,2024-01-01 08:00:00\n"), {}, {"id", "created_at"})
    assert export.source is None and export.columns == {"id": "id", "created_at": "created_at"}


def test_source_named_on_the_command_line(write_csv):
    path = write_csv("Id,Created at,Priority\n7,2024-01-01 08:00,High\n")
    export = open_export(path, {}, {"id", "priority"}, read=ReadOptions(source="zendesk"))
    assert export.source.name == "zendesk" and export.columns["priority"] == "Priority"
    assert any("lacks its usual columns 'Via', 'Group stations'" in n for n in export.notes)


def test_unknown_source_name_suggests_one(write_csv):
    with pytest.raises(InputError) as info:
        open_export(write_csv("a\n1\n"), {}, {"id"}, read=ReadOptions(source="zendsk"))
    assert "did you mean 'zendesk'?" in str(info.value) and "--mapping-file" in str(info.value)


def test_unrecognised_file_says_what_was_expected_and_how_to_map(write_csv):
    with pytest.raises(InputError) as info:
        open_export(write_csv("Ticket,Opened,Answered\n1,2024-01-01 08:00,2024-01-01 08:05\n"), {}, {"id", "created_at"})
    message = str(info.value)
    assert "not recognised" in message
    for expected in ("created_at", "zendesk", "freshdesk", "'Opened'", "--map", "--mapping-file", "--source"):
        assert expected in message


# -- vendor layouts, values worked out by hand -------------------------------------------------


def test_zendesk_durations_csat_transfers_and_channels():
    result = run(
        EXPORTS / "zendesk.csv",
        standard("first_response_time").replace("id: s", "id: frt"),
        standard("resolution_time").replace("id: s", "id: res"),
        standard("csat").replace("id: s", "id: csat"),
        standard("transfers_per_issue").replace("id: s", "id: tr"),
    )
    got = values(result)
    assert got["frt"] == (2520.0, 3)  # (30 + 90 + 6) min / 3: no first-reply timestamp in the file
    assert got["res"] == (32400.0, 3)  # 2 h, 24 h, 1 h from the timestamps
    assert got["csat"] == (0.5, 2)  # Good, Bad; Offered / Not Offered are no answer
    assert got["tr"] == (0.75, 4)  # stations 1, 3, 0, 2 → transfers 0, 2, 0, 1
    notes = {s.standard.id: " ".join(s.notes) for s in result.standards}
    assert "`first_response_seconds`" in notes["frt"] and "first_response_at" in notes["frt"]
    assert "`resolution_seconds` was not used" in notes["res"].replace(", `resolution_business_seconds`", "")
    frame = open_export(EXPORTS / "zendesk.csv", {}, {"id", "channel"}).frame.collect()
    assert frame["channel"].to_list() == ["web", "email", "chat", "phone"]
    assert frame["channel__raw"].to_list() == ["Web form", "Email", "Chat", "Voice"]


def test_zendesk_json_export():
    result = run(EXPORTS / "zendesk_tickets.json", standard("first_response_time"), standard("csat").replace("id: s", "id: c"))
    assert values(result) == {"s": (900.0, 1), "c": (1.0, 1)}  # 15 min; good


def test_freshdesk_business_hours_and_zero_placeholders():
    export = open_export(EXPORTS / "freshdesk.csv", {}, {"id", "first_response_business_seconds", "resolution_business_seconds"})
    frame = export.frame.collect()
    assert frame["first_response_business_seconds"].to_list() == [1800.0, 2700.0, None]  # 00:00:00 = none
    assert frame["resolution_business_seconds"].to_list() == [28800.0, None, None]
    result, value, n = one(EXPORTS / "freshdesk.csv", "first_response_time")
    assert (value, n) == (2250.0, 2)  # Initial response time: 30 and 45 min
    assert not result.findings  # 00:00:00 is "no value", not an unreadable duration
    assert any("`first_response_business_seconds` was not used" in note for note in result.standards[0].notes)


def test_zammad_priorities_and_business_minutes():
    frame = open_export(EXPORTS / "zammad.csv", {}, {"id", "priority", "first_response_business_seconds"}).frame.collect()
    assert frame["priority"].to_list() == ["normal", "high"]
    assert frame["first_response_business_seconds"].to_list() == [1200.0, 300.0]


def test_intercom_unix_times():
    result = run(EXPORTS / "intercom_conversations.json", standard("first_response_time"), standard("resolution_time").replace("id: s", "id: r"))
    assert values(result) == {"s": (120.0, 1), "r": (3600.0, 1)}


def test_servicenow_durations_in_every_form(write_csv):
    path = write_csv(
        """
        number,opened_at,priority,contact_type,calendar_duration,business_duration
        INC1,2024-02-01 08:00:00,1 - Critical,Phone,1970-01-02 04:00:00,4 Hours
        INC2,2024-02-01 09:00:00,3 - Moderate,Self service,1 Day 4 Hours 3 Minutes,1970-01-01 08:00:00
        INC3,2024-02-01 10:00:00,4 - Low,Email,?,soon
        """
    )
    export = open_export(path, {}, {"id", "priority", "channel", "resolution_seconds", "resolution_business_seconds"})
    frame = export.frame.collect()
    assert frame["resolution_seconds"].to_list() == [100800.0, 100980.0, None]  # "?" is no value
    assert frame["resolution_business_seconds"].to_list() == [14400.0, 28800.0, None]
    assert frame["priority"].to_list() == ["p1", "p3", "p4"]
    assert frame["channel"].to_list() == ["phone", "web", "email"]
    result, value, n = one(path, "resolution_time")
    assert (value, n) == (100890.0, 2)
    (finding,) = result.findings  # the business figure is parsed too (a calendar would use it)
    assert (finding.key, finding.rows, finding.examples) == ("unparsable:resolution_business_seconds", [3], ["soon"])


def test_separate_date_and_time_columns_2_digit_years_placeholders_and_exclusions():
    path = EXPORTS / "bank_callcenter.tsv"
    result = run(
        path,
        standard("speed_of_answer"),
        standard("abandonment_rate").replace("id: s", "id: ab"),
        standard("average_handle_time").replace("id: s", "id: aht"),
    )
    # Calls 4 (hung up in the voice-response unit) and 5 (PHANTOM) are left out.
    assert result.input_rows == 4
    # Call 1 never queued: it waited 0 s (its service start, 7:02:55, is a second before its
    # voice-response exit: the clocks differ, which must not read as a negative wait). Calls 3
    # and 6 waited 30 s from q_start. Call 2 hung up in the queue.
    assert values(result) == {"s": (20.0, 3), "ab": (1 / 4, 4), "aht": (115.0, 3)}
    assert result.findings == []  # call_id 1 repeats on another line: the id is line/call
    assert any("PHANTOM" in n for n in result.notes) and any("voice-response" in n for n in result.notes)
    frame = open_export(path, {}, {"id", "created_at", "agent", "abandoned_at"}).frame.collect()
    assert frame["id"].to_list() == ["AA0101/1", "AA0101/2", "AA0101/3", "AA0102/1"]
    assert [str(t) for t in frame["created_at"]] == [
        "1999-02-01 07:02:47+00:00", "1999-02-01 08:09:16+00:00", "1999-02-01 08:10:00+00:00",
        "1999-02-03 10:00:00+00:00",
    ]
    assert frame["agent"].to_list() == ["dorit", None, "tova", "dorit"]  # NO_SERVER is no agent
    # 0:00:00 is none; an answered call's q_exit is read too, but counts only when abandoned.
    assert frame["abandoned_at"].is_null().to_list() == [True, False, False, False]


def test_queue_log_abandons_from_the_abandon_time():
    result = run(EXPORTS / "queue_log.csv", standard("abandonment_rate"), standard("speed_of_answer").replace("id: s", "id: asa"))
    assert values(result) == {"s": (1 / 3, 3), "asa": (97.5, 2)}  # 15 s and 180 s


def test_nyc311_unknown_channel_is_no_value():
    frame = open_export(EXPORTS / "nyc311.csv", {}, {"id", "channel", "resolved_at"}).frame.collect()
    assert frame["channel"].to_list() == ["web", "phone", None]
    assert frame["channel__raw"].to_list() == ["ONLINE", "PHONE", None]


def test_exported_duration_is_chosen_by_the_clock_the_standard_measures():
    calendar = {"calendar": object()}
    only_business = frozenset({"created_at", "first_response_business_seconds"})
    assert exported_duration(only_business, "created_at", "first_response_at", calendar) == "first_response_business_seconds"
    assert exported_duration(only_business, "created_at", "first_response_at", {}) is None  # no calendar-time figure
    both = frozenset({"created_at", "first_response_at", "first_response_seconds"})
    assert exported_duration(both, "created_at", "first_response_at", {}) is None  # timestamps win


# -- user mapping files -----------------------------------------------------------------------


DAY_FIRST = """
Ticket,Opened,Answered,Kanal
A1,31/01/24 08:00,31/01/24 08:02,Telefon
A2,01/02/24 09:00,N/A,E-Mail
"""


def test_mapping_file_with_day_first_two_digit_years_and_value_maps(tmp_path, write_csv):
    path = write_csv(DAY_FIRST)
    mapping = mapping_file(tmp_path, """
        csaudit_source: 1
        name: our-helpdesk
        missing: [N/A]
        fields:
          id: Ticket
          created_at: {column: Opened, format: "%d/%m/%y %H:%M"}
          first_response_at: {column: Answered, format: "%d/%m/%y %H:%M"}
          channel: {column: Kanal, values: {Telefon: phone, E-Mail: email}}
    """)
    result, value, n = one(path, "first_response_time", read=ReadOptions(mapping_file=mapping))
    assert (value, n, result.findings) == (120.0, 1, [])
    frame = open_export(path, {}, {"id", "created_at", "channel"}, read=ReadOptions(mapping_file=mapping)).frame.collect()
    assert [str(t) for t in frame["created_at"]] == ["2024-01-31 08:00:00+00:00", "2024-02-01 09:00:00+00:00"]
    assert frame["channel"].to_list() == ["phone", "email"]


def test_day_first_is_declarable_for_detected_layouts(tmp_path, write_csv):
    path = write_csv("Ticket,Opened\nA1,01/02/2024 08:00\n")
    mapping = mapping_file(tmp_path, """
        csaudit_source: 1
        fields:
          id: Ticket
          created_at: {column: Opened, day_first: true}
    """)
    export = open_export(path, {}, {"id", "created_at"}, read=ReadOptions(mapping_file=mapping))
    assert str(export.frame.collect()["created_at"][0]) == "2024-02-01 08:00:00+00:00"
    assert not any("month/day" in n for n in export.notes)


def test_mapping_file_naming_a_missing_column(tmp_path, write_csv):
    path = write_csv(DAY_FIRST)
    mapping = mapping_file(tmp_path, """
        csaudit_source: 1
        fields:
          id: Ticket
          created_at: Openned
    """)
    with pytest.raises(InputError) as info:
        open_export(path, {}, {"id", "created_at"}, read=ReadOptions(mapping_file=mapping))
    message = str(info.value)
    assert "mine.yaml" in message and "fields.created_at" in message and "'Openned'" in message
    assert "did you mean 'Opened'?" in message and "optional: true" in message


def test_optional_mapping_column_may_be_absent(tmp_path, write_csv):
    mapping = mapping_file(tmp_path, """
        csaudit_source: 1
        fields:
          id: Ticket
          csat: {column: Rating, optional: true}
    """)
    export = open_export(write_csv(DAY_FIRST), {}, {"id", "csat"}, read=ReadOptions(mapping_file=mapping))
    assert "csat" not in export.columns


@pytest.mark.parametrize(
    "body, expected",
    [
        ("fields:\n  created: Opened\n", "fields.created: is not a canonical field; did you mean 'created_at'?"),
        ("fields:\n  created_at: {colum: Opened}\n", "fields.created_at.colum: unknown key; did you mean 'column'?"),
        ("fields:\n  replies: {column: R, unit: minuts}\n", "'minuts' is not a unit; did you mean 'minutes'?"),
        ("fields:\n  channel: {column: K, unit: minutes}\n", "apply to number fields; `channel` is text"),
        ("fields:\n  created_at: {column: O, format: dd/mm/yyyy}\n", "is not a strftime layout"),
        ("rollup:\n  created_at: first_event\n", "needs an events: block"),
    ],
)
def test_mapping_file_errors_name_the_file_and_key(tmp_path, write_csv, body, expected):
    mapping = mapping_file(tmp_path, "csaudit_source: 1\n" + body)
    with pytest.raises(InputError) as info:
        load_source(mapping)
    assert str(mapping) in str(info.value) and expected in str(info.value)


def test_mapping_file_needs_the_format_version(tmp_path):
    with pytest.raises(InputError, match="csaudit_source: must be 1"):
        load_source(mapping_file(tmp_path, "fields: {id: Ticket}\n"))


def test_source_and_mapping_file_together(tmp_path, write_csv):
    mapping = mapping_file(tmp_path, "csaudit_source: 1\nfields: {id: Ticket}\n")
    with pytest.raises(InputError, match="either --source or --mapping-file"):
        open_export(write_csv(DAY_FIRST), {}, {"id"}, read=ReadOptions(source="zendesk", mapping_file=mapping))


def test_command_line_map_overrides_the_source(write_csv):
    path = write_csv("Id,Created at,Via,Group stations,Opened\n1,2024-01-01 08:00,Email,1,2024-01-01 07:00\n")
    export = open_export(path, {"created_at": ("Opened", "--map created_at=Opened")}, {"id", "created_at"})
    assert export.source.name == "zendesk" and export.columns["created_at"] == "Opened"


# -- mixed date layouts -----------------------------------------------------------------------


MIXED = """
id,created_at,first_response_at
1,2024-05-01 08:00:00,2024-05-01 08:01:00
2,2024-05-01 09:00:00,2024-05-01 09:02:00
3,01/05/2024 10:00,2024-05-01 10:03:00
"""


def test_mixed_date_layouts_in_one_column_are_a_clear_finding(write_csv):
    result, value, n = one(write_csv(MIXED), "first_response_time")
    assert (value, n) == (90.0, 2)
    (finding,) = result.findings
    assert finding.rows == [3] and finding.examples == ["01/05/2024 10:00"]
    assert "mixes date layouts" in finding.message and "format:" in finding.message


def test_declared_layouts_read_a_mixed_column(tmp_path, write_csv):
    mapping = mapping_file(tmp_path, """
        csaudit_source: 1
        fields:
          id: id
          created_at: {column: created_at, format: ["%Y-%m-%d %H:%M:%S", "%d/%m/%Y %H:%M"]}
          first_response_at: first_response_at
    """)
    result, value, n = one(write_csv(MIXED), "first_response_time", read=ReadOptions(mapping_file=mapping))
    assert (value, n, result.findings) == (120.0, 3, [])  # 60, 120 and 180 s


def test_the_mapping_files_in_the_docs_are_valid(tmp_path):
    import re

    docs = (Path(__file__).parent.parent / "docs" / "sources.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```yaml\n(.*?)```", docs, flags=re.S)
    assert len(blocks) == 2
    for i, block in enumerate(blocks):
        path = tmp_path / f"doc{i}.yaml"
        path.write_text(block, encoding="utf-8")
        source = load_source(path)
        assert source.fields or source.rollup


def test_builtin_sources_read_the_same_with_libyaml():
    """The shipped mapping files are read by libyaml; a user's by PyYAML's Python loader."""
    for name, source in builtin_sources().items():
        assert source.path is not None
        again = load_source(source.path, builtin=True)
        slow = load_source(source.path, builtin=False)
        assert again.builtin and not slow.builtin
        slow.builtin = True
        assert repr(again) == repr(slow), name
