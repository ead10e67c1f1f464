"""Realistic: matters with 30-member bodies and 10 opinions each, and where their time goes.

Every matter follows the standard 一征三议两公开 procedure to the end through the public
commands: raised, ten opinions from residents, the solicitation closed, three deliberations
(the party committee's 30 members, the two committees' 60 at their joint meeting, the 30
representatives; each meeting with two members absent and three votes against), the resolution
published, the work started, one progress report, completed, the result published, closed. That
is 21 commands per matter.

The cost per matter is timed over several rounds (median); a ``cProfile`` run over a sample
shows where it goes, by function and by module.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import io
import pstats
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from datetime import date, datetime, timedelta

import attrs

from bench import interleaved, median, retained_bytes
from bench.machinery import PROCEDURE, RAISED_AT
from communitygov import (
    BodyKind,
    Channel,
    Choice,
    Community,
    Matter,
    Meeting,
    MotionSource,
    Opinion,
    Outcome,
    Stance,
    Vote,
)

__all__ = ["main", "run"]

BODY_SIZE = 30
OPINIONS = 10
PROFILE_SAMPLE = 2_000
COMMANDS_PER_MATTER = 1 + OPINIONS + 10


def community_of_thirties() -> Community:
    """A community whose bodies have 30 members each, and 200 other residents."""
    at = RAISED_AT - timedelta(days=60)
    community, _ = Community.register("realistic", "三十人社区", at=at)
    bodies = (
        ("pc", BodyKind.PARTY_COMMITTEE),
        ("rc", BodyKind.RESIDENTS_COMMITTEE),
        ("rep", BodyKind.REPRESENTATIVES_ASSEMBLY),
        ("sup", BodyKind.SUPERVISION_COMMITTEE),
    )
    for prefix, body in bodies:
        for number in range(BODY_SIZE):
            person = f"{prefix}{number}"
            community, _ = community.register_person(person, f"成员{person}", at=at)
            community, _ = community.appoint(person, body, start=date(2024, 1, 1), at=at)
    for number in range(200):
        community, _ = community.register_person(f"r{number}", f"居民{number}", at=at)
    return community


def _meeting(body: BodyKind, people: Sequence[str], plan: str | None = None) -> Meeting:
    """All but two members present, three of those present voting against."""
    present = list(people)[2:]
    votes = [Vote(person, Choice.NO if k < 3 else Choice.YES) for k, person in enumerate(present)]
    return Meeting(
        body=body,
        present=present,
        votes=votes,
        outcome=Outcome.ADOPTED,
        plan=plan,
        minutes="会议记录",
    )


@attrs.frozen
class Scenario:
    """The community, the minutes and the opinions every matter reuses, and the times."""

    community: Community
    meetings: tuple[Meeting, Meeting, Meeting]
    opinions: tuple[tuple[Opinion, datetime], ...]
    closes_at: datetime
    implement_at: datetime
    close_at: datetime

    @classmethod
    def build(cls) -> Scenario:
        """The scenario, with its times taken from a probe matter."""
        community = community_of_thirties()
        party = [f"pc{n}" for n in range(BODY_SIZE)]
        residents_committee = [f"rc{n}" for n in range(BODY_SIZE)]
        representatives = [f"rep{n}" for n in range(BODY_SIZE)]
        meetings = (
            _meeting(BodyKind.PARTY_COMMITTEE, party, plan="楼道照明改造方案"),
            _meeting(BodyKind.TWO_COMMITTEES, party + residents_committee),
            _meeting(BodyKind.REPRESENTATIVES_ASSEMBLY, representatives),
        )
        opinions = tuple(
            (
                Opinion(f"o{n}", f"r{n}", Channel.HOUSEHOLD_VISIT, Stance.SUPPORT, "支持改造"),
                RAISED_AT + timedelta(hours=n + 1),
            )
            for n in range(OPINIONS)
        )
        probe = cls(community, meetings, opinions, RAISED_AT, RAISED_AT, RAISED_AT)
        matter, _ = probe.raise_matter("probe").open_solicitation(at=RAISED_AT)
        closes_at = matter.solicitation_closes_at
        assert closes_at is not None
        implement_at = closes_at + timedelta(days=14)
        return cls(
            community, meetings, opinions, closes_at, implement_at, implement_at + timedelta(30)
        )

    def raise_matter(self, matter_id: str) -> Matter:
        """A new matter on the standard procedure."""
        matter, _ = Matter.raise_matter(
            matter_id,
            community=self.community,
            procedure=PROCEDURE,
            title="楼道照明改造",
            description="三号楼楼道照明老化, 居民建议更换",
            source=MotionSource.RESIDENTS,
            raised_by="r0",
            at=RAISED_AT,
        )
        return matter

    def lifecycle(self, matter_id: str) -> Matter:
        """One matter from raising to closing, by the public commands."""
        community = self.community
        first, second, third = self.meetings
        closes_at, implement_at = self.closes_at, self.implement_at
        matter = self.raise_matter(matter_id)
        matter, _ = matter.open_solicitation(at=RAISED_AT)
        for opinion, at in self.opinions:
            matter, _ = matter.record_opinion(opinion, community=community, at=at)
        matter, _ = matter.close_solicitation(at=closes_at)
        matter, _ = matter.deliberate(first, community=community, at=closes_at)
        matter, _ = matter.deliberate(second, community=community, at=closes_at)
        matter, _ = matter.deliberate(third, community=community, at=closes_at)
        matter, _ = matter.publicise_resolution("决议: 更换照明", place="公示栏", at=closes_at)
        matter, _ = matter.start_implementation(by="rc0", community=community, at=implement_at)
        matter, _ = matter.record_progress(
            "已更换一半", by="rc0", community=community, at=implement_at
        )
        matter, _ = matter.complete("照明已更换", cost_fen=1_250_000, at=implement_at)
        matter, _ = matter.publicise_result("结果: 已完成", place="公示栏", at=implement_at)
        matter, _ = matter.close(at=self.close_at)
        return matter


def lifecycles(scenario: Scenario, ids: Sequence[str]) -> list[Matter]:
    """Every matter from raising to closing."""
    lifecycle = scenario.lifecycle
    return [lifecycle(matter_id) for matter_id in ids]


def _area(filename: str) -> str:
    """Which part of the code a profiled function belongs to."""
    if "/communitygov/" in filename:
        return "communitygov/" + filename.rsplit("/communitygov/", 1)[1]
    if filename.startswith("<attrs generated"):
        return "attrs-generated __init__ (events, records, aggregates)"
    if filename.startswith("<communitygov slots"):
        return "compiled copies, constructors and __init__s (kernel/slots.py, generated)"
    if filename == "~":
        return "built-ins (isinstance, sorted, frozenset, dict …)"
    if "/bench/" in filename:
        return "bench (the driving loop)"
    if "/site-packages/" in filename:
        return filename.split("/site-packages/", 1)[1].split("/", 1)[0] + " (library)"
    return "stdlib " + "/".join(filename.rsplit("/", 2)[-2:])


def profile_summary(scenario: Scenario, count: int, top: int = 15) -> list[str]:
    """The profile of ``count`` lifecycles: top functions and the share of each module."""
    ids = [f"p{number}" for number in range(count)]
    profiler = cProfile.Profile()
    gc.collect()
    profiler.enable()
    lifecycles(scenario, ids)
    profiler.disable()
    lines: list[str] = []
    for order in ("tottime", "cumulative"):
        buffer = io.StringIO()
        stats = pstats.Stats(profiler, stream=buffer)
        stats.strip_dirs().sort_stats(order).print_stats(top)
        text = buffer.getvalue()
        body = text[text.index("   ncalls") :].rstrip().splitlines()
        lines.append(f"Top {top} functions by {order} ({count:,} matters under cProfile):")
        lines.extend("  " + line for line in body)
        lines.append("")
    by_area: dict[str, float] = defaultdict(float)
    raw = pstats.Stats(profiler).stats  # type: ignore[attr-defined]
    total = 0.0
    for (filename, _line, _name), (_cc, _nc, tottime, _ct, _callers) in raw.items():
        by_area[_area(filename)] += tottime
        total += tottime
    lines.append("Own time by module (share of the profiled total):")
    for area, seconds in sorted(by_area.items(), key=lambda item: -item[1])[:top]:
        lines.append(f"  {100 * seconds / total:5.1f}%  {area}")
    return lines


def run(matters: int, rounds: int, *, show: Callable[[str], None] = print) -> None:
    """Run the realistic workload and print the cost per matter and the profile."""
    scenario = Scenario.build()
    ids = [f"m{number}" for number in range(matters)]
    show(
        f"Realistic: {matters:,} matters, bodies of {BODY_SIZE} (60 at the joint meeting), "
        f"{OPINIONS} opinions each, {COMMANDS_PER_MATTER} commands per matter; {rounds} rounds, "
        "median."
    )
    started = time.perf_counter()
    timings = interleaved({"realistic": (lambda: ids, lambda i: lifecycles(scenario, i))}, rounds)
    per_matter_us = median([t / matters / 1000 for t in timings["realistic"]])
    sample = min(matters, PROFILE_SAMPLE)
    kb = retained_bytes(lambda: lifecycles(scenario, ids[:sample]), sample) / 1024
    show(
        f"  {per_matter_us:,.0f} µs per matter ({per_matter_us / COMMANDS_PER_MATTER:.1f} µs per "
        f"command on average); {kb:.1f} KB per closed matter (tracemalloc, {sample:,} matters); "
        f"rounds took {time.perf_counter() - started:.0f} s."
    )
    groups = sorted(
        PROCEDURE.solicitation.constituencies,
        key=lambda group: (group.body is not None, group.value),
    )
    order = ", ".join(group.value for group in groups)
    show(
        "  Eligibility of an opinion's author is checked group by group, residents first (any "
        f"resident qualifies without a seat), then by name: {order}."
    )
    show("")
    for line in profile_summary(scenario, sample):
        show(line)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the realistic workload alone: ``python -m bench.realistic``."""
    parser = argparse.ArgumentParser(prog="python -m bench.realistic", description=__doc__)
    parser.add_argument("--matters", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args(argv)
    run(args.matters, args.rounds)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
