"""Any CSV of events, through a declared column mapping."""

from __future__ import annotations

from typing import Any, get_args

import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, field_validator

from tocsin.countries import CodeScheme, get_crosswalk
from tocsin.errors import DataFileError, RowProblem
from tocsin.events._parse import ParsedEvents, RowChecks, finish, read_text_table
from tocsin.events._taxonomy import ActorKind, DatePrecision, EventType, GeoPrecision

_TEXT_FIELDS = [
    "version",
    "admin1",
    "admin2",
    "location",
    "perpetrator",
    "target",
    "target_group",
    "source_names",
    "source_url",
    "notes",
]
_INT_FIELDS = ["fatalities_low", "fatalities_best", "fatalities_high", "civilian_deaths"]
_VOCABULARY_FIELDS: dict[str, type[Any]] = {
    "date_precision": DatePrecision,
    "geo_precision": GeoPrecision,
    "perpetrator_kind": ActorKind,
    "target_kind": ActorKind,
}
MAPPABLE_FIELDS = [
    "source_event_id",
    "start_date",
    "end_date",
    "country",
    "event_type",
    "latitude",
    "longitude",
    *_TEXT_FIELDS,
    *_INT_FIELDS,
    *_VOCABULARY_FIELDS,
]


class ColumnMapping(BaseModel):
    """How to read a CSV of events: which column holds which canonical field.

    ``columns`` maps a canonical field (see :data:`MAPPABLE_FIELDS`) to a column of the
    file; ``values`` maps the file's words to Tocsin's vocabulary, per field (event
    types, actor kinds, precisions); ``constants`` gives a field one value for every row.

    Examples
    --------
    >>> m = ColumnMapping(dataset="monitor_x", columns={"source_event_id": "ref",
    ...     "start_date": "when", "country": "country", "event_type": "what"},
    ...     values={"event_type": {"Massacre": "killing"}})
    >>> data = b"ref,when,country,what\\nA1,2024-05-02,Mali,Massacre\\n"
    >>> parse_mapped_csv(data, m, file_name="x.csv").frame.loc[0, ["iso3", "event_type"]].tolist()
    ['MLI', 'killing']
    """

    model_config = ConfigDict(extra="forbid")

    dataset: str = Field(pattern=r"^[a-z0-9_]+$", description="Name of the data set.")
    columns: dict[str, str]
    country_scheme: str = "name"
    date_formats: list[str] = Field(default_factory=lambda: ["%Y-%m-%d"])
    delimiter: str = ","
    values: dict[str, dict[str, str]] = Field(default_factory=dict)
    constants: dict[str, str] = Field(default_factory=dict)

    @field_validator("columns")
    @classmethod
    def _known_fields(cls, columns: dict[str, str]) -> dict[str, str]:
        unknown = sorted(set(columns) - set(MAPPABLE_FIELDS))
        if unknown:
            raise ValueError(f"unknown fields {unknown}; map any of {MAPPABLE_FIELDS}")
        missing = {"source_event_id", "start_date", "country", "event_type"} - set(columns)
        if missing:
            raise ValueError(f"the mapping must name a column for {sorted(missing)}")
        return columns

    @field_validator("country_scheme")
    @classmethod
    def _scheme(cls, scheme: str) -> str:
        schemes = get_args(CodeScheme)
        if scheme not in schemes:
            raise ValueError(f"unknown country scheme {scheme!r}; use one of {schemes}")
        return scheme


def parse_mapped_csv(data: bytes, mapping: ColumnMapping, *, file_name: str) -> ParsedEvents:
    """Parse a CSV whose columns are declared by ``mapping``."""
    raw = read_text_table(data, delimiter=mapping.delimiter, file_name=file_name)
    # A column of the file may carry the name of a field mapped from another column (ACLED's
    # own event_type when event_type is read from sub_event_type): the mapping wins.
    sources = set(mapping.columns.values())
    shadowed = [k for k in mapping.columns if k in raw.columns and k not in sources]
    renamed = raw.drop(columns=shadowed).rename(columns={v: k for k, v in mapping.columns.items()})
    # Keep the file's own names for messages: checks read renamed columns.
    checks = RowChecks(renamed, raw["__line__"].to_numpy())
    missing_columns = sorted(set(mapping.columns.values()) - set(raw.columns))
    if missing_columns:
        raise DataFileError(
            file_name,
            [
                RowProblem(1, c, "column named in the mapping is not in the file")
                for c in missing_columns
            ],
        )
    out = pd.DataFrame(index=raw.index)
    out["dataset"] = mapping.dataset
    out["source_event_id"] = checks.text("source_event_id", required=True)
    start = checks.dates("start_date", mapping.date_formats)
    out["start_date"] = start
    out["end_date"] = checks.dates("end_date", mapping.date_formats, required=False).fillna(start)
    country = checks.text("country", required=True)
    iso3 = get_crosswalk().to_iso3_series(country.fillna(""), mapping.country_scheme)  # type: ignore[arg-type]
    checks.flag(country.notna() & iso3.isna(), "country", "unknown country", country)
    out["iso3"] = iso3.astype("object").where(iso3.notna(), None)
    out["latitude"] = checks.real("latitude", low=-90, high=90)
    out["longitude"] = checks.real("longitude", low=-180, high=180)
    for name in _TEXT_FIELDS:
        out[name] = checks.text(name)
    for name in _INT_FIELDS:
        out[name] = checks.integer(name)
    words = mapping.values.get("event_type", {})
    types = {t.value: t.value for t in EventType} | words
    out["event_type"] = checks.mapped(
        "event_type", checks.text("event_type", required=True), types, what="event type"
    )
    out["source_type"] = checks.text("event_type")
    for name, vocabulary in _VOCABULARY_FIELDS.items():
        table = {v.value: v.value for v in vocabulary} | mapping.values.get(name, {})
        values = checks.mapped(name, checks.text(name), table, what=name.replace("_", " "))
        out[name] = values.fillna("unknown" if name != "date_precision" else "day")
    for name, value in mapping.constants.items():
        out[name] = value
    return finish(out, checks, file_name=file_name, fmt="csv")
