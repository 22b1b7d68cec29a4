"""Fuzzing the export readers and the profile loader.

Whatever the bytes, an input ends in a result or in a clean user error (``CsauditError``, exit
2 with one message through the CLI) - never a traceback, a hang or unbounded memory. Small
inputs run in process under hypothesis (derandomized: CI sees the same cases every run); the
large ones (10 MB cells, profiles of 100,000 standards, YAML bombs) run through the CLI in a
subprocess with a timeout and an address-space limit, which reports each case's exit code,
stderr and the peak memory.

The readers are reached only through the public ``audit()`` and the CLI.
"""

from __future__ import annotations

import gzip
import io
import json
import os
import re
import resource
import subprocess
import sys
import zipfile
from pathlib import Path

import polars as pl
import pytest
import zstandard
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from csaudit.cli import app
from csaudit.engine import audit
from csaudit.errors import CsauditError, ProfileError
from csaudit.profile.loader import MAX_PROFILE_BYTES, MAX_STANDARDS, load_profile, parse_profile
from csaudit.render import FORMATS, FormatChoice

REPO = Path(__file__).resolve().parent.parent

FUZZ = settings(
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

PROFILE_TEXT = """\
csaudit_profile: 1
name: fuzz
defaults: {required: false}
standards:
  - {id: frt, title: FRT, metric: first_response_time, statistic: p90, each: channel}
  - {id: asa, title: ASA, metric: speed_of_answer, statistic: {share_within: 20s}}
  - {id: waiting, title: Waiting, metric: waiting_count, each: channel}
  - {id: backlog, title: Backlog, metric: backlog_flow, statistic: median}
  - {id: fcr, title: FCR, metric: first_contact_resolution}
  - {id: aht, title: AHT, metric: average_handle_time, statistic: max}
  - {id: csat, title: CSAT, metric: csat, each: priority}
  - {id: abandon, title: Abandonment, metric: abandonment_rate, options: {short_abandon: 5s}}
"""
PROFILE = parse_profile(PROFILE_TEXT, "fuzz.yaml")

HEADER = "id,channel,priority,created_at,queued_at,first_response_at,abandoned,abandoned_at,resolved_at,handle_seconds,csat"
ROWS = [
    "1,chat,P1,2024-01-01 10:00:00,2024-01-01 10:00:05,2024-01-01 10:00:50,no,,2024-01-01 11:00:00,300,5",
    "2,phone,P2,2024-01-01 10:00:10,,,yes,2024-01-01 10:01:00,,,",
    '3,"Email, web",P3,2024-01-02T09:00:00Z,,2024-01-02T12:00:00Z,,,2024-01-03T09:00:00Z,120.5,4',
    "4,chat,p1,2024-01-02 10:00:00,2024-01-02 10:00:01,2024-01-02 10:00:31,false,,,60,",
    "5,,P4,2024-01-03 08:00:00.250,,2024-01-03 08:30:00,0,,2024-01-04 08:00:00,n/a,2",
]
VALID_CSV = (HEADER + "\n" + "\n".join(ROWS) + "\n").encode()


#: Exceptions of reader bugs already pinned by xfail tests: counted as known so that the random
#: cases keep looking for new bugs. Remove one when its bug is fixed (its xfail test then XPASSes).
KNOWN_READER_BUGS: tuple[type[BaseException], ...] = ()


def outcome(path: Path) -> str:
    """Audit ``path``: "result" (rendered as text and JSON) or "error" (a CsauditError with a
    message). Anything else propagates and fails the test."""
    try:
        result = audit(PROFILE, path)
    except CsauditError as exc:
        assert str(exc).strip(), "a user error needs a message"
        return "error"
    except KNOWN_READER_BUGS:
        return "known bug"
    for choice in (FormatChoice.text, FormatChoice.json):
        assert FORMATS[choice]().render(result).endswith("\n")
    return "result"


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    return tmp_path_factory.mktemp("fuzz")


# -- export readers, in process -----------------------------------------------------------------

#: What the readers recognise by content: Parquet, workbooks and zip, OLE2, gzip, zstd, JSON,
#: UTF-8 and UTF-16 byte-order marks.
MAGIC = (b"", b"", b"PAR1", b"PK\x03\x04", b"\xd0\xcf\x11\xe0", b"\x1f\x8b", b"\x28\xb5\x2f\xfd",
         b"[", b"{", b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")
SUFFIXES = (".csv", ".tsv", ".json", ".parquet", ".xlsx", ".gz", ".txt")
@settings(FUZZ, max_examples=60)
@given(st.sampled_from(MAGIC), st.binary(max_size=600), st.sampled_from(SUFFIXES))
def test_random_bytes(folder, magic, body, suffix):
    path = folder / f"random{suffix}"
    path.write_bytes(magic + body)
    outcome(path)


#: Characters that matter to CSV readers: separators, quotes, line ends, NUL, BOM, spaces.
CSV_ALPHABET = st.sampled_from(list(',;|\t"\'\n\r \x00\ufeff\u00a0') + list("abcxyz019:-./TZ+") + ["2024-01-01 10:00:00", "é", "😀"])


@settings(FUZZ, max_examples=30)
@given(st.lists(CSV_ALPHABET, max_size=120).map("".join))
def test_csv_shaped_text_after_a_real_header(folder, body):
    path = folder / "shaped.csv"
    path.write_bytes((HEADER + "\n").encode() + body.encode("utf-8", "surrogatepass"))
    outcome(path)


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-10**20, 10**20) | st.floats(allow_nan=False)
    | st.sampled_from(["", "chat", "2024-01-01 10:00:00", "2024-01-01T10:00:00Z", "yes", "n/a", "id"]),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(
        st.sampled_from(["id", "channel", "created_at", "first_response_at", "via", "a.b", "", "tickets", "data"]),
        inner, max_size=5,
    ),
    max_leaves=25,
)


