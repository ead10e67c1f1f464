"""Hypothesis strategies for matters: one raised in a generated community and driven along its
procedure by random valid commands, with the events that made it.

Use them through :mod:`communitygov.testing.strategies`, which re-exports them. Needs the
``testing`` extra (Hypothesis).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import attrs

from communitygov.errors import MissingExtra
from communitygov.kernel.aggregate import Decision
from communitygov.kernel.checks import shows_something
from communitygov.kernel.events import Event
from communitygov.kernel.periods import last_day
from communitygov.kernel.voting import Tally
from communitygov.matters.matter import Matter
from communitygov.matters.presets import PROCEDURES
from communitygov.matters.procedure import Constituency, MatterState, Procedure
from communitygov.matters.records import Channel, MotionSource, Opinion, Outcome, Stance
from communitygov.organisation.community import Community
from communitygov.testing import _meetings
from communitygov.testing._meetings import DEFAULT_START, meetings

try:
    from hypothesis import assume
    from hypothesis import strategies as st
    from hypothesis.errors import InvalidArgument
except ImportError as exc:  # pragma: no cover - only without the extra
    raise MissingExtra("communitygov.testing", "testing") from exc

__all__ = ["GeneratedMatter", "matters", "matters_with_events"]


@attrs.frozen
class GeneratedMatter:
    """A matter driven along by random valid commands, with what surrounds it.

    Attributes:
        community: The community it was raised in (as :func:`communities` builds one).
        matter: The matter after its last command.
        events: Every event its commands returned, oldest first: what a store keeps, and what
            :meth:`~communitygov.Matter.replay` folds back into ``matter``.
        community_events: The events that built ``community``, where they are known (the
            default communities, or ``communities=`` drawing ``(community, events)`` pairs
            as :func:`communities_with_events` does); empty otherwise.
    """

    community: Community
    matter: Matter
    events: tuple[Event, ...]
    community_events: tuple[Event, ...] = ()

    def records(self) -> tuple[Decision[Any], ...]:
        """The community and the matter with their events, in the order a store takes them
        (``for decision in generated.records(): gov.create(decision)``).

        Raises:
            InvalidArgument: the community's events are not known.
        """
        if not self.community_events:
            raise InvalidArgument(
                "the community's events are not known: draw communities with "
                "communities_with_events() to store the matter's community with it"
            )
        return ((self.community, self.community_events), (self.matter, self.events))


_WEIGHTS = {
    "withdraw": 1,
    "reject": 2,
    "reject_and_end": 1,
    "uphold_objection": 16,
    "raise_objection": 12,
    "record_opinion": 10,
    "record_progress": 6,
}
_DEFAULT_WEIGHT = 20
"""How often each command is drawn, relative to the others (:data:`_DEFAULT_WEIGHT` unless
named): the commands that move a matter on come up most, withdrawing it (which ends the walk)
least, so that most walks get far along their procedure."""


class _Walk:
    """A matter driven along by valid commands, with its events and a clock."""

    def __init__(
        self,
        matter: Matter,
        events: tuple[Event, ...],
        community: Community,
        until: str | None = None,
    ) -> None:
        self.matter = matter
        self.events = list(events)
        self.community = community
        self.until = until
        """The state the walk must end in, if any: it never ends the matter in another."""
        self.weights = _WEIGHTS if until is None else _weights_towards(until)
        self.zone = ZoneInfo(community.timezone)
        last = matter.last_at
        assert last is not None
        self.now = last

    @property
    def procedure(self) -> Procedure:
        return self.matter.procedure

    def do(self, decision: Decision[Matter]) -> None:
        self.matter, events = decision
        self.events += events
        last = self.matter.last_at
        assert last is not None
        self.now = last

    def today(self) -> date:
        return self.community.local_date(self.now)

    def wait_until(self, moment: datetime) -> None:
        self.now = max(self.now, moment)

    def step(self, draw: st.DrawFn, *, staying: bool = False) -> bool:
        """Take one command the matter allows now (with ``staying``, only one that leaves
        it in its state); ``False`` if there is none to take."""
        self.now += timedelta(hours=draw(st.integers(0, 72), label="hours later"))
        weights = self.weights
        state, table = self.matter.state, self.procedure.workflow.table
        choices = [
            action
            for action in self.procedure.workflow.allowed(state)
            if self._possible(action) and (not staying or table[state, action] == state)
            for _ in range(weights.get(action, _DEFAULT_WEIGHT))
        ]
        if not choices:
            return False
        action = draw(st.sampled_from(choices), label="action")
        getattr(self, f"_{action}")(draw)
        return True

    def linger(self, draw: st.DrawFn) -> None:
        """Take a few commands that leave the matter in its state: opinions, objections and
        their dismissal, progress."""
        for _ in range(draw(st.integers(0, 6), label="commands in this state")):
            if not self.step(draw, staying=True):
                return

    # --- what can be done now ----------------------------------------------------------

    def _possible(self, action: str) -> bool:
        matter = self.matter
        if self.until is not None and not self._may_end_here(action):
            return False
        if action == "record_opinion":
            closes_at = matter.solicitation_closes_at
            assert closes_at is not None
            return self.now < closes_at and bool(self._eligible(self._opinion_groups()))
        if action in ("adopt", "reject", "reject_and_end"):
            body = self.procedure.step(matter.state).body
            return bool(self.community.members_of(body, self._meeting_day()))
        if action == "raise_objection":
            resolution = matter.resolution
            assert resolution is not None
            assert resolution.ends_at is not None
            return self.now < resolution.ends_at and bool(self._eligible(self._objectors()))
        if action in ("uphold_objection", "dismiss_objection"):
            return bool(matter.pending_objections()) and bool(self._ruling_sizes())
        if action == "start_implementation":
            return not matter.pending_objections()
        return True

    def _may_end_here(self, action: str) -> bool:
        """Whether ``action`` keeps the walk able to end in :attr:`until`: it does not end the
        matter in another state (withdrawn, or rejected for good)."""
        ending = _ENDINGS.get(action)
        if ending is None or (
            action == "reject" and self.procedure.step(self.matter.state).on_reject is not None
        ):
            return True  # a rejection that sends the matter back ends nothing
        return self.until == ending

    def _opinion_groups(self) -> frozenset[Constituency]:
        rules = self.procedure.solicitation
        return frozenset() if rules is None else rules.constituencies

    def _objectors(self) -> frozenset[Constituency]:
        return self.procedure.resolution_publicity.objectors

    def _eligible(self, groups: frozenset[Constituency]) -> list[str]:
        day = self.today()
        return [
            person
            for person in sorted(self.community.people)
            if any(
                group.body is None or self.community.is_member(person, group.body, day)
                for group in groups
            )
        ]

    def _rulers(self) -> list[str]:
        objector = self.matter.pending_objections()[0].by
        body = self.procedure.resolution_publicity.ruling_body
        day = self.today()
        may_rule = self.community.members_of(body, day) - self.community.without_vote(body, day)
        return sorted(may_rule - {objector})

    def _ruling_sizes(self) -> list[int]:
        """How many of :meth:`_rulers` may rule together under the procedure's ruling
        rule."""
        rule = self.procedure.resolution_publicity.ruling_rule
        may_rule = len(self._rulers())
        return [
            size
            for size in range(1, may_rule + 1)
            if rule.evaluate(
                Tally(members=may_rule, should_attend=may_rule, present=size, yes=size)
            ).passed
        ]

    # --- the commands: each takes one valid command of its name -----------------------

    def _open_solicitation(self, draw: st.DrawFn) -> None:
        self.do(self.matter.open_solicitation(at=self.now))

    def _record_opinion(self, draw: st.DrawFn) -> None:
        opinion = Opinion(
            f"opinion-{len(self.matter.opinions) + 1}",
            draw(st.sampled_from(self._eligible(self._opinion_groups())), label="author"),
            draw(st.sampled_from(Channel), label="channel"),
            draw(st.sampled_from(Stance), label="stance"),
            "楼道加装扶手",
        )
        self.do(self.matter.record_opinion(opinion, community=self.community, at=self.now))

    def _close_solicitation(self, draw: st.DrawFn) -> None:
        closes_at = self.matter.solicitation_closes_at
        assert closes_at is not None
        self.wait_until(closes_at)
        self.do(self.matter.close_solicitation(at=self.now))

    def _adopt(self, draw: st.DrawFn) -> None:
        self._deliberate(draw, Outcome.ADOPTED)

    def _reject(self, draw: st.DrawFn) -> None:
        self._deliberate(draw, Outcome.REJECTED)

    def _reject_and_end(self, draw: st.DrawFn) -> None:
        self._deliberate(draw, Outcome.REJECTED, ends_matter=True)

    def _meeting_day(self) -> date:
        """The day the step's meeting can be held: today, or, where the step wants its papers
        sent first, the day their notice has run (they go out today)."""
        notice = self.procedure.step(self.matter.state).papers_notice
        if notice is None:
            return self.today()
        return max(self.today(), last_day(self.today(), notice, self.procedure.calendar))

    def _deliberate(self, draw: st.DrawFn, outcome: Outcome, *, ends_matter: bool = False) -> None:
        matter = self.matter
        step = self.procedure.step(matter.state)
        papers_sent_on = None if step.papers_notice is None else self.today()
        held_on = self._meeting_day()
        if held_on > self.today():
            self.wait_until(datetime.combine(held_on, time(9), tzinfo=self.zone))
        first = step.key == self.procedure.steps[0].key
        plan = None
        if (first and matter.plan_version == 0) or (
            (first or step.may_amend) and draw(st.booleans(), label="amend the plan")
        ):
            plan = f"方案第{matter.plan_version + 1}稿"
        meeting = draw(
            meetings(
                self.community,
                step.body,
                self.today(),
                step.rule,
                outcome=outcome,
                plan=plan,
                papers_sent_on=papers_sent_on,
            ),
            label="meeting",
        )
        if ends_matter:
            meeting = attrs.evolve(meeting, ends_matter=True)
        self.do(matter.deliberate(meeting, community=self.community, at=self.now))

    def _publicise_resolution(self, draw: st.DrawFn) -> None:
        self.do(self.matter.publicise_resolution("决议公告", place="社区公示栏", at=self.now))

    def _raise_objection(self, draw: st.DrawFn) -> None:
        by = draw(st.sampled_from(self._eligible(self._objectors())), label="objector")
        self.do(
            self.matter.raise_objection(
                f"objection-{len(self.matter.objections) + 1}",
                by=by,
                text="施工噪音扰民",
                community=self.community,
                at=self.now,
            )
        )

    def _uphold_objection(self, draw: st.DrawFn) -> None:
        self._rule(draw, upheld=True)

    def _dismiss_objection(self, draw: st.DrawFn) -> None:
        self._rule(draw, upheld=False)

    def _rule(self, draw: st.DrawFn, *, upheld: bool) -> None:
        rulers = self._rulers()
        size = draw(st.sampled_from(self._ruling_sizes()), label="how many rule")
        ruled_by = draw(st.permutations(rulers), label="by")[:size]
        self.do(
            self.matter.rule_on_objection(
                self.matter.pending_objections()[0].id,
                upheld=upheld,
                ruling="异议成立" if upheld else "异议不成立",
                ruled_by=ruled_by,
                place="社区公示栏",
                community=self.community,
                at=self.now,
            )
        )

    def _start_implementation(self, draw: st.DrawFn) -> None:
        resolution = self.matter.resolution
        assert resolution is not None
        assert resolution.ends_at is not None
        self.wait_until(resolution.ends_at)
        self.do(
            self.matter.start_implementation(
                by=self.matter.raised_by, community=self.community, at=self.now
            )
        )

    def _record_progress(self, draw: st.DrawFn) -> None:
        self.do(
            self.matter.record_progress(
                "施工进展", by=self.matter.raised_by, community=self.community, at=self.now
            )
        )

    def _complete(self, draw: st.DrawFn) -> None:
        cost = draw(st.integers(0, 10**8), label="cost in fen")
        self.do(self.matter.complete("完工", cost_fen=cost, at=self.now))

    def _publicise_result(self, draw: st.DrawFn) -> None:
        self.do(self.matter.publicise_result("结果公告", place="社区公示栏", at=self.now))

    def _close(self, draw: st.DrawFn) -> None:
        result = self.matter.result
        assert result is not None
        assert result.ends_at is not None
        self.wait_until(result.ends_at)
        self.do(self.matter.close(at=self.now))

    def _withdraw(self, draw: st.DrawFn) -> None:
        self.do(
            self.matter.withdraw(
                "事项已另行解决", by=self.matter.raised_by, community=self.community, at=self.now
            )
        )


@st.composite
def _matters_with_events(
    draw: st.DrawFn,
    procedures: st.SearchStrategy[Procedure],
    community_strategy: st.SearchStrategy[Community | tuple[Community, tuple[Event, ...]]],
    max_steps: int,
    matter_id: str,
    until: str | None,
) -> GeneratedMatter:
    procedure = draw(procedures, label="procedure")
    drawn = draw(community_strategy, label="community")
    community, community_events = drawn if isinstance(drawn, tuple) else (drawn, ())
    if not community.people:
        raise InvalidArgument("a matter is raised by a person: the community has nobody")
    at = community.last_at or DEFAULT_START
    matter, events = Matter.raise_matter(
        matter_id,
        community=community,
        procedure=procedure,
        title="加装电梯",
        description="三号楼居民申请加装电梯",
        source=draw(st.sampled_from(MotionSource), label="source"),
        raised_by=draw(st.sampled_from(sorted(community.people)), label="raised by"),
        at=at,
    )
    walk = _Walk(matter, events, community, until)
    if until is None:
        # Half the walks run their whole length: Hypothesis draws the fewest steps often.
        steps = draw(st.integers(0, max_steps) | st.just(max_steps), label="steps")
    else:
        _require_reachable(procedure, until, max_steps)
        steps = max_steps
    for _ in range(steps):
        if walk.matter.state == until or walk.matter.is_final or not walk.step(draw):
            break
    if until is not None:
        assume(walk.matter.state == until)
        if not walk.matter.is_final:
            walk.linger(draw)
    return GeneratedMatter(community, walk.matter, tuple(walk.events), community_events)


_ENDINGS = {
    "withdraw": MatterState.WITHDRAWN,
    "reject": MatterState.REJECTED,
    "reject_and_end": MatterState.REJECTED,
}
"""The commands that can end a matter before it is closed, and the state they end it in."""


def _weights_towards(until: str) -> Mapping[str, int]:
    """The weights of a walk that must end in ``until``: the command that ends a matter
    there, if one does, is drawn as often as those that move it on."""
    ending = [action for action, state in _ENDINGS.items() if state == until]
    return {**_WEIGHTS, **dict.fromkeys(ending, _DEFAULT_WEIGHT)}


def _require_reachable(procedure: Procedure, until: str, max_steps: int) -> None:
    """Refuse an ``until`` no walk of ``procedure`` can end in within ``max_steps``.

    Raises:
        InvalidArgument: ``until`` is not a state of the procedure, cannot be reached
            without ending the matter in another state first, or takes more commands.
    """
    workflow = procedure.workflow
    if until not in workflow.states:
        hint = ""
        if until in (MatterState.RAISED, MatterState.SOLICITING):
            hint = (
                ": it solicits no opinions, so its matters start at its first deliberation "
                "(draw procedures(solicitation=True) for procedures that solicit)"
            )
        raise InvalidArgument(
            f"until={until!r} is not a state of procedure {procedure.name!r} "
            f"({', '.join(workflow.states)}){hint}"
        )
    endings = {state for state in _ENDINGS.values() if state != until}
    commands = {workflow.initial: 0}
    frontier = [workflow.initial]
    while frontier and until not in commands:
        following = []
        for state in frontier:
            for (source, _), dest in workflow.table.items():
                if source == state and dest not in commands and dest not in endings:
                    commands[dest] = commands[state] + 1
                    following.append(dest)
        frontier = following
    if until not in commands:
        raise InvalidArgument(
            f"no matter of procedure {procedure.name!r} can end in {until!r} "
            "(no step's rejection ends it, say)"
        )
    if commands[until] > max_steps:
        raise InvalidArgument(
            f"max_steps={max_steps} is too few to reach {until!r}: it takes at least "
            f"{commands[until]} commands"
        )


def matters_with_events(
    *,
    procedures: st.SearchStrategy[Procedure] | None = None,
    communities: st.SearchStrategy[Community | tuple[Community, tuple[Event, ...]]] | None = None,
    max_steps: int = 30,
    matter_id: str = "matter",
    until: str | None = None,
) -> st.SearchStrategy[GeneratedMatter]:
    """Matters raised in a generated community and driven along by up to ``max_steps`` random
    valid commands.

    Each matter is raised, by someone drawn from the community, when the community was last
    changed. Then each step takes one command the matter's state allows and the moment permits,
    some hours to days after the one before: opinions while the solicitation is open, each
    deliberation's meeting (drawn by :func:`meetings` for that body, day and rule; adopting
    most of the time, rejecting sometimes; papers sent as the step requires), the resolution's
    notice, objections and the rulings on them (upheld ones send the matter back), the
    implementation, its progress and completion, the result's notice, closing, and
    withdrawal. Deadlines are waited for: a walk closes a solicitation when it may, and
    starts the work once the resolution's notice has run its period. At each step
    withdrawing comes up least, so most walks get far. A walk stops early when the matter is
    closed, rejected or withdrawn, or when nothing can be done (a body with no members).

    A matter on a calendar that knows only some years (the official one) must start within
    them: give ``communities=`` whose community was registered in such a year.

    Args:
        procedures: Procedures to draw from: the shipped presets by default (those that
            have the state ``until``, when one is given: only those with a solicitation
            have ``"soliciting"``); :func:`procedures` for any a community could define.
        communities: Communities to raise the matter in, or ``(community, events)`` pairs
            (:func:`communities_with_events`), whose events :meth:`GeneratedMatter.records`
            gives; :func:`communities_with_events` by default. Their bodies must have
            members for the meetings to be held.
        max_steps: The most commands after the matter is raised.
        matter_id: The matter's id.
        until: A state every generated matter ends in (a :class:`~communitygov.MatterState`
            or a step's key). Each walk heads there: it never draws a command that would end
            the matter elsewhere (withdrawing it, a rejection that ends it) and draws the one
            that ends it there, if any, as often as those that move it on. Once there, it may
            take more commands that leave the matter in that state (opinions, objections and
            their dismissal, progress), so that matters in one state differ. A walk that does
            not get there within ``max_steps`` is discarded.

    Returns:
        A strategy of :class:`GeneratedMatter`.

    Raises:
        InvalidArgument: ``max_steps`` is negative or ``matter_id`` is blank; when drawn, a
            community with nobody to raise the matter, or an ``until`` that the procedure
            drawn does not have, that no walk of it can end in (``"rejected"`` where every
            rejection sends the matter back), or that takes more than ``max_steps`` commands
            to reach.
    """
    if max_steps < 0:
        raise InvalidArgument(f"max_steps must be 0 or more, not {max_steps}")
    if not shows_something(matter_id):
        raise InvalidArgument("matter_id must not be blank")
    if procedures is None:
        presets = tuple(PROCEDURES.values())
        having = tuple(p for p in presets if until is None or until in p.workflow.states)
        procedures = st.sampled_from(having or presets)
    return _matters_with_events(
        procedures,
        _meetings.communities_with_events() if communities is None else communities,
        max_steps,
        matter_id,
        until,
    )


def _matter(generated: GeneratedMatter) -> Matter:
    return generated.matter


def matters(
    *,
    procedures: st.SearchStrategy[Procedure] | None = None,
    communities: st.SearchStrategy[Community | tuple[Community, tuple[Event, ...]]] | None = None,
    max_steps: int = 30,
    matter_id: str = "matter",
    until: str | None = None,
) -> st.SearchStrategy[Matter]:
    """Matters as :func:`matters_with_events` generates them, without what surrounds them.

    Args:
        procedures: As for :func:`matters_with_events`.
        communities: As for :func:`matters_with_events`.
        max_steps: As for :func:`matters_with_events`.
        matter_id: As for :func:`matters_with_events`.
        until: As for :func:`matters_with_events`.

    Returns:
        A strategy of :class:`~communitygov.Matter`, in any state its procedure has (or in
        ``until``).
    """
    return matters_with_events(
        procedures=procedures,
        communities=communities,
        max_steps=max_steps,
        matter_id=matter_id,
        until=until,
    ).map(_matter)
