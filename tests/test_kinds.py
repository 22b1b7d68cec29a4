"""Kinds of data: a profile audits interactions or orders; the wrong kind of file is a clear
error. The built-in orders profiles and the examples of the other tables run from the CLI."""

from __future__ import annotations

import json
import runpy
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from csaudit.cli import app
from csaudit.errors import ProfileError
from csaudit.fields import KINDS
from csaudit.metrics import REGISTRY
from csaudit.profile.loader import builtin_profiles, load_profile, parse_profile

REPO = Path(__file__).resolve().parent.parent
EXAMPLES = REPO / "examples"
runner = CliRunner()


def profile(*lines: str, kind: str | None = None) -> str:
    head = ["csaudit_profile: 1", "name: t"] + ([f"kind: {kind}"] if kind else [])
    return "\n".join(head + ["standards:", *lines]) + "\n"


def error(text: str) -> ProfileError:
    with pytest.raises(ProfileError) as info:
        parse_profile(text, "p.yaml")
    return info.value


# -- the profile's kind -----------------------------------------------------------------------


def test_kind_defaults_to_interactions_and_can_be_orders():
    assert parse_profile(profile("  - {id: a, title: A, metric: csat}"), "p.yaml").kind == "interactions"
    orders = parse_profile(profile("  - {id: a, title: A, metric: fill_rate}", kind="orders"), "p.yaml")
    assert orders.kind == "orders"


def test_every_metric_has_a_known_kind():
    assert {metric.kind for metric in REGISTRY.values()} == set(KINDS)


def test_an_unknown_kind_is_located_and_corrected():
    found = error(profile("  - {id: a, title: A, metric: csat}", kind="order"))
    assert found.location == "p.yaml:3:7"
    assert "did you mean 'orders'?" in str(found)


def test_an_orders_metric_in_an_interactions_profile():
    found = error(profile("  - id: a", "    title: A", "    metric: on_time_delivery"))
    assert found.location == "p.yaml:6:13"
    assert "measures orders, but this profile audits interactions; set `kind: orders`" in str(found)


def test_an_interactions_metric_in_an_orders_profile():
    found = error(profile("  - id: a", "    title: A", "    metric: first_response_time", kind="orders"))
    assert found.location == "p.yaml:7:13"
    assert "measures interactions, but this profile audits orders" in str(found)


def test_orders_group_by_their_own_fields():
    each = error(profile("  - {id: a, title: A, metric: fill_rate, each: channel}", kind="orders"))
    assert "'channel' is not a text field" in str(each)
    assert "customer_id, carrier, warehouse, period" in str(each)
    ok = parse_profile(profile("  - {id: a, title: A, metric: fill_rate, each: [carrier, period]}", kind="orders"), "p")
    assert ok.standards[0].each == ("carrier", "period")


def test_mappings_name_fields_of_the_profiles_kind():
    orders = error("csaudit_profile: 1\nname: t\nkind: orders\nmapping: {created_at: X}\nstandards:\n"
                   "  - {id: a, title: A, metric: fill_rate}\n")
    assert "'created_at' is not a canonical field of orders" in str(orders)
    assert orders.location == "p.yaml:4:11"
    second = "csaudit_profile: 1\nname: t\nmapping: {events.at: Sent, agents.agent: Name}\nstandards:\n" \
             "  - {id: a, title: A, metric: csat}\n"
    assert parse_profile(second, "p.yaml").mapping == {"events.at": "Sent", "agents.agent": "Name"}
    wrong = error(second.replace("events.at", "events.att"))
    assert "did you mean 'events.at'?" in str(wrong)


# -- built-in orders profiles -----------------------------------------------------------------


@pytest.mark.parametrize("name", ["logistics", "retention"])
def test_orders_profiles_validate_and_carry_their_sources(name):
    result = runner.invoke(app, ["validate", name])
    assert result.exit_code == 0, result.output
    loaded = load_profile(name)
    assert loaded.kind == "orders"
    seed = {"logistics": "Seed 001", "retention": "Seed 003"}[name]
    assert seed in loaded.source and "STANDARDS.md" in loaded.source
    assert all(s.note for s in loaded.standards)


def test_the_builtins_include_the_orders_profiles():
    assert {"logistics", "retention"} <= set(builtin_profiles())


# -- the wrong kind of file -------------------------------------------------------------------


def test_an_interactions_export_to_an_orders_profile():
    result = runner.invoke(app, ["check", str(EXAMPLES / "helpdesk_export.csv"), "-p", "logistics"])
    assert result.exit_code == 2
    assert "profile 'logistics' audits an orders table" in result.stderr
    assert "`delivered_at`" in result.stderr and "`ordered_at`" in result.stderr
    assert "those of an interactions export" in result.stderr
    assert "Traceback" not in result.output


