"""The third pass's features and the two-part detector (docs/methodology/escalation.md)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.utils.estimator_checks import parametrize_with_checks

from tocsin.events import EscalationDetector, area_week_panel, escalation_features, parse_events
from tocsin.events._escalation import (
    ALL_FEATURES,
    TWO_PART_FEATURES,
    TwoPartEscalationDetector,
)


def _panel(
    osv: dict[str, list[float]], battles: dict[str, list[float]] | None = None
) -> pd.DataFrame:
    """A hand-made area-week panel: areas of one made-up country, far from any gazetteer
    area's name, placed 1° apart so that they are each other's nearest neighbours."""
    rows = []
    for i, (area, deaths) in enumerate(osv.items()):
        weeks = pd.date_range("2020-01-06", periods=len(deaths), freq="7D")
        fights = (battles or {}).get(area, [0.0] * len(deaths))
        for week, d, b in zip(weeks, deaths, fights, strict=True):
            rows.append(
                {
                    "area": f"ZZZ/{area}",
                    "iso3": "ZZZ",
                    "week": week,
                    "osv_deaths": float(d),
                    "osv_events": float(d > 0),
                    "battle_deaths": 0.0,
                    "battle_events": float(b),
                    "events": float(d > 0) + float(b),
                    "new_actor_events": 0.0,
                    "latitude": 0.0,
                    "longitude": float(i),
                }
            )
    return pd.DataFrame(rows)


def test_decaying_sum_by_hand() -> None:
    # half-life 1 week: each week's deaths count half as much a week later
    panel = _panel({"A": [8, 0, 0, 4], "B": [0, 0, 0, 0]}, battles={"B": [0, 2, 0, 0]})
    features = escalation_features(
        panel, columns=["osv_decay_1", "osv_decay_4", "battle_decay_4", "neighbour_osv_decay_4"]
    )
    a = (panel["area"] == "ZZZ/A").to_numpy()
    assert features.loc[a, "osv_decay_1"].tolist() == pytest.approx([8.0, 4.0, 2.0, 5.0])
    h = 0.5**0.25  # half-life 4 weeks
    assert features.loc[a, "osv_decay_4"].tolist() == pytest.approx(
        [8.0, 8 * h, 8 * h**2, 8 * h**3 + 4]
    )
    assert features.loc[~a, "battle_decay_4"].tolist() == pytest.approx([0.0, 2.0, 2 * h, 2 * h**2])
    # B's neighbour is A: B's spatial lag is A's own decaying sum, week by week
    assert features.loc[~a, "neighbour_osv_decay_4"].tolist() == pytest.approx(
        features.loc[a, "osv_decay_4"].tolist()
    )


def test_decaying_sum_stops_at_the_area_and_the_year() -> None:
    # an area's sum never takes the previous area's rows, and looks back 52 weeks at most
    panel = _panel({"A": [1000] + [0] * 60, "B": [0] * 61})
    features = escalation_features(panel, columns=["osv_decay_16"])
    a = (panel["area"] == "ZZZ/A").to_numpy()
    decay_a = features.loc[a, "osv_decay_16"].to_numpy()
    assert decay_a[51] == pytest.approx(1000 * 0.5 ** (51 / 16))
    assert decay_a[52] == 0.0
    assert (features.loc[~a, "osv_decay_16"] == 0).all()


def test_relative_features_and_country_trend_by_hand() -> None:
    panel = _panel({"A": [0, 0, 0, 26], "B": [0, 0, 0, 0]})
    features = escalation_features(
        panel, columns=["osv_decay_1", "rel_osv_decay_1", "country_scale", "country_trend"]
    )
    last = panel["week"] == panel["week"].max()
    # the country: 26 deaths in 52 weeks over 2 areas -> 26 / 13 / 2 = 1 per area and 4 weeks
    assert features.loc[last, "country_scale"].tolist() == pytest.approx([1.0, 1.0])
    a_last = last & (panel["area"] == "ZZZ/A")
    assert features.loc[a_last, "rel_osv_decay_1"].item() == pytest.approx(26 / 2)
    # the country's last 4 weeks (26) over its 52-week deaths / 13 + 1 (= 3)
    assert features.loc[last, "country_trend"].tolist() == pytest.approx([26 / 3, 26 / 3])


def test_new_features_use_only_the_past(events_data: Path) -> None:
    name = "ucdp_ged231_caf_2014.geojson"
    frame = parse_events((events_data / name).read_bytes(), "ucdp", file_name=name).frame
    cut = pd.Timestamp("2014-07-01")
    new = ALL_FEATURES[ALL_FEATURES.index("osv_decay_1") :]
    full_panel = area_week_panel(frame)
    early_panel = area_week_panel(frame[frame["start_date"] < cut])
    merged = (
        early_panel[["area", "week"]]
        .join(escalation_features(early_panel, columns=new))
        .merge(
            full_panel[["area", "week"]].join(escalation_features(full_panel, columns=new)),
            on=["area", "week"],
            suffixes=("", "_full"),
        )
    )
    settled = merged[merged["week"] < cut - pd.Timedelta(days=7)]
    assert len(settled) > 100
    for column in new:
        assert np.allclose(settled[column], settled[f"{column}_full"]), column


def _two_part_data(rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, int]:
    """Rows with TWO_PART_FEATURES' layout: quiet rows (no deaths in 12 weeks) whose
    onset follows their neighbours' violence, and active rows that persist."""
    n = 600
    X = np.zeros((n, len(TWO_PART_FEATURES)))
    neighbour = TWO_PART_FEATURES.index("rel_neighbour_osv_decay_4")
    quiet = np.arange(n) < n // 2
    X[~quiet, 0] = rng.poisson(20, size=(~quiet).sum())
    X[~quiet, 1] = X[~quiet, 0] + rng.poisson(20, size=(~quiet).sum())
    X[:, neighbour] = rng.choice([0.0, 50.0], size=n)
    X[:, -1] = 1.0  # trailing mean: threshold = 25 deaths
    y = np.where(quiet, np.where(X[:, neighbour] > 0, rng.poisson(30, n), 0), rng.poisson(X[:, 0]))
    return X, y.astype(float), neighbour


