"""The procedures the library ships: 一征三议两公开 and the Dengzhou 四议两公开 variant, and
一征四议两公开, the definition the 四议两公开 preset had before it lost its solicitation.

Both count periods on the official Chinese calendar (the ``cn`` extra), with its holidays and
make-up working days: a period whose last day is a holiday runs to the next working day (Civil
Code Art. 203), and a year whose holidays are not announced is refused, never guessed. Give
them another calendar with ``procedure.with_calendar(...)``, or every procedure of a facade
with ``Governance(store, calendar=...)``.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from communitygov.kernel.periods import Period
from communitygov.kernel.voting import COMMITTEE, PARTY_MEMBERS_ASSEMBLY, REPRESENTATIVES_ASSEMBLY
from communitygov.matters.procedure import (
    Constituency,
    DeliberationStep,
    Procedure,
    PublicityRules,
    SolicitationRules,
)
from communitygov.organisation.bodies import BodyKind

__all__ = [
    "FOUR_DELIBERATIONS",
    "ONE_SOLICITATION_FOUR_DELIBERATIONS",
    "ONE_SOLICITATION_THREE_DELIBERATIONS",
    "PROCEDURES",
]

_PROPOSE = DeliberationStep(
    key="propose",
    en="propose",
    zh="提议",
    body=BodyKind.PARTY_COMMITTEE,
    rule=COMMITTEE,
    may_amend=True,
)
_CONSULT = DeliberationStep(
    key="consult",
    en="consult",
    zh="商议",
    body=BodyKind.TWO_COMMITTEES,
    rule=COMMITTEE,
    may_amend=True,
    on_reject="propose",
)
_RESOLVE = DeliberationStep(
    key="resolve",
    en="resolve",
    zh="决议",
    body=BodyKind.REPRESENTATIVES_ASSEMBLY,
    rule=REPRESENTATIVES_ASSEMBLY,
    on_reject="propose",
    rejection_may_end=True,
)
_PUBLICITY = PublicityRules(
    upheld_returns_to="propose",
    period=Period.days(7),
    objectors=frozenset({Constituency.RESIDENTS}),
    ruling_body=BodyKind.SUPERVISION_COMMITTEE,
)

ONE_SOLICITATION_THREE_DELIBERATIONS = Procedure(
    name="yizheng-sanyi-liang-gongkai",
    en="one solicitation, three deliberations, two publicities",
    zh="一征三议两公开",
    solicitation=SolicitationRules(minimum=Period.days(7), constituencies=frozenset(Constituency)),
    steps=(_PROPOSE, _CONSULT, _RESOLVE),
    resolution_publicity=_PUBLICITY,
    result_publicity=Period.days(7),
)
"""The standard community procedure (DOMAIN.md §2.1).

The party organisation committee proposes, the two committees consult (and may amend or send
the plan back), the residents' representatives' assembly resolves. A rejection at the
assembly sends the matter back to the proposal for a revised plan, or ends it if the assembly
so decides (``Meeting(ends_matter=True)``); an objection upheld by the supervision committee
sends it back to the proposal; a rejection of the proposal itself ends the matter.
"""

_REVIEW = DeliberationStep(
    key="review",
    en="review",
    zh="审议",
    body=BodyKind.PARTY_MEMBERS_ASSEMBLY,
    rule=PARTY_MEMBERS_ASSEMBLY,
    on_reject="propose",
    papers_notice=Period.days(3),
)

FOUR_DELIBERATIONS = Procedure(
    name="dengzhou-siyi-liang-gongkai",
    en="four deliberations, two publicities",
    zh="四议两公开",
    solicitation=None,
    steps=(_PROPOSE, _CONSULT, _REVIEW, _RESOLVE),
    resolution_publicity=_PUBLICITY,
    result_publicity=Period.days(7),
)
"""The Dengzhou variant (DOMAIN.md §2.3): no solicitation, so a matter raised waits for the
branch committee's proposal at once; the party members' assembly reviews after the two
committees, its papers sent at least 3 days before it meets, and the representatives'
assembly resolves."""

ONE_SOLICITATION_FOUR_DELIBERATIONS = Procedure(
    name="siyi-liang-gongkai",
    en="one solicitation, four deliberations, two publicities",
    zh="一征四议两公开",
    solicitation=SolicitationRules(minimum=Period.days(7), constituencies=frozenset(Constituency)),
    steps=(_PROPOSE, _CONSULT, _REVIEW, _RESOLVE),
    resolution_publicity=_PUBLICITY,
    result_publicity=Period.days(7),
)
"""The four deliberations after a solicitation of opinions as in 一征三议两公开. This is what
:data:`FOUR_DELIBERATIONS` was before it followed DOMAIN.md §2.3, under the name it had then
(``siyi-liang-gongkai``), so that matters raised under that name replay as they were
decided; a community that does solicit before its four deliberations may use it too. Like
every preset it has since been extended with a resolution whose rejection may end the matter,
a choice no stored history has made."""

PROCEDURES: Mapping[str, Procedure] = MappingProxyType(
    {
        p.name: p
        for p in (
            ONE_SOLICITATION_THREE_DELIBERATIONS,
            FOUR_DELIBERATIONS,
            ONE_SOLICITATION_FOUR_DELIBERATIONS,
        )
    }
)
"""The shipped procedures by name."""
