"""Evaluate the escalation detector like a forecast, against two baselines.

Weeks are split in time: the detector learns from area-weeks whose 4-week outcome ended
before the cut-off, and is scored on the area-weeks after it. Metrics: ROC AUC, PR AUC
(average precision), recall at one false alarm per area-year, and lead time.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from sklearn.metrics import average_precision_score, roc_auc_score

from tocsin.events._escalation import (
    FEATURES,
    HORIZON,
    EscalationDetector,
    PersistenceBaseline,
    TrailingMeanBaseline,
    area_week_panel,
    escalation_features,
    surge_labels,
)


@dataclass(frozen=True)
class ForecastMetrics:
    """How well one scorer anticipates surges on the test weeks."""

    name: str
    roc_auc: float
    pr_auc: float
    recall_at_1_false_alarm_per_area_year: float
    threshold: float
    n_alarms: int
    episodes_detected_early: int
    median_lead_weeks: float
    new_area_recall: float
    new_area_episodes_detected_early: int
    new_area_median_lead_weeks: float


@dataclass(frozen=True)
class EscalationEvaluation:
    """The evaluation of the detector and both baselines on one event file."""

    cutoff_week: str
    n_areas: int
    n_train: int
    n_train_surges: int
    n_test: int
    n_test_surges: int
    n_test_episodes: int
    n_test_new_area_surges: int
    n_test_new_area_episodes: int
    area_years: float
    detector_source: str
    metrics: list[ForecastMetrics] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def ratio_to_best_baseline(self, name: str = "detector") -> float:
        """A scorer's PR AUC (the detector's by default) over the better baseline's."""
        by_name = {m.name: m.pr_auc for m in self.metrics}
        best = max(by_name["persistence"], by_name["trailing_mean"])
        return by_name[name] / best if best > 0 else float("nan")


def _recall_at_false_alarm_rate(
    y: np.ndarray, scores: np.ndarray, allowed: int
) -> tuple[float, float, np.ndarray]:
    negatives = np.sort(scores[y == 0])[::-1]
    threshold = negatives[allowed] if allowed < len(negatives) else -np.inf
    alarms = scores > threshold
    positives = y == 1
    recall = float(alarms[positives].mean()) if positives.any() else float("nan")
    return recall, float(threshold), alarms


def one_false_alarm_threshold(surge: np.ndarray, scores: np.ndarray) -> float:
    """The score above which ``scores`` raise one false alarm per area-year on these rows
    (52 area-weeks): the operating point the evaluation reads recall at, and the level from
    which `monitor run` emits escalation Signals (computed on the packaged detector's
    training rows).

    Examples
    --------
    >>> y = np.array([0] * 104 + [1])
    >>> scores = np.r_[np.linspace(0.0, 0.5, 104), 0.9]
    >>> one_false_alarm_threshold(y, scores)  # the 3rd highest non-surge score (2 allowed)
    0.4902912621359223
    """
    allowed = int(np.floor(len(surge) / 52.0))
    _, threshold, _ = _recall_at_false_alarm_rate(np.asarray(surge), np.asarray(scores), allowed)
    return threshold


def _lead_times(
    test: pd.DataFrame, alarms: np.ndarray, *, new_area_only: bool = False
) -> tuple[int, int, float]:
    """Episodes (runs of surge-labelled weeks in an area) and how early they were flagged.

    An episode starting at week t1 has its first death week d (the first week after t1
    with one-sided deaths). It is detected early if an alarm fell in the episode's weeks
    before d; the lead time is d minus the first such alarm, in weeks. With
    ``new_area_only``, only episodes whose first week is a new-area surge count.
    """
    work = test.assign(alarm=alarms).sort_values(["area", "week"])
    leads = []
    n_episodes = 0
    for _, part in work.groupby("area", sort=False):
        surge = part["surge"].to_numpy() == 1
        if not surge.any():
            continue
        weeks = part["week"].to_numpy()
        deaths = part["osv_deaths"].to_numpy()
        alarm = part["alarm"].to_numpy()
        starts = np.flatnonzero(surge & ~np.r_[False, surge[:-1]])
        new_area = part["new_area"].to_numpy()
        for start in starts:
            if new_area_only and not new_area[start]:
                continue
            n_episodes += 1
            after = np.flatnonzero((deaths > 0) & (np.arange(len(deaths)) > start))
            first_death = after[0] if len(after) else start + 1
            window = np.arange(start, first_death)
            window = window[surge[window]]
            flagged = window[alarm[window]]
            if len(flagged):
                leads.append((weeks[first_death] - weeks[flagged[0]]) / np.timedelta64(7, "D"))
    median = float(np.median(leads)) if leads else float("nan")
    return n_episodes, len(leads), median