def test_new_area_component_scores_a_quiet_area_next_to_a_violent_one() -> None:
    X, y, neighbour = _two_part_data(np.random.default_rng(3))
    detector = TwoPartEscalationDetector(alpha=1.0).fit(X, y)
    assert detector.quiet_ is not detector.active_
    quiet_next_to_violence = np.zeros((1, X.shape[1]))
    quiet_next_to_violence[0, neighbour] = 50.0
    quiet_next_to_violence[0, -1] = 1.0
    quiet_next_to_quiet = quiet_next_to_violence.copy()
    quiet_next_to_quiet[0, neighbour] = 0.0
    risk_violent, risk_quiet = detector.surge_risk(
        np.r_[quiet_next_to_violence, quiet_next_to_quiet]
    )
    assert risk_violent > 0.2
    assert risk_violent > 10 * risk_quiet
    # each quiet row is scored by the quiet part, each active row by the active part
    quiet = X[:, 1] == 0
    assert np.allclose(detector.predict(X[quiet]), detector.quiet_.predict(X[quiet]))
    assert np.allclose(detector.predict(X[~quiet]), detector.active_.predict(X[~quiet]))


def test_two_part_detector_falls_back_on_one_model() -> None:
    X, y, _ = _two_part_data(np.random.default_rng(4))
    active = X[:, 1] > 0
    detector = TwoPartEscalationDetector(alpha=1.0).fit(X[active], y[active])
    assert detector.quiet_ is detector.active_
    single = EscalationDetector(alpha=1.0).fit(X[active], y[active])
    assert np.allclose(detector.surge_risk(X), single.surge_risk(X))
    with pytest.raises(ValueError, match="quiet_column"):
        TwoPartEscalationDetector(quiet_column=-1).fit(X, y)


@parametrize_with_checks([TwoPartEscalationDetector()])
def test_scikit_learn_estimator_checks(estimator: object, check: Callable[[object], None]) -> None:
    check(estimator)
