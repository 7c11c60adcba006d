"""The canonical event, borrowed from the HURIDOCS Events Standard Formats.

An **event** happened somewhere, some time; it is made of one or more **acts** (what was
done), each with a **perpetrator** and **victims**, and it is known through **sources**.
Every importer turns its rows into this shape. In bulk the same content travels as a
frame with the columns of :data:`EVENT_COLUMNS` (one row per event, its first act spread
into columns and any further acts in ``extra_acts``), which is what the store writes.
"""

from __future__ import annotations

import hashlib
import json
from datetime import date
from typing import Any, Self

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, model_validator

from tocsin.events._taxonomy import ActorKind, DatePrecision, EventType, GeoPrecision

#: The dates an event may carry. The event frame holds nanosecond timestamps, which end
#: before 1678 and after 2261; a date outside this span is a typing error, not history.
EARLIEST_EVENT_DATE = date(1800, 1, 1)
LATEST_EVENT_DATE = date(2199, 12, 31)


class Actor(BaseModel):
    """Who did it or to whom: a name, a kind, and the identity group targeted if known."""

    model_config = ConfigDict(frozen=True)

    name: str | None = None
    kind: ActorKind = ActorKind.UNKNOWN
    group: str | None = Field(default=None, description="Targeted identity group, if known.")


class Fatalities(BaseModel):
    """Deaths: a low, best and high estimate, and how many of them were civilians.

    Estimates are kept as the source published them, even when not ordered (UCDP GED
    has a few events with ``low > best``).
    """

    model_config = ConfigDict(frozen=True)

    low: int | None = Field(default=None, ge=0)
    best: int | None = Field(default=None, ge=0)
    high: int | None = Field(default=None, ge=0)
    civilians: int | None = Field(default=None, ge=0)


class Act(BaseModel):
    """One act within an event: its type, perpetrator, victims and the deaths it caused."""

    model_config = ConfigDict(frozen=True)

    type: EventType
    source_type: str | None = Field(default=None, description="The source's own label.")
    perpetrator: Actor = Field(default_factory=Actor)
    victim: Actor = Field(default_factory=Actor)
    fatalities: Fatalities = Field(default_factory=Fatalities)


class SourceReference(BaseModel):
    """Where the information on an event comes from (an outlet, report or monitor)."""

    model_config = ConfigDict(frozen=True)

    name: str
    url: str | None = None


class Event(BaseModel):
    """One event as Tocsin keeps it, whatever data set it came from.

    Examples
    --------
    >>> e = Event(
    ...     dataset="field",
    ...     source_event_id="CAF-2024-0007",
    ...     start_date=date(2024, 3, 2),
    ...     iso3="CAF",
    ...     admin1="Ouaka",
    ...     acts=[Act(type=EventType.KILLING,
    ...               perpetrator=Actor(name="Armed group X", kind=ActorKind.MILITIA),
    ...               victim=Actor(kind=ActorKind.CIVILIANS, group="Fulani"),
    ...               fatalities=Fatalities(best=4, civilians=4))],
    ... )
    >>> e.uid, e.end_date, e.event_type
    ('field:CAF-2024-0007', datetime.date(2024, 3, 2), <EventType.KILLING: 'killing'>)
    """

    dataset: str = Field(min_length=1, max_length=40, pattern=r"^[a-z0-9_:.-]+$")
    source_event_id: str = Field(min_length=1, max_length=100)
    version: str | None = Field(default=None, description="The source's version stamp.")
    start_date: date
    end_date: date | None = None
    date_precision: DatePrecision = DatePrecision.DAY
    iso3: str | None = Field(default=None, pattern=r"^[A-Z]{3}$")
    admin1: str | None = None
    admin2: str | None = None
    location: str | None = None
    latitude: float | None = Field(default=None, ge=-90, le=90)
    longitude: float | None = Field(default=None, ge=-180, le=180)
    geo_precision: GeoPrecision = GeoPrecision.UNKNOWN
    acts: list[Act] = Field(min_length=1)
    sources: list[SourceReference] = Field(default_factory=list)
    notes: str | None = None
    import_file: str | None = None
    import_line: int | None = None

    @model_validator(mode="after")
    def _span(self) -> Self:
        if self.end_date is None:
            self.end_date = self.start_date
        if self.end_date < self.start_date:
            raise ValueError(f"end_date {self.end_date} is before start_date {self.start_date}")
        for value in (self.start_date, self.end_date):
            if not EARLIEST_EVENT_DATE <= value <= LATEST_EVENT_DATE:
                raise ValueError(
                    f"date {value} is outside {EARLIEST_EVENT_DATE}..{LATEST_EVENT_DATE}"
                )
        return self

    @property
    def uid(self) -> str:
        """The event's id across Tocsin: ``<dataset>:<source id>``."""
        return f"{self.dataset}:{self.source_event_id}"

    @property
    def event_type(self) -> EventType:
        """The type of the first (main) act."""
        return self.acts[0].type


