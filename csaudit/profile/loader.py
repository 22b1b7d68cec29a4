"""Load and validate profiles.

Every error names ``file:line:column``, the key, what was expected and, for a misspelt key
or metric, the nearest valid one. The YAML is composed into nodes (so positions are known)
and never constructed into arbitrary Python objects.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import yaml

from csaudit.errors import ProfileError
from csaudit.fields import FIELDS, GROUPABLE
from csaudit.metrics import REGISTRY
from csaudit.metrics.base import Metric, Unit
from csaudit.profile.model import COMPARISONS, Profile, Standard, Statistic, Target
from csaudit.units import UnitError, parse_duration, parse_fraction, parse_number

FORMAT_VERSION = 1
# Installed, the built-in profiles are package data (csaudit/standards); in a source checkout
# they are the repository's top-level standards/ folder.
_BUILTIN_DIRS = (
    Path(__file__).resolve().parent.parent / "standards",
    Path(__file__).resolve().parent.parent.parent / "standards",
)

_TOP_KEYS = ("csaudit_profile", "name", "title", "description", "source", "mapping", "defaults", "standards")
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
_QUANTILE = re.compile(r"^p(\d{1,2}(?:\.\d+)?)$")


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
    path = Path(name_or_path)
    if path.is_file():
        return path
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
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise ProfileError(f"not UTF-8 text (byte {exc.start})", str(path)) from None
    except OSError as exc:
        raise ProfileError(f"cannot read the file: {exc.strerror}", str(path)) from None
    return parse_profile(text, str(path))


def parse_profile(text: str, filename: str = "<profile>") -> Profile:
    """Validate profile text; ``filename`` is used in error locations."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"{filename}:{mark.line + 1}:{mark.column + 1}" if mark else filename
        raise ProfileError(f"not valid YAML: {exc.problem or exc.context}", where) from None
    except yaml.YAMLError as exc:
        raise ProfileError(f"not valid YAML: {exc}", filename) from None
    if root is None:
        raise ProfileError("the profile is empty", filename)
    return _Reader(filename).profile(root)


