"""Where does ``csaudit check`` spend its time? A diagnostic, not a test.

    /work/venv/bin/python benchmarks/profile_check.py [FILE] [--profile stanford]

FILE defaults to the cached 1,000,000-row export of ``bench_check.py``. Reports:

* import time of polars and of csaudit's CLI modules;
* ``csaudit.ingest.open_export`` (header, sample, format choice);
* how many times the optimised plan of ``pl.collect_all`` scans the CSV
  (``Csv SCAN`` nodes in ``pl.explain_all``; 1 means common-subplan elimination shares it);
* the audit's ``pl.collect_all`` as it is, and with the canonical frame wrapped in
  ``LazyFrame.cache()`` (one shared scan);
* the canonical frame alone, the floor, and each query run on an in-memory canonical frame.

It reaches into ``csaudit.engine`` (it replaces ``engine._collect`` to capture the query list
and ``engine.open_export`` to swap the frame), so it may need updating when the engine changes.
Nothing is written; nothing under ``csaudit/`` is modified on disk.
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

_t = time.perf_counter()
import polars as pl  # noqa: E402

IMPORT_POLARS = time.perf_counter() - _t
_t = time.perf_counter()
import csaudit.cli  # noqa: E402,F401
from csaudit import engine, ingest, tables  # noqa: E402
from csaudit.profile.loader import load_profile  # noqa: E402

IMPORT_CSAUDIT = time.perf_counter() - _t

from generate import TIMESTAMP_COLUMNS, TIMESTAMP_FORMAT  # noqa: E402


class _Captured(Exception):
    pass


def _cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def timed(label: str, fn, runs: int = 3):
    walls, cpus, result = [], [], None
    for _ in range(runs):
        c, t = _cpu(), time.perf_counter()
        result = fn()
        walls.append(time.perf_counter() - t)
        cpus.append(_cpu() - c)
    print(f"  {label:<58} {min(walls):7.3f} s wall (best of {runs}) {min(cpus):7.2f} s cpu")
    return result


def capture(profile, path, frame_hook=None, zone="UTC"):
    """The query list the engine would pass to collect_all, and its Export."""
    captured = {}
    original_open, original_collect = tables.open_export, engine._collect

    def open_export(*args, **kwargs):
        export = original_open(*args, **kwargs)
        if frame_hook:
            export.frame = frame_hook(export.frame)
        return export

    def collect(export, queries):
        captured["queries"], captured["export"] = queries, export
        raise _Captured

    tables.open_export, engine._collect = open_export, collect
    try:
        engine.audit(profile, path, timezone=zone)  # the CLI benchmarks' -z UTC
    except _Captured:
        pass
    finally:
        tables.open_export, engine._collect = original_open, original_collect
    return captured["queries"], captured["export"]


def _query_names(profile, export, zone="UTC") -> list[str]:
    """Names of the engine's queries after the quality one: measurable standards, then labels,
    then the duplicate-id check (mirrors engine.audit's order; a guess if the engine changes)."""
    present = export.present
    names = [
        f"standard {standard.id} ({standard.metric})"
        for standard in profile.standards
        if not engine.unmeasurable(standard, present, export, zone)[0]
    ]
    grouped = sorted({f for s in profile.standards for f in s.each if f in present})
    return names + [f"group labels: {f} (mode of raw text)" for f in grouped] + ["duplicate ids"]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file", nargs="?", type=Path, default=HERE / "out" / "export_1000000_s0.csv")
    parser.add_argument("--profile", default="stanford")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)
    if not args.file.exists():
        parser.error(f"{args.file}: no such file (run benchmarks/bench_check.py or generate.py first)")
    path, runs = str(args.file), args.runs
    profile = load_profile(args.profile)

    print(f"{path}  (polars {pl.__version__})")
    print(f"  {'import polars':<58} {IMPORT_POLARS:7.3f} s")
    print(f"  {'import csaudit (cli, engine, render)':<58} {IMPORT_CSAUDIT:7.3f} s")
    wanted = engine._wanted_fields(profile)
    export = timed("ingest.open_export (header + sample + formats)", lambda: ingest.open_export(path, {}, wanted), runs)
    print(f"  timestamp formats chosen: {sorted(set(export.timestamp_formats.values()))}")

    queries, export = capture(profile, path)
    plan = pl.explain_all(queries)
    print(f"  queries in collect_all: {len(queries)}; Csv SCAN nodes in the optimised plan: {plan.count('Csv SCAN')}")
    cached_queries, _ = capture(profile, path, frame_hook=lambda f: f.cache())
    print(f"  ... with export.frame.cache(): {pl.explain_all(cached_queries).count('Csv SCAN')} Csv SCAN node(s)")

    print("whole plan")
    timed("pl.collect_all(queries) as the engine runs it", lambda: pl.collect_all(queries), runs)
    timed("pl.collect_all(queries) with export.frame.cache()", lambda: pl.collect_all(cached_queries), runs)

    print("canonical frame vs floor")
    timed(
        "floor: scan_csv(all strings) + to_datetime x5",
        lambda: pl.scan_csv(path, infer_schema=False)
        .with_columns(pl.col(c).str.to_datetime(TIMESTAMP_FORMAT) for c in TIMESTAMP_COLUMNS)
        .collect(),
        runs,
    )
    canonical = timed("export.frame.collect() (canonical frame, with __raw)", lambda: export.frame.collect(), runs)
    parsed_only = [c for c in canonical.columns if not c.endswith("__raw")]
    print(
        f"  canonical frame: {canonical.width} columns, {canonical.estimated_size() / 1e6:.0f} MB "
        f"({canonical.select(parsed_only).estimated_size() / 1e6:.0f} MB without __raw columns)"
    )

    print("queries on an in-memory canonical frame")
    memory_queries, _ = capture(profile, path, frame_hook=lambda f: canonical.lazy())
    timed("pl.collect_all(all queries)", lambda: pl.collect_all(memory_queries), runs)
    labels = ["data quality checks"] + _query_names(profile, export)
    labels += [f"query {i}" for i in range(len(labels), len(memory_queries))]
    for i, query in enumerate(memory_queries):
        timed(labels[i], lambda q=query: q.collect(), runs)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
