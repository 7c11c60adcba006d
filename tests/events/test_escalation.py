"""Escalation detection: labels by definition, features from the past only, evaluation, Signals."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.utils.estimator_checks import parametrize_with_checks

from tocsin.events import (
    ALL_FEATURES,
    EVENT_TYPES,
    FEATURES,
    EscalationDetector,
    PersistenceBaseline,
    TrailingMeanBaseline,
    aggregate_events,
    area_neighbours,
    area_week_panel,
    assign_areas,
    country_areas,
    default_alarm_risk,
    escalation_features,
    escalation_risks,
    escalation_signals,
    evaluate_escalation,
    event_signals,
    normalise_name,
    one_false_alarm_threshold,
    parse_events,
    surge_labels,
)
from tocsin.events._evaluate import label_window_end, labelled_area_weeks, surge_scores
from tocsin.framework import load_catalogue


def _ucdp(events_data: Path, name: str = "ucdp_ged231_caf_2014.geojson") -> pd.DataFrame:
    return parse_events((events_data / name).read_bytes(), "ucdp", file_name=name).frame


def test_every_event_type_cites_codes_of_the_catalogue() -> None:
    catalogue = load_catalogue()
    known = {f.id for f in catalogue.factors} | {
        i.id for f in catalogue.factors for i in f.indicators
    }
    triggers = {t.id for t in catalogue.triggers}
    for info in EVENT_TYPES.values():
        assert set(info.framework_codes) <= known
        assert info.trigger is None or info.trigger in triggers


def test_surge_label_follows_its_definition() -> None:
    weeks = pd.date_range("2020-01-06", periods=12, freq="7D")
    deaths = [0, 2, 0, 0, 0, 0, 10, 20, 0, 0, 0, 0]
    panel = pd.DataFrame({"area": "CAF/X", "iso3": "CAF", "week": weeks, "osv_deaths": deaths})
    labels = surge_labels(panel)
    # Weeks 3-5 see the 10 + 20 deaths of weeks 6-7 ahead, far above their trailing mean.
    assert labels["future_deaths"].tolist()[:8] == [2, 0, 10, 30, 30, 30, 20, 0]
    assert labels["surge"].tolist()[:8] == [0, 0, 0, 1, 1, 1, 0, 0]
    assert labels["surge"].iloc[-4:].isna().all()  # the future is not seen yet


def test_features_use_only_the_past(events_data: Path) -> None:
    frame = _ucdp(events_data)
    cut = pd.Timestamp("2014-07-01")
    full = escalation_features(area_week_panel(frame))
    full_panel = area_week_panel(frame)
    early = frame[frame["start_date"] < cut]
    early_panel = area_week_panel(early)
    early_features = escalation_features(early_panel)
    merged = (
        early_panel[["area", "week"]]
        .join(early_features)
        .merge(full_panel[["area", "week"]].join(full), on=["area", "week"], suffixes=("", "_full"))
    )
    # A week wholly before the cut has the same features whatever comes after.
    # (The country-wide features of the last, partial week may differ.)
    settled = merged[merged["week"] < cut - pd.Timedelta(days=7)]
    for column in FEATURES:
        assert np.allclose(settled[column], settled[f"{column}_full"]), column


def test_detector_follows_the_estimator_contract() -> None:
    rng = np.random.default_rng(0)
    X = rng.poisson(3, size=(200, len(FEATURES))).astype(float)
    deaths = rng.poisson(np.exp(0.3 * X[:, 1]))
    detector = EscalationDetector(alpha=1.0)
    assert detector.get_params() == {"alpha": 1.0, "min_deaths": 25.0, "ratio": 2.0}
    assert detector.fit(X, deaths) is detector
    assert detector.predict(X).shape == (200,) and (detector.predict(X) > 0).all()
    risk = detector.surge_risk(X)
    assert risk.shape == (200,) and ((risk >= 0) & (risk <= 1)).all()
    assert detector.score(X, deaths) > 0.1  # it learns the dependence on column 1
    again = EscalationDetector.from_dict(detector.to_dict())
    assert np.allclose(again.surge_risk(X), risk)
    with pytest.raises(ValueError, match="alpha must be"):
        EscalationDetector(alpha=-1).fit(X, deaths)
    with pytest.raises(ValueError, match="counts of deaths"):
        EscalationDetector().fit(X, -deaths - 1.0)
    y = (deaths > 3).astype(float)
    for baseline in (PersistenceBaseline(), TrailingMeanBaseline()):
        assert baseline.fit(X, y).decision_function(X).shape == (200,)


def test_strong_penalty_makes_the_detector_persistence() -> None:
    """With a huge penalty the expected deaths are proportional to the last 4 weeks'."""
    rng = np.random.default_rng(1)
    X = rng.poisson(5, size=(300, len(FEATURES))).astype(float)
    deaths = rng.poisson(X[:, 0] + 1)
    expected = EscalationDetector(alpha=1e9).fit(X, deaths).predict(X)
    ratio = expected / (X[:, 0] + 1)
    assert np.allclose(ratio, ratio[0], rtol=1e-4)


