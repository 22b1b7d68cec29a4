"""Hypothesis strategies for standards (metric × statistic × each × filter × options), and the
profile YAML that states them."""

from __future__ import annotations

from fractions import Fraction

from hypothesis import strategies as st

from tests.properties.reference import METRICS, Spec, Stat, US
from tests.properties.table import Table

PERCENTILES = ("1", "10", "25", "33.3", "50", "75", "90", "99", "99.9")
EACH = ((), ("channel",), ("priority",), ("channel", "priority"))
FILTERS = ({}, {}, {"channel": ("chat", "phone")}, {"priority": ("p1",)}, {"channel": ("email",)})


def duration_text(us: int) -> str:
    """Exact decimal seconds, as a profile may write them (``0.000003s``, ``60.000000s``)."""
    return f"{us // US}.{us % US:06d}s"


@st.composite
def stats(draw, metric: str, scale_us: int) -> Stat:
    ref = METRICS[metric]
    kind = draw(st.sampled_from(ref.statistics))
    if kind == "quantile":
        text = draw(st.sampled_from(PERCENTILES))
        return Stat("quantile", q=Fraction(text) / 100, yaml=f"p{text}")
    if kind == "share_within":
        if ref.unit == "seconds" and metric not in ("average_handle_time", "hold_time", "minutes_per_issue"):
            us = draw(st.integers(0, 8)) * scale_us  # on the generated grid: ties on purpose
            return Stat("share_within", within=Fraction(us, US), yaml=f"{{share_within: {duration_text(us)}}}")
        if ref.unit == "seconds":
            seconds = draw(st.sampled_from(("0", "30", "60.5", "300", "900")))
            return Stat("share_within", within=Fraction(seconds), yaml=f"{{share_within: {seconds}s}}")
        limit = draw(st.sampled_from(("0", "1", "2", "2.5", "4")))
        return Stat("share_within", within=Fraction(limit), yaml=f"{{share_within: {limit}}}")
    return Stat(kind, yaml=kind)


@st.composite
def specs(draw, table: Table, metrics: tuple[str, ...] = tuple(METRICS)) -> list[Spec]:
    """One standard per metric, with a drawn statistic, grouping, filter and options."""
    out = []
    for metric in metrics:
        options: dict = {}
        if metric in ("customer_effort_score", "ces_easy_share"):
            options["scale"] = draw(st.sampled_from((5, 7)))
        if metric in ("dpmo", "sigma_level"):
            options["opportunities"] = draw(st.sampled_from((1, 3, 0.5)))
        if metric == "backlog_flow":
            options["period"] = draw(st.sampled_from(("day", "week", "month")))
        if metric == "abandonment_rate" and draw(st.booleans()):
            options["short_abandon"] = Fraction(draw(st.integers(0, 4)) * table.scale_us, US)
        if METRICS[metric].live and draw(st.integers(0, 3)) == 0:
            options["live_channels"] = ("chat", "email")
        out.append(
            Spec(
                metric=metric,
                stat=draw(stats(metric, table.scale_us)),
                each=draw(st.sampled_from(EACH)),
                filter=draw(st.sampled_from(FILTERS)),
                options=options,
            )
        )
    return out


def _option_yaml(name: str, value) -> str:
    if name == "short_abandon":
        return duration_text(int(value * US))
    if isinstance(value, tuple):
        return "[" + ", ".join(value) + "]"
    return str(value)


def profile_yaml(items: list[Spec]) -> str:
    lines = ["csaudit_profile: 1", "name: properties", "standards:"]
    for i, spec in enumerate(items):
        lines += [f"  - id: s{i}", f"    title: s{i}", f"    metric: {spec.metric}", f"    statistic: {spec.stat.yaml}"]
        lines.append("    required: false")
        if spec.each:
            lines.append(f"    each: [{', '.join(spec.each)}]")
        if spec.filter:
            lines.append("    filter: {" + ", ".join(f"{k}: [{', '.join(v)}]" for k, v in spec.filter.items()) + "}")
        if spec.options:
            lines.append("    options: {" + ", ".join(f"{k}: {_option_yaml(k, v)}" for k, v in spec.options.items()) + "}")
    return "\n".join(lines) + "\n"
