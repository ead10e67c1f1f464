"""Benchmarks for communitygov: ``python -m bench`` (``make bench``) runs them all.

Two workloads, each timed in the same run as its yardsticks:

- :mod:`bench.machinery`: bare matters driven through the whole standard procedure, against a
  hand-written baseline (a dict ``{(state, action): next}`` and ``attrs.evolve``) and against
  ``transitions`` used the naive way (one ``Machine`` per object).
- :mod:`bench.realistic`: matters with 30-member bodies and 10 opinions each, with a profile of
  where the time goes.

This module holds the measuring helpers both use. Candidates take turns batch by batch (A B C,
then C B A, …) so a machine that speeds up or slows down during the run affects them alike;
every timed run starts after ``gc.collect()`` and runs with the cyclic collector disabled, for
every candidate the same way; the figure kept is the median of the rounds, and a ratio is the
median of the ratios taken round by round.
"""

from __future__ import annotations

import gc
import statistics
import time
import tracemalloc
from collections.abc import Callable, Mapping, Sequence
from typing import Any

__all__ = [
    "Candidate",
    "Timings",
    "interleaved",
    "paired_ratio",
    "retained_bytes",
    "timed",
    "verdict",
]

Candidate = tuple[Callable[[], Any], Callable[[Any], Any]]
"""A setup (not timed) and a run (timed) taking what the setup returned."""

Timings = dict[str, list[int]]
"""Nanoseconds per round, by candidate name."""


def timed(setup: Callable[[], Any], run: Callable[[Any], Any]) -> int:
    """Nanoseconds ``run(setup())`` takes, with the cyclic collector off while it runs.

    What ``run`` returns is kept alive until the clock has stopped, so freeing it is not timed.
    """
    given = setup()
    gc.collect()
    gc.disable()
    try:
        start = time.perf_counter_ns()
        kept = run(given)
        elapsed = time.perf_counter_ns() - start
    finally:
        gc.enable()
    del kept, given
    return elapsed


def interleaved(candidates: Mapping[str, Candidate], rounds: int, batches: int = 1) -> Timings:
    """Time every candidate over ``batches`` batches per round, alternating their order.

    Within a round the candidates take turns batch by batch (A B C, C B A, A B C …), so a
    burst of load from elsewhere on a shared machine hits them alike; a round's figure is the
    sum of its batches.
    """
    names = list(candidates)
    timings: Timings = {name: [] for name in names}
    for number in range(rounds):
        totals = dict.fromkeys(names, 0)
        for batch in range(batches):
            order = names if (number + batch) % 2 == 0 else names[::-1]
            for name in order:
                setup, run = candidates[name]
                totals[name] += timed(setup, run)
        for name in names:
            timings[name].append(totals[name])
    gc.collect()
    return timings


def median(values: Sequence[float]) -> float:
    """The median of ``values``."""
    return float(statistics.median(values))


def paired_ratio(numerators: Sequence[float], denominators: Sequence[float]) -> float:
    """The median over rounds of ``numerator / denominator``, each pair from the same round."""
    return median([n / d for n, d in zip(numerators, denominators, strict=True)])


def retained_bytes(build: Callable[[], Any], count: int) -> float:
    """Bytes per object still allocated, by ``tracemalloc``, after ``build()`` made ``count``.

    ``build`` runs once untraced first so that one-off caches are not charged to the objects.
    """
    warm = build()
    del warm
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        kept = build()
        gc.collect()
        after = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
    del kept
    gc.collect()
    return (after - before) / count


def verdict(passed: bool) -> str:
    """``PASS`` or ``FAIL``."""
    return "PASS" if passed else "FAIL"
