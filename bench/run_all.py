"""Every benchmark of the project at its documented size, one after the other: what `make bench` runs.

    .venv/bin/python bench/run_all.py [--only coverage,review_queue]
    BENCH_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/gocua_bench .venv/bin/python bench/run_all.py

Each benchmark measures SQLite (its file under bench/out/, or BENCH_OUT, built on the first run
and reused) and, when BENCH_DATABASE_URL names one, PostgreSQL (filled by seed-bench when it has
no households). Their output passes through as it comes: ``BENCH <name> <value> <unit>`` lines
for the figures, ``#`` lines for context. At the end, how many figures came out and the
benchmarks that failed or could not run; exits 1 if any did.
"""

import argparse
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable

# (name, script) in the order they run. The scripts measure SQLite and, with BENCH_DATABASE_URL,
# PostgreSQL in one run; submit_load and crash_safety measure the one database they are given, so
# they run once per database.
BENCHMARKS = (
    ("page_weight", ["bench/page_weight.py"]),
    ("household_search", ["bench/household_search.py"]),
    ("review_queue", ["bench/review_queue.py"]),
    ("task_pages", ["bench/task_pages.py"]),
    ("coverage", ["bench/coverage.py"]),
    ("training", ["bench/training.py"]),
    ("submit_load", ["bench/submit_load.py"]),
    ("mixed_load", ["bench/mixed_load.py"]),
    ("crash_safety", ["bench/crash_safety.py"]),
)
# Measured against PostgreSQL only (gunicorn and several writers at once): skipped without
# BENCH_DATABASE_URL, with a # line.
POSTGRESQL_ONLY = {"mixed_load"}
# Run once per database, the database given in BENCH_DATABASE_URL or SQLite without it.
PER_DATABASE = {"submit_load", "crash_safety"}


def runs(name: str, script: list[str]):
    """(label, command, environment) of each run of one benchmark."""
    env = dict(os.environ)
    if name not in PER_DATABASE:
        yield name, [PYTHON, *script], env
        return
    sqlite_env = {k: v for k, v in env.items() if k != "BENCH_DATABASE_URL"}
    yield f"{name} (sqlite)", [PYTHON, *script], sqlite_env
    if env.get("BENCH_DATABASE_URL"):
        yield f"{name} (postgresql)", [PYTHON, *script], env


def missing_tool(name: str) -> str | None:
    if name == "submit_load" and shutil.which("wrk") is None:
        return "wrk is not installed (Debian: apt-get install wrk)"
    return None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", help="comma-separated names: " + ", ".join(n for n, _ in BENCHMARKS))
    args = parser.parse_args()
    wanted = set(args.only.split(",")) if args.only else {n for n, _ in BENCHMARKS}
    unknown = wanted - {n for n, _ in BENCHMARKS}
    if unknown:
        parser.error(f"unknown benchmark: {', '.join(sorted(unknown))}")
    figures, problems = 0, []
    if not os.environ.get("BENCH_DATABASE_URL"):
        print("# BENCH_DATABASE_URL is not set: SQLite only", flush=True)
    for name, script in BENCHMARKS:
        if name not in wanted:
            continue
        if name in POSTGRESQL_ONLY and not os.environ.get("BENCH_DATABASE_URL"):
            print(f"# {name}: skipped on SQLite, it measures PostgreSQL (set BENCH_DATABASE_URL)", flush=True)
            continue
        reason = missing_tool(name)
        if reason:
            problems.append(f"{name}: not run, {reason}")
            print(f"# {name}: not run, {reason}", flush=True)
            continue
        for label, command, env in runs(name, script):
            print(f"# == {label}", flush=True)
            started = time.perf_counter()
            process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True)
            for line in process.stdout:
                sys.stdout.write(line)
                sys.stdout.flush()
                if line.startswith("BENCH "):
                    figures += 1
            code = process.wait()
            print(f"# {label}: {time.perf_counter() - started:.0f} s, exit {code}", flush=True)
            if code:
                problems.append(f"{label}: exit {code}")
    print(f"# == {figures} figures", flush=True)
    for problem in problems:
        print(f"# FAILED {problem}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
