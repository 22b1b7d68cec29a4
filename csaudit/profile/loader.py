"""Load and validate profiles.

Every error names ``file:line:column``, the key, what was expected and, for a misspelt key
or metric, the nearest valid one. The YAML is composed into nodes (so positions are known)
and never constructed into arbitrary Python objects.
"""

from __future__ import annotations

import difflib
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import yaml

from csaudit import business_calendar as bc
from csaudit.errors import ProfileError
from csaudit.fields import KINDS, SECOND_TABLES, Kind
from csaudit.metrics import REGISTRY
from csaudit.metrics.base import Metric, Unit
from csaudit.profile.model import COMPARISONS, Profile, Standard, Statistic, Target
from csaudit.units import UnitError, parse_duration, parse_fraction, parse_number, shorten

FORMAT_VERSION = 1
# Bounds that keep a hostile or mistaken profile from hanging the run: profiles are written
# by hand, so these are far above any real one (the built-in ones are under 10 kB). PyYAML
# reads about 100 kB of dense YAML a second, so the size bounds the time to a few seconds.
MAX_PROFILE_BYTES = 250_000
MAX_STANDARDS = 1_000
MAX_DEPTH = 32  # lists and mappings inside each other; a real profile needs about 6
MAX_MERGED_KEYS = 100_000  # keys copied by YAML merge keys (<<: *anchor), all mappings together
# Installed, the built-in profiles are package data (csaudit/standards); in a source checkout
# they are the repository's top-level standards/ folder.
_BUILTIN_DIRS = (
    Path(__file__).resolve().parent.parent / "standards",
    Path(__file__).resolve().parent.parent.parent / "standards",
)

_TOP_KEYS = (
    "csaudit_profile", "name", "title", "description", "source", "kind", "timezone", "calendars", "calendar",
    "mapping", "defaults", "standards",
)
_CALENDAR_KEYS = ("timezone", "hours", "holidays", "closed", "open", "note")
_HOLIDAY_KEYS = ("country", "subdivision", "dates")
_DEFAULT_KEYS = ("min_sample", "required")
_STANDARD_KEYS = (
    "id",
    "title",
    "metric",
    "statistic",
    "compare",
    "fail",
    "warn",
    "filter",
    "each",
    "min_sample",
    "required",
    "options",
    "calendar",
    "note",
    "source",
)
#: Words people write for a standard's keys that are not close in spelling to the key meant.
_KEY_ALIASES = {
    "threshold": "fail",
    "target": "fail",
    "limit": "fail",
    "goal": "fail",
    "warning": "warn",
    "comparison": "compare",
    "operator": "compare",
    "stat": "statistic",
    "aggregate": "statistic",
    "name": "title",
    "group_by": "each",
    "by": "each",
    "per": "each",
    "where": "filter",
    "description": "note",
}
_ID = re.compile(r"^[a-z0-9][a-z0-9._-]*$")
_QUANTILE = re.compile(r"^p(\d+(?:\.\d+)?)$")
#: Tags YAML gives plain scalars that csaudit reads as text where it expects text.
_AS_WRITTEN = {f"tag:yaml.org,2002:{t}" for t in ("int", "float", "bool", "timestamp")}


def builtin_profiles() -> dict[str, Path]:
    """Built-in profile names and their files."""
    for folder in _BUILTIN_DIRS:
        found = {p.stem: p for p in sorted(folder.glob("*.yaml"))}
        if found:
            return found
    return {}


def resolve_profile(name_or_path: str) -> Path:
    """A built-in profile name or a path to a YAML file."""
    builtins = builtin_profiles()
    if name_or_path in builtins:
        return builtins[name_or_path]
    if not name_or_path.strip():
        raise ProfileError("the profile name is empty; give a built-in name (" + ", ".join(builtins) + ") or a YAML file")
    path = Path(name_or_path)
    if path.is_file():
        return path
    if path.is_dir():
        inside = sorted(p.name for p in path.glob("*.y*ml"))[:5]
        raise ProfileError(
            f"{name_or_path} is a folder; a profile is a YAML file or a built-in name"
            + (f" (YAML files there: {', '.join(inside)})" if inside else "")
        )
    if path.suffix.lower() in (".yaml", ".yml") or "/" in name_or_path or "\\" in name_or_path:
        hint = _nearest(path.stem, list(builtins))
        raise ProfileError(
            f"no profile file {name_or_path}"
            + ("" if path.parent.is_dir() else f" (there is no folder {path.parent})")
            + (f"; did you mean the built-in profile {hint!r}?" if hint else ".")
            + " Give the path of a profile YAML file, or a built-in name: "
            + ", ".join(builtins)
            + "."
        )
    hint = _nearest(name_or_path, list(builtins))
    raise ProfileError(
        f"no built-in profile or file named {name_or_path!r}"
        + (f"; did you mean {hint!r}?" if hint else ".")
        + " Built-in profiles: "
        + ", ".join(builtins)
        + "."
    )