def _metrics(name: str, test: pd.DataFrame, scores: np.ndarray, allowed: int) -> ForecastMetrics:
    y = test["surge"].to_numpy().astype(int)
    both = len(np.unique(y)) == 2
    recall, threshold, alarms = _recall_at_false_alarm_rate(y, scores, allowed)
    _, detected, median = _lead_times(test, alarms)
    new_area = test["new_area"].to_numpy() & (y == 1)
    _, new_detected, new_median = _lead_times(test, alarms, new_area_only=True)
    return ForecastMetrics(
        name=name,
        roc_auc=float(roc_auc_score(y, scores)) if both else float("nan"),
        pr_auc=float(average_precision_score(y, scores)) if both else float("nan"),
        recall_at_1_false_alarm_per_area_year=recall,
        threshold=threshold,
        n_alarms=int(alarms.sum()),
        episodes_detected_early=detected,
        median_lead_weeks=median,
        new_area_recall=float(alarms[new_area].mean()) if new_area.any() else float("nan"),
        new_area_episodes_detected_early=new_detected,
        new_area_median_lead_weeks=new_median,
    )


def labelled_area_weeks(
    frame: pd.DataFrame,
    *,
    min_deaths: float = 25.0,
    ratio: float = 2.0,
    columns: list[str] | None = None,
) -> tuple[pd.DataFrame, list[str]]:
    """The area-weeks of ``frame`` with a known outcome: panel, features (``x_…``), labels.

    ``new_area`` marks the weeks with no one-sided deaths in the area in the 12 weeks up to
    t, where persistence has nothing to go on. Returns the frame and the feature columns.
    """
    panel = area_week_panel(frame)
    wanted = list(FEATURES if columns is None else columns)
    # the baselines read osv_deaths_4 and osv_deaths_52, whatever the design's features
    kept = list(dict.fromkeys([*wanted, "osv_deaths_4", "osv_deaths_52"]))
    features = escalation_features(panel, columns=list(dict.fromkeys([*kept, "osv_deaths_12"])))
    labels = surge_labels(panel, min_deaths=min_deaths, ratio=ratio)
    data = pd.concat([panel, features[kept].add_prefix("x_"), labels], axis=1)
    data["new_area"] = (features["osv_deaths_12"] == 0).to_numpy()
    data = data[data["surge"].notna()].reset_index(drop=True)
    return data, [f"x_{c}" for c in wanted]


def label_window_end(weeks: pd.Series) -> pd.Series:
    """The day after the last day of each row's label window (weeks t+1 … t+4 end on the
    Sunday of week t+4): a training row may be used for a test period starting on or
    after this day, never before."""
    return weeks + pd.Timedelta(weeks=HORIZON + 1)


def fit_detector(detector: Any, data: pd.DataFrame, columns: list[str]) -> Any:
    """Fit ``detector`` on labelled area-weeks: a count model (with ``surge_risk``) on the
    next 4 weeks' deaths, a classifier on the 0/1 surge label."""
    target = "future_deaths" if hasattr(detector, "surge_risk") else "surge"
    return detector.fit(data[columns].to_numpy(), data[target].to_numpy())


def surge_scores(detector: Any, data: pd.DataFrame, columns: list[str]) -> np.ndarray:
    """The fitted ``detector``'s surge risk of each area-week."""
    X = data[columns].to_numpy()
    if hasattr(detector, "surge_risk"):
        return np.asarray(detector.surge_risk(X))
    return np.asarray(detector.predict_proba(X)[:, 1])


def score_test(
    test: pd.DataFrame, detector_scores: np.ndarray, *, extra: dict[str, np.ndarray] | None = None
) -> list[ForecastMetrics]:
    """Metrics of the detector's scores, of the baselines and of any ``extra`` scorers."""
    X_test = np.c_[test["x_osv_deaths_4"].to_numpy(), test["x_osv_deaths_52"].to_numpy()]
    y_test = test["surge"].to_numpy()
    allowed = int(np.floor(len(test) / 52.0))
    scorers = {
        "detector": detector_scores,
        "persistence": PersistenceBaseline().fit(X_test, y_test).decision_function(X_test),
        "trailing_mean": TrailingMeanBaseline().fit(X_test, y_test).decision_function(X_test),
    } | (extra or {})
    return [_metrics(name, test, values, allowed) for name, values in scorers.items()]


