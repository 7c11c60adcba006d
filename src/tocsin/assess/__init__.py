"""National assessments of risk and resilience (§71(b) of the seed report).

An assessment rates every indicator of the 14 risk factors of the UN Framework of
Analysis (rating, trend, confidence, rationale, evidence), names the vulnerable
populations, rates the structures of resilience of §§35–64 (pre-filled from the bundled
data, gaps shown), aggregates a risk profile by a documented ordinal rule, sets it beside
the statistical forecast and the monitoring Signals, ranks the catalogue's policy options
and tracks actions and the §71 checklist. Every change is kept as a version; the review
workflow runs draft → in review → approved.

Pure functions (no I/O) work on :class:`Assessment`; the ``*_assessment``/``rate``/
``transition`` functions of the service layer take a store session.

Examples
--------
>>> from datetime import date
>>> from tocsin.assess import Rating, blank_assessment, rate_indicator, risk_profile
>>> from tocsin.framework import load_catalogue
>>> cat = load_catalogue()
>>> a = blank_assessment(cat, iso3="CAF", title="CAR 2024", period_start=date(2024, 1, 1),
...                      period_end=date(2024, 12, 31))
>>> a = rate_indicator(a, "13.1", rating=Rating.MODERATE, rationale="reported attacks")
>>> [c.crime for c in risk_profile(a, cat).crimes if c.most_at_risk]
['war_crimes']
"""

from tocsin.assess._compare import Change, VersionDiff, compare_assessments
from tocsin.assess._edit import (
    AssessmentEditError,
    accept_suggestion,
    blank_assessment,
    rate_indicator,
    reject_suggestion,
    start_from,
)
from tocsin.assess._examples import example_assessment, example_path
from tocsin.assess._io import (
    FORMAT,
    FORMAT_VERSION,
    assessment_json_schema,
    export_assessment,
    parse_assessment,
)
from tocsin.assess._model import (
    SCHEMA_ID,
    Action,
    ActionStatus,
    Assessment,
    AssessmentStatus,
    Comment,
    Confidence,
    DataPoint,
    EvidenceKind,
    EvidenceLink,
    IndicatorAssessment,
    OptionDecision,
    PolicyDecision,
    PopulationKind,
    Rating,
    StepState,
    StepStatus,
    StructureAssessment,
    StructureRating,
    Trend,
    VulnerablePopulation,
)
from tocsin.assess._plan import (
    add_action,
    decide_option,
    rate_structure,
    remove_population,
    set_population,
    set_step,
    update_action,
)
from tocsin.assess._policy import RankedOption, rank_policy_options
from tocsin.assess._profile import (
    CRIME_FACTORS,
    CrimeRisk,
    FactorProfile,
    ForecastView,
    MonitoringComparison,
    RiskProfile,
    Statement,
    compare_with_monitoring,
    risk_profile,
)
from tocsin.assess._service import (
    JUDGEMENT_STRENGTH,
    add_comment,
    assessment_signals,
    change_assessment,
    compare_versions,
    evidence_suggestions,
    export_stored,
    forecast_view,
    import_assessment,
    load_assessment,
    monitoring_picture,
    new_assessment,
    prefill_from_datasets,
    rate,
    resolve_suggestion,
    stored_summary,
    transition,
)
from tocsin.assess._store import (
    AssessmentVersionInfo,
    StoredAssessment,
    create_assessment,
    get_assessment,
    latest_approved_assessment,
    list_assessment_versions,
    list_assessments,
    save_assessment,
)
from tocsin.assess._structures import STRUCTURES, Structure, prefill_structures, structure
from tocsin.assess._suggest import Suggestion, suggest_evidence
from tocsin.assess._workflow import Transition, apply_transition

__all__ = [
    "AssessmentVersionInfo",
    "StoredAssessment",
    "create_assessment",
    "get_assessment",
    "latest_approved_assessment",
    "list_assessment_versions",
    "list_assessments",
    "save_assessment",
    "update_action",
    "set_step",
    "set_population",
    "remove_population",
    "rate_structure",
    "decide_option",
    "add_action",
    "CRIME_FACTORS",
    "FORMAT",
    "FORMAT_VERSION",
    "JUDGEMENT_STRENGTH",
    "SCHEMA_ID",
    "STRUCTURES",
    "Action",
    "ActionStatus",
    "Assessment",
    "AssessmentEditError",
    "AssessmentStatus",
    "Change",
    "Comment",
    "Confidence",
    "CrimeRisk",
    "DataPoint",
    "EvidenceKind",
    "EvidenceLink",
    "FactorProfile",
    "ForecastView",
    "IndicatorAssessment",
    "MonitoringComparison",
    "OptionDecision",
    "PolicyDecision",
    "PopulationKind",
    "RankedOption",
    "Rating",
    "RiskProfile",
    "Statement",
    "StepState",
    "StepStatus",
    "Structure",
    "StructureAssessment",
    "StructureRating",
    "Suggestion",
    "Transition",
    "Trend",
    "VersionDiff",
    "VulnerablePopulation",
    "accept_suggestion",
    "add_comment",
    "apply_transition",
    "assessment_json_schema",
    "assessment_signals",
    "blank_assessment",
    "change_assessment",
    "compare_assessments",
    "compare_versions",
    "compare_with_monitoring",
    "evidence_suggestions",
    "example_assessment",
    "example_path",
    "export_assessment",
    "export_stored",
    "forecast_view",
    "import_assessment",
    "load_assessment",
    "monitoring_picture",
    "new_assessment",
    "parse_assessment",
    "prefill_from_datasets",
    "prefill_structures",
    "rank_policy_options",
    "rate",
    "rate_indicator",
    "reject_suggestion",
    "resolve_suggestion",
    "risk_profile",
    "start_from",
    "stored_summary",
    "structure",
    "suggest_evidence",
    "transition",
]
