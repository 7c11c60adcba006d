"""The registry describes every bundled file truthfully."""

from __future__ import annotations

import hashlib

import pytest

from tocsin.datasets import BUNDLED_DIR, REGISTRY, UnknownDatasetError, get_dataset, list_datasets
from tocsin.errors import TocsinError

EXPECTED = {
    "pts",
    "freedom_house",
    "vdem",
    "treaties",
    "ewp_panel",
    "ewp_forecasts",
    "mass_killing",
}


def test_registry_names() -> None:
    assert set(REGISTRY) == EXPECTED
    assert [s.name for s in list_datasets()] == list(REGISTRY)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_bundled_files_match_their_checksums(name: str) -> None:
    spec = get_dataset(name)
    for data_file in spec.files:
        path = BUNDLED_DIR / name / data_file.name
        assert hashlib.sha256(path.read_bytes()).hexdigest() == data_file.sha256, path


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_spec_is_complete(name: str) -> None:
    spec = get_dataset(name)
    for field in ("title", "publisher", "source_url", "licence", "citation", "release_date"):
        assert getattr(spec, field), field
    assert spec.data_years[0] <= spec.data_years[1]
    assert spec.key[0] == "iso3"
    assert list(spec.output_columns)[0] == "iso3"
    assert spec.update_note


def test_bundled_total_size_is_small() -> None:
    total = sum(p.stat().st_size for p in BUNDLED_DIR.rglob("*") if p.is_file())
    assert total < 10 * 1024 * 1024


def test_sources_md_names_every_bundled_file() -> None:
    sources = (BUNDLED_DIR / "SOURCES.md").read_text(encoding="utf-8")
    for spec in REGISTRY.values():
        for data_file in spec.files:
            assert data_file.name in sources, data_file.name


def test_unknown_name_says_which_exist() -> None:
    with pytest.raises(UnknownDatasetError) as caught:
        get_dataset("pst")
    assert isinstance(caught.value, TocsinError)
    assert "no data set called 'pst'" in str(caught.value)
    assert "pts" in str(caught.value)
