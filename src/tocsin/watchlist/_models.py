"""The JSON shapes of the watchlist, the country pages and the events API (promised stable,
see docs/web.md).

Every route declares one of these as its response, so nothing outside them can leak.
"""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, Field, SerializeAsAny

from tocsin.web import CountryOut, CountrySection, SignalOut

#: What a driver's ``contribution`` is, in the ``drivers_unit`` of its forecast.
DRIVERS_UNIT = (
    "Unit of the drivers' contributions: 'probability' (Tocsin's model: a change in the "
    "0–1 risk from the base risk, +0.01 = one percentage point), 'log-odds' (the EWP "
    "replica) or 'unknown'."
)


class Driver(BaseModel):
    """A risk factor's contribution to a forecast (+ raises risk), in the unit its
    forecast's ``drivers_unit`` names: for Tocsin's model a change in probability, not
    log-odds."""

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
    drivers_unit: str | None = Field(default=None, description=DRIVERS_UNIT)
    region: str | None = None
    sort: str = "rank"
    regions: list[str] = []
    rows: list[WatchlistRow] = []
    signals: list[SignalOut] = []


class ForecastOut(BaseModel):
    model: str
    data_year: int
    risk: float
    rank: int
    n_countries: int
    drivers: list[Driver]
    drivers_unit: str = Field(default="unknown", description=DRIVERS_UNIT)


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