_BASELINE_IS_NOT_A_LEARNER = {
    # a baseline is a fixed rule on the last 4 weeks' deaths (column 0): it is not fitted
    # to separate whatever classes the check makes up, so its accuracy there is chance
    "check_classifiers_train": "a fixed rule on column 0, not learned from the data",
}


def _expected_failures(estimator: object) -> dict[str, str]:
    return {} if isinstance(estimator, EscalationDetector) else _BASELINE_IS_NOT_A_LEARNER


@parametrize_with_checks(
    [EscalationDetector(), PersistenceBaseline(), TrailingMeanBaseline()],
    expected_failed_checks=_expected_failures,
)
def test_scikit_learn_estimator_checks(estimator: object, check: Callable[[object], None]) -> None:
    check(estimator)


def test_default_detector_scores_unseen_events(events_data: Path) -> None:
    frame = parse_events(
        (events_data / "acled_2022h1_slice.csv").read_bytes(), "acled", file_name="a"
    ).frame
    evaluation = evaluate_escalation(frame, detector="default")
    names = [m.name for m in evaluation.metrics]
    assert names == ["detector", "persistence", "trailing_mean"]
    assert evaluation.n_test > 0 and "default" in evaluation.detector_source


def test_rolling_origin_refits_on_earlier_weeks_only(shared_dir: Path) -> None:
    path = shared_dir / "data/events/ucdp/ged231_central_african_republic.geojson"
    frame = parse_events(path.read_bytes(), "ucdp", file_name=path.name).frame
    evaluation = evaluate_escalation(frame, detector="refit")
    assert evaluation.n_train_surges >= 20 and evaluation.n_test_surges > 50
    detector = evaluation.metrics[0]
    assert 0.5 < detector.roc_auc <= 1 and 0 < detector.pr_auc <= 1


def test_aggregation_counts_each_incident_once(events_data: Path) -> None:
    frame = _ucdp(events_data)
    doubled = pd.concat([frame, frame.assign(dataset="acled", uid="acled:" + frame["uid"])])
    doubled["incident_id"] = pd.concat([frame["uid"], frame["uid"]]).to_numpy()
    once = aggregate_events(frame, freq="M", by=("iso3",), split=None)
    linked = aggregate_events(doubled.reset_index(drop=True), freq="M", by=("iso3",), split=None)
    assert once["n_events"].sum() == linked["n_events"].sum() == len(frame)
    assert once["fatalities"].sum() == frame["fatalities_best"].sum()


def test_signals_from_risks_and_events(events_data: Path) -> None:
    frame = _ucdp(events_data)
    risks = escalation_risks(frame, EscalationDetector.default())
    assert risks["risk"].between(0, 1).all() and risks["risk"].is_monotonic_decreasing
    signals = escalation_signals(risks, min_risk=0.0)
    assert len(signals) == len(risks)
    assert all(s.framework_codes == ["RF11", "11.3", "11.1"] for s in signals)
    acts = event_signals(frame, since=date(2014, 1, 1))
    assert acts and {s.kind.value for s in acts} == {"trigger_event"}
    assert all("RF11" in s.framework_codes for s in acts)


def test_no_training_row_sees_into_the_test_year() -> None:
    weeks = pd.Series(pd.to_datetime(["2009-11-23", "2009-11-30", "2009-12-28"]))
    usable = label_window_end(weeks) <= pd.Timestamp("2010-01-01")
    # Weeks 30 Nov … 27 Dec ahead of 23 Nov end in 2009; the label of 30 Nov covers the
    # week of 28 Dec, which runs into January 2010, so that row must not train for 2010.
    assert usable.tolist() == [True, False, False]


