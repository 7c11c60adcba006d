"""Forecast tables: one row per run (model, data vintage, run time) and per country.

A run is identified by model version, data vintage, target, horizon and data year:
storing the same run again replaces its country rows, so ``tocsin forecast run`` can be
re-run safely.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Float, ForeignKey, Integer, String, UniqueConstraint, delete, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from tocsin.store import Base, UTCDateTime

__all__ = [
    "ForecastRunCreate",
    "ForecastValue",
    "StoredForecastRun",
    "get_country_forecasts",
    "latest_forecast_run",
    "record_forecast_run",
]


class ForecastRunRow(Base):
    __tablename__ = "forecast_runs"
    __table_args__ = (
        UniqueConstraint("model_version", "data_vintage", "target", "horizon", "data_year"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    model: Mapped[str] = mapped_column(String(40))
    model_version: Mapped[str] = mapped_column(String(80))
    data_vintage: Mapped[str] = mapped_column(String(120))
    target: Mapped[str] = mapped_column(String(20))
    horizon: Mapped[int] = mapped_column(Integer)
    data_year: Mapped[int] = mapped_column(Integer)
    run_at: Mapped[datetime] = mapped_column(UTCDateTime())
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class ForecastValueRow(Base):
    __tablename__ = "forecast_values"
    __table_args__ = (UniqueConstraint("run_id", "iso3"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("forecast_runs.id", ondelete="CASCADE"))
    iso3: Mapped[str] = mapped_column(ForeignKey("countries.iso3"))
    risk: Mapped[float] = mapped_column(Float)
    rank: Mapped[int] = mapped_column(Integer)
    factors: Mapped[dict[str, float]] = mapped_column(JSON, default=dict)


@dataclass(frozen=True)
class ForecastValue:
    """One country's forecast in a run, with contributions by framework factor."""

    iso3: str
    risk: float
    rank: int
    factors: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class ForecastRunCreate:
    """A run to store."""

    model: str
    model_version: str
    data_vintage: str
    target: str
    horizon: int
    data_year: int
    values: Sequence[ForecastValue]
    details: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class StoredForecastRun:
    """A stored run and its values, highest risk first."""

    id: int
    model: str
    model_version: str
    data_vintage: str
    target: str
    horizon: int
    data_year: int
    run_at: datetime
    values: list[ForecastValue]


def record_forecast_run(session: Session, run: ForecastRunCreate, *, now: datetime) -> int:
    """Store a run (replacing the values of the same run stored before); return its id."""
    row = session.scalar(
        select(ForecastRunRow).where(
            ForecastRunRow.model_version == run.model_version,
            ForecastRunRow.data_vintage == run.data_vintage,
            ForecastRunRow.target == run.target,
            ForecastRunRow.horizon == run.horizon,
            ForecastRunRow.data_year == run.data_year,
        )
    )
    if row is None:
        row = ForecastRunRow(
            model=run.model,
            model_version=run.model_version,
            data_vintage=run.data_vintage,
            target=run.target,
            horizon=run.horizon,
            data_year=run.data_year,
        )
        session.add(row)
    row.run_at = now
    row.details = dict(run.details)
    session.flush()
    session.execute(delete(ForecastValueRow).where(ForecastValueRow.run_id == row.id))
    session.add_all(
        ForecastValueRow(
            run_id=row.id, iso3=v.iso3, risk=v.risk, rank=v.rank, factors=dict(v.factors)
        )
        for v in run.values
    )
    session.flush()
    return row.id


def _values(session: Session, run_id: int) -> list[ForecastValue]:
    rows = session.scalars(
        select(ForecastValueRow)
        .where(ForecastValueRow.run_id == run_id)
        .order_by(ForecastValueRow.rank, ForecastValueRow.iso3)
    )
    return [ForecastValue(r.iso3, r.risk, r.rank, dict(r.factors)) for r in rows]


def latest_forecast_run(
    session: Session, *, model: str | None = None, target: str = "any", horizon: int = 2
) -> StoredForecastRun | None:
    """The most recent run (latest data year, then run time) for a model and target."""
    query = select(ForecastRunRow).where(
        ForecastRunRow.target == target, ForecastRunRow.horizon == horizon
    )
    if model is not None:
        query = query.where(ForecastRunRow.model == model)
    row = session.scalar(
        query.order_by(ForecastRunRow.data_year.desc(), ForecastRunRow.run_at.desc())
    )
    if row is None:
        return None
    return StoredForecastRun(
        id=row.id,
        model=row.model,
        model_version=row.model_version,
        data_vintage=row.data_vintage,
        target=row.target,
        horizon=row.horizon,
        data_year=row.data_year,
        run_at=row.run_at,
        values=_values(session, row.id),
    )


def get_country_forecasts(
    session: Session, iso3: str, *, model: str | None = None
) -> list[tuple[int, float, int]]:
    """A country's stored forecasts as (data year, risk, rank), oldest first."""
    query = (
        select(ForecastRunRow.data_year, ForecastValueRow.risk, ForecastValueRow.rank)
        .join(ForecastValueRow, ForecastValueRow.run_id == ForecastRunRow.id)
        .where(ForecastValueRow.iso3 == iso3)
    )
    if model is not None:
        query = query.where(ForecastRunRow.model == model)
    return [(int(y), float(r), int(k)) for y, r, k in session.execute(query.order_by("data_year"))]