#: Columns of the canonical event frame, in order, with their pandas dtypes.
EVENT_COLUMNS: dict[str, str] = {
    "uid": "object",
    "dataset": "object",
    "source_event_id": "object",
    "version": "object",
    "start_date": "datetime64[ns]",
    "end_date": "datetime64[ns]",
    "date_precision": "object",
    "iso3": "object",
    "admin1": "object",
    "admin2": "object",
    "location": "object",
    "latitude": "float64",
    "longitude": "float64",
    "geo_precision": "object",
    "event_type": "object",
    "source_type": "object",
    "perpetrator": "object",
    "perpetrator_kind": "object",
    "target": "object",
    "target_kind": "object",
    "target_group": "object",
    "fatalities_low": "Int64",
    "fatalities_best": "Int64",
    "fatalities_high": "Int64",
    "civilian_deaths": "Int64",
    "source_names": "object",
    "source_url": "object",
    "notes": "object",
    "extra_acts": "object",
    "import_line": "Int64",
}

#: The columns whose change makes a new version of a record.
CONTENT_COLUMNS = [
    c for c in EVENT_COLUMNS if c not in {"uid", "dataset", "source_event_id", "import_line"}
]


def empty_event_frame() -> pd.DataFrame:
    """A frame with the canonical columns and no rows."""
    return pd.DataFrame({c: pd.Series(dtype=t) for c, t in EVENT_COLUMNS.items()})


def conform(frame: pd.DataFrame) -> pd.DataFrame:
    """Return ``frame`` with exactly the canonical columns and dtypes (missing ones empty)."""
    out = {}
    n = len(frame)
    for column, dtype in EVENT_COLUMNS.items():
        if column in frame:
            values = frame[column]
        else:
            values = pd.Series([None] * n, index=frame.index, dtype="object")
        if dtype == "object":
            values = values.astype("object").where(values.notna(), None)
        elif dtype == "datetime64[ns]":
            values = pd.to_datetime(values).astype("datetime64[ns]")
        else:
            values = values.astype(pd.api.types.pandas_dtype(dtype))
        out[column] = values
    result = pd.DataFrame(out, index=frame.index)
    result["uid"] = result["dataset"].astype(str) + ":" + result["source_event_id"].astype(str)
    return result.reset_index(drop=True)


def content_hashes(frame: pd.DataFrame) -> pd.Series:
    """A hash per row over the content columns: equal content, equal hash, on every run.

    Columnar: pandas hashes each column in C (no conversion of the values to text first)
    and combines the column hashes of a row.
    """
    if frame.empty:
        return pd.Series([], dtype="object")
    parts = frame[CONTENT_COLUMNS].copy()
    parts["extra_acts"] = parts["extra_acts"].map(
        lambda v: None if v is None else json.dumps(v, sort_keys=True)
    )
    hashed = pd.util.hash_pandas_object(parts, index=False, categorize=False)
    return pd.Series(
        [f"{h:016x}" for h in hashed.to_numpy().tolist()], index=frame.index, dtype="object"
    )


def _act_dict(act: Act) -> dict[str, Any]:
    return act.model_dump(mode="json")


