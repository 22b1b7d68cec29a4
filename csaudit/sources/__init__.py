"""Where exports come from: vendor mappings as data.

Each ``*.yaml`` file in this folder describes one source (Zendesk, Freshdesk, a call-centre
queue log, a real dataset …): the headers that recognise it, which column feeds each
canonical field and how its values are written (date layouts, placeholders meaning "no
value", durations in minutes or ``HH:MM:SS``, value maps), rows to leave out, and for
status-history logs the milestone rules that roll events up to one row per case. A user's
own mapping file has the same format (``--mapping-file``); ``docs/sources.md`` documents it.

This module only loads and validates mappings; :mod:`csaudit.ingest` applies them.
"""

from __future__ import annotations

import functools

import difflib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from csaudit.errors import InputError
from csaudit.fields import FIELDS, Field, FieldType

HERE = Path(__file__).resolve().parent
SCHEMA_VERSION = 1

#: Units a duration or number column may be written in.
UNITS = ("seconds", "minutes", "hours", "days", "hms", "text", "epoch_offset")
ROLLUP_KINDS = ("first_event", "last_event", "first", "last", "count", "changes")


def header_key(name: str) -> str:
    """How headers are matched: BOM and surrounding spaces dropped, case folded, and inner
    runs of spaces, hyphens or dots read as one underscore ("First Response At")."""
    return re.sub(r"[\s\-.]+", "_", name.replace("\ufeff", "").strip().casefold())


def did_you_mean(word: str, choices, cutoff: float = 0.6) -> str:
    """``"; did you mean 'x'?"`` for the nearest of ``choices``, or "" when none is near."""
    hint = difflib.get_close_matches(word, list(choices), n=1, cutoff=cutoff)
    return f"; did you mean {hint[0]!r}?" if hint else ""


@dataclass(frozen=True)
class FieldSpec:
    """How one canonical field is read from an export."""

    columns: tuple[str, ...] = ()  # alternatives: the first the file has is used
    date: tuple[str, ...] = ()  # a date column, combined with ``time``
    time: tuple[str, ...] = ()
    value: str | None = None  # a constant for every row (e.g. channel: phone)
    join: tuple[str, ...] = ()  # text columns joined with "/" (an id made of two columns)
    formats: tuple[str, ...] = ()  # timestamp layouts, tried in order on each cell
    day_first: bool = False  # 01/02/2024 is 1 February (auto-detected layouts)
    epoch: str | None = None  # "s" or "ms": timestamps written as Unix time
    units: tuple[str, ...] = ()  # duration/number units, tried in order
    missing: tuple[str, ...] = ()  # placeholders meaning "no value" in this column
    values: dict[str, Any] = field(default_factory=dict)  # export value → canonical value
    offset: float = 0.0  # added to a number (Zendesk stations − 1 = transfers)
    floor: float | None = None  # lowest value after the offset
    fallback: "FieldSpec | None" = None  # used on rows where this one is empty
    optional: bool = False  # a user mapping may name a column the file lacks
    take: str = "last"  # event logs: the value at the case's first or last event

    @property
    def plain(self) -> bool:
        """Only a column: read exactly like a canonical header (the fast path)."""
        return self == FieldSpec(columns=self.columns, optional=self.optional, take=self.take)

    def column_names(self) -> tuple[str, ...]:
        return self.columns + self.date + self.time + self.join


@dataclass(frozen=True)
class RollupRule:
    """How an event log's changes give one field of the case (see :mod:`csaudit.rollup`)."""

    kind: str  # one of ROLLUP_KINDS
    statuses: tuple[str, ...] = ()
    column: str | None = None  # for "changes"
    minus: float = 0.0  # for "count"

    def describe(self, status_column: str | None) -> str:
        where = f" in {status_column!r}" if status_column else ""
        listed = " or ".join(repr(s) for s in self.statuses)
        return {
            "first_event": "time of the case's first event",
            "last_event": "time of the case's last event",
            "first": f"first change to {listed}{where}",
            "last": f"last change to {listed}{where}",
            "count": f"number of changes to {listed}{where}" + (f", minus {self.minus:g}" if self.minus else ""),
            "changes": f"times {self.column!r} changes value",
        }[self.kind]


