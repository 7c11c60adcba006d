"""Bring a Tocsin database up: migrate it and load the bundled reference data.

This is the composition root that ``tocsin up`` (and later the web app) calls:
it takes the catalogue, the countries and the data sets from their packages and
hands them to the store as domain objects. Each step is idempotent, so running it
again on a loaded database changes nothing and says so.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass, field
from datetime import datetime

from tocsin.countries import CountryRecord, get_crosswalk
from tocsin.datasets import current_release, list_datasets, load
from tocsin.domain import Country, Source, SourceKind
from tocsin.framework import Catalogue, load_catalogue
from tocsin.settings import Settings
from tocsin.store import (
    Database,
    DatasetVersion,
    FrameworkCode,
    audit,
    record_dataset_version,
    sync_framework_codes,
    upsert_countries,
    upsert_source,
)

ProgressWrapper = Callable[[Iterable[str], int, str], Iterator[str]]


@dataclass
class DatasetLoad:
    """What `up` found for one data set."""

    name: str
    title: str
    origin: str
    n_rows: int
    n_unmatched: int
    first_year: int | None
    last_year: int | None
    is_new: bool


@dataclass
class UpReport:
    """Everything `up` did, for the CLI to print and tests to check."""

    database: str
    revision_before: str | None
    revision: str | None
    catalogue_version: str
    n_framework_codes: int
    n_framework_codes_changed: int
    n_countries: int
    n_countries_changed: int
    datasets: list[DatasetLoad] = field(default_factory=list)

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


def framework_codes(catalogue: Catalogue) -> list[FrameworkCode]:
    """Every risk factor and indicator code of the catalogue, as the store keeps them."""
    codes = []
    for factor in catalogue.factors:
        codes.append(FrameworkCode(factor.id, "risk_factor", factor.title, factor.id))
        codes.extend(
            FrameworkCode(indicator.id, "indicator", indicator.text, factor.id)
            for indicator in factor.indicators
        )
    return codes


def country_from_record(record: CountryRecord) -> Country:
    """The domain Country for a crosswalk record (the record's extra fields are not kept)."""
    return Country.model_validate(record, from_attributes=True)


def _release_digest(paths: Iterable[object]) -> str:
    digest = hashlib.sha256()
    for path in paths:
        with open(str(path), "rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
    return digest.hexdigest()


def _no_progress(items: Iterable[str], _total: int, _label: str) -> Iterator[str]:
    yield from items


def bring_up(
    settings: Settings,
    *,
    now: datetime,
    actor: str = "system",
    progress: ProgressWrapper = _no_progress,
) -> UpReport:
    """Migrate the database and load countries, the catalogue and the bundled data sets.

    Parameters
    ----------
    settings : Settings
        Which database and which folder of updated data sets.
    now : datetime
        Timestamp for the records written (UTC, timezone-aware).
    actor : str
        Who is doing it, for the audit log.
    progress : callable
        Wraps the iteration over data sets, e.g. to draw a progress bar.
    """
    # the data folder holds the database, its sealed identities and password hashes
    settings.home.mkdir(mode=0o700, parents=True, exist_ok=True)
    db = Database.from_settings(settings)
    try:
        before = db.current_revision()
        db.upgrade()
        catalogue = load_catalogue()
        codes = framework_codes(catalogue)
        records = get_crosswalk().records()
        with db.session() as session:
            n_codes_changed = sync_framework_codes(session, codes, catalogue.version)
            n_countries_changed = upsert_countries(
                session, ((country_from_record(r), r.variants) for r in records)
            )
        report = UpReport(
            database=db.describe(),
            revision_before=before,
            revision=db.current_revision(),
            catalogue_version=catalogue.version,
            n_framework_codes=len(codes),
            n_framework_codes_changed=n_codes_changed,
            n_countries=len(records),
            n_countries_changed=n_countries_changed,
        )
        specs = {spec.name: spec for spec in list_datasets()}
        for name in progress(list(specs), len(specs), "Loading data sets"):
            spec = specs[name]
            release = current_release(name, settings)
            frame = load(name, settings_or_dir=settings)
            years = frame["year"] if "year" in frame.columns else None
            version = DatasetVersion(
                name=name,
                sha256=_release_digest(release.files.values()),
                origin=release.origin,
                vintage=spec.release_date,
                n_rows=len(frame),
                first_year=int(years.min()) if years is not None else None,
                last_year=int(years.max()) if years is not None else None,
            )
            with db.session() as session:
                upsert_source(
                    session,
                    Source(
                        key=f"dataset:{name}",
                        name=spec.title,
                        kind=SourceKind.DATASET,
                        url=spec.source_url,
                        notes=spec.citation,
                    ),
                    now=now,
                )
                is_new = record_dataset_version(session, version, now=now)
            report.datasets.append(
                DatasetLoad(
                    name=name,
                    title=spec.title,
                    origin=release.origin,
                    n_rows=len(frame),
                    n_unmatched=int(frame["iso3"].isna().sum()) if "iso3" in frame else 0,
                    first_year=version.first_year,
                    last_year=version.last_year,
                    is_new=is_new,
                )
            )
        with db.session() as session:
            audit(
                session,
                actor=actor,
                action="up",
                now=now,
                details={
                    "revision": report.revision,
                    "catalogue_version": report.catalogue_version,
                    "new_dataset_versions": [d.name for d in report.datasets if d.is_new],
                },
            )
        return report
    finally:
        db.dispose()
