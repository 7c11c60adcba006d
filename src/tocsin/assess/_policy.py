"""Policy options for an assessment: which of the catalogue's options fit, and in what order.

Ranking rule (documented in ``docs/methodology/assessment.md``): an option *addresses* an
indicator when the option's framework references name the indicator or its risk factor.
Options are ordered by (1) how many indicators rated high they address, (2) how many
structures of resilience rated weak or absent they build, (3) how many indicators rated
moderate they address, then by catalogue order. Options that address none are left out.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from tocsin.assess._model import Assessment, OptionDecision, Rating, StructureRating
from tocsin.assess._structures import STRUCTURES
from tocsin.framework import Catalogue

__all__ = ["RankedOption", "rank_policy_options"]


@dataclass(frozen=True)
class RankedOption:
    rank: int
    option_id: str
    title: str
    kind: str  # structural or operational
    paragraphs: list[int]
    high_indicators: list[str]
    weak_structures: list[str]
    moderate_indicators: list[str]
    decision: str
    text: str  # the team's wording if edited, else the catalogue's description
    reasons: str

    @property
    def paragraph_label(self) -> str:
        p = self.paragraphs
        return f"§{p[0]}" if len(p) == 1 else f"§§{p[0]}–{p[-1]}"

    def as_dict(self) -> dict[str, Any]:
        return asdict(self) | {"paragraph_label": self.paragraph_label}


def _addresses(refs: list[str], code: str) -> bool:
    return code in refs or f"RF{code.split('.')[0]}" in refs


def rank_policy_options(assessment: Assessment, catalogue: Catalogue) -> list[RankedOption]:
    """The catalogue's policy options that fit this assessment, best first (module rule)."""
    decisions = {d.option_id: d for d in assessment.policy_decisions}
    weak = {
        s.id
        for s in assessment.structures
        if s.rating in (StructureRating.WEAK, StructureRating.ABSENT)
    }
    builders: dict[str, list[str]] = {}
    for structure in STRUCTURES:
        if structure.id in weak:
            for option_id in structure.option_ids:
                builders.setdefault(option_id, []).append(structure.id)
    rows = []
    for position, option in enumerate(catalogue.policy_options):
        refs = list(option.framework_refs)
        high = [
            i.code
            for i in assessment.indicators
            if i.rating is Rating.HIGH and _addresses(refs, i.code)
        ]
        moderate = [
            i.code
            for i in assessment.indicators
            if i.rating is Rating.MODERATE and _addresses(refs, i.code)
        ]
        structures = builders.get(option.id, [])
        if not (high or moderate or structures):
            continue
        parts = []
        if high:
            parts.append(f"addresses {len(high)} indicator(s) rated high ({', '.join(high)})")
        if structures:
            parts.append(f"builds weak structure(s): {', '.join(structures)}")
        if moderate:
            parts.append(f"addresses {len(moderate)} rated moderate")
        decision = decisions.get(option.id)
        rows.append(
            (
                (-len(high), -len(structures), -len(moderate), position),
                option,
                high,
                structures,
                moderate,
                decision,
                "; ".join(parts),
            )
        )
    rows.sort(key=lambda r: r[0])
    return [
        RankedOption(
            rank=rank,
            option_id=option.id,
            title=option.title,
            kind=option.kind,
            paragraphs=list(option.paragraphs),
            high_indicators=high,
            weak_structures=structures,
            moderate_indicators=moderate,
            decision=(decision.decision if decision else OptionDecision.PROPOSED).value,
            text=(decision.text if decision and decision.text else option.description),
            reasons=reasons,
        )
        for rank, (_, option, high, structures, moderate, decision, reasons) in enumerate(
            rows, start=1
        )
    ]