def test_ucdp_and_acled_names_are_one_area_with_known_neighbours() -> None:
    frame = pd.DataFrame(
        {
            "iso3": ["CAF", "CAF", "CAF", "CAF"],
            "admin1": ["Ouaka province", "Ouaka", "Ouaka province", None],
            # Bambari (in Ouaka); no coordinates; a point in Bangui; Bangui again
            "latitude": [5.76, None, 4.37, 4.37],
            "longitude": [20.67, None, 18.56, 18.56],
        }
    )
    areas = assign_areas(frame).tolist()
    assert areas == ["CAF/Ouaka", "CAF/Ouaka", "CAF/Bangui", "CAF/Bangui"]
    assert normalise_name("Ombella-M'Poko Prefecture") == normalise_name("Ombella-M'poko")
    [bangui] = [a for a in country_areas("CAF") if a.name == "Bangui"]
    assert bangui.neighbours == ("Ombella-M'Poko",)
    panel = pd.DataFrame(
        {"area": ["CAF/Ouaka", "CAF/Kémo"], "iso3": "CAF", "latitude": 5.0, "longitude": 20.0}
    )
    pairs = area_neighbours(panel)
    assert ("CAF/Ouaka", "CAF/Kémo") in set(zip(pairs["area"], pairs["neighbour"], strict=True))


def test_stale_data_is_named_in_the_signal() -> None:
    risks = pd.DataFrame(
        {
            "area": ["CAF/Ouaka"],
            "iso3": ["CAF"],
            "admin1": ["Ouaka"],
            "week": [pd.Timestamp("2022-12-26")],
            "risk": [0.8],
            "osv_deaths_4": [12.0],
        }
    )
    end = date(2022, 12, 30)
    [stale] = escalation_signals(risks, data_end=end, raised=date(2026, 12, 2))
    [fresh] = escalation_signals(risks, data_end=end, raised=date(2023, 1, 15))
    assert "data end 2022-12-30" in stale.summary
    assert "data end" not in fresh.summary
    assert (
        stale.provenance.details["data_end"] == fresh.provenance.details["data_end"] == "2022-12-30"
    )


def test_new_area_surges_are_counted_apart(events_data: Path) -> None:
    frame = _ucdp(events_data, "ucdp_ged231_caf_2022h1.geojson")
    evaluation = evaluate_escalation(frame, detector="default")
    persistence = next(m for m in evaluation.metrics if m.name == "persistence")
    assert evaluation.n_test_new_area_surges <= evaluation.n_test_surges
    if evaluation.n_test_new_area_surges:
        # persistence scores 0 wherever the area was quiet: it cannot raise those alarms
        assert persistence.new_area_recall == 0.0


def test_last_week_features_need_only_the_last_year(events_data: Path) -> None:
    from tocsin.events._escalation import FEATURE_HISTORY_WEEKS

    # 2014 and the first half of 2022: eight years of weeks, most of them cut off
    frame = pd.concat(
        [_ucdp(events_data), _ucdp(events_data, "ucdp_ged231_caf_2022h1.geojson")],
        ignore_index=True,
    )
    panel = area_week_panel(frame)
    newest = panel["week"].max()
    assert panel["week"].min() < newest - pd.Timedelta(weeks=FEATURE_HISTORY_WEEKS * 4)
    full = escalation_features(panel, columns=ALL_FEATURES)[panel["week"] == newest]
    recent = panel[panel["week"] > newest - pd.Timedelta(weeks=FEATURE_HISTORY_WEEKS)]
    cut = escalation_features(recent, columns=ALL_FEATURES)[recent["week"] == newest]
    assert len(full) == len(cut) > 0
    assert np.allclose(full.to_numpy(), cut.to_numpy())


def test_the_packaged_alarm_level_is_one_false_alarm_per_area_year_on_its_training_rows(
    shared_dir: Path,
) -> None:
    path = shared_dir / "data/events/ucdp/ged231_central_african_republic.geojson"
    frame = parse_events(path.read_bytes(), "ucdp", file_name=path.name).frame
    data, columns = labelled_area_weeks(frame)
    scores = surge_scores(EscalationDetector.default(), data, columns)
    negatives = scores[data["surge"].to_numpy() == 0]
    level = default_alarm_risk()
    assert level == one_false_alarm_threshold(data["surge"].to_numpy(), scores)
    assert int((negatives > level).sum()) == len(data) // 52  # one per 52 area-weeks
