"""Public models: the JSON shapes of pages and API (promised stable, see docs/web.md).

Every route declares one of these as its response, so stored secrets (password hashes,
ciphertexts, token digests) have no field to leak through.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Generic, TypeVar

from pydantic import BaseModel, Field

from tocsin.domain import data_end, is_stale
from tocsin.store import StoredSignal

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
    observed_at: datetime | None = Field(
        default=None, description="When the producer made the Signal (UTC)."
    )
    data_end: date | None = Field(
        default=None,
        description="Last day of the data the Signal rests on (its period may end later).",
    )
    stale: bool = Field(
        default=False,
        description="Whether the data ended more than 90 days before it was shown "
        "(tocsin.domain.STALE_DATA_AFTER).",
    )

    @classmethod
    def of(cls, signal: StoredSignal, *, now: datetime | None = None) -> SignalOut:
        """The public shape of ``signal``; ``stale`` is judged at ``now`` (default: the
        present)."""
        end = data_end(signal)
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
            observed_at=signal.observed_at or signal.stored_at,
            data_end=end,
            stale=is_stale(end, now),
        )


class CountryOut(BaseModel):
    iso3: str
    name: str
    iso2: str | None
    un_region: str | None
    un_subregion: str | None
