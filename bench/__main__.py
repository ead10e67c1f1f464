"""``python -m bench``: run every benchmark and print their tables.

Usage::

    python -m bench                  # 10,000 matters per workload (a few minutes)
    python -m bench --quick          # a small smoke run (well under half a minute)
    python -m bench --matters 2000   # another size
    python -m bench --only realistic
    python -m bench --only storage   # SQLite and PostgreSQL against eventsourcing

Each target is printed PASS or FAIL. With ``--check`` the exit status is 1 when a machinery
target fails, so a CI job can notice a regression (the figures of a quick run are rough).
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from collections.abc import Sequence

from bench import machinery, realistic, storage

QUICK_MATTERS = 400
QUICK_REALISTIC_MATTERS = 150


def main(argv: Sequence[str] | None = None) -> int:
    """Parse the arguments, run the chosen workloads, return the exit status."""
    parser = argparse.ArgumentParser(
        prog="python -m bench", description="communitygov benchmarks (see docs/performance.md)"
    )
    parser.add_argument(
        "--matters", type=int, default=None, help="matters per workload (default 10,000)"
    )
    parser.add_argument("--quick", action="store_true", help="a small smoke run")
    parser.add_argument("--rounds", type=int, default=None, help="timed rounds per candidate")
    parser.add_argument("--only", choices=("machinery", "realistic", "storage"), default=None)
    parser.add_argument(
        "--check", action="store_true", help="exit with status 1 when a target fails"
    )
    args = parser.parse_args(argv)

    matters = args.matters or (QUICK_MATTERS if args.quick else 10_000)
    realistic_matters = args.matters or (QUICK_REALISTIC_MATTERS if args.quick else 10_000)
    rounds = args.rounds or (3 if args.quick else 5)
    started = time.perf_counter()
    print(
        f"communitygov benchmarks — Python {platform.python_version()} on {platform.machine()}, "
        f"{os.cpu_count()} CPUs{' (quick run: rough figures)' if args.quick else ''}"
    )
    passed = True
    if args.only in (None, "machinery"):
        print()
        passed = machinery.run(matters, rounds)
    if args.only in (None, "realistic"):
        print()
        realistic.run(realistic_matters, max(2, rounds - 2))
    if args.only in (None, "storage"):
        print()
        storage.run(
            args.matters or (storage.QUICK_MATTERS if args.quick else 10_000),
            max(2, rounds - 3),
        )
    print()
    print(f"Done in {time.perf_counter() - started:.0f} s.")
    sys.stdout.flush()
    return 1 if args.check and not passed else 0


if __name__ == "__main__":
    raise SystemExit(main())
