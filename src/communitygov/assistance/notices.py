"""How a plan shows in public: its title, and its notices as the notice board shows them.

The plan keeps each notice as it was posted (a ``PlanNoticePosted`` event); :func:`plan_notices`
lays them out under the plan's title and redacts them through the plan's
:class:`~communitygov.publicity.privacy.Disclosure`, so the beneficiary's name shows only as
the consents on record allow at the time, and a sensitive detail never does.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from communitygov.assistance.events import PlanNoticePosted
from communitygov.assistance.records import PlanNoticeKind
from communitygov.kernel.money import Money
from communitygov.kernel.timekeeping import in_zone, local_date
from communitygov.publicity.notices import Notice, NoticeSubject
from communitygov.publicity.privacy import Disclosure

if TYPE_CHECKING:
    from communitygov.assistance.plan import AssistancePlan

__all__ = ["plan_notices", "plan_title"]


def plan_title(shown_name: str) -> str:
    """A plan's title, around the beneficiary's shown name ("周某的精准帮扶项目")."""
    return f"{shown_name}的精准帮扶项目"


def plan_notices(plan: AssistancePlan, disclosure: Disclosure) -> tuple[Notice, ...]:
    """Every notice posted about ``plan``, oldest first, redacted by ``disclosure``."""
    subject = plan_title(disclosure.shown_name)
    return tuple(disclosure.notice(_notice(plan, posted, subject)) for posted in plan.posted)


def _notice(plan: AssistancePlan, posted: PlanNoticePosted, subject: str) -> Notice:
    lines = [f"【{posted.kind.zh} · {posted.kind.en}】"]
    adoption = plan.adoption
    if posted.kind is PlanNoticeKind.ADOPTION and adoption is not None:
        day = local_date(adoption.at, plan.timezone).isoformat()
        lines.append(
            f"经议事事项 {adoption.matter_id} 决议通过,自 {day} 起实施。"
            f"(Adopted through matter {adoption.matter_id}; in effect from {day}.)"
        )
    if posted.amount_fen is not None:
        lines.append(f"金额 Amount: {Money(posted.amount_fen)}")
    lines.append(posted.text)
    return Notice(
        kind=posted.kind.notice_kind,
        community_id=plan.community_id,
        subject_id=plan.id,
        subject=subject,
        text="\n".join(lines),
        place=posted.place,
        posted_at=in_zone(posted.at, plan.timezone),
        about=NoticeSubject.PLAN,
    )