@dataclass(frozen=True)
class Events:
    """An event log: one row per change of a case."""

    case: tuple[str, ...]
    at: FieldSpec
    status: tuple[str, ...] = ()


@dataclass(frozen=True)
class Exclusion:
    """Rows left out before anything is measured: every named column holds one of the values."""

    where: dict[str, tuple[str, ...]]
    reason: str


@dataclass
class Source:
    name: str
    title: str
    path: Path
    detect: tuple[str, ...] = ()
    fields: dict[str, FieldSpec] = field(default_factory=dict)
    missing: tuple[str, ...] = ()
    exclude: tuple[Exclusion, ...] = ()
    events: Events | None = None
    rollup: dict[str, RollupRule] = field(default_factory=dict)
    reference: str = ""
    notes: str = ""
    builtin: bool = True

    def matches(self, headers: list[str]) -> bool:
        """All the detection headers are present (compared like canonical headers)."""
        keys = {header_key(h) for h in headers}
        return bool(self.detect) and all(header_key(h) in keys for h in self.detect)


# -- loading ----------------------------------------------------------------------------------


@functools.lru_cache(maxsize=1)
def _builtin_sources() -> dict[str, Source]:
    sources = {}
    for path in sorted(HERE.glob("*.yaml")):
        source = load_source(path, builtin=True)
        sources[source.name] = source
    return sources


def builtin_sources() -> dict[str, Source]:
    """Every built-in source by name (read once per process: they ship with the package)."""
    return dict(_builtin_sources())


def source_by_name(name: str) -> Source:
    """A built-in source, or a clear error listing them."""
    sources = builtin_sources()
    key = name.strip().casefold()
    if key in sources:
        return sources[key]
    raise InputError(
        f"--source {name!r}: no such source"
        + (did_you_mean(key, sources) or ".")
        + " Known sources: "
        + ", ".join(sources)
        + " (or give your own mapping with --mapping-file FILE)"
    )


def detect_source(headers: list[str]) -> list[Source]:
    """Built-in sources whose detection headers the file has, most specific first."""
    found = [s for s in builtin_sources().values() if s.matches(headers)]
    return sorted(found, key=lambda s: (-len(s.detect), s.name))


def load_source(path: str | Path, builtin: bool = False, fields: dict[str, Field] = FIELDS) -> Source:
    """Read and validate a mapping file; errors name the file and the key."""
    path = Path(path)
    try:
        # The built-in files are ours: libyaml reads them ~10x faster than PyYAML's Python
        # loader, which a user's file keeps (its errors are the same either way).
        loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader) if builtin else yaml.SafeLoader
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=loader)
    except OSError as exc:
        raise InputError(f"{path}: cannot read the mapping file ({exc.strerror})") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f":{mark.line + 1}:{mark.column + 1}" if mark else ""
        raise InputError(f"{path}{where}: not valid YAML ({getattr(exc, 'problem', exc)})") from None
    return parse_source(data, path, builtin=builtin, fields=fields)


