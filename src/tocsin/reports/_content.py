"""What a report says, computed once for every format (HTML, PDF, the one-page brief).

:func:`build_report` turns an assessment and what surrounds it (the catalogue, the
forecast and monitoring picture, the sources it cites) into a :class:`Report`: plain
rows and sentences that the HTML template and the PDF writer lay out the same way.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from tocsin.assess import (
    STRUCTURES,
    Assessment,
    EvidenceKind,
    EvidenceLink,
    MonitoringComparison,
    RankedOption,
    Rating,
    RiskProfile,
    Statement,
    rank_policy_options,
    risk_profile,
)
from tocsin.framework import Catalogue

__all__ = ["METHOD_NOTES", "CitedSource", "Report", "StructureRow", "build_report"]

LEVEL_WORDS = {
    Rating.HIGH: "high",
    Rating.MODERATE: "moderate",
    Rating.LOW: "low",
    Rating.NOT_PRESENT: "not present",
    Rating.UNKNOWN: "unknown",
}

#: The methodology annex, shared by every format (docs/methodology/assessment.md has more).
METHOD_NOTES: tuple[tuple[str, str], ...] = (
    (
        "Ratings",
        "Each indicator of the 14 risk factors of the UN Framework of Analysis for Atrocity "
        "Crimes (2014) is rated not present, low, moderate or high by the assessment team, or "
        "left unknown when the evidence does not allow a judgement. Nothing is rated by "
        "Tocsin: monitoring Signals are only suggested as evidence.",
    ),
    (
        "Aggregation",
        "A risk factor's level is the highest rating among its rated indicators; unknown "
        "indicators are not counted as low, they are reported as gaps. The overall level is "
        "the highest factor level, naming the factors that set it. Each crime takes the "
        "highest level of its specific factors (genocide 9-10, crimes against humanity "
        "11-12, war crimes 13-14). No numeric score is computed.",
    ),
    (
        "Forecast and monitoring",
        "The statistical forecast is banded high (risk of at least 4% or rank 30 or better), "
        "moderate (at least 1%) or low. It disagrees with the assessment when the bands are "
        "two steps apart, or when one of the model's three largest drivers was rated low or "
        "not present. Monitoring Signals disagree when a factor rated low or not present has "
        "a risk Signal of strength 0.5 or more in the period.",
    ),
    (
        "Policy options",
        "Options of §§30-64 of the Secretary-General's report A/67/929-S/2013/399 are ranked "
        "by the number of high-rated indicators they address, then the number of weak or "
        "absent structures of resilience they build, then moderate-rated indicators. The "
        "team adopts, edits or rejects each; adopted ones become actions.",
    ),
    (
        "Structures of resilience",
        "Values from the bundled public data sets (V-Dem, Freedom House, Political Terror "
        "Scale, UN treaty status) are shown with their source and year. Where no data set "
        "measures a structure, the gap is stated rather than estimated.",
    ),
)


@dataclass(frozen=True)
class CitedSource:
    """A source cited as evidence, with how it was graded and what cites it."""

    kind: str
    ref: str
    label: str
    grade: str | None
    cited_by: list[str]


@dataclass(frozen=True)
class StructureRow:
    id: str
    title: str
    paragraphs: str
    rating: str
    rationale: str
    data: list[str]
    gaps: list[str]
    options: list[str]


@dataclass(frozen=True)
class Report:
    """Everything a report shows, ready to lay out."""

    assessment: Assessment
    country_name: str
    assessment_id: int | None
    version: int | None
    generated_at: datetime
    profile: RiskProfile
    monitoring: MonitoringComparison
    options: list[RankedOption]
    structures: list[StructureRow]
    sources: list[CitedSource]
    key_findings: list[str]
    steps: list[tuple[str, str, str, str]]  # id, title, status, note
    option_titles: dict[str, str] = field(default_factory=dict)
    indicator_texts: tuple[tuple[str, str], ...] = ()

    @property
    def rated_indicators(self) -> list[tuple[str, str, str, str, str, str, str]]:
        """Rows (code, indicator text, rating, trend, confidence, rationale, evidence)."""
        texts = dict(self.indicator_texts)
        return [
            (
                i.code,
                texts.get(i.code, ""),
                LEVEL_WORDS[i.rating],
                i.trend.value if i.trend else "-",
                i.confidence.value if i.confidence else "-",
                i.rationale,
                "; ".join(_evidence_label(e) for e in i.evidence),
            )
            for i in self.assessment.indicators
            if i.rating is not Rating.UNKNOWN
        ]

    @property
    def statements_by_weight(self) -> list[Statement]:
        """Comparison statements, disagreements first, then notes, then agreements."""
        order = {"disagreement": 0, "note": 1, "agreement": 2}
        return sorted(self.monitoring.statements, key=lambda s: order.get(s.kind, 3))

    @property
    def first_options(self) -> list[RankedOption]:
        """Options for a short list: adopted ones first, then proposed; rejected left out."""
        adopted = [o for o in self.options if o.decision == "adopted"]
        proposed = [o for o in self.options if o.decision == "proposed"]
        return adopted + proposed

    @property
    def unrated_codes(self) -> list[str]:
        return [i.code for i in self.assessment.indicators if i.rating is Rating.UNKNOWN]


def _evidence_label(link: EvidenceLink) -> str:
    grade = f" [{link.grade}]" if link.grade else ""
    return f"{link.kind.value}:{link.ref}{grade}"


def _sources(
    assessment: Assessment,
    source_names: Mapping[str, tuple[str, str | None]],
    dataset_citations: Mapping[str, str],
) -> list[CitedSource]:
    cited: dict[tuple[str, str], list[str]] = {}
    grades: dict[tuple[str, str], str | None] = {}
    places: list[tuple[str, list[EvidenceLink]]] = [
        (i.code, i.evidence) for i in assessment.indicators
    ]
    places += [(s.id, s.evidence) for s in assessment.structures]
    places += [(p.name, p.evidence) for p in assessment.populations]
    for place, links in places:
        for link in links:
            key = (link.kind.value, link.ref)
            cited.setdefault(key, []).append(place)
            grades[key] = grades.get(key) or link.grade
    result = []
    for (kind, ref), where in cited.items():
        label = ref
        grade = grades[(kind, ref)]
        if kind == EvidenceKind.SOURCE.value and ref in source_names:
            label, stored_grade = source_names[ref]
            grade = grade or stored_grade
        elif kind == EvidenceKind.DATASET.value:
            label = f"{ref} — {dataset_citations.get(ref.split(':')[0], 'bundled data set')}"
        elif kind == EvidenceKind.SIGNAL.value:
            label = f"Signal #{ref} (Tocsin monitoring)"
        result.append(CitedSource(kind, ref, label, grade, sorted(set(where))))
    return sorted(result, key=lambda s: (s.kind, s.ref))


def _findings(
    assessment: Assessment,
    profile: RiskProfile,
    monitoring: MonitoringComparison,
    options: list[RankedOption],
    weak: list[str],
) -> list[str]:
    findings = [
        f"Overall risk level: {LEVEL_WORDS[profile.overall]} ({profile.overall_reason}); "
        f"{profile.n_rated} of {profile.n_indicators} indicators rated, the rest unknown."
    ]
    at_risk = [c for c in profile.crimes if c.most_at_risk]
    if at_risk:
        findings.append(
            "Crimes most at risk: "
            + ", ".join(
                f"{c.label.lower()} ({LEVEL_WORDS[c.level]}; {', '.join(c.drivers) or 'no driver'})"
                for c in at_risk
            )
            + "."
        )
    else:
        findings.append("No specific risk factor (9-14) is rated moderate or high.")
    worsening = [f.code for f in profile.factors if f.trend and f.trend.value == "worsening"]
    if worsening:
        findings.append(f"Worsening: {', '.join(worsening)}.")
    disagreements = monitoring.disagreements
    if disagreements:
        findings.append(
            f"{len(disagreements)} disagreement(s) with the forecast or monitoring: "
            + " ".join(d.text for d in disagreements[:2])
        )
    elif monitoring.forecast is not None:
        findings.append(
            "The statistical forecast does not contradict the assessment (at most one step apart)."
        )
    if weak:
        findings.append(f"Weakest structures of resilience: {', '.join(weak)}.")
    if options:
        findings.append(
            "First policy options: "
            + "; ".join(f"{o.option_id} {o.title} ({o.paragraph_label})" for o in options[:3])
            + "."
        )
    if assessment.populations:
        findings.append(
            "Vulnerable populations: " + ", ".join(p.name for p in assessment.populations) + "."
        )
    return findings


def build_report(
    assessment: Assessment,
    catalogue: Catalogue,
    monitoring: MonitoringComparison,
    *,
    generated_at: datetime,
    country_name: str | None = None,
    assessment_id: int | None = None,
    version: int | None = None,
    source_names: Mapping[str, tuple[str, str | None]] | None = None,
    dataset_citations: Mapping[str, str] | None = None,
) -> Report:
    """Assemble a report. ``source_names`` maps Source keys to (name, grade code) from the
    store; ``dataset_citations`` maps data set names to their citations."""
    profile = risk_profile(assessment, catalogue)
    options = rank_policy_options(assessment, catalogue)
    structures = []
    for definition in STRUCTURES:
        try:
            item = assessment.structure(definition.id)
        except KeyError:
            continue
        structures.append(
            StructureRow(
                id=definition.id,
                title=definition.title,
                paragraphs=definition.paragraph_label,
                rating=item.rating.value,
                rationale=item.rationale,
                data=[
                    f"{d.label}: {_value(d.value)} ({d.dataset}, {d.year if d.year else 'n.d.'})"
                    for d in item.data
                ],
                gaps=list(item.gaps),
                options=list(definition.option_ids),
            )
        )
    weak = [s.title for s in structures if s.rating in ("weak", "absent")]
    step_titles = {s.id: s.title for s in catalogue.steps}
    return Report(
        assessment=assessment,
        country_name=country_name or assessment.iso3,
        assessment_id=assessment_id,
        version=version,
        generated_at=generated_at,
        profile=profile,
        monitoring=monitoring,
        options=options,
        structures=structures,
        sources=_sources(assessment, source_names or {}, dataset_citations or {}),
        key_findings=_findings(assessment, profile, monitoring, options, weak),
        steps=[
            (s.step_id, step_titles.get(s.step_id, s.step_id), s.status.value, s.note)
            for s in assessment.steps
        ],
        option_titles={p.id: p.title for p in catalogue.policy_options}
        | {s.id: s.title for s in catalogue.steps},
        indicator_texts=tuple((i.id, i.text) for f in catalogue.factors for i in f.indicators),
    )


def _value(value: float | str) -> str:
    return value if isinstance(value, str) else f"{value:.3g}"
