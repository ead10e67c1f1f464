"""The four-stage assistance plan (精准帮扶四部曲): templates, the AssistancePlan aggregate and
its events."""

from communitygov.assistance.events import (
    ActivityLogged,
    CaseOpened,
    ConsentWithdrawn,
    MentorAssigned,
    ObservationRecorded,
    PlanAdopted,
    PlanAssessed,
    PlanClosed,
    PlanGraduated,
    PlanNoticePosted,
    PlanResumed,
    PlanSuspended,
    PublishConsentGiven,
    PublishConsentWithdrawn,
    SensitiveDetailRecorded,
    StageReviewed,
    TeamMemberJoined,
    TeamMemberLeft,
)

__all__ = [
    "ActivityLogged",
    "CaseOpened",
    "ConsentWithdrawn",
    "MentorAssigned",
    "ObservationRecorded",
    "PlanAdopted",
    "PlanAssessed",
    "PlanClosed",
    "PlanGraduated",
    "PlanNoticePosted",
    "PlanResumed",
    "PlanSuspended",
    "PublishConsentGiven",
    "PublishConsentWithdrawn",
    "SensitiveDetailRecorded",
    "StageReviewed",
    "TeamMemberJoined",
    "TeamMemberLeft",
]
