"""The assessment's closed vocabularies (ratings, trends, statuses): plain enums, light to
import, so that the command line's help can list them without loading the models."""

from __future__ import annotations

from enum import StrEnum


class Rating(StrEnum):
    """How far an indicator is present (the Framework of Analysis asks exactly this)."""

    NOT_PRESENT = "not_present"
    LOW = "low"
    MODERATE = "moderate"
    HIGH = "high"
    UNKNOWN = "unknown"

    @property
    def order(self) -> int:
        """0 for not present … 3 for high; -1 for unknown (which is never "lower")."""
        return _RATING_ORDER[self]


class Trend(StrEnum):
    EASING = "easing"
    STABLE = "stable"
    WORSENING = "worsening"


class Confidence(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


class AssessmentStatus(StrEnum):
    """Draft → in review → approved (a reviewer may send it back to draft)."""

    DRAFT = "draft"
    IN_REVIEW = "in_review"
    APPROVED = "approved"


class EvidenceKind(StrEnum):
    """What an evidence link points at."""

    SOURCE = "source"  # a graded Source, by key (``ngo:hrw``)
    SIGNAL = "signal"  # a stored Signal, by id
    EVENT = "event"  # an event, by uid
    SPEECH_ITEM = "speech_item"  # a speech item, by key
    FORECAST_DRIVER = "forecast_driver"  # a forecast model's factor contribution
    DATASET = "dataset"  # a bundled data set value (``vdem:v2x_rule:2023``)
    DOCUMENT = "document"  # a report or web page, by URL or citation


class PopulationKind(StrEnum):
    ETHNIC = "ethnic"
    NATIONAL = "national"
    RACIAL = "racial"
    RELIGIOUS = "religious"
    POLITICAL = "political"
    DISPLACED = "displaced"
    HUMAN_RIGHTS_DEFENDERS = "human_rights_defenders"
    OTHER = "other"


class StructureRating(StrEnum):
    """How well a structure of resilience works."""

    STRONG = "strong"
    ADEQUATE = "adequate"
    WEAK = "weak"
    ABSENT = "absent"
    UNKNOWN = "unknown"


class OptionDecision(StrEnum):
    PROPOSED = "proposed"
    ADOPTED = "adopted"
    REJECTED = "rejected"


class ActionStatus(StrEnum):
    PLANNED = "planned"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    DROPPED = "dropped"


class StepStatus(StrEnum):
    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    DONE = "done"


class Transition(StrEnum):
    SUBMIT = "submit"  # draft -> in_review
    APPROVE = "approve"  # in_review -> approved
    RETURN = "return"  # in_review -> draft (changes requested)


_RATING_ORDER = {
    Rating.UNKNOWN: -1,
    Rating.NOT_PRESENT: 0,
    Rating.LOW: 1,
    Rating.MODERATE: 2,
    Rating.HIGH: 3,
}
