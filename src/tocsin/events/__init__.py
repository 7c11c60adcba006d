"""Events: ingest UCDP, ACLED, GDELT and field reports; link, aggregate, detect escalation.

Everything here is pure: importers take the bytes of a file and return canonical rows
(:class:`ParsedEvents`); the store (:func:`tocsin.store.import_events`) keeps them.

Examples
--------
>>> from tocsin.events import EVENT_TYPES, EventType
>>> EVENT_TYPES[EventType.SEXUAL_VIOLENCE].framework_codes
('RF13', '13.17', '7.9')
"""

from tocsin.events._aggregate import (
    aggregate_events,
    area_keys,
    civilian_deaths_of,
    is_one_sided,
    one_per_incident,
    summarise_events,
)
from tocsin.events._escalation import (
    ALL_FEATURES,
    FEATURES,
    EscalationDetector,
    LogisticSurgeDetector,
    PersistenceBaseline,
    TrailingMeanBaseline,
    area_neighbours,
    area_week_panel,
    escalation_features,
    surge_labels,
)
from tocsin.events._evaluate import EscalationEvaluation, ForecastMetrics, evaluate_escalation
from tocsin.events._gazetteer import (
    Admin1Area,
    assign_areas,
    country_areas,
    gazetteer,
    normalise_name,
)
from tocsin.events._gdelt import cameo_codes, cameo_description, cameo_event_type, gdelt_columns
from tocsin.events._linking import (
    DATASET_PREFERENCE,
    LinkRule,
    candidate_links,
    incident_ids,
    link_events,
    score_links,
)
from tocsin.events._mapping import MAPPABLE_FIELDS, ColumnMapping
from tocsin.events._model import (
    CONTENT_COLUMNS,
    EVENT_COLUMNS,
    Act,
    Actor,
    Event,
    Fatalities,
    SourceReference,
    conform,
    content_hashes,
    empty_event_frame,
    events_to_frame,
    fingerprint,
    row_to_event,
)
from tocsin.events._parse import ParsedEvents
from tocsin.events._partitions import (
    AGGREGATE_SUMS,
    aggregate_keys,
    aggregate_over_partitions,
    combine_aggregates,
    last_week_of,
    risks_over_partitions,
)
from tocsin.events._pictures import (
    EVENT_FAMILIES,
    event_family,
    plot_escalation_map,
    plot_event_timeline,
)
from tocsin.events._readers import EVENT_FORMATS, EventFormat, parse_events
from tocsin.events._scale import resample_events, scale_event_file, source_table
from tocsin.events._signals import (
    PRODUCER,
    STALE_AFTER,
    data_end_note,
    escalation_risks,
    escalation_signals,
    event_signals,
)
from tocsin.events._taxonomy import (
    ATROCITY_ACT_TYPES,
    EVENT_TYPES,
    ONE_SIDED_TYPES,
    TRIGGER_TYPES,
    ActorKind,
    DatePrecision,
    EventType,
    EventTypeInfo,
    GeoPrecision,
)

__all__ = [
    "PRODUCER",
    "STALE_AFTER",
    "data_end_note",
    "Admin1Area",
    "assign_areas",
    "country_areas",
    "gazetteer",
    "normalise_name",
    "ALL_FEATURES",
    "LogisticSurgeDetector",
    "area_neighbours",
    "escalation_risks",
    "escalation_signals",
    "event_signals",
    "FEATURES",
    "EscalationDetector",
    "EscalationEvaluation",
    "ForecastMetrics",
    "PersistenceBaseline",
    "TrailingMeanBaseline",
    "aggregate_events",
    "area_keys",
    "area_week_panel",
    "civilian_deaths_of",
    "escalation_features",
    "evaluate_escalation",
    "is_one_sided",
    "one_per_incident",
    "summarise_events",
    "surge_labels",
    "DATASET_PREFERENCE",
    "LinkRule",
    "candidate_links",
    "incident_ids",
    "link_events",
    "score_links",
    "ATROCITY_ACT_TYPES",
    "CONTENT_COLUMNS",
    "EVENT_COLUMNS",
    "EVENT_FORMATS",
    "EVENT_TYPES",
    "MAPPABLE_FIELDS",
    "ONE_SIDED_TYPES",
    "TRIGGER_TYPES",
    "Act",
    "Actor",
    "ActorKind",
    "ColumnMapping",
    "DatePrecision",
    "Event",
    "EventFormat",
    "EventType",
    "EventTypeInfo",
    "Fatalities",
    "GeoPrecision",
    "ParsedEvents",
    "SourceReference",
    "cameo_codes",
    "cameo_description",
    "cameo_event_type",
    "conform",
    "content_hashes",
    "empty_event_frame",
    "events_to_frame",
    "fingerprint",
    "gdelt_columns",
    "parse_events",
    "row_to_event",
    "EVENT_FAMILIES",
    "event_family",
    "plot_escalation_map",
    "plot_event_timeline",
    "AGGREGATE_SUMS",
    "aggregate_keys",
    "aggregate_over_partitions",
    "combine_aggregates",
    "last_week_of",
    "risks_over_partitions",
    "resample_events",
    "scale_event_file",
    "source_table",
]
