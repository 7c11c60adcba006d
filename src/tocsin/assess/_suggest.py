"""Evidence suggestions: the Signals tagged with an indicator, offered to the analyst.

Nothing is rated from them; the analyst accepts a suggestion (it becomes an evidence
link) or rejects it (it is not offered again for that indicator).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from tocsin.assess._model import Assessment, EvidenceKind

if TYPE_CHECKING:  # the store is not imported by this pure module at run time
    from tocsin.store import StoredSignal

__all__ = ["Suggestion", "suggest_evidence"]


@dataclass(frozen=True)
class Suggestion:
    """A Signal that may be evidence for an indicator (or, if tagged only so, a factor)."""

    code: str
    signal_id: int
    kind: str
    direction: str
    strength: float
    summary: str
    start_date: date
    end_date: date
    producer: str
    source_key: str | None


def suggest_evidence(
    assessment: Assessment, signals: Sequence[StoredSignal], *, code: str | None = None
) -> list[Suggestion]:
    """Suggestions for every indicator (or only ``code``), strongest first.

    A Signal tagged with an indicator (``9.3``) is suggested for it; one tagged only with
    a factor (``RF9``) is suggested under the factor code for the analyst to place. Signals
    already linked or rejected for an indicator are left out; so are Signals outside the
    assessment's period.
    """
    indicators = {i.code: i for i in assessment.indicators}
    result = []
    for signal in signals:
        if signal.end_date < assessment.period_start or signal.start_date > assessment.period_end:
            continue
        if signal.iso3 != assessment.iso3:
            continue
        ref = str(signal.id)
        tagged = [c for c in signal.framework_codes if not c.startswith("RF")]
        targets = tagged or [c for c in signal.framework_codes if c.startswith("RF")]
        for target in targets:
            if code is not None and target != code:
                continue
            current = indicators.get(target)
            if current is not None and (
                ref in current.rejected_suggestions
                or any(e.kind is EvidenceKind.SIGNAL and e.ref == ref for e in current.evidence)
            ):
                continue
            result.append(
                Suggestion(
                    code=target,
                    signal_id=signal.id,
                    kind=signal.kind.value,
                    direction=signal.direction.value,
                    strength=signal.strength,
                    summary=signal.summary,
                    start_date=signal.start_date,
                    end_date=signal.end_date,
                    producer=f"{signal.provenance.capability}:{signal.provenance.producer}",
                    source_key=signal.provenance.source_key,
                )
            )
    return sorted(result, key=lambda s: (-s.strength, s.code, s.signal_id))
