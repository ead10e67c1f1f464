"""The public notice board: every notice of a community, as it may be shown to the public.

A matter's notices say what its minutes and notices say: the matter raised about an assistance
plan (``concerns=``) names the beneficiary as its title and notice text do, and a matter
cannot know the plan's disclosure. :func:`notice_board` gathers every notice of a community's
matters, plans and fund statements and redacts each through every plan's
:class:`~communitygov.publicity.privacy.Disclosure`, so that nobody is named, and no sensitive
detail shown, without the consent on record; :func:`redactor` does the same to any text.
"""

from __future__ import annotations

from collections.abc import Callable

from communitygov.assistance.plan import AssistancePlan
from communitygov.funds.fund import Fund
from communitygov.governance import Governance
from communitygov.matters.matter import Matter
from communitygov.publicity.notices import Notice

__all__ = ["notice_board", "redactor"]


def redactor(gov: Governance, community_id: str) -> Callable[[str], str]:
    """A function that redacts a text as every assistance plan of the community's
    :class:`~communitygov.publicity.privacy.Disclosure` requires.

    Raises:
        NotFound: the store holds no such community.
    """
    summaries = gov.summaries(community_id, kind=AssistancePlan.kind)
    if not summaries:
        return lambda text: text
    community = gov.community(community_id)
    disclosures = [
        gov.load(AssistancePlan, community_id, s.stream_id).disclosure(community) for s in summaries
    ]

    def redact(text: str) -> str:
        for disclosure in disclosures:
            text = disclosure.redact(text)
        return text

    return redact


def notice_board(gov: Governance, community_id: str) -> list[Notice]:
    """Every notice of the community's matters, plans and fund statements, oldest first; each
    redacted through every plan's disclosure, so no beneficiary is named without consent.

    Raises:
        NotFound: the store holds no such community.
    """
    community = gov.community(community_id)
    plans = {
        s.stream_id: gov.load(AssistancePlan, community_id, s.stream_id)
        for s in gov.summaries(community_id, kind=AssistancePlan.kind)
    }
    disclosures = [plan.disclosure(community) for plan in plans.values()]
    notices: list[Notice] = []
    for summary in gov.summaries(community_id, kind=Matter.kind):
        notices.extend(gov.matter(community_id, summary.stream_id).notices())
    for plan in plans.values():
        notices.extend(plan.notices(community))
    for summary in gov.summaries(community_id, kind=Fund.kind):
        fund = gov.load(Fund, community_id, summary.stream_id)
        owner = plans.get(fund.plan_id)
        if owner is not None:
            notices.extend(fund.statements(plan=owner, community=community))
    for disclosure in disclosures:
        notices = [disclosure.notice(notice) for notice in notices]
    return sorted(notices, key=lambda notice: notice.posted_at)
