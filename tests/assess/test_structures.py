"""Structures of resilience pre-filled from the bundled data sets (real values)."""

from __future__ import annotations

import pytest

from tocsin.assess import STRUCTURES, prefill_from_datasets, structure
from tocsin.datasets import load
from tocsin.framework import Catalogue


@pytest.fixture(scope="module")
def frames() -> dict[str, object]:
    return {n: load(n) for n in ("treaties", "vdem", "freedom_house", "pts")}


def test_structures_cover_paragraphs_35_to_64(catalogue: Catalogue) -> None:
    covered = {p for s in STRUCTURES for p in s.paragraphs}
    assert set(range(35, 65)) <= covered
    options = {p.id for p in catalogue.policy_options}
    assert all(set(s.option_ids) <= options for s in STRUCTURES)
    assert len(STRUCTURES) == 15


def test_prefill_shows_values_with_source_and_year(catalogue: Catalogue, frames) -> None:  # type: ignore[no-untyped-def]
    filled = {s.id: s for s in prefill_from_datasets(catalogue, "CAF", 2024, frames=frames)}
    rule = {d.variable: d for d in filled["rule_of_law_judiciary"].data}
    vdem = frames["vdem"]
    expected = vdem[(vdem.iso3 == "CAF") & (vdem.year == 2023)]["v2x_rule"].iloc[0]
    assert rule["v2x_rule"].value == pytest.approx(float(expected))
    assert rule["v2x_rule"].year == 2023  # the latest year the bundled V-Dem holds
    assert "Coppedge" in rule["v2x_rule"].citation
    assert all(s.rating.value == "unknown" for s in filled.values())  # nothing rated


def test_prefill_makes_gaps_visible(catalogue: Catalogue, frames) -> None:  # type: ignore[no-untyped-def]
    filled = {s.id: s for s in prefill_from_datasets(catalogue, "CAF", 2024, frames=frames)}
    assert filled["national_human_rights_institution"].data == []
    assert "No bundled data set" in filled["national_human_rights_institution"].gaps[0]
    accountability = filled["accountability_criminal_law"]
    treaties = {d.variable: d.value for d in accountability.data}
    assert treaties["iccpr"] == "state party (1981)"
    assert treaties["iccpr_op2"] == "not a party"
    gaps = " ".join(accountability.gaps)
    for name in ("Genocide Convention", "Rome Statute", "ATT"):
        assert f"{name}: no bundled ratification data" in gaps


def test_a_country_without_data_gets_gaps_not_guesses(catalogue: Catalogue, frames) -> None:  # type: ignore[no-untyped-def]
    filled = prefill_from_datasets(catalogue, "ATA", 2024, frames=frames)
    assert all(d for s in filled for d in [s.gaps])
    assert sum(len(s.data) for s in filled) == 0


def test_structure_lookup() -> None:
    assert structure("media_pluralism").option_ids == ("P13",)
    with pytest.raises(KeyError, match="no structure"):
        structure("nope")