def evaluate_escalation(
    frame: pd.DataFrame,
    *,
    min_train_surges: int = 20,
    min_deaths: float = 25.0,
    ratio: float = 2.0,
    detector: str | Any = "auto",
    make_detector: Callable[[], Any] = EscalationDetector,
    columns: list[str] | None = None,
) -> EscalationEvaluation:
    """Evaluate the detector and the two baselines on the events in ``frame``.

    ``detector="refit"`` evaluates with a rolling origin: for each calendar year of the
    test period the detector is fitted on the area-weeks whose 4-week label window ended
    before that year began, then scores that year; the test period starts with the first
    year that has at least ``min_train_surges`` such surges. ``detector="default"``
    scores every week with the packaged detector (fitted on the CAR GED), which is a
    test on unseen data for any other file; a fitted :class:`EscalationDetector` is used
    the same way (leave-one-country-out: fit it on the other countries). ``"auto"``
    refits when the file allows it. ``make_detector`` makes the detector to refit (another
    design, another penalty) and ``columns`` are its features (default :data:`FEATURES`).
    """
    data, x_columns = labelled_area_weeks(
        frame, min_deaths=min_deaths, ratio=ratio, columns=columns
    )
    if data.empty:
        raise ValueError("no area-week with a known 4-week outcome: too few weeks to evaluate")
    year = data["week"].dt.year
    window_end = label_window_end(data["week"])
    first_test_year = None
    for candidate in sorted(year.unique()):
        before = window_end <= pd.Timestamp(int(candidate), 1, 1)
        if data.loc[before, "surge"].sum() >= min_train_surges:
            first_test_year = int(candidate)
            break
    if detector == "refit" and first_test_year is None:
        raise ValueError(f"fewer than {min_train_surges} surges to learn from: use the default")
    use_refit = detector == "refit" or (detector == "auto" and first_test_year is not None)
    scores = np.full(len(data), np.nan)
    if use_refit:
        assert first_test_year is not None
        test_mask = (year >= first_test_year).to_numpy()
        for test_year in sorted(year[test_mask].unique()):
            fit_rows = (window_end <= pd.Timestamp(int(test_year), 1, 1)).to_numpy()
            rows = (year == test_year).to_numpy()
            model = fit_detector(make_detector(), data[fit_rows], x_columns)
            scores[rows] = surge_scores(model, data[rows], x_columns)
        source = f"refitted each year on earlier weeks (rolling origin from {first_test_year})"
        cutoff = pd.Timestamp(first_test_year, 1, 1)
        n_train = int((window_end <= cutoff).sum())
        n_train_surges = int(data.loc[window_end <= cutoff, "surge"].sum())
    else:
        fitted = EscalationDetector.default() if isinstance(detector, str) else detector
        test_mask = np.ones(len(data), dtype=bool)
        scores = surge_scores(fitted, data, x_columns)
        source = (
            "packaged default (fitted on the CAR GED), not refitted"
            if isinstance(detector, str)
            else "a detector fitted elsewhere, not refitted"
        )
        n_train, n_train_surges = 0, 0
        cutoff = data["week"].min()
    test = data[test_mask]
    # the packaged detector beside the refitted one: on any file but the CAR GED it is
    # scored on a country it never saw (on the CAR GED it is scored on its training data)
    extra = {}
    if use_refit and x_columns == [f"x_{c}" for c in FEATURES]:
        extra["default_detector"] = surge_scores(EscalationDetector.default(), test, x_columns)
    metrics = score_test(test, scores[test_mask], extra=extra)
    n_episodes, _, _ = _lead_times(test, np.zeros(len(test), dtype=bool))
    n_new, _, _ = _lead_times(test, np.zeros(len(test), dtype=bool), new_area_only=True)
    return EscalationEvaluation(
        cutoff_week=pd.Timestamp(cutoff).date().isoformat(),
        n_areas=int(data["area"].nunique()),
        n_train=n_train,
        n_train_surges=n_train_surges,
        n_test=len(test),
        n_test_surges=int(test["surge"].sum()),
        n_test_episodes=n_episodes,
        n_test_new_area_surges=int((test["new_area"] & (test["surge"] == 1)).sum()),
        n_test_new_area_episodes=n_new,
        area_years=round(len(test) / 52.0, 1),
        detector_source=source,
        metrics=metrics,
    )