def load_profile(name_or_path: str) -> Profile:
    """Load and validate a profile by built-in name or path."""
    path = resolve_profile(name_or_path)
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_PROFILE_BYTES + 1)  # never more: a profile is small
    except OSError as exc:
        raise ProfileError(f"cannot read the file: {exc.strerror}", str(path)) from None
    _check_size(len(data), str(path))
    builtin = path in builtin_profiles().values()
    return parse_profile(_decode(data, str(path)), str(path), builtin=builtin)


def _decode(data: bytes, filename: str) -> str:
    """UTF-8 text (a byte-order mark allowed), or UTF-16 with its byte-order mark (what some
    Windows editors save as "Unicode"); anything else is an error at the first bad byte."""
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            raise ProfileError("not readable UTF-16 text; save the profile as UTF-8", filename) from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        before = data[: exc.start]
        line = before.count(b"\n") + 1
        column = len(before[before.rfind(b"\n") + 1 :].decode("utf-8", "replace")) + 1
        raise ProfileError(
            f"not UTF-8 text: byte 0x{data[exc.start]:02x} (byte {exc.start:,} of the file) is not UTF-8; "
            "save the profile as UTF-8",
            f"{filename}:{line}:{column}",
        ) from None


def _check_size(size: int, filename: str) -> None:
    if size > MAX_PROFILE_BYTES:
        raise ProfileError(
            f"the profile is larger than {MAX_PROFILE_BYTES:,} bytes; a profile is a short list of "
            "standards (is this the export instead of the profile?)",
            filename,
        )


