"""Whose consent a plan takes, and when: the beneficiary's own, or a guardian's.

个人信息保护法 Art. 14 and 29 ask for the person's own consent (separate consent for sensitive
data and for making the name public); Art. 31 and Civil Code Art. 28 let a guardian consent
for a person who cannot: a minor under 14, or an adult without full capacity. A guardian is
one declared in the community (:meth:`~communitygov.Community.declare_guardian`), not any near
relative: an adult who can consent does so themselves.
"""

from __future__ import annotations

from datetime import date

from communitygov.assistance.records import Consent
from communitygov.errors import InvalidConsent
from communitygov.kernel.checks import require_date, require_instance, require_text
from communitygov.organisation.community import Community

__all__ = ["check_consent"]


def check_consent(
    consent: Consent,
    field: str,
    *,
    beneficiary: str,
    community: Community | None,
    day: date,
) -> Consent:
    """``consent``, once it is known to be one the beneficiary could have given by ``day``.

    Args:
        field: what the consent is for, as errors name it ("consent to publish").
        beneficiary: the person the plan is for.
        community: where their guardians are declared; without it, only the beneficiary's
            own consent is taken.
        day: the day the consent is recorded, in the community's time zone.

    Raises:
        WrongType: it is not a :class:`Consent`, or its day is not a date.
        EmptyField: it names nobody.
        UnstorableText: who gave it, or how it is evidenced, holds a NUL or a lone surrogate.
        InvalidConsent: it was given by someone else than the beneficiary or a guardian of
            theirs declared in ``community``, or on a day after ``day``.
    """
    require_instance(consent, Consent, field)
    given_by = require_text(consent.given_by, f"{field} given by")
    require_text(consent.how, f"how the {field} is evidenced", blank=True)
    on = require_date(consent.on, f"{field}'s day")
    if given_by != beneficiary and not (
        community is not None and community.is_guardian(given_by, beneficiary, on=day)
    ):
        because = (
            "it is the beneficiary's own, or a guardian's declared in the community by the "
            "day it is recorded (Community.declare_guardian: a minor under 14, or an adult "
            "without full capacity); a near relative does not consent for an adult who can"
        )
        if community is None:
            because += "; pass community= to take a guardian's"
        raise InvalidConsent(field, given_by, on, beneficiary, because)
    if on > day:
        raise InvalidConsent(
            field,
            given_by,
            on,
            beneficiary,
            f"it is dated after {day.isoformat()}, the day it is recorded",
        )
    return consent
