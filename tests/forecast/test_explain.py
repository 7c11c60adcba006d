"""Every predictor maps to a framework risk factor that exists in the catalogue."""

from __future__ import annotations

from tocsin.forecast import TOCSIN_FEATURES, predictor_factors
from tocsin.framework import load_catalogue


def test_every_predictor_has_a_catalogue_factor() -> None:
    table = predictor_factors()
    assert set(TOCSIN_FEATURES) <= set(table.index)
    factors = {factor.id for factor in load_catalogue().factors}
    assert set(table["factor"]) <= factors
    assert table["label"].notna().all()
