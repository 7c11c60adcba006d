"""Loaders on the bundled data return the documented shapes, keys and dtypes."""

from __future__ import annotations

import pandas as pd
import pytest

from tocsin.datasets import REGISTRY, TREATIES, get_dataset, load, unmatched, vdem_variables

# Rows with an iso3, of all rows: what the crosswalk must keep reaching.
COVERAGE = {
    "pts": 0.93,
    "freedom_house": 1.0,
    "vdem": 0.98,
    "treaties": 1.0,
    "ewp_panel": 1.0,
    "ewp_forecasts": 1.0,
    "mass_killing": 1.0,
}


@pytest.fixture(scope="module")
def frames() -> dict[str, pd.DataFrame]:
    return {name: load(name) for name in REGISTRY}


@pytest.mark.parametrize("name", sorted(REGISTRY))
def test_documented_columns_and_dtypes(frames: dict[str, pd.DataFrame], name: str) -> None:
    spec = get_dataset(name)
    frame = frames[name]
    assert len(frame) == spec.rows
    for column, dtype in spec.output_columns.items():
        assert column in frame.columns, column
        assert str(frame[column].dtype) == dtype, column
    assert list(frame.columns[: len(spec.key)]) == list(spec.key) or spec.name == "treaties"


@pytest.mark.parametrize("name", sorted(REGISTRY))
def test_key_is_unique_where_mapped(frames: dict[str, pd.DataFrame], name: str) -> None:
    spec = get_dataset(name)
    mapped = frames[name].dropna(subset=["iso3"])
    assert not mapped.duplicated(list(spec.key)).any()
    assert mapped["iso3"].str.fullmatch(r"[A-Z]{3}").all()


@pytest.mark.parametrize("name", sorted(REGISTRY))
def test_mapping_coverage(frames: dict[str, pd.DataFrame], name: str) -> None:
    frame = frames[name]
    share = frame["iso3"].notna().mean()
    assert share >= COVERAGE[name], f"{name}: {share:.3f} of rows have an iso3"


def test_pts_shape_and_values(frames: dict[str, pd.DataFrame]) -> None:
    pts = frames["pts"]
    assert pts.shape == (10220, 15)
    assert (pts["year"].min(), pts["year"].max()) == (1976, 2023)
    for column in ("pts_amnesty", "pts_hrw", "pts_state"):
        assert pts[column].dropna().between(1, 5).all()
    norway = pts[(pts["iso3"] == "NOR") & (pts["year"] == 2020)]
    assert norway[["pts_amnesty", "pts_state"]].iloc[0].tolist() == [1, 1]
    soviet = pts[(pts["country"] == "Soviet Union") & (pts["year"] == 1985)]
    assert soviet["iso3"].iloc[0] == "SUN"


def test_unmapped_rows_are_kept_and_reported(frames: dict[str, pd.DataFrame]) -> None:
    pts = frames["pts"]
    assert pts["iso3"].isna().sum() > 0
    report = unmatched("pts")
    assert report["n_rows"].sum() == pts["iso3"].isna().sum()
    assert "Crimea" in set(report["country"])
    # Israel keeps ISR; PTS's separate coding of the occupied territories does not take it.
    israel = pts[(pts["iso3"] == "ISR") & (pts["year"] == 2020)]
    assert israel["country"].tolist() == ["Israel"]


def test_freedom_house_divided_states(frames: dict[str, pd.DataFrame]) -> None:
    fh = frames["freedom_house"]
    in_1980 = fh[fh["year"] == 1980].set_index("country")["iso3"]
    assert in_1980["Germany, E."] == "DDR"
    assert in_1980["Germany, W."] == "DEU"
    assert in_1980["Yemen, S."] == "YMD"
    assert set(fh["status"].dropna()) == {"Free", "Partly Free", "Not Free"}
    assert fh["political_rights"].dropna().between(1, 7).all()


def test_treaties_long_layout(frames: dict[str, pd.DataFrame]) -> None:
    treaties = frames["treaties"]
    assert set(treaties["treaty"]) == set(TREATIES)
    assert len(treaties) == 18 * 193
    parties = treaties.groupby("treaty")["is_party"].sum()
    # Sanity figures from the source's SOURCES.md.
    assert parties[["iccpr", "icerd", "icescr", "cedaw", "cat", "crc", "iccpr_op2"]].tolist() == [
        174,
        181,
        170,
        187,
        171,
        192,
        89,
    ]
    namibia = treaties[(treaties["iso2"] == "NA") & (treaties["treaty"] == "cat")]
    assert namibia["iso3"].tolist() == ["NAM"]
    assert (treaties.loc[treaties["is_party"], "ratification_year"].notna()).all()


def test_ewp_panel_keys_and_outcomes(frames: dict[str, pd.DataFrame]) -> None:
    panel = frames["ewp_panel"]
    assert panel.shape[0] == 9463
    assert panel["mk_onset"].sum() == 122
    y2024 = panel[panel["year"] == 2024]
    assert len(y2024) == 168
    germany = panel[(panel["ccode"] == 255) & (panel["year"] == 2000)]
    assert germany["iso3"].tolist() == ["DEU"]


def test_ewp_forecasts_and_mass_killing(frames: dict[str, pd.DataFrame]) -> None:
    forecasts = frames["ewp_forecasts"]
    top = forecasts.sort_values("rank.2025and2026.from2025").iloc[0]
    assert top["iso3"] == "MMR"
    mk = frames["mass_killing"]
    assert (mk["year"].min(), mk["year"].max()) == (1934, 2024)
    assert mk["mk_onset"].isin([0, 1]).all()


def test_vdem_variables() -> None:
    lookup = vdem_variables()
    assert lookup["tag"].is_unique
    assert "v2x_libdem" in set(lookup["tag"])
