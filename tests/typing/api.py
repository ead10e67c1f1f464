"""Typed use of the public API, checked by ``mypy --strict`` (never run).

If a public signature loses or breaks its types, this file stops type-checking.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import communitygov as cg

at = datetime(2026, 3, 2, 9, tzinfo=ZoneInfo("Asia/Shanghai"))

community: cg.Community
events: tuple[cg.Event, ...]
community, events = cg.Community.register("c", "社区", at=at)
community, _ = community.register_person("p", "人", at=at)
community, _ = community.appoint("p", cg.BodyKind.PARTY_COMMITTEE, start=date(2026, 1, 1), at=at)
members: frozenset[str] = community.members_of(cg.BodyKind.TWO_COMMITTEES, date(2026, 3, 2))

procedure: cg.Procedure = cg.ONE_SOLICITATION_THREE_DELIBERATIONS.with_calendar(cg.WEEKDAYS)
matter: cg.Matter
matter, events = cg.Matter.raise_matter(
    "m",
    community=community,
    procedure=procedure,
    title="t",
    description="d",
    source=cg.MotionSource.RESIDENTS,
    raised_by="p",
    at=at,
)
state: str = matter.state
allowed: tuple[str, ...] = matter.allowed_actions()
deadlines: tuple[cg.Deadline, ...] = matter.open_deadlines()
notices: tuple[cg.Notice, ...] = matter.notices()
text: str = cg.render_text(notices[0]) if notices else ""
meeting = cg.Meeting(
    body=cg.BodyKind.PARTY_COMMITTEE,
    present=["p"],
    votes=[cg.Vote("p", cg.Choice.YES)],
    outcome=cg.Outcome.ADOPTED,
    plan="plan",
)
replayed: cg.Matter = cg.Matter.replay(events, procedure)

outcome: cg.VoteOutcome = cg.REPRESENTATIVES_ASSEMBLY.evaluate(
    cg.Tally(members=30, should_attend=30, present=20, yes=11)
)
end: datetime = cg.period_end(at, cg.Period.working_days(5), cg.WEEKDAYS)
calendar: cg.Calendar = cg.CALENDAR_DAYS
codec = cg.EventCodec()
encoded: cg.EncodedEvent = codec.encode(events[0])
decoded: cg.Event = codec.decode(encoded.type, encoded.version, encoded.data)

try:
    matter.close(at=at)
except cg.TransitionNotAllowed as error:
    actions: tuple[str, ...] = error.allowed

template: cg.PlanTemplate = cg.FOUR_STAGES
plan_states: tuple[str, ...] = template.workflow.states
alias: str = cg.deidentify("周盛")

with cg.open_store("memory://") as opened:
    store_in_use: cg.EventStore = opened
with cg.SQLiteStore(":memory:") as sqlite_store:
    store_in_use = sqlite_store