@settings(FUZZ, max_examples=40)
@given(JSON_VALUES, st.sampled_from(("plain", "records", "wrapped", "ndjson")))
def test_json_shaped_input(folder, value, shape):
    """JSON and NDJSON exports of any shape: nested records, mixed types, odd keys."""
    if shape == "records":
        value = [value, value] if isinstance(value, dict) else [{"id": 1, "x": value}]
    elif shape == "wrapped":
        value = {"tickets": value}
    if shape == "ndjson":
        text = "\n".join(json.dumps(v) for v in (value if isinstance(value, list) else [value]))
    else:
        text = json.dumps(value)
    path = folder / ("shaped.ndjson" if shape == "ndjson" else "shaped.json")
    path.write_text(text)
    outcome(path)


def _formats() -> dict[str, bytes]:
    """The valid export in every format the readers take."""
    frame = pl.read_csv(io.BytesIO(VALID_CSV), infer_schema=False)
    records = frame.to_dicts()
    parquet = io.BytesIO()
    frame.write_parquet(parquet)
    zipped = io.BytesIO()
    with zipfile.ZipFile(zipped, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("export.csv", VALID_CSV)
    return {
        "csv": VALID_CSV,
        "utf16.csv": VALID_CSV.decode().encode("utf-16"),
        "csv.gz": gzip.compress(VALID_CSV),
        "csv.zst": zstandard.ZstdCompressor().compress(VALID_CSV),
        "zip": zipped.getvalue(),
        "json": json.dumps({"tickets": records}).encode(),
        "ndjson": "\n".join(json.dumps(r) for r in records).encode() + b"\n",
        "parquet": parquet.getvalue(),
    }


FORMATS_BYTES = _formats()


@pytest.mark.parametrize("name", sorted(FORMATS_BYTES))
def test_every_format_of_the_valid_export_is_audited(folder, name):
    path = folder / f"valid.{name}"
    path.write_bytes(FORMATS_BYTES[name])
    assert outcome(path) == "result"


@settings(FUZZ, max_examples=40)
@given(st.sampled_from(sorted(FORMATS_BYTES)), st.floats(0, 1, exclude_max=True), st.integers(0, 255), st.booleans())
def test_truncated_or_damaged_files(folder, name, where, byte, truncate):
    """Cut short anywhere (mid-record, mid-quote, mid-character, mid-compressed-block), or one
    byte replaced."""
    data = FORMATS_BYTES[name]
    at = int(where * len(data))
    data = data[:at] if truncate else data[:at] + bytes([byte]) + data[at + 1 :]
    path = folder / f"damaged.{name}"
    path.write_bytes(data)
    outcome(path)


def _damaged(name: str) -> bytes:
    data = bytearray(FORMATS_BYTES[name])
    data[len(data) // 8 if name != "csv.zst" else len(data) // 2] = 0
    return bytes(data)


@pytest.mark.parametrize("name", ["csv.gz", "zip", "csv.zst"])
def test_damaged_compressed_data_is_a_clean_error(folder, name):
    """Damaged deflate data raises zlib.error and damaged zstd data zstandard.ZstdError inside
    the decompressor: both are reported as damage, naming the file."""
    path = folder / f"damaged.{name}"
    path.write_bytes(_damaged(name))
    with pytest.raises(CsauditError, match=rf"^{path}: the compressed data is damaged or cut short \(.+\)$"):
        audit(PROFILE, path)


def test_damaged_compressed_data_through_the_cli(folder):
    path = folder / "damaged-cli.csv.zst"
    path.write_bytes(_damaged("csv.zst"))
    (folder / "fuzz.yaml").write_text(PROFILE_TEXT)
    result = CliRunner().invoke(app, ["check", str(path), "-p", str(folder / "fuzz.yaml")])
    assert result.exit_code == 2 and result.stdout == "", result.output
    assert result.stderr.startswith(f"error: {path}: the compressed data is damaged or cut short")
    assert "Traceback" not in result.stderr and result.stderr.count("\n") == 1


# -- decompression bombs: limits checked with small limits, to stay fast ---------------------------

#: 4 MB of one repeated row: gzip makes it about 1,000 times smaller, zstd far more.
REPEATED = (HEADER + "\n").encode() + (ROWS[0] + "\n").encode() * 40_000


def _bombs() -> dict[str, bytes]:
    zipped = io.BytesIO()
    with zipfile.ZipFile(zipped, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("export.csv", REPEATED)
    inner = io.BytesIO()
    with zipfile.ZipFile(inner, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("export.csv.gz", gzip.compress(REPEATED))
    return {
        "csv.gz": gzip.compress(REPEATED, 9),
        "csv.zst": zstandard.ZstdCompressor(level=19).compress(REPEATED),
        "zip": zipped.getvalue(),
        "gz.zip": inner.getvalue(),  # nested: measured against the file given, not each layer
    }


BOMBS = _bombs()


@pytest.fixture
def small_limits(monkeypatch):
    """The ratio limit from 64 kB of output on, at 100 times; no export beyond 8 MB."""
    monkeypatch.setattr("csaudit.readers.RATIO_FLOOR", 64_000)
    monkeypatch.setattr("csaudit.readers.MAX_RATIO", 100)
    monkeypatch.setattr("csaudit.readers.MAX_DECOMPRESSED", 8_000_000)
    monkeypatch.delenv("CSAUDIT_MAX_DECOMPRESSED", raising=False)


@pytest.mark.parametrize("name", sorted(BOMBS))
def test_decompression_bombs_are_stopped(folder, small_limits, name):
    data = BOMBS[name]
    assert len(REPEATED) > 100 * len(data) and len(REPEATED) > 64_000
    path = folder / f"bomb.{name}"
    path.write_bytes(data)
    with pytest.raises(CsauditError) as caught:
        audit(PROFILE, path)
    message = str(caught.value)
    assert re.match(rf"{path}: [\d.]+ (kB|bytes) decompresses to more than [\d.]+ MB \(over 100 times", message), message
    assert "(over 100 times its size): that is a decompression bomb" in message
    assert "set CSAUDIT_MAX_DECOMPRESSED to a larger size" in message and "=none for no limit" in message


def test_decompression_limit_through_the_cli_and_the_way_out(folder, small_limits, monkeypatch):
    path = folder / "big.csv.gz"
    path.write_bytes(BOMBS["csv.gz"])
    (folder / "fuzz.yaml").write_text(PROFILE_TEXT)
    args = ["check", str(path), "-p", str(folder / "fuzz.yaml"), "--format", "json"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 2 and "decompression bomb" in result.stderr, result.output
    assert result.stderr.count("\n") == 1 and result.stdout == ""
    # A user with a genuinely large file sets the variable: that size is then the only limit.
    result = CliRunner().invoke(app, args, env={"CSAUDIT_MAX_DECOMPRESSED": "5MB"})
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["input"]["rows"] == 40_000
    for limit in ("4MB", "4000000", "3.8 MiB"):  # all under the 4,000,114 bytes decompressed
        result = CliRunner().invoke(app, args, env={"CSAUDIT_MAX_DECOMPRESSED": limit})
        assert result.exit_code == 2, limit
        assert "decompresses to more than 4 MB, the limit on a decompressed export" in result.stderr
    result = CliRunner().invoke(app, args, env={"CSAUDIT_MAX_DECOMPRESSED": "none"})
    assert result.exit_code == 0, result.output
    result = CliRunner().invoke(app, args, env={"CSAUDIT_MAX_DECOMPRESSED": "lots"})
    assert result.exit_code == 2
    assert result.stderr == "error: CSAUDIT_MAX_DECOMPRESSED='lots': not a size; give e.g. 200GB, 500MB, 1TiB, a number of bytes, or none\n"


def test_absolute_decompression_limit(folder, small_limits, monkeypatch):
    """An ordinary ratio, but more output than any export: refused at the limit."""
    monkeypatch.setattr("csaudit.readers.MAX_RATIO", 10_000)
    monkeypatch.setattr("csaudit.readers.MAX_DECOMPRESSED", 1_000_000)
    path = folder / "large.csv.gz"
    path.write_bytes(BOMBS["csv.gz"])
    with pytest.raises(CsauditError, match=rf"^{path}: decompresses to more than 1 MB, the limit on a decompressed export; csaudit stopped"):
        audit(PROFILE, path)
    # Under the limits, the same file is audited (the limits are not off by a chunk).
    monkeypatch.setattr("csaudit.readers.MAX_DECOMPRESSED", len(REPEATED))
    assert audit(PROFILE, path).input_rows == 40_000


# -- the profile loader, in process -------------------------------------------------------------


def loaded_or_clean_error(text: str) -> None:
    try:
        parse_profile(text, "fuzz.yaml")
    except ProfileError as exc:
        assert str(exc).startswith("fuzz.yaml"), "a profile error names the file"


YAML_ALPHABET = st.sampled_from(
    list("[]{}:,-&*!|>'\"#%@`?\n \t") + ["csaudit_profile: 1\n", "name: x\n", "standards:\n", "  - ",
     "id: a", "metric: csat", "title: t", "&a ", "*a", "<<: ", "!!python/object:os.system ", "\ufeff", "1e9", "~"]
)


@settings(FUZZ, max_examples=150)
@given(st.lists(YAML_ALPHABET, max_size=60).map("".join))
def test_yaml_shaped_text(text):
    loaded_or_clean_error(text)


STANFORD = (REPO / "standards" / "stanford.yaml").read_text(encoding="utf-8")


@settings(FUZZ, max_examples=25)
@given(st.lists(st.tuples(st.floats(0, 1, exclude_max=True), st.integers(0, 6), st.sampled_from(list(" :-[]{}\n#&*'\"x1%"))), min_size=1, max_size=4))
def test_mutated_builtin_profile(edits):
    """A real profile with characters deleted, inserted or replaced."""
    text = STANFORD
    for where, length, char in edits:
        at = int(where * len(text))
        text = text[:at] + (char * (length % 3)) + text[at + length :]
    loaded_or_clean_error(text)


@settings(FUZZ, max_examples=30)
@given(st.binary(max_size=400))
def test_random_bytes_as_a_profile_file(folder, data):
    path = folder / "random.yaml"
    path.write_bytes(data)
    try:
        load_profile(str(path))
    except ProfileError:
        pass


def test_deep_nesting_is_a_clean_error():
    """Refused at the first collection too deep, with its location (PyYAML would recurse past
    Python's limit, and slow down with every open flow level)."""
    for text in (
        "csaudit_profile: 1\nname: deep\nstandards: " + "[" * 100_000 + "]" * 100_000,
        "csaudit_profile: 1\nname: deep\nstandards: " + "{a: " * 3_000 + "1" + "}" * 3_000,
        "csaudit_profile: 1\nname: deep\nstandards:\n" + "".join("  " * i + "- \n" for i in range(1, 100)),
    ):
        with pytest.raises(ProfileError, match=r"deep.yaml:\d+:\d+: not valid YAML: lists or mappings nested more than 32 deep"):
            parse_profile(text, "deep.yaml")
    # Many collections at a legal depth are read (and refused for what they are).
    unit = "[" * 25 + "]" * 25
    with pytest.raises(ProfileError, match="a standard must be a mapping"):
        parse_profile("csaudit_profile: 1\nname: deep\nstandards: [" + ", ".join([unit] * 20) + "]", "deep.yaml")


def _laughs(where: str) -> str:
    """A "billion laughs" document: 10 nested levels of 10 aliases, 10^10 leaves if expanded.
    Each anchor is defined where it is first used, so the YAML is valid."""
    bomb = "&b1 [" + ", ".join(["*a0"] * 10) + "]"
    for i in range(2, 11):
        bomb = f"&b{i} [{bomb}, " + ", ".join([f"*b{i - 1}"] * 9) + "]"
    head = 'csaudit_profile: 1\nname: lol\ndescription: &a0 "lol"\n'
    if where == "standards":
        return head + f"standards: {bomb}\n"
    if where == "options":
        return head + f"standards:\n  - {{id: a, title: t, metric: speed_of_answer, options: {{live_channels: {bomb}}}}}\n"
    return head + f"standards:\n  - {{id: a, title: t, metric: csat, filter: {{channel: {bomb}}}}}\n"


@pytest.mark.parametrize("where", ["standards", "options", "filter"])
def test_billion_laughs_is_not_expanded(where):
    text = _laughs(where)
    assert len(text) < 5_000
    with pytest.raises(ProfileError):
        parse_profile(text, "laughs.yaml")


def test_aliases_that_share_a_value_still_work():
    """Anchors are not refused: sharing options between standards is legitimate YAML."""
    profile = parse_profile(
        "csaudit_profile: 1\nname: shared\nstandards:\n"
        "  - {id: a, title: A, metric: speed_of_answer, options: &live {live_channels: [chat, phone]}}\n"
        "  - {id: b, title: B, metric: abandonment_rate, options: *live}\n",
        "shared.yaml",
    )
    assert [s.options["live_channels"] for s in profile.standards] == [("chat", "phone")] * 2


def _standards(count: int) -> str:
    items = "".join(f"  - {{id: s{i}, title: t, metric: csat}}\n" for i in range(count))
    return "csaudit_profile: 1\nname: many\nstandards:\n" + items


def test_profile_size_and_standard_count_limits(folder, monkeypatch):
    # 1,001 standards, well under the byte limit: refused with the count and the way out.
    assert MAX_STANDARDS == 1_000 and len(_standards(1_001)) < MAX_PROFILE_BYTES
    with pytest.raises(ProfileError, match=r"many.yaml:4:3: 1,001 standards; a profile holds at most 1,000 .*each"):
        parse_profile(_standards(1_001), "many.yaml")
    # The limit itself is allowed (checked with a small limit, to stay fast).
    monkeypatch.setattr("csaudit.profile.loader.MAX_STANDARDS", 3)
    assert len(parse_profile(_standards(3)).standards) == 3
    with pytest.raises(ProfileError, match="4 standards; a profile holds at most 3"):
        parse_profile(_standards(4))
    # A huge file is refused after reading no more than the limit (here a sparse 1 GB file).
    huge = folder / "huge.yaml"
    with huge.open("wb") as handle:
        handle.truncate(1 << 30)
    with pytest.raises(ProfileError, match="larger than 250,000 bytes"):
        load_profile(str(huge))


# -- large inputs, through the CLI in a subprocess with limits ------------------------------------

TIMEOUT = 180  # seconds for all the large cases: far above what they take; reaching it is a hang
ADDRESS_SPACE = 3 << 30  # a runaway allocation fails here instead of swapping the machine
PEAK_RSS = 1 << 30  # the bound the cases must stay under

# Runs each case through the CLI's entry point in one process (one start-up for all), with
# stdout and stderr captured per case, and prints one JSON line per case: the exit code, the
# stderr text (its ends) and length, the process's peak RSS so far, and the time taken.
DRIVER = r"""
import io, json, resource, sys, time
from csaudit.cli import main
for name, args in json.loads(sys.argv[1]).items():
    began = time.perf_counter()
    out, err = io.TextIOWrapper(io.BytesIO(), "utf-8"), io.StringIO()
    sys.stdout, sys.stderr, sys.argv = out, err, ["csaudit", *args]
    try:
        main()
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 2)
    finally:
        sys.stdout, sys.stderr = sys.__stdout__, sys.__stderr__
    text = err.getvalue()
    text = text if len(text) <= 6000 else text[:3000] + text[-3000:]
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    print(json.dumps({"name": name, "code": code, "stderr": text, "stderr_chars": len(err.getvalue()), "peak": peak, "seconds": time.perf_counter() - began}),
          flush=True)
"""


def _limit_address_space() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (ADDRESS_SPACE, ADDRESS_SPACE))


BIG = "x" * 10_000_000
LARGE_CASES = {
    # name: (file name, content)
    "huge-text-cell": ("cell.csv", HEADER + "\n" + ROWS[0].replace(",chat,", f",{BIG},", 1) + "\n" + ROWS[1] + "\n"),
    "huge-timestamp-cell": ("stamp.csv", HEADER + "\n" + ROWS[0] + "\n" + ROWS[1].replace("2024-01-01 10:01:00", BIG) + "\n"),
    "huge-header": ("header.csv", HEADER + "," + BIG[:1_000_000] + "\n" + ROWS[0] + ",x\n"),
    "unterminated-quote": ("quote.csv", HEADER + '\n1,"chat,' + "\n".join(ROWS * 20_000) + "\n"),
    "one-line-no-newline": ("line.csv", BIG),
}
HOSTILE_PROFILES = ("profile-of-100000-standards", "billion-laughs-profile", "deeply-nested-profile")


@pytest.fixture(scope="module")
def large_runs(tmp_path_factory):
    """Every large case through the CLI: name → {"code", "stderr", "stderr_chars", "peak"}."""
    folder = tmp_path_factory.mktemp("large")
    (folder / "fuzz.yaml").write_text(PROFILE_TEXT)
    cases = {name: ["check", file, "-p", "fuzz.yaml", "--format", "json"] for name, (file, _) in LARGE_CASES.items()}
    for file, content in LARGE_CASES.values():
        (folder / file).write_text(content)
    std = "  - id: s{i}\n    title: Standard {i}\n    metric: first_response_time\n    statistic: p90\n"
    (folder / "many.yaml").write_text("csaudit_profile: 1\nname: many\nstandards:\n" + "".join(std.format(i=i) for i in range(100_000)))
    (folder / "laughs.yaml").write_text(_laughs("options"))
    (folder / "deep.yaml").write_text("csaudit_profile: 1\nname: deep\nstandards: " + "[" * 100_000 + "]" * 100_000)
    cases.update(zip(HOSTILE_PROFILES, (["validate", "many.yaml"], ["validate", "laughs.yaml"], ["validate", "deep.yaml"])))
    env = dict(os.environ, POLARS_MAX_THREADS="2", PYTHONPATH=str(REPO), NO_COLOR="1", COLUMNS="120")
    env.pop("CSAUDIT_DEBUG", None)
    try:
        done = subprocess.run(
            [sys.executable, "-c", DRIVER, json.dumps(cases)], cwd=folder, env=env, capture_output=True,
            text=True, timeout=TIMEOUT, preexec_fn=_limit_address_space,
        )
    except subprocess.TimeoutExpired as exc:
        finished = [json.loads(line)["name"] for line in (exc.stdout or b"").decode().splitlines()]
        pytest.fail(f"hang: the large cases did not finish in {TIMEOUT} s (finished: {finished})")
    results = {r["name"]: r for r in map(json.loads, done.stdout.splitlines())}
    missing = [name for name in cases if name not in results]
    assert not missing, f"the driver died (exit {done.returncode}) at {missing[0]}: {done.stderr[-3000:]}"
    return results


@pytest.mark.parametrize("name", [*LARGE_CASES, *HOSTILE_PROFILES])
def test_large_input_ends_cleanly_within_bounded_memory(large_runs, name):
    run = large_runs[name]
    code, stderr = run["code"], run["stderr"]
    assert code in (0, 1, 2), stderr
    assert "Traceback" not in stderr and "internal error" not in stderr and "panicked" not in stderr, stderr
    if code == 2:
        assert stderr.startswith("error: "), stderr
    assert run["peak"] < PEAK_RSS, f"peak RSS {run['peak'] / 1e6:.0f} MB"


@pytest.mark.parametrize("name", HOSTILE_PROFILES)
def test_hostile_profiles_are_refused(large_runs, name):
    run = large_runs[name]
    assert run["code"] == 2 and run["stderr"].count("\n") <= 2, run["stderr"]


@pytest.mark.parametrize(
    "name",
    [
        "huge-timestamp-cell",
        "unterminated-quote",
        "huge-header",
    ],
)
def test_error_messages_stay_short_whatever_the_input(large_runs, name):
    """An error is one readable message, even when the offending cell or line is 10 MB."""
    chars = large_runs[name]["stderr_chars"]
    assert chars < 4_000, f"{chars:,} characters on stderr"
