"""Audit results written out by hand, for the report-format tests.

Plain typed constants; the result objects are mutable (a baseline comparison marks them), so
tests take copies with :func:`fresh`.
"""

from __future__ import annotations

import copy

from csaudit.metrics.base import Unit
from csaudit.profile.model import Standard, Statistic, Status, Target
from csaudit.result import AuditResult, Evidence, Finding, GroupResult, StandardResult

FRT = Standard(
    id="frt",
    title="First response under 1 hour",
    metric="first_response_time",
    statistic=Statistic("mean", text="mean"),
    target=Target("below", 3600.0),
    location="team.yaml:5:5",
)
CSAT = Standard(
    id="csat",
    title="CSAT at least 85% (warn under 90%)",
    metric="csat",
    statistic=Statistic("rate", text="rate"),
    target=Target("at_least", 0.85, warn=0.90),
    location="team.yaml:11:5",
)
RESOLVE_P1 = Standard(
    id="resolve-p1",
    title="P1 resolved within 4 business hours (90%)",
    metric="resolution_time",
    statistic=Statistic("share_within", within=14400.0, text="share within 4h"),
    target=Target("at_least", 0.90),
    each=("channel",),
    location="team.yaml:17:5",
)
AHT = Standard(
    id="aht",
    title="Average handle time",
    metric="average_handle_time",
    statistic=Statistic("mean", text="mean"),
    target=None,
    location="team.yaml:25:5",
)
FCR = Standard(
    id="fcr",
    title="FCR at least 70%",
    metric="first_contact_resolution",
    statistic=Statistic("rate", text="rate"),
    target=Target("at_least", 0.70),
    min_sample=50,
    location="team.yaml:29:5",
)
NPS = Standard(
    id="nps",
    title="NPS at least 30",
    metric="nps",
    statistic=Statistic("mean", text="mean"),
    target=Target("at_least", 30.0),
    required=False,
    location="team.yaml:35:5",
)
REPLIES = Standard(
    id="replies",
    title="Two to four replies per issue",
    metric="replies_per_issue",
    statistic=Statistic("mean", text="mean"),
    target=Target("between", (2.0, 4.0)),
    location="team.yaml:41:5",
)

# A channel named like a spreadsheet formula, with the characters every format must escape.
ODD_CHANNEL = '=HYPERLINK("http://x", "a|b") <b>50%</b>, ok:\nnext'

RESULT = AuditResult(
    profile_name="team",
    profile_title="Team standards",
    profile_path="team.yaml",
    input_path="export.csv",
    input_rows=120,
    columns={"created_at": "created_at"},
    timestamp_formats={},
    standards=[
        StandardResult(FRT, Unit.SECONDS, Status.PASS, [GroupResult({}, 1530.0, 118, Status.PASS)]),
        StandardResult(CSAT, Unit.FRACTION, Status.WARN, [GroupResult({}, 0.875, 40, Status.WARN)]),
        StandardResult(
            RESOLVE_P1,
            Unit.FRACTION,
            Status.FAIL,
            [
                GroupResult({"channel": "chat"}, 0.8, 10, Status.FAIL),
                GroupResult({"channel": ODD_CHANNEL}, 0.95, 20, Status.PASS),
            ],
            calendar="stanford-it",
            evidence=[
                Evidence(
                    row=17,
                    id="T-17",
                    value=30600.0,
                    fields={"channel": "chat", "agent": "=2+5"},
                    group={"channel": "chat"},
                    unit=Unit.SECONDS,
                ),
                Evidence(row=4, id=None, value=21600.0, fields={"channel": "chat"}, group={"channel": "chat"}, unit=Unit.SECONDS),
            ],
            breakdown=[
                GroupResult({"agent": "Ann"}, 1.0, 4, Status.PASS),
                GroupResult({"agent": "Bo"}, 0.5, 6, Status.FAIL),
            ],
        ),
        StandardResult(AHT, Unit.SECONDS, Status.INFO, [GroupResult({}, 540.0, 100, Status.INFO)]),
        StandardResult(
            FCR,
            Unit.FRACTION,
            Status.INSUFFICIENT,
            [GroupResult({}, 0.75, 12, Status.INSUFFICIENT)],
            reason="fewer than 50 measured interactions (the minimum sample)",
        ),
        StandardResult(
            NPS, Unit.POINTS, Status.NOT_MEASURED, reason="needs the `nps` column", missing_fields=["nps"]
        ),
    ],
    findings=[
        Finding("duplicate:id", "rows whose `id` appears more than once", 2, [5, 6], ["T-5", "T-5"]),
    ],
    notes=[],
    by=("agent",),
)

# The same audit, but the required NPS standard cannot be measured (exit 2).
NPS_REQUIRED = Standard(
    id="nps",
    title="NPS at least 30",
    metric="nps",
    statistic=Statistic("mean", text="mean"),
    target=Target("at_least", 30.0),
    location="team.yaml:35:5",
)
ERROR_RESULT = copy.deepcopy(RESULT)
ERROR_RESULT.standards[5] = StandardResult(
    NPS_REQUIRED, Unit.POINTS, Status.ERROR, reason="needs the `nps` column", missing_fields=["nps"]
)

# Everything passes: two standards.
PASSING = AuditResult(
    profile_name="team",
    profile_title="Team standards",
    profile_path="/opt/csaudit/standards/team.yaml",
    input_path="export.csv",
    input_rows=3,
    columns={},
    timestamp_formats={},
    standards=[
        StandardResult(FRT, Unit.SECONDS, Status.PASS, [GroupResult({}, 60.0, 3, Status.PASS)]),
        StandardResult(REPLIES, Unit.COUNT, Status.PASS, [GroupResult({}, 3.0, 3, Status.PASS)]),
    ],
    findings=[],
    notes=[],
)


def fresh(result: AuditResult = RESULT, **changes) -> AuditResult:
    """A copy of ``result`` that a test may change, with ``changes`` set on it."""
    copied = copy.deepcopy(result)
    for name, value in changes.items():
        setattr(copied, name, value)
    return copied


def second_group_missing(status: Status) -> AuditResult:
    """A copy of RESULT whose resolve-p1 also misses on the odd channel (``status``, warn or
    fail), with one interaction as its evidence (row 99, 1h)."""
    result = fresh()
    resolve = result.standards[2]
    resolve.groups[1].status = status
    resolve.evidence.append(
        Evidence(row=99, id="T-99", value=3600.0, fields={"channel": ODD_CHANNEL}, group={"channel": ODD_CHANNEL}, unit=Unit.SECONDS)
    )
    return result
