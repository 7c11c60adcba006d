"""Type stub of :mod:`tocsin.watchlist`: the names it offers, loaded on first use."""

from ._models import (
    CountryPage,
    Driver,
    EventOut,
    EventsOut,
    ForecastOut,
    HistoryPoint,
    MonthCount,
    NotAvailable,
    ResilienceValue,
    Watchlist,
    WatchlistRow,
)
from ._views import RESILIENCE, country_page, drivers, resilience, warm_events, watchlist

__all__ = [
    "RESILIENCE",
    "CountryPage",
    "Driver",
    "EventOut",
    "EventsOut",
    "ForecastOut",
    "HistoryPoint",
    "MonthCount",
    "NotAvailable",
    "ResilienceValue",
    "Watchlist",
    "WatchlistRow",
    "country_page",
    "drivers",
    "resilience",
    "warm_events",
    "watchlist",
]