def events_to_frame(events: list[Event]) -> pd.DataFrame:
    """The canonical frame of ``events`` (first act in columns, the others in ``extra_acts``)."""
    rows = []
    for event in events:
        first = event.acts[0]
        totals = _summed([a.fatalities for a in event.acts])
        rows.append(
            {
                "dataset": event.dataset,
                "source_event_id": event.source_event_id,
                "version": event.version,
                "start_date": pd.Timestamp(event.start_date),
                "end_date": pd.Timestamp(event.end_date or event.start_date),
                "date_precision": event.date_precision.value,
                "iso3": event.iso3,
                "admin1": event.admin1,
                "admin2": event.admin2,
                "location": event.location,
                "latitude": event.latitude if event.latitude is not None else np.nan,
                "longitude": event.longitude if event.longitude is not None else np.nan,
                "geo_precision": event.geo_precision.value,
                "event_type": first.type.value,
                "source_type": first.source_type,
                "perpetrator": first.perpetrator.name,
                "perpetrator_kind": first.perpetrator.kind.value,
                "target": first.victim.name,
                "target_kind": first.victim.kind.value,
                "target_group": first.victim.group,
                "fatalities_low": totals.low,
                "fatalities_best": totals.best,
                "fatalities_high": totals.high,
                "civilian_deaths": totals.civilians,
                "source_names": "; ".join(s.name for s in event.sources) or None,
                "source_url": next((s.url for s in event.sources if s.url), None),
                "notes": event.notes,
                "extra_acts": [_act_dict(a) for a in event.acts[1:]] or None,
                "import_line": event.import_line,
            }
        )
    if not rows:
        return empty_event_frame()
    return conform(pd.DataFrame(rows))


def _summed(values: list[Fatalities]) -> Fatalities:
    def total(field: str) -> int | None:
        known = [getattr(v, field) for v in values if getattr(v, field) is not None]
        return sum(known) if known else None

    return Fatalities(
        low=total("low"), best=total("best"), high=total("high"), civilians=total("civilians")
    )


def _none(value: Any) -> Any:
    if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
        return None
    return value


def row_to_event(row: dict[str, Any]) -> Event:
    """Rebuild an :class:`Event` from one canonical row (as the store returns it)."""
    extra = row.get("extra_acts") or []
    first_fatalities = Fatalities(
        low=_none(row.get("fatalities_low")),
        best=_none(row.get("fatalities_best")),
        high=_none(row.get("fatalities_high")),
        civilians=_none(row.get("civilian_deaths")),
    )
    extra_acts = [Act.model_validate(a) for a in extra]
    if extra_acts:
        # The row holds the event's totals; the first act gets what the others leave.
        rest = _summed([a.fatalities for a in extra_acts])

        def left(total: int | None, other: int | None) -> int | None:
            return None if total is None else max(total - (other or 0), 0)

        first_fatalities = Fatalities(
            civilians=left(first_fatalities.civilians, rest.civilians),
            best=left(first_fatalities.best, rest.best),
        )
    first = Act(
        type=EventType(row["event_type"]),
        source_type=_none(row.get("source_type")),
        perpetrator=Actor(
            name=_none(row.get("perpetrator")),
            kind=ActorKind(_none(row.get("perpetrator_kind")) or "unknown"),
        ),
        victim=Actor(
            name=_none(row.get("target")),
            kind=ActorKind(_none(row.get("target_kind")) or "unknown"),
            group=_none(row.get("target_group")),
        ),
        fatalities=first_fatalities,
    )
    names = [n.strip() for n in (_none(row.get("source_names")) or "").split(";") if n.strip()]
    url = _none(row.get("source_url"))
    sources = [SourceReference(name=n, url=url if i == 0 else None) for i, n in enumerate(names)]

    def as_date(value: Any) -> date:
        return pd.Timestamp(value).date()

    latitude, longitude = _none(row.get("latitude")), _none(row.get("longitude"))
    return Event(
        dataset=row["dataset"],
        source_event_id=row["source_event_id"],
        version=_none(row.get("version")),
        start_date=as_date(row["start_date"]),
        end_date=as_date(row["end_date"]),
        date_precision=DatePrecision(_none(row.get("date_precision")) or "unknown"),
        iso3=_none(row.get("iso3")),
        admin1=_none(row.get("admin1")),
        admin2=_none(row.get("admin2")),
        location=_none(row.get("location")),
        latitude=None if latitude is None else float(latitude),
        longitude=None if longitude is None else float(longitude),
        geo_precision=GeoPrecision(_none(row.get("geo_precision")) or "unknown"),
        acts=[first, *extra_acts],
        sources=sources,
        notes=_none(row.get("notes")),
        import_line=_none(row.get("import_line")),
    )


def fingerprint(data: bytes) -> str:
    """The SHA-256 of a file's bytes, which identifies an import."""
    return hashlib.sha256(data).hexdigest()
