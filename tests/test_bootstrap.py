"""`bring_up` on a real SQLite file and a real PostgreSQL schema."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from tocsin.bootstrap import bring_up, framework_codes
from tocsin.countries import get_crosswalk
from tocsin.datasets import list_datasets
from tocsin.framework import load_catalogue
from tocsin.settings import Settings
from tocsin.store import Database, count_rows, get_country, list_audit, list_dataset_versions

NOW = datetime(2026, 11, 28, tzinfo=UTC)


def test_bring_up_loads_reference_data_then_changes_nothing(
    database_url: str, tmp_path: Path
) -> None:
    settings = Settings(home=tmp_path / "home", database_url=database_url)

    first = bring_up(settings, now=NOW)
    assert (tmp_path / "home").stat().st_mode & 0o777 == 0o700  # its owner's only
    second = bring_up(settings, now=NOW)

    n_codes = len(framework_codes(load_catalogue()))
    assert first.revision_before is None and first.revision == second.revision_before
    assert first.n_framework_codes_changed == n_codes
    assert first.n_countries_changed == len(get_crosswalk().records())
    assert {d.name for d in first.datasets} == {s.name for s in list_datasets()}
    assert all(d.is_new and d.n_rows > 0 for d in first.datasets)
    assert second.n_framework_codes_changed == 0
    assert second.n_countries_changed == 0
    assert not any(d.is_new for d in second.datasets)

    db = Database(database_url)
    with db.session() as session:
        counts = count_rows(session)
        versions = list_dataset_versions(session)
        myanmar = get_country(session, "MMR")
        actions = [entry.action for entry in list_audit(session)]
    db.dispose()
    assert counts["framework_codes"] == n_codes
    assert counts["sources"] == len(first.datasets)
    assert {v.name: v.n_rows for v in versions} == {d.name: d.n_rows for d in first.datasets}
    assert myanmar is not None and myanmar.name
    assert actions == ["up", "up"]
