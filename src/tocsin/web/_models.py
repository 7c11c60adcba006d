"""Public models: the JSON shapes of pages and API (promised stable, see docs/web.md).

Every route declares one of these as its response, so stored secrets (password hashes,
ciphertexts, token digests) have no field to leak through.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Generic, TypeVar

from pydantic import BaseModel, Field, SerializeAsAny

from tocsin.store import StoredSignal
from tocsin.web._country_sections import CountrySection

T = TypeVar("T")


class Page(BaseModel, Generic[T]):
    """One page of a list: the items, and where they sit in all that matched."""

    items: list[T]
    total: int | None = Field(description="How many match in all (None if not counted).")
    limit: int
    offset: int


class SignalOut(BaseModel):
    id: int
    iso3: str
    area: str | None
    kind: str
    direction: str
    start_date: date
    end_date: date
    strength: float
    summary: str
    framework_codes: list[str]
    producer: str
    sensitivity: str

    @classmethod
    def of(cls, signal: StoredSignal) -> SignalOut:
        return cls(
            id=signal.id,
            iso3=signal.iso3,
            area=signal.area,
            kind=signal.kind.value,
            direction=signal.direction.value,
            start_date=signal.start_date,
            end_date=signal.end_date,
            strength=signal.strength,
            summary=signal.summary,
            framework_codes=list(signal.framework_codes),
            producer=signal.provenance.producer,
            sensitivity=signal.sensitivity.value,
        )


class Driver(BaseModel):
    """A risk factor's contribution to a forecast (log-odds scale, + raises risk)."""

    code: str
    title: str
    contribution: float


class WatchlistRow(BaseModel):
    rank: int
    iso3: str
    name: str
    region: str | None
    risk: float
    previous_rank: int | None = Field(description="Rank in the previous data year's run.")
    rank_change: int | None = Field(description="Places moved up (+) or down (-).")
    drivers: list[Driver]


class Watchlist(BaseModel):
    available: bool
    message: str | None = None
    model: str | None = None
    model_version: str | None = None
    data_year: int | None = None
    run_at: datetime | None = None
    region: str | None = None
    sort: str = "rank"
    regions: list[str] = []
    rows: list[WatchlistRow] = []
    signals: list[SignalOut] = []


class CountryOut(BaseModel):
    iso3: str
    name: str
    iso2: str | None
    un_region: str | None
    un_subregion: str | None


class ForecastOut(BaseModel):
    model: str
    data_year: int
    risk: float
    rank: int
    n_countries: int
    drivers: list[Driver]


class HistoryPoint(BaseModel):
    data_year: int
    risk: float
    rank: int


class MonthCount(BaseModel):
    month: str
    n_events: int
    fatalities: int


class EventOut(BaseModel):
    uid: str
    dataset: str
    start_date: date
    event_type: str
    admin1: str | None
    location: str | None
    latitude: float | None
    longitude: float | None
    fatalities_best: int | None


class EventsOut(BaseModel):
    since: date
    n_events: int
    truncated: bool
    by_month: list[MonthCount]
    recent: list[EventOut]


class ResilienceValue(BaseModel):
    dataset: str
    indicator: str
    label: str
    year: int
    value: float | str


class NotAvailable(BaseModel):
    section: str
    reason: str


class CountryPage(BaseModel):
    country: CountryOut
    forecast: ForecastOut | None
    history: list[HistoryPoint]
    events: EventsOut
    escalation: list[SignalOut]
    resilience: list[ResilienceValue]
    signals: list[SignalOut]
    sections: dict[str, SerializeAsAny[CountrySection]] = Field(
        default_factory=dict,
        description="What capabilities add (register_country_section), by section name; "
        "each section's own fields appear beside the common ones.",
    )
    not_available: list[NotAvailable]
