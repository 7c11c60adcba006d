"""The Rabat Plan of Action's six-part threshold test as a worksheet.

For an item the classifier flagged, :func:`prefill_worksheet` fills what the tool can know
(content and form from the scores, extent from reach, speaker from the role, context from
the country's current Signals). The analyst completes intent and likelihood, reviews the
rest, and records a :class:`RabatDecision` with reasons. :func:`suggest_decision` reads the
six ratings the way the Plan does: incitement needs every part to weigh towards it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, timedelta
from enum import IntEnum, StrEnum
from typing import Any, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from tocsin.domain import Direction, Signal, SignalKind
from tocsin.speech._items import SpeakerRole, SpeechItem

__all__ = [
    "DECISION_CODES",
    "RABAT_PARTS",
    "RabatDecision",
    "RabatPart",
    "RabatRating",
    "RabatWorksheet",
    "prefill_worksheet",
    "suggest_decision",
]

RABAT_PARTS = ("context", "speaker", "intent", "content_form", "extent", "likelihood")


class RabatRating(IntEnum):
    """How strongly one part of the test weighs towards incitement."""

    NONE = 0
    LOW = 1
    MEDIUM = 2
    HIGH = 3


class RabatDecision(StrEnum):
    """The analyst's conclusion about the item."""

    BELOW_THRESHOLD = "below_threshold"
    HATE_SPEECH = "hate_speech"
    INCITEMENT = "incitement"


# Framework indicators each conclusion bears on (checked against the catalogue in tests):
# 7.14 more inflammatory rhetoric or hate speech (preparatory action), 10.6 demeaning language
# about a protected group (intent), 8.7 incitement aimed at groups (trigger), 10.1 documents or
# media records revealing intent or incitement, 13.7 discourse inciting violence.
DECISION_CODES: dict[RabatDecision, tuple[str, ...]] = {
    RabatDecision.BELOW_THRESHOLD: (),
    RabatDecision.HATE_SPEECH: ("RF7", "7.14", "RF10", "10.6"),
    RabatDecision.INCITEMENT: ("RF8", "8.7", "RF10", "10.1", "RF13", "13.7"),
}
DEHUMANISATION_CODES = ("RF13", "13.5")
MOTIVE_CODES = ("RF4", "4.6")


class RabatPart(BaseModel):
    """One of the six parts: a rating, the evidence for it, and who filled it."""

    model_config = ConfigDict(frozen=True)

    rating: RabatRating | None = None
    evidence: str = ""
    notes: str = ""
    prefilled: bool = False


class RabatWorksheet(BaseModel):
    """A Rabat six-part test record for one stored speech item.

    Examples
    --------
    >>> ws = RabatWorksheet(item_id=1)
    >>> ws.missing_parts()
    ['context', 'speaker', 'intent', 'content_form', 'extent', 'likelihood']
    """

    item_id: int
    context: RabatPart = Field(default_factory=RabatPart)
    speaker: RabatPart = Field(default_factory=RabatPart)
    intent: RabatPart = Field(default_factory=RabatPart)
    content_form: RabatPart = Field(default_factory=RabatPart)
    extent: RabatPart = Field(default_factory=RabatPart)
    likelihood: RabatPart = Field(default_factory=RabatPart)
    is_imminent: bool | None = Field(default=None, description="Likelihood includes imminence.")
    decision: RabatDecision | None = None
    reasons: str = ""
    framework_codes: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _decision_has_reasons(self) -> Self:
        if self.decision is not None:
            if not self.reasons.strip():
                raise ValueError("a decision needs its reasons")
            missing = self.missing_parts()
            if missing:
                raise ValueError(f"rate every part before deciding; missing: {missing}")
        return self

    def part(self, name: str) -> RabatPart:
        """The part called ``name`` (one of :data:`RABAT_PARTS`)."""
        if name not in RABAT_PARTS:
            raise KeyError(f"{name!r} is not a Rabat part; use one of {RABAT_PARTS}")
        value: RabatPart = getattr(self, name)
        return value

    def missing_parts(self) -> list[str]:
        """Parts still without a rating."""
        return [name for name in RABAT_PARTS if self.part(name).rating is None]

    def decide(
        self,
        decision: RabatDecision,
        *,
        reasons: str,
        extra_codes: Sequence[str] = (),
    ) -> RabatWorksheet:
        """A copy with the analyst's decision, its reasons and the framework codes it bears on."""
        codes = list(DECISION_CODES[decision])
        dehumanising = "dehumanis" in self.content_form.evidence
        if dehumanising and decision is not RabatDecision.BELOW_THRESHOLD:
            codes += DEHUMANISATION_CODES
        codes = list(dict.fromkeys([*codes, *extra_codes]))
        values = self.model_dump()
        values.update(decision=decision, reasons=reasons, framework_codes=codes)
        return RabatWorksheet.model_validate(values)


