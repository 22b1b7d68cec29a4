"""Benchmark business-time durations: the stanford audit in calendar time vs in business hours.

    /work/venv/bin/python benchmarks/bench_business_time.py            # 1,000,000 rows, best of 3
    /work/venv/bin/python benchmarks/bench_business_time.py --rows 200000 --runs 5

The export is ``benchmarks/generate.py``'s (cached as ``benchmarks/out/export_<rows>_s<seed>.csv``),
whose timestamps have no offset, so every run reads them as America/Los_Angeles time
(``--timezone``). Three commands, each run in a fresh process (start-up and imports included),
alternating, best time of each:

* utc: the built-in ``stanford`` profile with its eight per-priority standards (respond-p1 …
  resolve-p4) in calendar time, timestamps read as UTC (no ``--timezone``): the audit as it
  was before business hours;
* calendar: the same profile in calendar time, with ``--timezone America/Los_Angeles``;
* business: the built-in ``stanford`` profile, whose per-priority standards use its business
  calendar (Mon–Fri 08:00–17:00 America/Los_Angeles, US holidays), same ``--timezone``.

The calendar-time profile is the built-in one with its ``calendar: stanford`` lines removed,
written to ``benchmarks/out/stanford_calendar_time.yaml``. Target: business ≤ 2 × calendar.
Each run reports wall time and CPU time (user + system, from ``getrusage`` of its one child),
which is steadier than wall time on a shared machine.

Then, in this process, the durations alone: the canonical frame is read into memory once, and
the eight per-priority standards are built and collected on it in calendar time and in
business time (best of ``--runs``), so the calendar's own cost is seen apart from reading the
file. Results go to ``benchmarks/out/bench_business_time_<rows>.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
OUT = HERE / "out"
sys.path.insert(0, str(HERE))

from bench_check import export_path, warm_page_cache  # noqa: E402
from generate import write  # noqa: E402

# Runs argv[1:] as a child; prints its wall time, CPU time, peak RSS and exit code as JSON.
WRAPPER = r"""
import json, resource, subprocess, sys, time
began = time.perf_counter()
proc = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
seconds = time.perf_counter() - began
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps({"seconds": seconds, "cpu": usage.ru_utime + usage.ru_stime, "max_rss_kb": usage.ru_maxrss,
                  "returncode": proc.returncode, "stderr": proc.stderr.decode("utf-8", "replace")[-2000:]}))