@dataclass
class _Reader:
    filename: str

    # -- positions and plain values -------------------------------------------------------
    def at(self, node: yaml.Node) -> str:
        return f"{self.filename}:{node.start_mark.line + 1}:{node.start_mark.column + 1}"

    def mapping(self, node: yaml.Node, what: str, allowed: tuple[str, ...] | None) -> dict[str, tuple[yaml.Node, yaml.Node]]:
        if not isinstance(node, yaml.MappingNode):
            raise ProfileError(f"{what} must be a mapping of keys to values", self.at(node))
        out: dict[str, tuple[yaml.Node, yaml.Node]] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                raise ProfileError(f"{what}: keys must be plain words", self.at(key_node))
            key = key_node.value
            if key in out:
                raise ProfileError(f"{what}: key {key!r} appears twice", self.at(key_node))
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

    def scalar(self, node: yaml.Node, what: str) -> Any:
        if not isinstance(node, yaml.ScalarNode):
            raise ProfileError(f"{what} must be a single value, not a list or mapping", self.at(node))
        try:
            return _construct(node)
        except (yaml.YAMLError, ValueError, TypeError) as exc:
            problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
            raise ProfileError(f"{what}: cannot read the value {node.value!r} ({problem})", self.at(node)) from None

    def text(self, node: yaml.Node, what: str) -> str:
        value = self.scalar(node, what)
        if not isinstance(value, str) or not value.strip():
            raise ProfileError(f"{what} must be text, got {value!r}", self.at(node))
        return value.strip()

    def texts(self, node: yaml.Node, what: str) -> tuple[str, ...]:
        """One word or a list of words."""
        if isinstance(node, yaml.ScalarNode):
            return (self.text(node, what),)
        if isinstance(node, yaml.SequenceNode) and node.value:
            return tuple(self.text(item, what) for item in node.value)
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

    def plain(self, node: yaml.Node) -> Any:
        """A scalar, or a list of scalars, as Python values (for metric options)."""
        if isinstance(node, yaml.SequenceNode):
            return [self.scalar(item, "a list item") for item in node.value]
        return self.scalar(node, "an option")

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
        name = self.text(keys["name"][1], "name")
        defaults = {"min_sample": 1, "required": True}
        if "defaults" in keys:
            dkeys = self.mapping(keys["defaults"][1], "defaults", _DEFAULT_KEYS)
            if "min_sample" in dkeys:
                defaults["min_sample"] = self.positive_int(dkeys["min_sample"][1], "defaults.min_sample")
            if "required" in dkeys:
                defaults["required"] = self.boolean(dkeys["required"][1], "defaults.required")
        mapping = {}
        if "mapping" in keys:
            mapping = self.field_mapping(keys["mapping"][1])
        standards_node = keys["standards"][1]
        if not isinstance(standards_node, yaml.SequenceNode) or not standards_node.value:
            raise ProfileError("standards must be a non-empty list", self.at(standards_node))
        standards = []
        seen: dict[str, str] = {}
        for item in standards_node.value:
            standard = self.standard(item, defaults)
            if standard.id in seen:
                raise ProfileError(
                    f"standard id {standard.id!r} is used twice (first at {seen[standard.id]})",
                    standard.location,
                )
            seen[standard.id] = standard.location
            standards.append(standard)
        return Profile(
            name=name,
            title=self.text(keys["title"][1], "title") if "title" in keys else name,
            description=self.text(keys["description"][1], "description") if "description" in keys else "",
            source=self.text(keys["source"][1], "source") if "source" in keys else "",
            mapping=mapping,
            standards=tuple(standards),
            version=version,
            path=self.filename,
        )

    def field_mapping(self, node: yaml.Node) -> dict[str, str]:
        out = {}
        for field_name, (key_node, value_node) in self.mapping(node, "mapping", None).items():
            if field_name not in FIELDS:
                hint = _nearest(field_name, list(FIELDS))
                raise ProfileError(
                    f"mapping: {field_name!r} is not a canonical field"
                    + (f"; did you mean {hint!r}?" if hint else "")
                    + " (fields are listed in STANDARDS.md §1 and by `csaudit metrics`)",
                    self.at(key_node),
                )
            out[field_name] = self.text(value_node, f"mapping.{field_name} (a column name)")
        return out

    def standard(self, node: yaml.Node, defaults: dict[str, Any]) -> Standard:
        keys = self.mapping(node, "a standard", _STANDARD_KEYS)
        where = self.at(node)
        for required in ("id", "title", "metric"):
            if required not in keys:
                raise ProfileError(f"a standard is missing required key {required!r}", where)
        sid = self.text(keys["id"][1], "id")
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
        statistic = self.statistic(keys.get("statistic"), metric, label)
        target = self.target(keys, metric, statistic, label, where)
        options = self.options(keys.get("options"), metric, label)
        filters: dict[str, tuple[str, ...]] = {}
        if "filter" in keys:
            for fname, (fkey, fvalue) in self.mapping(keys["filter"][1], f"{label}: filter", None).items():
                self.groupable(fname, fkey, f"{label}: filter")
                filters[fname] = tuple(v.lower() for v in self.texts(fvalue, f"{label}: filter.{fname}"))
        each: tuple[str, ...] = ()
        if "each" in keys:
            each_node = keys["each"][1]
            each = self.texts(each_node, f"{label}: each")
            for fname in each:
                self.groupable(fname, each_node, f"{label}: each")
            if len(set(each)) != len(each):
                raise ProfileError(f"{label}: each names a field twice", self.at(each_node))
        return Standard(
            id=sid,
            title=self.text(keys["title"][1], f"{label}: title"),
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
            note=self.text(keys["note"][1], f"{label}: note") if "note" in keys else "",
            location=where,
        )

    def groupable(self, name: str, node: yaml.Node, what: str) -> None:
        if name not in GROUPABLE:
            hint = _nearest(name, list(GROUPABLE))
            raise ProfileError(
                f"{what}: {name!r} is not a text field results can be filtered or grouped by"
                + (f"; did you mean {hint!r}?" if hint else "")
                + " Choose from: "
                + ", ".join(GROUPABLE),
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
                raise ProfileError(f"{label}: statistic {word!r}: a percentile is between p1 and p99", where)
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

    def quantity(self, raw: Any, unit: Unit, what: str, node: yaml.Node) -> float:
        parser: Callable[[Any], float] = {
            Unit.SECONDS: parse_duration,
            Unit.FRACTION: parse_fraction,
        }.get(unit, parse_number)
        try:
            return parser(raw)
        except UnitError as exc:
            raise ProfileError(f"{what}: {exc}", self.at(node)) from None

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
                values[name] = metric.options[name].parse(self.plain(value_node))
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


def _nearest(word: str, choices: list[str]) -> str | None:
    found = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    return found[0] if found else None