def parse_source(data: Any, path: Path, builtin: bool = False, fields: dict[str, Field] = FIELDS) -> Source:
    ctx = _Context(path)
    top = ctx.mapping(data, "", {
        "csaudit_source", "name", "title", "reference", "notes", "detect", "missing", "exclude",
        "fields", "events", "rollup",
    })
    if top.get("csaudit_source") != SCHEMA_VERSION:
        ctx.fail("csaudit_source", f"must be {SCHEMA_VERSION} (the mapping-file format version)")
    name = str(top.get("name") or path.stem).strip().casefold()
    detect = top.get("detect") or {}
    detect = ctx.mapping(detect, "detect", {"headers"})
    source = Source(
        name=name,
        title=str(top.get("title") or name),
        path=path,
        detect=ctx.names(detect.get("headers", []), "detect.headers"),
        missing=ctx.names(top.get("missing", []), "missing"),
        reference=str(top.get("reference") or "").strip(),
        notes=str(top.get("notes") or "").strip(),
        builtin=builtin,
    )
    field_map = ctx.mapping(top.get("fields") or {}, "fields", None)
    for key, spec in field_map.items():
        if key not in fields:
            ctx.fail(f"fields.{key}", "is not a canonical field" + did_you_mean(str(key), fields))
        source.fields[key] = ctx.field_spec(spec, f"fields.{key}", fields[key])
    exclusions = []
    for i, rule in enumerate(top.get("exclude") or []):
        rule = ctx.mapping(rule, f"exclude[{i}]", {"where", "reason"})
        where = ctx.mapping(rule.get("where"), f"exclude[{i}].where", None)
        if not where:
            ctx.fail(f"exclude[{i}].where", "needs at least one column: [values]")
        exclusions.append(
            Exclusion(
                where={str(c): ctx.names(v, f"exclude[{i}].where.{c}") for c, v in where.items()},
                reason=str(rule.get("reason") or "excluded by the mapping"),
            )
        )
    source.exclude = tuple(exclusions)
    if top.get("events") is not None:
        events = ctx.mapping(top["events"], "events", {"case", "at", "status"})
        for key in ("case", "at"):
            if key not in events:
                ctx.fail(f"events.{key}", "is required for an event log")
        at = ctx.field_spec(events["at"], "events.at", Field("at", FieldType.TIMESTAMP, "event time"))
        source.events = Events(
            case=ctx.names(events["case"], "events.case"),
            at=at,
            status=ctx.names(events.get("status", []), "events.status"),
        )
    rollup = ctx.mapping(top.get("rollup") or {}, "rollup", None)
    if rollup and source.events is None:
        ctx.fail("rollup", "needs an events: block (case, at, status)")
    for key, rule in rollup.items():
        if key not in fields:
            ctx.fail(f"rollup.{key}", "is not a canonical field" + did_you_mean(str(key), fields))
        source.rollup[key] = ctx.rollup_rule(rule, f"rollup.{key}", fields[key], source.events)
    both = set(source.rollup) & set(source.fields)
    if both:
        ctx.fail("rollup", "fields given both under fields: and rollup: " + ", ".join(sorted(both)))
    return source