"""


def measure(command: list[str], env: dict[str, str]) -> dict:
    done = subprocess.run([sys.executable, "-c", WRAPPER, *command], cwd=REPO, env=env, capture_output=True, text=True, check=True)
    return json.loads(done.stdout)


def durations_alone(path: Path, plain: Path, runs: int) -> dict[str, dict[str, float]]:
    """The eight per-priority standards on an in-memory canonical frame: best wall and CPU
    seconds in calendar time and in business time."""
    import polars as pl

    sys.path.insert(0, str(REPO))
    from csaudit.engine import _wanted_fields
    from csaudit.ingest import open_export
    from csaudit.metrics import REGISTRY
    from csaudit.metrics.base import BuildContext
    from csaudit.profile.loader import load_profile

    business, calendar = load_profile("stanford"), load_profile(str(plain))
    export = open_export(path, {}, _wanted_fields(business), timezone=ZONE)
    frame = export.frame.collect().lazy()
    best = {}
    for name, profile in (("calendar", calendar), ("business", business)):
        chosen = [s for s in profile.standards if s.id.startswith(("respond-p", "resolve-p"))]
        queries = []
        for standard in chosen:
            narrowed = frame.filter(pl.all_horizontal([pl.col(f).is_in(list(v)) for f, v in standard.filter.items()]))
            context = BuildContext(frame=narrowed, present=export.present, each=standard.each, options=standard.options,
                                   filter_fields=frozenset(standard.filter))
            queries.append(REGISTRY[standard.metric].build(context, standard))
        pl.collect_all(queries)  # the first run builds the calendar's table
        walls, cpus = [], []
        for _ in range(runs):
            wall, cpu = time.perf_counter(), time.process_time()
            pl.collect_all(queries)
            walls.append(time.perf_counter() - wall)
            cpus.append(time.process_time() - cpu)
        best[name] = {"seconds": min(walls), "cpu": min(cpus)}
    return best

TARGET_RATIO = 2.0
ZONE = "America/Los_Angeles"


def calendar_time_profile() -> Path:
    """The built-in stanford profile with every standard in calendar time."""
    text = (REPO / "standards" / "stanford.yaml").read_text(encoding="utf-8")
    lines = [line for line in text.splitlines(keepends=True) if line.strip() != "calendar: stanford"]
    assert len(lines) < len(text.splitlines()), "the stanford profile names no calendar"
    path = OUT / "stanford_calendar_time.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(lines), encoding="utf-8")
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="rows of the generated export (default 1,000,000)")
    parser.add_argument("--seed", type=int, default=0, help="generator seed (default 0)")
    parser.add_argument("--runs", type=int, default=3, help="runs of each command; the best counts (default 3)")
    args = parser.parse_args(argv)

    path = export_path(args.rows, args.seed)
    if not path.exists():
        print(f"generating {path.name} ({args.rows:,} rows) ...", file=sys.stderr)
        began = time.perf_counter()
        write(args.rows, path, args.seed)
        print(f"  done in {time.perf_counter() - began:.1f} s", file=sys.stderr)
    warm_page_cache(path)
    plain = calendar_time_profile()

    env = dict(os.environ)
    env.pop("POLARS_VERBOSE", None)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    check = [sys.executable, "-m", "csaudit", "check", str(path), "--format", "json"]
    commands = {
        "utc": [*check, "--profile", str(plain)],
        "calendar": [*check, "--profile", str(plain), "--timezone", ZONE],
        "business": [*check, "--profile", "stanford", "--timezone", ZONE],
    }
    runs: dict[str, list[dict]] = {name: [] for name in commands}
    for i in range(args.runs):
        for name, command in commands.items():
            result = measure(command, env)
            if result["returncode"] not in (0, 1):
                print(f"{name} run {i + 1} failed with exit code {result['returncode']}:\n{result['stderr']}", file=sys.stderr)
                return 2
            runs[name].append({"seconds": result["seconds"], "cpu": result["cpu"], "max_rss_mb": result["max_rss_kb"] / 1024})
            print(f"  run {i + 1} {name:<8} {result['seconds']:7.2f} s  cpu {result['cpu']:7.2f} s  "
                  f"{result['max_rss_kb'] / 1024:7.0f} MB", file=sys.stderr)

    best = {name: min(r["seconds"] for r in rs) for name, rs in runs.items()}
    cpu = {name: min(r["cpu"] for r in rs) for name, rs in runs.items()}
    peak = {name: max(r["max_rss_mb"] for r in rs) for name, rs in runs.items()}
    alone = durations_alone(path, plain, args.runs)
    ratio = best["business"] / best["calendar"]
    results = {
        "file": str(path),
        "rows": args.rows,
        "runs_each": args.runs,
        "seconds": {k: round(v, 3) for k, v in best.items()},
        "cpu_seconds": {k: round(v, 3) for k, v in cpu.items()},
        "peak_rss_mb": {k: round(v) for k, v in peak.items()},
        "durations_alone": {k: {m: round(x, 3) for m, x in v.items()} for k, v in alone.items()},
        "ratio_business_calendar": round(ratio, 2),
        "ratio_business_calendar_cpu": round(cpu["business"] / cpu["calendar"], 2),
        "target_ratio": TARGET_RATIO,
        "within_target": ratio <= TARGET_RATIO,
        "runs": runs,
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count(), "platform": platform.platform()},
    }
    print()
    print(f"export  {path.name}: {args.rows:,} rows   (best of {args.runs})")
    print(f"{'':<10}{'seconds':>9}{'cpu s':>9}{'peak RSS MB':>13}")
    for name in commands:
        print(f"{name:<10}{best[name]:>9.2f}{cpu[name]:>9.2f}{peak[name]:>13.0f}")
    print("the eight per-priority standards alone, in memory:")
    for name, value in alone.items():
        print(f"{name:<10}{value['seconds']:>9.3f}{value['cpu']:>9.3f}")
    verdict = "within" if ratio <= TARGET_RATIO else "OVER"
    print(f"ratio business/calendar: {ratio:.2f}x wall, {cpu['business'] / cpu['calendar']:.2f}x cpu "
          f"({verdict} the {TARGET_RATIO}x target)")
    out = OUT / f"bench_business_time_{args.rows}.json"
    out.write_text(json.dumps(results, indent=2) + "\n")
    print(f"results: {out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
