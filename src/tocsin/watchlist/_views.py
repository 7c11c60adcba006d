"""The data behind the watchlist and country pages, shared by pages, JSON twins and API.

Each function takes a session and the caller and returns a public model; nothing here
renders HTML.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Hashable
from datetime import UTC, date, datetime, timedelta
from functools import cache
from typing import Any

import pandas as pd
from sqlalchemy.orm import Session

from tocsin.domain import SignalKind
from tocsin.events import count_events_by_month, events_version, load_events_frame
from tocsin.forecast import contribution_unit, get_country_forecasts, latest_forecast_run
from tocsin.framework import load_catalogue
from tocsin.incidents import ReportVisibility, hidden_events_of_reports, hidden_report_events
from tocsin.store import Database, get_country, list_countries
from tocsin.watchlist._models import (
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
from tocsin.web import CountryOut, CountrySectionRegistry, Principal, SignalOut, visible_signals

logger = logging.getLogger(__name__)
SORTS = ("rank", "-rank", "risk", "-risk", "name", "-name", "change", "-change")


@cache
def factor_titles() -> dict[str, str]:
    return {factor.id: factor.title for factor in load_catalogue().factors}


def drivers(factors: dict[str, float], *, top: int | None = None) -> list[Driver]:
    """Risk factors by the size of their contribution, largest first."""
    titles = factor_titles()
    ordered = sorted(factors.items(), key=lambda item: -abs(item[1]))
    return [Driver(code=c, title=titles.get(c, c), contribution=v) for c, v in ordered[:top]]


def _previous_ranks(session: Session, iso3s: list[str], model: str, year: int) -> dict[str, int]:
    ranks = {}
    for iso3 in iso3s:
        for data_year, _risk, rank in get_country_forecasts(session, iso3, model=model):
            if data_year == year - 1:
                ranks[iso3] = rank
    return ranks


def watchlist(
    session: Session,
    principal: Principal,
    *,
    region: str | None = None,
    sort: str = "rank",
    cache_store: dict[str, Any] | None = None,
) -> Watchlist:
    """The current forecast as a ranked table, with rank changes and the latest Signals."""
    run = latest_forecast_run(session)
    countries = {c.iso3: c for c in list_countries(session)}
    regions = sorted({c.un_region for c in countries.values() if c.un_region})
    # every visible Signal is read (visible_signals filters after the query anyway) so
    # that the 15 kept are the most recently observed, not those whose period ends last
    signals = [SignalOut.of(s) for s in visible_signals(session, principal, limit=15)]
    if run is None:
        return Watchlist(
            available=False,
            message="No forecast is stored yet: run `tocsin forecast run` to make one.",
            regions=regions,
            signals=signals,
        )
    key = f"previous-ranks:{run.id}:{run.run_at.isoformat()}"
    store = cache_store if cache_store is not None else {}
    if key not in store:
        store[key] = _previous_ranks(
            session, [v.iso3 for v in run.values], run.model, run.data_year
        )
    previous: dict[str, int] = store[key]
    rows = []
    for value in run.values:
        country = countries.get(value.iso3)
        if region and (country is None or country.un_region != region):
            continue
        before = previous.get(value.iso3)
        rows.append(
            WatchlistRow(
                rank=value.rank,
                iso3=value.iso3,
                name=country.name if country else value.iso3,
                region=country.un_region if country else None,
                risk=value.risk,
                previous_rank=before,
                rank_change=None if before is None else before - value.rank,
                drivers=drivers(value.factors, top=3),
            )
        )
    sort = sort if sort in SORTS else "rank"
    field, reverse = sort.lstrip("-"), sort.startswith("-")
    sort_keys: dict[str, Any] = {
        "rank": lambda r: r.rank,
        "risk": lambda r: -r.risk,
        "name": lambda r: r.name,
        "change": lambda r: -(r.rank_change if r.rank_change is not None else -10_000),
    }
    rows.sort(key=sort_keys[field], reverse=reverse)
    return Watchlist(
        available=True,
        model=run.model,
        model_version=run.model_version,
        data_year=run.data_year,
        run_at=run.run_at,
        drivers_unit=contribution_unit(run.model),
        region=region,
        sort=sort,
        regions=regions,
        rows=rows,
        signals=signals,
    )


def _optional(value: Any, kind: type[float] | type[int] | type[str]) -> Any:
    # a missing text or number can come back from the events frame as NaN, which the models
    # refuse
    return None if value is None or pd.isna(value) else kind(value)


def _event_out(row: dict[Any, Any]) -> EventOut:
    return EventOut(
        uid=row["uid"],
        dataset=row["dataset"],
        start_date=row["start_date"].date(),
        event_type=row["event_type"],
        admin1=_optional(row["admin1"], str),
        location=_optional(row["location"], str),
        latitude=_optional(row["latitude"], float),
        longitude=_optional(row["longitude"], float),
        fatalities_best=_optional(row["fatalities_best"], int),
    )


Memo = Callable[[Hashable, Callable[[], Any]], Any]


def _events(
    session: Session,
    iso3: str,
    today: date,
    memo: Memo | None = None,
    *,
    hidden: frozenset[str] = frozenset(),
) -> EventsOut:
    """Events of the last three years: counts and deaths by month, the latest 200 in full.

    The database counts by month (a high-risk country can hold 100,000 events in three
    years); only the 200 shown in full leave it. ``hidden`` are the events the caller may
    not see (those of internal incident reports they may not read), left out of both.
    With ``memo`` (``WebContext.forever``) the result is kept until an import changes the
    events (``events_version``), per set of hidden events: callers who may see the same
    events (most of them: every role but the monitors, who see their own reports) share
    one copy.
    """
    since = today - timedelta(days=3 * 365)

    def compute() -> EventsOut:
        by_month = count_events_by_month(session, iso3=iso3, since=since, hidden=hidden)
        latest = load_events_frame(
            session, iso3=iso3, since=since, newest_first=True, limit=200, hidden=hidden
        )
        return EventsOut(
            since=since,
            n_events=sum(m.n_events for m in by_month),
            truncated=False,
            by_month=[
                MonthCount(month=m.month, n_events=m.n_events, fatalities=m.fatalities)
                for m in by_month
            ],
            recent=[_event_out(row) for row in latest.to_dict("records")],
        )

    if memo is None:
        return compute()
    key = ("events", iso3, since, events_version(session), hidden)
    found: EventsOut = memo(key, compute)
    return found


def warm_events(db: Database, memo: Memo, *, top: int = 60) -> int:
    """Compute the events of the highest-risk countries ahead of their first visitor.

    Run at server start in a background thread (each server process has its own cache);
    one short transaction per country, so it holds nothing open for long. Each country is
    computed as the roles that may read every internal report see it and as those who may
    read none do. Returns how many countries it did; a failure is logged, never raised
    (it is only a head start).
    """
    today = datetime.now(UTC).date()
    done = 0
    try:
        with db.session() as session:
            run = latest_forecast_run(session)
            iso3s = [v.iso3 for v in run.values[:top]] if run else []
        for iso3 in iso3s:
            with db.session() as session:
                nobody = ReportVisibility(sensitivities=())
                for hidden in (
                    frozenset(),
                    hidden_events_of_reports(session, visibility=nobody, iso3=iso3),
                ):
                    _events(session, iso3, today, memo, hidden=hidden)
            done += 1
    except Exception as error:  # noqa: BLE001 - the pages compute what is missing
        logger.warning("warming the country pages stopped after %d: %s", done, error)
    return done


RESILIENCE = {
    "pts": {
        "pts_amnesty": "Political Terror Scale (Amnesty), 1 best – 5 worst",
        "pts_state": "Political Terror Scale (US State Dept.), 1 best – 5 worst",
    },
    "freedom_house": {
        "political_rights": "Freedom House political rights, 1 best – 7 worst",
        "civil_liberties": "Freedom House civil liberties, 1 best – 7 worst",
        "status": "Freedom House status",
    },
    "vdem": {
        "v2x_libdem": "V-Dem liberal democracy index, 0–1",
        "v2x_rule": "V-Dem rule of law index, 0–1",
        "v2x_civlib": "V-Dem civil liberties index, 0–1",
        "v2xcs_ccsi": "V-Dem core civil society index, 0–1",
    },
}


def resilience(frames: dict[str, pd.DataFrame], iso3: str) -> list[ResilienceValue]:
    """The latest value of each resilience indicator for a country.

    Every country's values are found in one pass over the frames, the first time these
    frames are asked about, and kept beside them: a page then costs a dictionary lookup
    instead of filtering three national-level frames.
    """
    found = _RESILIENCE.get(id(frames))
    if found is None or found[0] is not frames:
        found = (frames, _all_resilience(frames))
        _RESILIENCE.clear()  # the application loads its frames once: keep the latest only
        _RESILIENCE[id(frames)] = found
    return list(found[1].get(iso3, []))


# id(frames) -> (the frames, kept alive so that their id is not reused; values by iso3)
_RESILIENCE: dict[int, tuple[dict[str, pd.DataFrame], dict[str, list[ResilienceValue]]]] = {}


def _all_resilience(frames: dict[str, pd.DataFrame]) -> dict[str, list[ResilienceValue]]:
    values: dict[str, list[ResilienceValue]] = {}
    for name, indicators in RESILIENCE.items():
        frame = frames.get(name)
        if frame is None:
            continue
        for column, label in indicators.items():
            if column not in frame:
                continue
            known = frame.loc[frame[column].notna(), ["iso3", "year", column]]
            # the row of the latest year per country (stable: as sorting a country's rows)
            latest = known.sort_values("year", kind="stable").groupby("iso3", sort=False).tail(1)
            for iso3, year, raw in latest.itertuples(index=False):
                value: float | str = raw if isinstance(raw, str) else float(raw)
                values.setdefault(iso3, []).append(
                    ResilienceValue(
                        dataset=name, indicator=column, label=label, year=int(year), value=value
                    )
                )
    return values


NOT_YET = [
    NotAvailable(
        section="speech",
        reason="Speech trends appear when the speech capability "
        "(issue #6) lands its scores; speech_surge Signals are listed below.",
    ),
    NotAvailable(
        section="alerts", reason="Open alerts and actions appear when alerts (issue #8) land."
    ),
]


def country_page(
    session: Session,
    principal: Principal,
    iso3: str,
    *,
    today: date,
    frames: dict[str, pd.DataFrame],
    sections: CountrySectionRegistry | None = None,
    memo: Memo | None = None,
    hidden_events: frozenset[str] | None = None,
) -> CountryPage | None:
    """Everything the country page shows, or None if there is no such country.

    ``memo`` keeps the events across calls, per set of events hidden from the caller
    (``hidden_events``, by default :func:`tocsin.incidents.hidden_report_events`).

    ``sections`` are what capabilities add (``register_country_section``); a section
    registered under the name of a "not available yet" note replaces that note.
    """
    country = get_country(session, iso3)
    if country is None:
        return None
    run = latest_forecast_run(session)
    forecast = None
    if run is not None:
        mine = [v for v in run.values if v.iso3 == iso3]
        if mine:
            forecast = ForecastOut(
                model=run.model,
                data_year=run.data_year,
                risk=mine[0].risk,
                rank=mine[0].rank,
                n_countries=len(run.values),
                drivers=drivers(mine[0].factors),
                drivers_unit=contribution_unit(run.model),
            )
    history = [
        HistoryPoint(data_year=y, risk=r, rank=k)
        for y, r, k in get_country_forecasts(session, iso3, model=run.model if run else None)
    ]
    signals = visible_signals(session, principal, iso3=iso3, limit=200)
    hidden = (
        hidden_events
        if hidden_events is not None
        else hidden_report_events(session, principal, iso3=iso3)
    )
    return CountryPage(
        country=CountryOut(
            iso3=country.iso3,
            name=country.name,
            iso2=country.iso2,
            un_region=country.un_region,
            un_subregion=country.un_subregion,
        ),
        forecast=forecast,
        history=history,
        events=_events(session, iso3, today, memo, hidden=hidden),
        escalation=[SignalOut.of(s) for s in signals if s.kind == SignalKind.ESCALATION],
        resilience=resilience(frames, iso3),
        signals=[SignalOut.of(s) for s in signals[:50]],
        sections=sections.collect(session, principal, iso3) if sections else {},
        not_available=[n for n in NOT_YET if not sections or n.section not in sections.names()],
    )