def test_an_orders_table_to_an_interactions_profile():
    result = runner.invoke(app, ["check", str(EXAMPLES / "orders.csv"), "-p", "stanford"])
    assert result.exit_code == 2
    assert "audits an interactions export" in result.stderr and "`created_at`" in result.stderr
    assert "audit it with an orders profile (logistics, retention)" in result.stderr


def test_message_events_given_as_the_export():
    result = runner.invoke(app, ["check", str(EXAMPLES / "messages.csv"), "-p", "stanford"])
    assert result.exit_code == 2
    assert "give it with --events" in result.stderr


def test_second_tables_do_not_go_with_orders():
    result = runner.invoke(
        app, ["check", str(EXAMPLES / "orders.csv"), "-p", "retention", "--events", str(EXAMPLES / "messages.csv")]
    )
    assert result.exit_code == 2
    assert "--events add to an audit of interactions; profile 'retention' audits orders" in result.stderr


@pytest.mark.parametrize(
    "option, wrong, needs, looks",
    [
        # None of these files' columns is a field of the option's table: the error was an
        # interactions export's "columns are not recognised ... --map created_at=COLUMN".
        ("--agents", "orders.csv", "agent activity needs the columns `agent`, `available_seconds`; "
         "missing: `agent`, `available_seconds`", "an orders table"),
        ("--events", "agent_activity.csv", "missing: `interaction_id`, `at`, `author`", "agent activity"),
        ("--events", "orders.csv", "missing: `interaction_id`, `at`, `author`", "an orders table"),
        ("--agents", "messages.csv", "missing: `available_seconds`", "message events"),
    ],
)
def test_the_wrong_kind_of_second_table_names_what_is_missing(option, wrong, needs, looks):
    result = runner.invoke(
        app, ["check", str(EXAMPLES / "helpdesk_export.csv"), option, str(EXAMPLES / wrong), "-p", "stanford"]
    )
    assert result.exit_code == 2, result.output
    assert f"{wrong} ({option}):" in result.stderr and needs in result.stderr
    assert f"it looks like {looks}" in result.stderr
    assert "Traceback" not in result.output


# -- the examples, from the CLI ---------------------------------------------------------------


def test_logistics_example():
    result = runner.invoke(app, ["check", str(EXAMPLES / "orders.csv"), "-p", "logistics", "--format", "json"])
    assert result.exit_code == 1, result.output  # on-time delivery fails on the example
    report = json.loads(result.stdout)
    statuses = {r["standard_id"]: r["status"] for r in report["standards"]}
    assert statuses["on-time"] == "fail" and statuses["fill-rate"] == "pass"
    assert {f["key"] for f in report["findings"]} >= {"duplicate:order_id", "unparsable:quantity_ordered"}


def test_retention_example():
    result = runner.invoke(app, ["check", str(EXAMPLES / "orders.csv"), "-p", "retention"])
    assert result.exit_code == 0, result.output
    assert "period=2026-09" in result.stdout


def test_events_and_agents_examples_with_stanford():
    result = runner.invoke(
        app,
        ["check", str(EXAMPLES / "helpdesk_export.csv"), "--events", str(EXAMPLES / "messages.csv"),
         "--agents", str(EXAMPLES / "agent_activity.csv"), "-p", "stanford", "--format", "json"],
    )
    assert result.exit_code == 1, result.output
    report = json.loads(result.stdout)
    by_id = {r["standard_id"]: r for r in report["results"]}
    assert by_id["occupancy"]["status"] in ("pass", "fail") and by_id["occupancy"]["sample_size"] > 1000
    assert by_id["response-time-email"]["status"] in ("pass", "fail")
    keys = {f["key"] for f in report["findings"]}
    assert {"events:author", "events:unknown_interaction", "agents:no_available_time"} <= keys


def test_example_tables_are_reproducible(tmp_path):
    # The generator reads helpdesk_export.csv: if make_example.py changed it, run
    # `python examples/make_tables.py` again and commit the three files.
    shutil.copy(EXAMPLES / "make_tables.py", tmp_path / "make_tables.py")
    shutil.copy(EXAMPLES / "helpdesk_export.csv", tmp_path / "helpdesk_export.csv")
    runpy.run_path(str(tmp_path / "make_tables.py"), run_name="__main__")
    for name in ("orders.csv", "messages.csv", "agent_activity.csv"):
        assert (tmp_path / name).read_bytes() == (EXAMPLES / name).read_bytes(), (
            f"examples/{name} is stale: run python examples/make_tables.py"
        )


def test_metrics_page_is_generated_from_the_registry():
    page = runpy.run_path(str(REPO / "docs" / "make_metrics.py"))["page"]()
    assert page == (REPO / "docs" / "metrics.md").read_text(encoding="utf-8"), (
        "docs/metrics.md is stale: run python docs/make_metrics.py"
    )