def parse_profile(text: str, filename: str = "<profile>", builtin: bool = False) -> Profile:
    """Validate profile text; ``filename`` is used in error locations. A built-in profile (ours,
    never deeply nested) is composed by libyaml, ten times faster than the depth-limited Python
    loader every other profile goes through."""
    _check_size(len(text.encode("utf-8", "surrogatepass")), filename)
    loader = getattr(yaml, "CSafeLoader", _DepthLimitedLoader) if builtin else _DepthLimitedLoader
    try:
        root = yaml.compose(text, Loader=loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"{filename}:{mark.line + 1}:{mark.column + 1}" if mark else filename
        problem = exc.problem or exc.context
        if mark is not None and "'\\t'" in str(problem):
            problem = "a tab; YAML indents with spaces only (replace the tab with spaces)"
        raise ProfileError(f"not valid YAML: {problem}", where) from None
    except yaml.YAMLError as exc:
        raise ProfileError(f"not valid YAML: {exc}", filename) from None
    if root is None:
        raise ProfileError("the profile is empty", filename)
    return _Reader(filename).profile(root)


class _DepthLimitedLoader(yaml.SafeLoader):
    """PyYAML's safe loader, refusing collections nested more than MAX_DEPTH deep: it composes
    them recursively (a RecursionError), and its scanner slows with every open flow level
    (a few hundred KB of ``[[[…]]]`` took minutes)."""

    depth = 0

    def compose_node(self, parent, index):
        if self.depth >= MAX_DEPTH:
            raise yaml.MarkedYAMLError(
                problem=f"lists or mappings nested more than {MAX_DEPTH} deep",
                problem_mark=self.peek_event().start_mark,
            )
        self.depth += 1
        try:
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1


@dataclass
class _Reader:
    filename: str
    calendars: dict[str, bc.BusinessCalendar] = field(default_factory=dict)
    default_calendar: bc.BusinessCalendar | None = None
    merged_pairs: int = 0  # keys copied by merge keys (<<), bounded by MAX_MERGED_KEYS

    # -- positions and plain values -------------------------------------------------------
    def at(self, node: yaml.Node) -> str:
        return f"{self.filename}:{node.start_mark.line + 1}:{node.start_mark.column + 1}"

    def mapping(self, node: yaml.Node, what: str, allowed: tuple[str, ...] | None) -> dict[str, tuple[yaml.Node, yaml.Node]]:
        if not isinstance(node, yaml.MappingNode):
            raise ProfileError(f"{what} must be a mapping of keys to values", self.at(node))
        out: dict[str, tuple[yaml.Node, yaml.Node]] = {}
        for key_node, value_node in self.merged(node, what):
            key = key_node.value
            if key in out:
                first = out[key][0].start_mark
                raise ProfileError(
                    f"{what}: key {key!r} appears twice (first at line {first.line + 1}, column {first.column + 1}); "
                    "keep one of them",
                    self.at(key_node),
                )
            if allowed is not None and key not in allowed:
                hint = _nearest(key, list(allowed))
                if hint is None:
                    alias = _nearest(key, list(_KEY_ALIASES))
                    if alias is not None and _KEY_ALIASES[alias] in allowed:
                        hint = _KEY_ALIASES[alias]
                raise ProfileError(
                    f"{what}: unknown key {key!r}"
                    + (f"; did you mean {hint!r}?" if hint else "")
                    + " Valid keys: "
                    + ", ".join(allowed),
                    self.at(key_node),
                )
            out[key] = (key_node, value_node)
        return out

    def merged(self, node: yaml.MappingNode, what: str, depth: int = 0) -> list[tuple[yaml.Node, yaml.Node]]:
        """The mapping's key/value pairs with YAML merge keys applied (``<<: *defaults`` or
        ``<<: [*a, *b]``): the mapping's own keys win over merged ones, and an earlier merged
        mapping over a later one. A key written twice in the mapping itself stays twice (an
        error for :meth:`mapping`)."""
        own: list[tuple[yaml.Node, yaml.Node]] = []
        merges: list[yaml.Node] = []
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                raise ProfileError(f"{what}: keys must be plain words", self.at(key_node))
            if key_node.tag == "tag:yaml.org,2002:merge":
                merges.append(value_node)
            else:
                own.append((key_node, value_node))
        if not merges:
            return own
        if depth >= MAX_DEPTH:
            raise ProfileError(f"{what}: merge keys (<<) nested more than {MAX_DEPTH} deep", self.at(node))
        seen = {key.value for key, _ in own}
        out = list(own)
        sources: list[yaml.Node] = []
        for value in merges:
            items = value.value if isinstance(value, yaml.SequenceNode) else [value]
            for item in items:
                if not isinstance(item, yaml.MappingNode):
                    raise ProfileError(
                        f"{what}: `<<` merges a mapping into this one: write `<<: *name` (an anchor `&name` "
                        "on a mapping) or `<<: [*a, *b]`",
                        self.at(item),
                    )
                if all(item is not done for done in sources):  # merging one mapping twice adds nothing
                    sources.append(item)
        for source in sources:
            for key_node, value_node in self.merged(source, what, depth + 1):
                self.merged_pairs += 1
                if self.merged_pairs > MAX_MERGED_KEYS:
                    raise ProfileError(
                        f"{what}: merge keys (<<) expand to more than {MAX_MERGED_KEYS:,} keys; a profile "
                        "is a short list of standards",
                        self.at(node),
                    )
                if key_node.value not in seen:
                    seen.add(key_node.value)
                    out.append((key_node, value_node))
        return out

    def scalar(self, node: yaml.Node, what: str) -> Any:
        if not isinstance(node, yaml.ScalarNode):
            raise ProfileError(f"{what} must be a single value, not a list or mapping", self.at(node))
        try:
            return _construct(node)
        except (yaml.YAMLError, ValueError, TypeError) as exc:
            problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
            problem = problem if len(problem) <= 120 else problem[:100] + "…"
            raise ProfileError(f"{what}: cannot read the value {shorten(node.value)} ({problem})", self.at(node)) from None

    def text(self, node: yaml.Node, what: str) -> str:
        value = self.scalar(node, what)
        if not isinstance(value, str) or not value.strip():
            raise ProfileError(f"{what} must be text, got {value!r}", self.at(node))
        return value.strip()

    def written(self, node: yaml.Node, what: str) -> str:
        """Text as written, where YAML would read a number, a date or a yes/no: a priority
        ``1``, a column ``2024``, an id ``007``, a channel ``no`` are text to csaudit."""
        if isinstance(node, yaml.ScalarNode) and node.style is None and node.tag in _AS_WRITTEN:
            self.scalar(node, what)
            node = yaml.ScalarNode("tag:yaml.org,2002:str", node.value, node.start_mark, node.end_mark)
        return self.text(node, what)

    def texts(self, node: yaml.Node, what: str) -> tuple[str, ...]:
        """One word or a list of words (as written)."""
        if isinstance(node, yaml.ScalarNode):
            return (self.written(node, what),)
        if isinstance(node, yaml.SequenceNode) and node.value:
            return tuple(self.written(item, what) for item in node.value)
        raise ProfileError(f"{what} must be a word or a non-empty list of words", self.at(node))

    def boolean(self, node: yaml.Node, what: str) -> bool:
        value = self.scalar(node, what)
        if not isinstance(value, bool):
            raise ProfileError(f"{what} must be true or false, got {value!r}", self.at(node))
        return value

    def positive_int(self, node: yaml.Node, what: str) -> int:
        value = self.scalar(node, what)
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ProfileError(f"{what} must be a whole number of at least 1, got {value!r}", self.at(node))
        return value

    def plain(self, node: yaml.Node, what: str) -> Any:
        """A scalar, or a list of scalars, as Python values (for metric options); never an
        infinite number or NaN (``.inf``, ``.nan``), which no option means."""
        if isinstance(node, yaml.SequenceNode):  # of scalars only: aliased lists are never expanded
            return [self.plain(item, f"{what}: a list item") if isinstance(item, yaml.ScalarNode)
                    else self.scalar(item, f"{what}: a list item") for item in node.value]
        value = self.scalar(node, what)
        if isinstance(value, float) and not math.isfinite(value):
            raise ProfileError(f"{what}: expected a finite number, got {node.value!r}", self.at(node))
        return value

    # -- the profile ----------------------------------------------------------------------
    def profile(self, root: yaml.Node) -> Profile:
        keys = self.mapping(root, "the profile", _TOP_KEYS)
        if "csaudit_profile" not in keys:
            raise ProfileError(
                f"missing `csaudit_profile: {FORMAT_VERSION}` (the profile format version) at the top",
                self.at(root),
            )
        version = self.scalar(keys["csaudit_profile"][1], "csaudit_profile")
        if type(version) is not int or version != FORMAT_VERSION:
            raise ProfileError(
                f"csaudit_profile: this csaudit reads format version {FORMAT_VERSION}, got {version!r}",
                self.at(keys["csaudit_profile"][1]),
            )
        for required in ("name", "standards"):
            if required not in keys:
                raise ProfileError(f"missing required key {required!r}", self.at(root))
        name = self.written(keys["name"][1], "name")
        kind = self.kind(keys["kind"][1]) if "kind" in keys else KINDS["interactions"]
        defaults = {"min_sample": 1, "required": True}
        if "defaults" in keys:
            dkeys = self.mapping(keys["defaults"][1], "defaults", _DEFAULT_KEYS)
            if "min_sample" in dkeys:
                defaults["min_sample"] = self.positive_int(dkeys["min_sample"][1], "defaults.min_sample")
            if "required" in dkeys:
                defaults["required"] = self.boolean(dkeys["required"][1], "defaults.required")
        mapping = {}
        if "mapping" in keys:
            mapping = self.field_mapping(keys["mapping"][1], kind)
        timezone = self.timezone(keys["timezone"][1], "timezone") if "timezone" in keys else None
        if "calendars" in keys:
            for cal_name, (key_node, value_node) in self.mapping(keys["calendars"][1], "calendars", None).items():
                if not _ID.match(cal_name):
                    raise ProfileError(
                        f"calendars: name {cal_name!r}: use lower-case letters, digits, '.', '_' or '-'",
                        self.at(key_node),
                    )
                if cal_name == "none":  # `calendar: none` means calendar time
                    raise ProfileError(
                        "calendars: name 'none' is reserved: `calendar: none` measures calendar time; "
                        "give the calendar another name",
                        self.at(key_node),
                    )
                self.calendars[cal_name] = self.calendar(cal_name, value_node)
        if "calendar" in keys:
            self.default_calendar = self.calendar_name(keys["calendar"][1], "calendar")
        standards_node = keys["standards"][1]
        if not isinstance(standards_node, yaml.SequenceNode) or not standards_node.value:
            raise ProfileError("standards must be a non-empty list", self.at(standards_node))
        if len(standards_node.value) > MAX_STANDARDS:
            raise ProfileError(
                f"{len(standards_node.value):,} standards; a profile holds at most {MAX_STANDARDS:,} "
                "(use `each:` to evaluate one standard per channel, priority, agent or team)",
                self.at(standards_node),
            )
        standards = []
        seen: dict[str, str] = {}
        for item in standards_node.value:
            standard = self.standard(item, defaults, kind)
            if standard.id in seen:
                raise ProfileError(
                    f"standard id {standard.id!r} is used twice (first at {seen[standard.id]})",
                    standard.location,
                )
            seen[standard.id] = standard.location
            standards.append(standard)
        return Profile(
            name=name,
            title=self.written(keys["title"][1], "title") if "title" in keys else name,
            description=self.written(keys["description"][1], "description") if "description" in keys else "",
            source=self.written(keys["source"][1], "source") if "source" in keys else "",
            mapping=mapping,
            standards=tuple(standards),
            version=version,
            path=self.filename,
            kind=kind.name,
            timezone=timezone,
            calendars=dict(self.calendars),
        )

    # -- business calendars (docs/profiles.md "Business hours") -----------------------------
    def checked(self, parse: Callable[..., Any], what: str, node: yaml.Node, *values: Any) -> Any:
        """``parse(*values)``, its ValueError reported at ``node``."""
        try:
            return parse(*values)
        except ValueError as exc:
            raise ProfileError(f"{what}: {exc}", self.at(node)) from None

    def timezone(self, node: yaml.Node, what: str) -> str:
        return self.checked(bc.check_timezone, what, node, self.text(node, what))

    def calendar(self, name: str, node: yaml.Node) -> bc.BusinessCalendar:
        label = f"calendar {name!r}"
        keys = self.mapping(node, label, _CALENDAR_KEYS)
        for required in ("timezone", "hours"):
            if required not in keys:
                raise ProfileError(f"{label} is missing required key {required!r}", self.at(node))
        zone = self.timezone(keys["timezone"][1], f"{label}: timezone")
        week = self.week(keys["hours"][1], label)
        country = subdivision = None
        holiday_dates: list = []
        if "holidays" in keys:
            hnode = keys["holidays"][1]
            if isinstance(hnode, yaml.ScalarNode):
                country = self.code(hnode, f"{label}: holidays (a country code)")
                where = hnode
            elif isinstance(hnode, yaml.SequenceNode):
                holiday_dates = self.dates(hnode, f"{label}: holidays")
                where = hnode
            else:
                hkeys = self.mapping(hnode, f"{label}: holidays", _HOLIDAY_KEYS)
                if "subdivision" in hkeys and "country" not in hkeys:
                    raise ProfileError(f"{label}: holidays: a subdivision needs its country", self.at(hnode))
                if "country" in hkeys:
                    country = self.code(hkeys["country"][1], f"{label}: holidays.country")
                if "subdivision" in hkeys:
                    subdivision = self.code(hkeys["subdivision"][1], f"{label}: holidays.subdivision")
                if "dates" in hkeys:
                    holiday_dates = self.dates(hkeys["dates"][1], f"{label}: holidays.dates")
                where = hkeys["subdivision" if "subdivision" in hkeys else "country"][1] if "country" in hkeys else hnode
            if country is not None:
                self.checked(bc.check_holidays, f"{label}: holidays", where, country, subdivision)
        closed = self.dates(keys["closed"][1], f"{label}: closed") if "closed" in keys else []
        opened: dict = {}
        if "open" in keys:
            for day_text, (key_node, value_node) in self.mapping(keys["open"][1], f"{label}: open", None).items():
                what = f"{label}: open.{day_text}"
                day = self.checked(bc.parse_date, what, key_node, day_text)
                hours = self.hours(value_node, what)
                if not hours:
                    raise ProfileError(f"{what}: an open date needs its hours; list closed dates under closed:", self.at(value_node))
                opened[day] = hours
        return bc.BusinessCalendar(
            name=name,
            timezone=zone,
            week=week,
            country=country,
            subdivision=subdivision,
            holiday_dates=frozenset(holiday_dates),
            closed_dates=frozenset(closed),
            open_dates=tuple(sorted(opened.items())),
        )

    def code(self, node: yaml.Node, what: str) -> str:
        """A code as written: YAML would read Norway's NO as false and a subdivision 01 as 1."""
        self.scalar(node, what)
        return self.text(yaml.ScalarNode("tag:yaml.org,2002:str", node.value, node.start_mark), what)

    def week(self, node: yaml.Node, label: str) -> tuple[bc.Hours, ...]:
        if isinstance(node, yaml.ScalarNode) and str(node.value).strip().lower() == "24/7":
            return tuple(((0, bc.DAY_SECONDS),) for _ in range(7))
        if not isinstance(node, yaml.MappingNode):
            raise ProfileError(
                f"{label}: hours must be 24/7 or a mapping of days to hours, e.g. {{mon-fri: 08:00-17:00}}",
                self.at(node),
            )
        week: list[bc.Hours | None] = [None] * 7
        named: list[str] = [""] * 7
        for day_key, (key_node, value_node) in self.mapping(node, f"{label}: hours", None).items():
            what = f"{label}: hours.{day_key}"
            days = self.checked(bc.parse_days, f"{label}: hours", key_node, day_key)
            hours = self.hours(value_node, what)
            for day in days:
                if week[day] is not None:
                    raise ProfileError(
                        f"{what}: {bc.WEEKDAYS[day]} already has its hours (under {named[day]!r})", self.at(key_node)
                    )
                week[day], named[day] = hours, day_key
        if not any(week):
            raise ProfileError(f"{label}: hours: the calendar is never open", self.at(node))
        return tuple(hours or () for hours in week)

    def hours(self, node: yaml.Node, what: str) -> bc.Hours:
        """One day's hours: an interval, a list of them, closed or 24h."""
        items = node.value if isinstance(node, yaml.SequenceNode) else [node]
        return self.checked(bc.parse_hours, what, node, [self.text(item, what) for item in items])

    def dates(self, node: yaml.Node, what: str) -> list:
        items = node.value if isinstance(node, yaml.SequenceNode) else [node]
        out = []
        for item in items:
            out += self.checked(bc.parse_dates, what, item, self.scalar(item, what))
        return out

    def calendar_name(self, node: yaml.Node, what: str) -> bc.BusinessCalendar | None:
        """A calendar named by ``calendar:``; ``none`` means calendar time."""
        value = self.scalar(node, what)
        if value is None or (isinstance(value, str) and value.strip().lower() == "none"):
            return None
        name = self.text(node, what)
        if name not in self.calendars:
            hint = _nearest(name, list(self.calendars))
            defined = ", ".join(self.calendars) or "none"
            raise ProfileError(
                f"{what}: no calendar named {name!r} under calendars:"
                + (f"; did you mean {hint!r}?" if hint else "")
                + f" (defined: {defined}; `none` measures calendar time)",
                self.at(node),
            )
        return self.calendars[name]

    def standard_calendar(self, item: tuple[yaml.Node, yaml.Node] | None, metric: Metric, label: str):
        if item is None:
            return self.default_calendar if metric.duration_fields else None
        calendar = self.calendar_name(item[1], f"{label}: calendar")
        if calendar is not None and not metric.duration_fields:
            durations = ", ".join(n for n, m in REGISTRY.items() if m.duration_fields)
            raise ProfileError(
                f"{label}: metric {metric.name} does not measure a duration between two timestamps, so "
                f"it cannot use a calendar (calendars apply to {durations})",
                self.at(item[1]),
            )
        return calendar

    def kind(self, node: yaml.Node) -> Kind:
        word = self.text(node, "kind")
        if word not in KINDS:
            hint = _nearest(word, list(KINDS))
            raise ProfileError(
                f"kind {word!r} is not a kind of data csaudit audits"
                + (f"; did you mean {hint!r}?" if hint else "")
                + " Kinds: " + ", ".join(KINDS),
                self.at(node),
            )
        return KINDS[word]

    def field_mapping(self, node: yaml.Node, kind: Kind) -> dict[str, str]:
        out = {}
        # An interactions profile may also map its second tables' columns: events.at, agents.agent.
        names = list(kind.fields) + [
            f"{table}.{f}" for table, fields in SECOND_TABLES.items() if kind.name == "interactions" for f in fields
        ]
        for field_name, (key_node, value_node) in self.mapping(node, "mapping", None).items():
            if field_name not in names:
                hint = _nearest(field_name, names)
                raise ProfileError(
                    f"mapping: {field_name!r} is not a canonical field of {kind.name}"
                    + (f"; did you mean {hint!r}?" if hint else "")
                    + " (fields are listed in STANDARDS.md §1 and by `csaudit metrics`)",
                    self.at(key_node),
                )
            column = self.written(value_node, f"mapping.{field_name} (a column name)")
            twin = next((f for f, c in out.items() if _same_column(c, column)), None)
            if twin is not None:
                raise ProfileError(
                    f"mapping: {field_name} and {twin} both read the column {column!r}; each field reads its "
                    "own column (map one of them to another column, or leave it out)",
                    self.at(value_node),
                )
            out[field_name] = column
        return out

    def standard(self, node: yaml.Node, defaults: dict[str, Any], kind: Kind) -> Standard:
        keys = self.mapping(node, self.standard_label(node), _STANDARD_KEYS)
        where = self.at(node)
        for required in ("id", "title", "metric"):
            if required not in keys:
                raise ProfileError(f"a standard is missing required key {required!r}", where)
        sid = self.written(keys["id"][1], "id")
        if not _ID.match(sid):
            raise ProfileError(
                f"id {sid!r}: use lower-case letters, digits, '.', '_' or '-'", self.at(keys["id"][1])
            )
        label = f"standard {sid!r}"
        metric_node = keys["metric"][1]
        metric_name = self.text(metric_node, f"{label}: metric")
        metric = REGISTRY.get(metric_name)
        if metric is None:
            hint = _nearest(metric_name, list(REGISTRY))
            raise ProfileError(
                f"{label}: unknown metric {metric_name!r}"
                + (f"; did you mean {hint!r}?" if hint else "")
                + " (`csaudit metrics` lists them)",
                self.at(metric_node),
            )
        if metric.kind != kind.name:
            fix = (
                f"set `kind: {metric.kind}` at the top of the profile"
                if kind.name == "interactions"
                else f"choose a metric of {kind.name} (`csaudit metrics` lists each metric's kind)"
            )
            raise ProfileError(
                f"{label}: metric {metric.name} measures {metric.kind}, but this profile audits "
                f"{kind.name}; {fix} (one profile audits one kind of data)",
                self.at(metric_node),
            )
        statistic = self.statistic(keys.get("statistic"), metric, label)
        calendar = self.standard_calendar(keys.get("calendar"), metric, label)
        target = self.target(keys, metric, statistic, label, where)
        if calendar is not None:
            self.hours_only(keys, metric, statistic, label, calendar)
        options = self.options(keys.get("options"), metric, label)
        if calendar is not None:
            options["calendar"] = calendar
        filters: dict[str, tuple[str, ...]] = {}
        if "filter" in keys:
            for fname, (fkey, fvalue) in self.mapping(keys["filter"][1], f"{label}: filter", None).items():
                self.groupable(fname, fkey, f"{label}: filter", kind)
                filters[fname] = tuple(v.lower() for v in self.texts(fvalue, f"{label}: filter.{fname}"))
        each: tuple[str, ...] = ()
        if "each" in keys:
            each_node = keys["each"][1]
            each = self.texts(each_node, f"{label}: each")
            for fname in each:
                self.groupable(fname, each_node, f"{label}: each", kind)
            if len(set(each)) != len(each):
                raise ProfileError(f"{label}: each names a field twice", self.at(each_node))
        return Standard(
            id=sid,
            title=self.written(keys["title"][1], f"{label}: title"),
            metric=metric.name,
            statistic=statistic,
            target=target,
            filter=filters,
            each=each,
            min_sample=self.positive_int(keys["min_sample"][1], f"{label}: min_sample")
            if "min_sample" in keys
            else defaults["min_sample"],
            required=self.boolean(keys["required"][1], f"{label}: required")
            if "required" in keys
            else defaults["required"],
            options=options,
            note=self.written(keys["note"][1], f"{label}: note") if "note" in keys else "",
            location=where,
        )

    def standard_label(self, node: yaml.Node) -> str:
        """``standard 'frt-chat'`` for messages about its keys, before they are checked."""
        if isinstance(node, yaml.MappingNode):
            try:
                pairs = self.merged(node, "a standard")
            except ProfileError:  # reported with the keys; the standard's own id names it meanwhile
                pairs = node.value
            for key_node, value_node in pairs:
                if key_node.value == "id" and isinstance(value_node, yaml.ScalarNode) and value_node.value.strip():
                    return f"standard {shorten(value_node.value.strip())}"
        return "a standard"

    def groupable(self, name: str, node: yaml.Node, what: str, kind: Kind) -> None:
        if name not in kind.groupable:
            hint = _nearest(name, list(kind.groupable))
            raise ProfileError(
                f"{what}: {name!r} is not a text field results can be filtered or grouped by"
                + (f"; did you mean {hint!r}?" if hint else "")
                + " Choose from: "
                + ", ".join(kind.groupable),
                self.at(node),
            )

    def statistic(self, item: tuple[yaml.Node, yaml.Node] | None, metric: Metric, label: str) -> Statistic:
        allowed = _statistic_names(metric)
        if item is None:
            return Statistic(kind=metric.default_statistic, text=metric.default_statistic)
        node = item[1]
        where = self.at(node)
        if isinstance(node, yaml.MappingNode):
            keys = self.mapping(node, f"{label}: statistic", ("share_within",))
            if "share_within" not in metric.statistics:
                raise ProfileError(
                    f"{label}: metric {metric.name} has no share_within statistic; use one of "
                    + ", ".join(allowed),
                    where,
                )
            if not keys:
                raise ProfileError(f"{label}: statistic: write {{share_within: 2m}}", where)
            limit_node = keys["share_within"][1]
            raw = self.scalar(limit_node, f"{label}: share_within")
            limit = self.quantity(raw, metric.unit, f"{label}: share_within", limit_node)
            return Statistic(kind="share_within", within=limit, text=f"share within {raw}")
        word = self.text(node, f"{label}: statistic")
        match = _QUANTILE.match(word)
        if match and "quantile" in metric.statistics:
            q = float(match.group(1))
            if not 0 < q < 100:
                instead = " (p0 is the minimum: write `statistic: min`)" if q == 0 else (
                    " (p100 is the maximum: write `statistic: max`)" if q == 100 else "")
                raise ProfileError(
                    f"{label}: statistic {word!r}: a percentile is above p0 and below p100, e.g. p0.5, p90, p99.9"
                    + instead,
                    where,
                )
            return Statistic(kind="quantile", q=q / 100, text=word)
        if word in metric.statistics and word not in ("quantile", "share_within"):
            return Statistic(kind=word, text=word)
        hint = _nearest(word, allowed)
        raise ProfileError(
            f"{label}: statistic {word!r} does not apply to {metric.name}"
            + (f"; did you mean {hint!r}?" if hint else "")
            + " Allowed: "
            + ", ".join(allowed),
            where,
        )

    def hours_only(self, keys: dict, metric: Metric, statistic: Statistic, label: str, calendar) -> None:
        """In business time a day is not 24 hours: ``3d`` would be 72 open hours (eight 9-hour
        business days), not three business days. Durations of a standard measured in a
        calendar are written in hours (or minutes, seconds)."""
        nodes = []
        if statistic.kind == "share_within":
            nodes.append(("share_within", self.mapping(keys["statistic"][1], f"{label}: statistic", None)["share_within"][1]))
        if not statistic.yields_fraction and metric.unit is Unit.SECONDS:
            nodes += [(k, keys[k][1]) for k in ("fail", "warn") if k in keys]
        for what, node in nodes:
            for scalar in (node.value if isinstance(node, yaml.SequenceNode) else [node]):
                text = str(getattr(scalar, "value", "")).lower().replace(" ", "")
                if re.search(r"\d(?:\.\d+)?[dw]", text):
                    raise ProfileError(
                        f"{label}: {what}: {scalar.value!r} is measured in the business hours of calendar "
                        f"{calendar.name!r}, where a day is not 24 hours of open time ({scalar.value} would "
                        "count 24 open hours a day); write open hours instead, e.g. 27h for three 9-hour business days",
                        self.at(scalar),
                    )

    def quantity(self, raw: Any, unit: Unit, what: str, node: yaml.Node) -> float:
        parser: Callable[[Any], float] = {
            Unit.SECONDS: parse_duration,
            Unit.FRACTION: parse_fraction,
        }.get(unit, parse_number)
        written = node.value if isinstance(node, yaml.ScalarNode) and node.style is None else None
        if written is not None and ":" in written and isinstance(raw, (int, float)) and not isinstance(raw, bool):
            # YAML 1.1 reads 1:30 as 90 (base 60): never what a threshold means.
            example = "1m30s" if unit is Unit.SECONDS else "a plain number such as 90"
            raise ProfileError(
                f"{what}: {written!r} is read by YAML as the number {raw} (base 60); write {example}",
                self.at(node),
            )
        try:
            return parser(raw)
        except UnitError as exc:
            read_as = ""
            if written is not None and isinstance(raw, (bool, int, float)) and str(raw).lower() != written.lower():
                read_as = f" (YAML reads {shorten(written)} as {raw!r})"
            raise ProfileError(f"{what}: {exc}{read_as}", self.at(node)) from None

    def target(
        self, keys: dict, metric: Metric, statistic: Statistic, label: str, where: str
    ) -> Target | None:
        present = [k for k in ("compare", "fail", "warn") if k in keys]
        if not present:
            return None  # reported only
        if "compare" not in keys or "fail" not in keys:
            raise ProfileError(
                f"{label}: a target needs both `compare` ({', '.join(COMPARISONS)}) and `fail`; "
                "leave out compare, fail and warn to report the value without a target",
                where,
            )
        compare_node = keys["compare"][1]
        compare = self.text(compare_node, f"{label}: compare")
        if compare not in COMPARISONS:
            hint = _nearest(compare, list(COMPARISONS))
            raise ProfileError(
                f"{label}: compare {compare!r} is not one of {', '.join(COMPARISONS)}"
                + (f"; did you mean {hint!r}?" if hint else ""),
                self.at(compare_node),
            )
        unit = Unit.FRACTION if statistic.yields_fraction else metric.unit
        fail = self.threshold(keys["fail"][1], compare, unit, f"{label}: fail")
        warn = self.threshold(keys["warn"][1], compare, unit, f"{label}: warn") if "warn" in keys else None
        target = Target(compare=compare, fail=fail, warn=warn)
        if warn is not None and not target.stricter_or_equal(warn, fail):
            raise ProfileError(
                f"{label}: warn must be stricter than fail (a value between them warns; one "
                f"beyond fail fails) for compare {compare}",
                self.at(keys["warn"][1]),
            )
        return target

    def threshold(self, node: yaml.Node, compare: str, unit: Unit, what: str) -> Any:
        if compare == "between":
            if not isinstance(node, yaml.SequenceNode) or len(node.value) != 2:
                raise ProfileError(f"{what}: between takes [low, high], e.g. [2, 4]", self.at(node))
            low, high = (self.quantity(self.scalar(n, what), unit, what, n) for n in node.value)
            if low > high:
                raise ProfileError(f"{what}: low is above high", self.at(node))
            return (low, high)
        return self.quantity(self.scalar(node, what), unit, what, node)

    def options(self, item: tuple[yaml.Node, yaml.Node] | None, metric: Metric, label: str) -> dict[str, Any]:
        values = {name: option.default for name, option in metric.options.items()}
        if item is None:
            return values
        allowed = tuple(metric.options)
        if not allowed:
            raise ProfileError(f"{label}: metric {metric.name} takes no options", self.at(item[1]))
        for name, (key_node, value_node) in self.mapping(item[1], f"{label}: options", allowed).items():
            try:
                values[name] = metric.options[name].parse(self.plain(value_node, f"{label}: options.{name}"))
            except ValueError as exc:
                raise ProfileError(f"{label}: options.{name}: {exc}", self.at(value_node)) from None
        return values


def _construct(node: yaml.ScalarNode) -> Any:
    """A scalar node's value with YAML's safe typing (ints, floats, bools, null, text)."""
    loader = yaml.SafeLoader("")
    try:
        return loader.construct_object(node, deep=True)
    finally:
        loader.dispose()


def _statistic_names(metric: Metric) -> list[str]:
    names = []
    for kind in metric.statistics:
        if kind == "quantile":
            names.append("pNN (e.g. p90)")
        elif kind == "share_within":
            names.append("{share_within: DURATION}")
        else:
            names.append(kind)
    return names


def _same_column(a: str, b: str) -> bool:
    """Two column names that pick the same header (matching ignores case and surrounding spaces)."""
    return a.strip().casefold() == b.strip().casefold()


def _nearest(word: str, choices: list[str]) -> str | None:
    found = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    return found[0] if found else None
