"""一征三议两公开: procedures, the Matter aggregate and its events."""

from communitygov.matters.events import (
    DeliberationHeld,
    ImplementationStarted,
    MatterClosed,
    MatterCompleted,
    MatterRaised,
    MatterWithdrawn,
    ObjectionRaised,
    ObjectionRuled,
    OpinionRecorded,
    ProgressRecorded,
    ResolutionPublicised,
    ResultPublicised,
    SolicitationClosed,
    SolicitationOpened,
)

__all__ = [
    "DeliberationHeld",
    "ImplementationStarted",
    "MatterClosed",
    "MatterCompleted",
    "MatterRaised",
    "MatterWithdrawn",
    "ObjectionRaised",
    "ObjectionRuled",
    "OpinionRecorded",
    "ProgressRecorded",
    "ResolutionPublicised",
    "ResultPublicised",
    "SolicitationClosed",
    "SolicitationOpened",
]
