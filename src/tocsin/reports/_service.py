"""Gather a report's inputs: from the store (an assessment, its forecast, Signals, Sources)
or, for an assessment file with no database, from the bundled data alone."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from tocsin.assess import (
    Assessment,
    ForecastView,
    MonitoringComparison,
    compare_with_monitoring,
    get_assessment,
    load_assessment,
    monitoring_picture,
    risk_profile,
)
from tocsin.framework import Catalogue
from tocsin.reports._content import Report, build_report
from tocsin.store import get_country, list_sources

if TYPE_CHECKING:
    from tocsin.settings import Settings

__all__ = ["assessment_report", "bundled_forecast", "file_report"]

_EWP_RISK = "risk.2025and2026.from2024"
_EWP_RANK = "rank.2025and2026.from2025"


def _citations() -> dict[str, str]:
    from tocsin.datasets import list_datasets

    return {spec.name: spec.citation for spec in list_datasets()}


def bundled_forecast(
    iso3: str, *, settings_or_dir: Settings | Path | None = None
) -> ForecastView | None:
    """The Early Warning Project's published forecast for ``iso3`` from the bundled data
    (used when no Tocsin forecast run is stored); ``None`` if the country is not in it."""
    from tocsin.datasets import load

    frame = load("ewp_forecasts", settings_or_dir=settings_or_dir)
    rows = frame[frame["iso3"] == iso3]
    if rows.empty or rows[_EWP_RISK].isna().all():
        return None
    row = rows.iloc[0]
    return ForecastView(
        model="EWP statistical risk assessment (bundled)",
        model_version="2025",
        data_year=int(row["year"]),
        risk=float(row[_EWP_RISK]),
        rank=int(row[_EWP_RANK]),
        n_countries=int(frame[_EWP_RISK].notna().sum()),
    )


def assessment_report(
    session: Session,
    catalogue: Catalogue,
    assessment_id: int,
    *,
    now: datetime,
    version: int | None = None,
    settings_or_dir: Settings | Path | None = None,
    sensitivities: Collection[str] | None = None,
) -> Report:
    """The report of a stored assessment, beside the stored forecast (or the bundled EWP
    forecast when none is stored) and the period's monitoring Signals (of
    ``sensitivities`` only, when given: those the reader may see)."""
    stored = get_assessment(session, assessment_id, version=version)
    assessment = load_assessment(session, assessment_id, version=version)
    profile, monitoring = monitoring_picture(
        session, assessment, catalogue, sensitivities=sensitivities
    )
    if monitoring.forecast is None:
        forecast = bundled_forecast(assessment.iso3, settings_or_dir=settings_or_dir)
        if forecast is not None:
            with_forecast = compare_with_monitoring(profile, forecast=forecast, signals=[])
            monitoring = MonitoringComparison(
                forecast,
                monitoring.signals_by_factor,
                [s for s in with_forecast.statements if s.source == "forecast"]
                + [s for s in monitoring.statements if s.source == "signals"],
            )
    country = get_country(session, assessment.iso3)
    sources = {s.key: (s.name, s.grade.code) for s in list_sources(session)}
    return build_report(
        assessment,
        catalogue,
        monitoring,
        generated_at=now,
        country_name=country.name if country else assessment.iso3,
        assessment_id=assessment_id,
        version=stored.version,
        source_names=sources,
        dataset_citations=_citations(),
    )


def file_report(
    assessment: Assessment,
    catalogue: Catalogue,
    *,
    now: datetime,
    settings_or_dir: Settings | Path | None = None,
) -> Report:
    """The report of an assessment read from a file, with no database: the forecast is the
    bundled EWP one and there are no monitoring Signals."""
    profile = risk_profile(assessment, catalogue)
    forecast = bundled_forecast(assessment.iso3, settings_or_dir=settings_or_dir)
    monitoring = compare_with_monitoring(profile, forecast=forecast, signals=[])
    return build_report(
        assessment,
        catalogue,
        monitoring,
        generated_at=now,
        country_name=_country_name(assessment.iso3),
        dataset_citations=_citations(),
    )


def _country_name(iso3: str) -> str:
    from tocsin.countries import get_crosswalk
    from tocsin.errors import TocsinError

    try:
        return get_crosswalk().country(iso3).name
    except TocsinError:
        return iso3
