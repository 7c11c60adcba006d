"""Panel checks (bad input names the column), missing-value rule and targets."""

from __future__ import annotations

import pandas as pd
import pytest

from tocsin.datasets import load
from tocsin.forecast import (
    EWP_PREDICTORS,
    PanelError,
    check_panel,
    complete_cases,
    load_events,
    onset_series,
    with_target,
)


@pytest.fixture(scope="module")
def panel() -> pd.DataFrame:
    return load("ewp_panel")


@pytest.fixture(scope="module")
def country_years() -> pd.DataFrame:
    return load("mass_killing")


def test_bundled_panel_passes(panel: pd.DataFrame) -> None:
    check_panel(panel, EWP_PREDICTORS)


def test_missing_predictor_is_named(panel: pd.DataFrame) -> None:
    with pytest.raises(PanelError, match="'discrimpop' is missing"):
        check_panel(panel.drop(columns=["discrimpop"]), EWP_PREDICTORS)


def test_wrong_type_is_named(panel: pd.DataFrame) -> None:
    bad = panel.assign(efindex=panel["efindex"].astype(str))
    with pytest.raises(PanelError, match="'efindex' is not numeric"):
        check_panel(bad, EWP_PREDICTORS)


@pytest.mark.parametrize("column", ["mk_onset_1or2", "mk_onset_1", "mk_onset"])
def test_future_leaking_column_is_refused(panel: pd.DataFrame, column: str) -> None:
    with pytest.raises(PanelError, match=f"'{column}' holds the outcome"):
        check_panel(panel, [*EWP_PREDICTORS, column])


def test_complete_case_rule_counts_what_it_drops(panel: pd.DataFrame) -> None:
    kept, report = complete_cases(panel, EWP_PREDICTORS)
    assert report.missing_by_column == {"popsize.log2": 46, "gdppcgrowth": 125, "un_imr_sqrt": 76}
    assert report.n_dropped == len(panel) - len(kept) > 0
    assert kept[list(EWP_PREDICTORS)].notna().all().all()


def test_any_onset_target_reproduces_ewp_outcomes(
    panel: pd.DataFrame, country_years: pd.DataFrame
) -> None:
    frame = with_target(panel, onset_series(country_years, load_events(), "any"), 2)
    assert (frame["onset"] == frame["mk_onset"]).all()
    known = frame["target"].notna()
    assert (frame.loc[known, "target"] == frame.loc[known, "mk_onset_1or2"]).all()
    # EWP's false zeros in the last two data years are missing here
    assert frame.loc[frame["year"] >= 2023, "target"].isna().all()


def test_state_led_target_is_a_subset(panel: pd.DataFrame, country_years: pd.DataFrame) -> None:
    events = load_events()
    state = with_target(panel, onset_series(country_years, events, "state_led"), 1)
    every = with_target(panel, onset_series(country_years, events, "any"), 1)
    assert (state["onset"] <= every["onset"]).all()
    assert 0 < state["onset"].sum() < every["onset"].sum()
    # Myanmar's 2021 crackdown (state-led) counts; Boko Haram's own 2010 campaign does not
    assert state.set_index(["iso3", "year"]).loc[("MMR", 2021), "onset"] == 1
    assert every.set_index(["iso3", "year"]).loc[("NGA", 2010), "onset"] == 1
    assert state.set_index(["iso3", "year"]).loc[("NGA", 2010), "onset"] == 0


def test_unknown_target_is_refused(country_years: pd.DataFrame) -> None:
    with pytest.raises(PanelError, match="unknown target"):
        onset_series(country_years, load_events(), "rebels")