def suggest_decision(worksheet: RabatWorksheet) -> RabatDecision | None:
    """What the six ratings point to, or ``None`` while a part is unrated.

    Incitement requires every part at MEDIUM or above, with intent and likelihood HIGH or
    harm imminent (the Plan sets a high threshold); hate speech requires content and form at
    MEDIUM or above. The analyst decides; this is a reading aid.

    Examples
    --------
    >>> p = lambda r: RabatPart(rating=r)
    >>> ws = RabatWorksheet(item_id=1, **{n: p(RabatRating.HIGH) for n in RABAT_PARTS})
    >>> suggest_decision(ws)
    <RabatDecision.INCITEMENT: 'incitement'>
    >>> suggest_decision(ws.model_copy(update={"intent": p(RabatRating.LOW)}))
    <RabatDecision.HATE_SPEECH: 'hate_speech'>
    """
    if worksheet.missing_parts():
        return None
    ratings = {name: int(worksheet.part(name).rating or 0) for name in RABAT_PARTS}
    strong_intent = ratings["intent"] >= RabatRating.HIGH
    likely = ratings["likelihood"] >= RabatRating.HIGH or bool(worksheet.is_imminent)
    if min(ratings.values()) >= RabatRating.MEDIUM and strong_intent and likely:
        return RabatDecision.INCITEMENT
    if ratings["content_form"] >= RabatRating.MEDIUM:
        return RabatDecision.HATE_SPEECH
    return RabatDecision.BELOW_THRESHOLD


SPEAKER_RATINGS = {
    SpeakerRole.OFFICIAL: RabatRating.HIGH,
    SpeakerRole.POLITICIAN: RabatRating.HIGH,
    SpeakerRole.RELIGIOUS_LEADER: RabatRating.HIGH,
    SpeakerRole.MEDIA: RabatRating.MEDIUM,
    SpeakerRole.UNKNOWN: RabatRating.LOW,
}


def _rate_reach(reach: int | None) -> RabatPart:
    if reach is None:
        return RabatPart(evidence="audience reach unknown", prefilled=True)
    rating = (
        RabatRating.HIGH
        if reach >= 100_000
        else RabatRating.MEDIUM
        if reach >= 5_000
        else RabatRating.LOW
        if reach >= 100
        else RabatRating.NONE
    )
    return RabatPart(rating=rating, evidence=f"audience reach {reach:,}", prefilled=True)


def _rate_content(scores: Mapping[str, Any], target_groups: Sequence[str]) -> RabatPart:
    hateful = float(scores.get("hateful", 0.0))
    violence = float(scores.get("violence", 0.0))
    dehumanising = float(scores.get("dehumanisation", 0.0))
    top = max(hateful, violence, dehumanising)
    rating = (
        RabatRating.HIGH
        if top >= 0.8
        else RabatRating.MEDIUM
        if top >= 0.5
        else RabatRating.LOW
        if top >= 0.2
        else RabatRating.NONE
    )
    parts = [f"hateful {hateful:.2f}", f"call to or support for violence {violence:.2f}"]
    parts.append(f"dehumanisation {dehumanising:.2f}")
    if dehumanising >= 0.5:
        parts.append("dehumanising language")
    if target_groups:
        parts.append("target: " + ", ".join(target_groups))
    return RabatPart(rating=rating, evidence="; ".join(parts), prefilled=True)


def _rate_context(signals: Sequence[Signal], today: date, window_days: int) -> RabatPart:
    since = today - timedelta(days=window_days)
    recent = [
        s
        for s in signals
        if s.direction is Direction.RISK and s.end_date >= since and s.start_date <= today
    ]
    if not recent:
        return RabatPart(
            rating=RabatRating.LOW,
            evidence=f"no risk Signals for the country in the last {window_days} days",
            prefilled=True,
        )
    strongest = max(recent, key=lambda s: s.strength)
    kinds = sorted({s.kind.value for s in recent})
    serious = {SignalKind.ESCALATION, SignalKind.TRIGGER_EVENT}
    rating = (
        RabatRating.HIGH
        if strongest.strength >= 0.6 or any(s.kind in serious for s in recent)
        else RabatRating.MEDIUM
    )
    evidence = (
        f"{len(recent)} risk Signals in the last {window_days} days ({', '.join(kinds)}); "
        f"strongest: {strongest.summary}"
    )
    return RabatPart(rating=rating, evidence=evidence, prefilled=True)


def prefill_worksheet(
    item_id: int,
    item: SpeechItem,
    *,
    scores: Mapping[str, Any],
    target_groups: Sequence[str],
    country_signals: Sequence[Signal],
    today: date,
    context_window_days: int = 90,
) -> RabatWorksheet:
    """Start a worksheet with what the tool knows; intent and likelihood stay for the analyst.

    Examples
    --------
    >>> item = SpeechItem(text="…", speaker_role="politician", reach=250_000)
    >>> ws = prefill_worksheet(1, item, scores={"hateful": 0.9}, target_groups=["ethnicity"],
    ...                        country_signals=[], today=date(2025, 1, 1))
    >>> ws.speaker.rating, ws.extent.rating, ws.content_form.rating
    (<RabatRating.HIGH: 3>, <RabatRating.HIGH: 3>, <RabatRating.HIGH: 3>)
    >>> ws.missing_parts()
    ['intent', 'likelihood']
    """
    speaker = RabatPart(
        rating=SPEAKER_RATINGS[item.speaker_role],
        evidence=f"speaker role: {item.speaker_role.value}",
        prefilled=True,
    )
    return RabatWorksheet(
        item_id=item_id,
        context=_rate_context(country_signals, today, context_window_days),
        speaker=speaker,
        content_form=_rate_content(scores, target_groups),
        extent=_rate_reach(item.reach),
        intent=RabatPart(evidence="for the analyst: was advocacy of hatred intended?"),
        likelihood=RabatPart(evidence="for the analyst: how likely and how imminent is harm?"),
    )