class _Context:
    """Validation helpers that name the file and the key in every error."""

    def __init__(self, path: Path):
        self.path = path

    def fail(self, key: str, message: str):
        raise InputError(f"{self.path}: {key}: {message}")

    def mapping(self, value: Any, key: str, allowed: set[str] | None) -> dict:
        if value is None:
            return {}
        if not isinstance(value, dict):
            self.fail(key or "(top level)", f"expected a mapping, got {type(value).__name__}")
        if allowed is not None:
            for name in value:
                if name not in allowed:
                    where = f"{key}.{name}" if key else str(name)
                    self.fail(where, "unknown key" + (did_you_mean(str(name), sorted(allowed))
                                                      or f"; allowed: {', '.join(sorted(allowed))}"))
        return value

    def names(self, value: Any, key: str) -> tuple[str, ...]:
        if value is None:
            return ()
        if isinstance(value, (str, int, float)) and not isinstance(value, bool):
            return (str(value),)
        if isinstance(value, list) and all(isinstance(v, (str, int, float)) and not isinstance(v, bool) for v in value):
            return tuple(str(v) for v in value)
        self.fail(key, "expected a name or a list of names")

    def field_spec(self, spec: Any, key: str, target: Field) -> FieldSpec:
        if isinstance(spec, (str, list)):
            return FieldSpec(columns=self.names(spec, key))
        spec = self.mapping(spec, key, {
            "column", "date", "time", "value", "join", "format", "day_first", "epoch", "unit", "missing",
            "values", "offset", "floor", "fallback", "optional", "take",
        })
        kind = target.type
        built = FieldSpec(
            columns=self.names(spec.get("column"), f"{key}.column"),
            date=self.names(spec.get("date"), f"{key}.date"),
            time=self.names(spec.get("time"), f"{key}.time"),
            value=None if spec.get("value") is None else str(spec["value"]),
            join=self.names(spec.get("join"), f"{key}.join"),
            formats=self.names(spec.get("format"), f"{key}.format"),
            day_first=bool(spec.get("day_first", False)),
            epoch=spec.get("epoch"),
            units=self.names(spec.get("unit"), f"{key}.unit"),
            missing=self.names(spec.get("missing"), f"{key}.missing"),
            values=self.value_map(spec.get("values"), f"{key}.values"),
            offset=float(spec.get("offset", 0) or 0),
            floor=None if spec.get("floor") is None else float(spec["floor"]),
            fallback=self.field_spec(spec["fallback"], f"{key}.fallback", target) if spec.get("fallback") is not None else None,
            optional=bool(spec.get("optional", False)),
            take=str(spec.get("take", "last")),
        )
        sources = sum(bool(x) for x in (built.columns, built.date or built.time, built.value is not None, built.join))
        if sources != 1:
            self.fail(key, "give exactly one of column, date + time, join, or value")
        if built.join and kind is not FieldType.TEXT:
            self.fail(key, f"join applies to text fields; `{target.name}` is {kind.value}")
        if bool(built.date) != bool(built.time):
            self.fail(key, "date and time go together (a date column and a time column)")
        if (built.date or built.formats or built.epoch or built.day_first) and kind is not FieldType.TIMESTAMP:
            self.fail(key, f"date, time, format, day_first and epoch apply to timestamp fields; `{target.name}` is {kind.value}")
        if built.epoch not in (None, "s", "ms"):
            self.fail(f"{key}.epoch", "must be s (seconds) or ms (milliseconds) since 1970-01-01 UTC")
        for unit in built.units:
            if unit not in UNITS:
                self.fail(f"{key}.unit", f"{unit!r} is not a unit" + (did_you_mean(unit, UNITS) or f"; units: {', '.join(UNITS)}"))
        if (built.units or built.offset or built.floor is not None) and kind is not FieldType.NUMBER:
            self.fail(key, f"unit, offset and floor apply to number fields; `{target.name}` is {kind.value}")
        if built.take not in ("first", "last"):
            self.fail(f"{key}.take", "must be first or last")
        for fmt in built.formats:
            if "%" not in fmt:
                self.fail(f"{key}.format", f"{fmt!r} is not a strftime layout such as '%d/%m/%Y %H:%M'")
        return built

    def value_map(self, value: Any, key: str) -> dict[str, Any]:
        if value is None:
            return {}
        mapping = self.mapping(value, key, None)
        out = {}
        for raw, canonical in mapping.items():
            if isinstance(canonical, (dict, list)):
                self.fail(f"{key}.{raw}", "maps to a single value (text, number, true/false or null)")
            out[str(raw)] = canonical
        return out

    def rollup_rule(self, rule: Any, key: str, target: Field, events: Events | None) -> RollupRule:
        if isinstance(rule, str):
            if rule not in ("first_event", "last_event"):
                self.fail(key, "write first_event, last_event, or {first|last|count: [statuses]} or {changes: COLUMN}")
            built = RollupRule(kind=rule)
        else:
            rule = self.mapping(rule, key, {"first", "last", "count", "changes", "minus"})
            kinds = [k for k in ("first", "last", "count", "changes") if k in rule]
            if len(kinds) != 1:
                self.fail(key, "give one of first, last, count (status lists) or changes (a column)")
            kind = kinds[0]
            if kind == "changes":
                built = RollupRule(kind=kind, column=self.names(rule[kind], f"{key}.changes")[0])
            else:
                built = RollupRule(kind=kind, statuses=self.names(rule[kind], f"{key}.{kind}"), minus=float(rule.get("minus", 0) or 0))
                if not built.statuses:
                    self.fail(f"{key}.{kind}", "lists no status; name the statuses or activities it looks for")
            if "minus" in rule and kind != "count":
                self.fail(f"{key}.minus", f"applies to count only, not to {kind}")
        timestamp_rule = built.kind in ("first_event", "last_event", "first", "last")
        if timestamp_rule and target.type is not FieldType.TIMESTAMP:
            self.fail(key, f"{built.kind} gives a time; `{target.name}` is {target.type.value}")
        if not timestamp_rule and target.type is not FieldType.NUMBER:
            self.fail(key, f"{built.kind} gives a count; `{target.name}` is {target.type.value}")
        if built.statuses and events is not None and not events.status:
            self.fail(key, "status rules need events.status (the column holding the status or activity)")
        return built
