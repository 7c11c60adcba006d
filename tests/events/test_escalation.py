"""Escalation detection: labels by definition, features from the past only, evaluation, Signals."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tocsin.events import (
    EVENT_TYPES,
    FEATURES,
    EscalationDetector,
    PersistenceBaseline,
    TrailingMeanBaseline,
    aggregate_events,
    area_week_panel,
    escalation_features,
    escalation_risks,
    escalation_signals,
    evaluate_escalation,
    event_signals,
    parse_events,
    surge_labels,
)
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
    y = (X[:, 1] + rng.normal(0, 1, 200) > 4).astype(float)
    detector = EscalationDetector(C=1.0)
    assert detector.get_params() == {"C": 1.0}
    assert detector.fit(X, y) is detector
    assert detector.predict_proba(X).shape == (200, 2)
    assert 0.5 < detector.score(X, y) <= 1.0
    again = EscalationDetector.from_dict(detector.to_dict())
    assert np.allclose(again.predict_proba(X), detector.predict_proba(X))
    with pytest.raises(ValueError, match="C must be a positive"):
        EscalationDetector(C=-1).fit(X, y)
    for baseline in (PersistenceBaseline(), TrailingMeanBaseline()):
        assert baseline.fit(X, y).decision_function(X).shape == (200,)


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
