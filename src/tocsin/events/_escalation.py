"""Early warning of surges in violence against civilians, per admin-1 area and week.

For area ``a`` and week ``t`` the panel holds features computed from events up to the end
of week ``t`` only, and the label says whether a **surge** follows: civilian deaths from
one-sided violence in weeks ``t+1 … t+4`` are at least ``min_deaths`` (25) **and** at least
``ratio`` (2) times the area's trailing mean of 4-week totals over the 52 weeks up to ``t``.
See docs/methodology/escalation.md.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any, Self

import numpy as np
import pandas as pd
from scipy.special import betainc, expit  # type: ignore[import-untyped]
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import average_precision_score, d2_tweedie_score
from sklearn.preprocessing import StandardScaler
from sklearn.utils.multiclass import check_classification_targets, type_of_target
from sklearn.utils.validation import check_is_fitted, validate_data

from tocsin.events._aggregate import (
    UNKNOWN_AREA,
    civilian_deaths_of,
    is_one_sided,
    one_per_incident,
)
from tocsin.events._gazetteer import assign_areas, gazetteer_centre, gazetteer_neighbours
from tocsin.events._taxonomy import EventType

HORIZON = 4

#: Every feature :func:`escalation_features` computes, all from weeks up to t.
ALL_FEATURES = [
    "osv_deaths_4",
    "osv_deaths_12",
    "osv_deaths_52",
    "osv_deaths_1",
    "osv_events_4",
    "osv_events_12",
    "battle_deaths_4",
    "battle_events_4",
    "events_4",
    "events_12",
    "country_osv_deaths_4",
    "country_osv_events_4",
    "weeks_since_osv",
    "osv_trend",
    "neighbour_osv_deaths_4",
    "neighbour_osv_deaths_12",
    "new_actor_events_12",
    "country_scale",
    "trailing_mean_4",
    *(f"osv_decay_{h}" for h in (1, 4, 16)),
    *(f"neighbour_osv_decay_{h}" for h in (4, 16)),
    *(f"battle_decay_{h}" for h in (4, 16)),
    *(f"rel_osv_decay_{h}" for h in (1, 4, 16)),
    *(f"rel_neighbour_osv_decay_{h}" for h in (4, 16)),
    "country_trend",
]

#: Half-lives (weeks) of the decaying sums of the third pass (docs/methodology/escalation.md).
DECAY_HALF_LIVES = {"osv": (1, 4, 16), "neighbour_osv": (4, 16), "battle": (4, 16)}

#: Design H (third pass): Hawkes-like decaying sums of the area's and its neighbours'
#: one-sided deaths and of battles, persistence first and the trailing mean last.
HAWKES_FEATURES = [
    "osv_deaths_4",
    "osv_decay_1",
    "osv_decay_4",
    "osv_decay_16",
    "neighbour_osv_decay_4",
    "neighbour_osv_decay_16",
    "battle_decay_4",
    "battle_decay_16",
    "trailing_mean_4",
]

#: Design R (third pass): the decaying sums relative to the country's own scale, new
#: armed actors and the country's trend.
RELATIVE_FEATURES = [
    "osv_deaths_4",
    "rel_osv_decay_1",
    "rel_osv_decay_4",
    "rel_osv_decay_16",
    "rel_neighbour_osv_decay_4",
    "rel_neighbour_osv_decay_16",
    "battle_decay_4",
    "battle_decay_16",
    "new_actor_events_12",
    "country_trend",
    "trailing_mean_4",
]

#: Design N (third pass): R's features with ``osv_deaths_12`` second, which tells the
#: two parts of :class:`TwoPartEscalationDetector` apart.
TWO_PART_FEATURES = ["osv_deaths_4", "osv_deaths_12", *RELATIVE_FEATURES[1:]]

#: Features of designs T and O (docs/methodology/escalation.md; O was shipped until the
#: third pass): few, and each one means the same in a country where 50 die a month as
#: where 500 do, once the country's own scale (``country_scale``) is an input beside it.
#: Persistence (``osv_deaths_4``) is the first, so the detector can always fall back on it.
TRANSFER_FEATURES = [
    "osv_deaths_4",
    "osv_deaths_12",
    "osv_deaths_52",
    "osv_events_4",
    "weeks_since_osv",
    "battle_events_4",
    "neighbour_osv_deaths_4",
    "neighbour_osv_deaths_12",
    "country_osv_deaths_4",
    "new_actor_events_12",
    "country_scale",
    "trailing_mean_4",
]

#: Features of the shipped detector: design R of the third pass, chosen on validation
#: (docs/methodology/escalation.md). Persistence first (the count model's offset), the
#: trailing mean last (the surge threshold's yardstick).
FEATURES = RELATIVE_FEATURES

#: The first detector's features (design L, issue 5), kept to compare designs.
LEGACY_FEATURES = [
    "osv_deaths_1",
    "osv_deaths_4",
    "osv_deaths_12",
    "osv_deaths_52",
    "osv_events_4",
    "osv_events_12",
    "battle_deaths_4",
    "battle_events_4",
    "events_4",
    "events_12",
    "country_osv_deaths_4",
    "country_osv_events_4",
    "weeks_since_osv",
    "osv_trend",
]

#: How far back any feature of week t looks (weeks t-51 … t), so the features of the
#: last week need only the last 52 weeks of the panel (a test holds this).
FEATURE_HISTORY_WEEKS = 52

#: How many nearest areas of the same country count as neighbours when the gazetteer
#: does not know an area's borders.
NEAREST_AREAS = 3


def area_week_panel(frame: pd.DataFrame, *, last_week: pd.Timestamp | None = None) -> pd.DataFrame:
    """Weekly totals per admin-1 area, every week from the area's first event to the last.

    The last week is that of the latest event in ``frame``, or ``last_week`` (a Monday)
    when given: a partition of the events (say one country) must use the last week of
    all of them to give the same rows as the whole.

    Columns: ``area``, ``iso3``, ``week`` (Monday), ``osv_deaths``, ``osv_events``,
    ``battle_deaths``, ``battle_events``, ``events``, ``new_actor_events`` (violent events
    by a perpetrator never recorded in the area before that week), and the area's
    ``latitude`` / ``longitude`` (median of its events' coordinates; NaN if none has any).
    """
    events = one_per_incident(frame)
    if events.empty:
        return pd.DataFrame(
            columns=[
                "area",
                "iso3",
                "week",
                "osv_deaths",
                "osv_events",
                "battle_deaths",
                "battle_events",
                "events",
                "new_actor_events",
                "latitude",
                "longitude",
            ]
        )
    week = events["start_date"].dt.to_period("W-SUN").dt.start_time
    one_sided = is_one_sided(events).to_numpy()
    battle = (
        events["event_type"]
        .isin([EventType.BATTLE.value, EventType.REMOTE_VIOLENCE.value])
        .to_numpy()
        & ~one_sided
    )
    deaths = events["fatalities_best"].astype("Float64").fillna(0).to_numpy(dtype=float)
    civilians = civilian_deaths_of(events).to_numpy()
    areas = assign_areas(events).to_numpy()
    # each distinct perpetrator name is normalised once (a million events hold few names)
    codes, names = pd.factorize(events["perpetrator"].fillna("").astype(object))
    normalised = pd.Index(names, dtype=object).astype(str).str.strip().str.lower()
    perpetrator = pd.Series(normalised.to_numpy(dtype=object)[codes], index=events.index)
    violent = one_sided | battle
    actor = pd.DataFrame({"area": areas, "actor": perpetrator.to_numpy(), "week": week.to_numpy()})
    first_week = actor.groupby(["area", "actor"])["week"].transform("min").to_numpy()
    new_actor = violent & (perpetrator.to_numpy() != "") & (week.to_numpy() == first_week)
    work = pd.DataFrame(
        {
            "area": areas,
            "iso3": events["iso3"].fillna("???").to_numpy(),
            "week": week.to_numpy(),
            "osv_deaths": np.where(one_sided, civilians, 0.0),
            "osv_events": one_sided.astype(float),
            "battle_deaths": np.where(battle, deaths, 0.0),
            "battle_events": battle.astype(float),
            "events": 1.0,
            "new_actor_events": new_actor.astype(float),
        }
    )
    centre = (
        pd.DataFrame(
            {
                "area": areas,
                "latitude": pd.to_numeric(events["latitude"], errors="coerce").to_numpy(),
                "longitude": pd.to_numeric(events["longitude"], errors="coerce").to_numpy(),
            }
        )
        .groupby("area")[["latitude", "longitude"]]
        .median()
    )
    weekly = work.groupby(["area", "iso3", "week"], sort=True).sum().reset_index()
    last = weekly["week"].max() if last_week is None else pd.Timestamp(last_week)
    first = weekly.groupby("area")["week"].min()
    n_weeks = ((last - first).dt.days // 7 + 1).to_numpy()
    dense_area = np.repeat(first.index.to_numpy(), n_weeks)
    offsets = np.concatenate([np.arange(n) for n in n_weeks])
    dense_week = np.repeat(first.to_numpy(), n_weeks) + pd.to_timedelta(offsets * 7, "D")
    # each area lies in one country (its key starts with the country's code)
    area_iso3 = weekly.drop_duplicates("area").set_index("area")["iso3"]
    dense = pd.DataFrame({"area": dense_area, "week": dense_week})
    dense["iso3"] = np.repeat(area_iso3.reindex(first.index).to_numpy(), n_weeks)
    panel = dense.merge(weekly.drop(columns="iso3"), on=["area", "week"], how="left").fillna(0.0)
    # a gazetteer area's centre is fixed; only areas it does not know take their events'
    for key in centre.index:
        fixed = gazetteer_centre(str(key))
        if fixed is not None:
            centre.loc[key] = fixed
    panel["latitude"] = panel["area"].map(centre["latitude"])
    panel["longitude"] = panel["area"].map(centre["longitude"])
    return panel.sort_values(["area", "week"]).reset_index(drop=True)


class _Windows:
    """Sums over windows of weeks within each area, vectorised with cumulative sums.

    The panel has one row per area and week, the weeks of an area consecutive (rows in
    any order). A per-area ``rolling`` in pandas calls
    Python once per area; here each window is two lookups in one cumulative sum, so a
    panel of a million area-weeks takes milliseconds. Counts are whole numbers, so the
    float sums are exact.
    """

    def __init__(self, panel: pd.DataFrame) -> None:
        codes = pd.factorize(panel["area"])[0]
        # rows of each area together, in week order
        self.order = np.lexsort((panel["week"].to_numpy(), codes))
        ordered = codes[self.order]
        n = len(ordered)
        change = np.r_[True, ordered[1:] != ordered[:-1]] if n else np.zeros(0, dtype=bool)
        starts = np.flatnonzero(change)
        lengths = np.diff(np.r_[starts, n])
        self.start = np.repeat(starts, lengths)
        self.end = np.repeat(starts + lengths - 1, lengths)
        self.position = np.arange(n)
        self.panel = panel

    def _scatter(self, values: np.ndarray) -> pd.Series:
        out = np.empty_like(values)
        out[self.order] = values
        return pd.Series(out, index=self.panel.index)

    def sum(self, column: str, first: int, last: int, *, full: bool = False) -> pd.Series:
        """Sum of weeks ``t+first … t+last`` of the same area (e.g. -3…0 = the last 4).

        Weeks outside the area's rows are left out; with ``full`` the result is NaN
        unless every week of the window is there (NaN also when none is).
        """
        values = self.panel[column].to_numpy(dtype=float)[self.order]
        cumulative = np.r_[0.0, np.cumsum(values)]
        lo = np.clip(self.position + first, self.start, self.end + 1)
        hi = np.clip(self.position + last + 1, self.start, self.end + 1)
        sums = cumulative[np.maximum(hi, lo)] - cumulative[lo]
        if full:
            inside = (self.position + first >= self.start) & (self.position + last <= self.end)
            sums = np.where(inside, sums, np.nan)
        else:
            sums = np.where(hi > lo, sums, np.nan)
        return self._scatter(sums)

    def decayed(self, values: np.ndarray, half_life: float, weeks: int = 52) -> pd.Series:
        """Σ_{k=0…weeks-1} 2^(-k/half_life) · values_{t-k} within the area (``values`` in
        the panel's row order); weeks before the area's first row count as 0."""
        ordered = np.asarray(values, dtype=float)[self.order]
        out = ordered.copy()
        factor = 0.5 ** (1.0 / half_life)
        for k in range(1, min(weeks, len(ordered))):
            inside = self.position[k:] - k >= self.start[k:]
            out[k:] += np.where(inside, factor**k * ordered[:-k], 0.0)
        return self._scatter(out)

    def weeks_since(self, column: str, cap: int) -> pd.Series:
        """Weeks since the area last had ``column`` > 0 (``cap`` if never, at most ``cap``)."""
        had = self.panel[column].to_numpy(dtype=float)[self.order] > 0
        last = np.maximum.accumulate(np.where(had, self.position, -1)) if len(had) else had
        seen = last >= self.start
        weeks = self.panel["week"].to_numpy()[self.order]
        gap = (weeks - weeks[np.where(seen, last, self.position)]) // np.timedelta64(7, "D")
        return self._scatter(np.where(seen, np.minimum(gap, cap), cap).astype(float))

    def rank(self) -> pd.Series:
        """1 for an area's first week, 2 for its second, …"""
        return self._scatter((self.position - self.start + 1).astype(float))


def _rolling(windows: _Windows, column: str, window: int) -> pd.Series:
    # rolling(window, min_periods=1).sum() within the area
    return windows.sum(column, -(window - 1), 0)


def area_neighbours(panel: pd.DataFrame) -> pd.DataFrame:
    """Pairs ``area`` → ``neighbour`` of the same country.

    Areas of the gazetteer have the areas that share a border with them; any other area
    has the :data:`NEAREST_AREAS` areas of its country whose centres are nearest
    (great-circle distance). Areas without coordinates, and the country's "(unknown)"
    area, have none.
    """
    centres = panel.drop_duplicates("area")[["area", "iso3", "latitude", "longitude"]]
    bordering = gazetteer_neighbours(centres["area"])
    centres = centres[centres["latitude"].notna() & ~centres["area"].str.endswith(UNKNOWN_AREA)]
    unmapped = ~centres["area"].isin(bordering["area"])
    pairs = []
    for _, part in centres.groupby("iso3", sort=False):
        if len(part) < 2 or not unmapped[part.index].any():
            continue
        lat = np.radians(part["latitude"].to_numpy())
        lon = np.radians(part["longitude"].to_numpy())
        # haversine distance between every pair of centres (areas per country: tens)
        a = (
            np.sin((lat[:, None] - lat[None, :]) / 2) ** 2
            + np.cos(lat[:, None])
            * np.cos(lat[None, :])
            * np.sin((lon[:, None] - lon[None, :]) / 2) ** 2
        )
        distance = 2 * np.arcsin(np.sqrt(np.clip(a, 0, 1)))
        np.fill_diagonal(distance, np.inf)
        k = min(NEAREST_AREAS, len(part) - 1)
        nearest = np.argsort(distance, axis=1, kind="stable")[:, :k]
        names = part["area"].to_numpy()
        rows = unmapped[part.index].to_numpy()
        pairs.append(
            pd.DataFrame(
                {
                    "area": np.repeat(names[rows], k),
                    "neighbour": names[nearest[rows].ravel()],
                }
            )
        )
    found = [bordering, *pairs]
    return pd.concat(found, ignore_index=True).astype({"area": object, "neighbour": object})


def _neighbour_sum(panel: pd.DataFrame, values: pd.Series, pairs: pd.DataFrame) -> pd.Series:
    """For each area-week, the sum of ``values`` over the area's neighbours that week."""
    if pairs.empty:
        return pd.Series(0.0, index=panel.index)
    own = pd.DataFrame({"neighbour": panel["area"], "week": panel["week"], "v": values})
    joined = pairs.merge(own, on="neighbour")
    summed = joined.groupby(["area", "week"])["v"].sum()
    keys = pd.MultiIndex.from_arrays([panel["area"], panel["week"]])
    return pd.Series(summed.reindex(keys).fillna(0.0).to_numpy(), index=panel.index)


def escalation_features(panel: pd.DataFrame, *, columns: list[str] | None = None) -> pd.DataFrame:
    """The features (:data:`FEATURES`, or ``columns`` of :data:`ALL_FEATURES`) of every
    area-week, from weeks <= t."""
    out = pd.DataFrame(index=panel.index)
    windows = _Windows(panel)
    out["osv_deaths_1"] = panel["osv_deaths"]
    for window in (4, 12, 52):
        out[f"osv_deaths_{window}"] = _rolling(windows, "osv_deaths", window)
    for window in (4, 12):
        out[f"osv_events_{window}"] = _rolling(windows, "osv_events", window)
        out[f"events_{window}"] = _rolling(windows, "events", window)
    out["battle_deaths_4"] = _rolling(windows, "battle_deaths", 4)
    out["battle_events_4"] = _rolling(windows, "battle_events", 4)
    out["new_actor_events_12"] = _rolling(windows, "new_actor_events", 12)
    country = (
        panel.assign(d=out["osv_deaths_4"], e=out["osv_events_4"], y=out["osv_deaths_52"], n=1.0)
        .groupby(["iso3", "week"])[["d", "e", "y", "n"]]
        .transform("sum")
    )
    out["country_osv_deaths_4"] = country["d"] - out["osv_deaths_4"]
    out["country_osv_events_4"] = country["e"] - out["osv_events_4"]
    # the country's usual 4-week one-sided deaths per area over the last year: the scale
    # against which the area's own counts are read (50 a month in one country, 500 in another)
    out["country_scale"] = country["y"] / 13.0 / country["n"]
    out["weeks_since_osv"] = windows.weeks_since("osv_events", 52)
    # the surge label's own yardstick (see surge_labels), known at t
    out["trailing_mean_4"] = (
        windows.sum("osv_deaths", -51, 0) / np.minimum(windows.rank(), 52) * HORIZON
    )
    # the 4 weeks before the last 4 (t-7 … t-4), 0 before the area's first week
    previous = windows.sum("osv_deaths", -7, -4)
    out["osv_trend"] = out["osv_deaths_4"] - previous.fillna(0)
    pairs = area_neighbours(panel)
    out["neighbour_osv_deaths_4"] = _neighbour_sum(panel, out["osv_deaths_4"], pairs)
    out["neighbour_osv_deaths_12"] = _neighbour_sum(panel, out["osv_deaths_12"], pairs)
    wanted = FEATURES if columns is None else columns
    if any(c not in out.columns for c in wanted):
        _decay_features(panel, windows, pairs, out, country)
    return out[wanted]


def _decay_features(
    panel: pd.DataFrame,
    windows: _Windows,
    pairs: pd.DataFrame,
    out: pd.DataFrame,
    country: pd.DataFrame,
) -> None:
    """Add the third pass's features to ``out``: decaying sums (Hawkes-like excitation),
    the same relative to the country's scale, and the country's trend."""
    osv = panel["osv_deaths"].to_numpy(dtype=float)
    for h in DECAY_HALF_LIVES["osv"]:
        out[f"osv_decay_{h}"] = windows.decayed(osv, h)
    for h in DECAY_HALF_LIVES["neighbour_osv"]:
        out[f"neighbour_osv_decay_{h}"] = _neighbour_sum(panel, out[f"osv_decay_{h}"], pairs)
    battles = panel["battle_events"].to_numpy(dtype=float)
    for h in DECAY_HALF_LIVES["battle"]:
        out[f"battle_decay_{h}"] = windows.decayed(battles, h)
    scale = out["country_scale"] + 1.0
    for h in DECAY_HALF_LIVES["osv"]:
        out[f"rel_osv_decay_{h}"] = out[f"osv_decay_{h}"] / scale
    for h in DECAY_HALF_LIVES["neighbour_osv"]:
        out[f"rel_neighbour_osv_decay_{h}"] = out[f"neighbour_osv_decay_{h}"] / scale
    # the country's last 4 weeks against its usual 4 weeks over the last year
    out["country_trend"] = country["d"] / (country["y"] / 13.0 + 1.0)


def surge_labels(
    panel: pd.DataFrame, *, min_deaths: float = 25.0, ratio: float = 2.0
) -> pd.DataFrame:
    """Whether a surge follows each area-week (``NaN`` where weeks t+1…t+4 are not all seen).

    Returns ``future_deaths``, ``trailing_mean`` (mean 4-week total over the 52 weeks up
    to t) and ``surge`` (1.0, 0.0 or NaN).
    """
    windows = _Windows(panel)
    future = windows.sum("osv_deaths", 1, HORIZON, full=True)
    weeks_seen = windows.rank()
    trailing_sum = windows.sum("osv_deaths", -51, 0)
    trailing_mean = trailing_sum / np.minimum(weeks_seen, 52) * HORIZON
    surge = (future >= min_deaths) & (future >= ratio * trailing_mean)
    return pd.DataFrame(
        {
            "future_deaths": future,
            "trailing_mean": trailing_mean,
            "surge": surge.astype(float).where(future.notna()),
        }
    )


def _log_features(X: np.ndarray) -> np.ndarray:
    """Counts are heavy-tailed: a signed log keeps big areas from dominating."""
    return np.asarray(np.sign(X) * np.log1p(np.abs(X)))


def _poisson_newton(
    Z: np.ndarray, y: np.ndarray, offset: np.ndarray, alpha: float, *, tol: float = 1e-10
) -> tuple[np.ndarray, float]:
    """Weights and intercept of a Poisson regression with ``log(offset)`` as offset.

    Minimises scikit-learn's ``PoissonRegressor`` objective for the rate ``y / offset``
    with sample weights ``offset`` (which is the offset model): the mean Poisson deviance
    over the weights plus ``alpha / 2`` times the squared weights (the intercept is not
    penalised). Newton's method with step halving: a dozen steps on a few features,
    milliseconds where L-BFGS took half a second per fit.
    """
    n, p = Z.shape
    design = np.c_[Z, np.ones(n)]
    total = float(offset.sum())
    penalty = np.r_[np.full(p, alpha), 0.0]
    beta = np.zeros(p + 1)
    beta[-1] = np.log(max(float(y.sum()) / total, 1e-12))

    def objective(b: np.ndarray) -> float:
        eta = design @ b
        mean = offset * np.exp(eta)
        return float((mean - y * eta).sum() / total + 0.5 * (penalty * b * b).sum())

    current = objective(beta)
    for _ in range(100):
        mean = offset * np.exp(design @ beta)
        gradient = design.T @ (mean - y) / total + penalty * beta
        hessian = (design * mean[:, None]).T @ design / total + np.diag(penalty)
        step = np.linalg.solve(hessian + 1e-12 * np.eye(p + 1), gradient)
        size = 1.0
        while size > 1e-8:
            trial = beta - size * step
            value = objective(trial)
            if value <= current:
                break
            size /= 2
        else:
            break
        beta, previous, current = trial, current, value
        if previous - current < tol * max(1.0, abs(current)):
            break
    return beta[:-1], float(beta[-1])


class EscalationDetector(RegressorMixin, BaseEstimator):  # type: ignore[misc]
    """A count model of the next four weeks' one-sided civilian deaths, and the surge risk
    that follows from it.

    The expected deaths are ``(osv_deaths_4 + 1) * exp(w · z + b)``: persistence (the last
    4 weeks' deaths, column 0 of ``X``) is the offset of a Poisson regression on the
    standardised signed logarithm ``z`` of the features, so with a strong penalty the model
    *is* persistence and it moves away from it only as far as the data carry it. The
    spread around the mean is negative binomial (shape ``r_`` by the method of moments),
    and the surge risk is the chance that the next 4 weeks reach the surge threshold
    ``max(min_deaths, ratio × trailing mean)``, the trailing mean read from the last
    column of ``X`` (``trailing_mean_4`` in :data:`FEATURES`). Every feature is a count in
    the area, its neighbours or its country, read on a log scale beside the country's own
    scale, so the few weights mean the same where 50 die a month as where 500 do.

    ``fit`` takes the next 4 weeks' deaths as ``y`` (not the 0/1 label): every area-week
    teaches the model something, not only the few hundred surges.

    Parameters
    ----------
    alpha : float, default=1.0
        L2 penalty of the Poisson regression (as scikit-learn's ``PoissonRegressor``); the
        larger, the closer to persistence. Chosen on validation (V1: the CAR GED before
        2010; V2: the ACLED 2022 H1 sample) with the features, design R of the third pass
        (:data:`FEATURES`), among 1, 10 and 100, before its tests were scored
        (docs/methodology/escalation.md; design O, with :data:`TRANSFER_FEATURES`, had
        α = 100).
    min_deaths, ratio : float
        The surge definition (as :func:`surge_labels`).

    Attributes
    ----------
    scaler_ : StandardScaler
        Centres and scales the log features.
    coef_, intercept_ : ndarray, float
        The Poisson regression's weights on the scaled log features, and its intercept
        (the log rate relative to the persistence offset).
    r_ : float
        Negative-binomial shape (small = heavy-tailed).
    n_features_in_ : int
        Number of features seen in ``fit``.

    Examples
    --------
    >>> import numpy as np
    >>> X = np.c_[np.r_[np.zeros(20), np.full(20, 30.0)], np.zeros(40)]
    >>> y = np.r_[np.zeros(20), np.full(20, 40.0)]
    >>> detector = EscalationDetector(alpha=1.0).fit(X, y)
    >>> bool(detector.surge_risk([[30.0, 0.0]])[0] > detector.surge_risk([[0.0, 0.0]])[0])
    True
    """

    _parameter_constraints: dict[str, list[Any]] = {
        "alpha": [float, int],
        "min_deaths": [float, int],
        "ratio": [float, int],
    }

    def __init__(self, *, alpha: float = 1.0, min_deaths: float = 25.0, ratio: float = 2.0) -> None:
        self.alpha = alpha
        self.min_deaths = min_deaths
        self.ratio = ratio

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.target_tags.positive_only = True  # counts of deaths
        tags.regressor_tags.poor_score = True  # a rate model of rare, bursty counts
        return tags

    @staticmethod
    def _offset(X: np.ndarray) -> np.ndarray:
        return np.asarray(1.0 + np.maximum(X[:, 0], 0.0))

    def fit(self, X: Any, y: Any) -> Self:
        """Fit on feature rows ``X`` and the next 4 weeks' deaths ``y`` (counts >= 0)."""
        if not isinstance(self.alpha, int | float) or self.alpha < 0:
            raise ValueError(f"EscalationDetector: alpha must be >= 0, got {self.alpha!r}")
        X, y = validate_data(self, X, y, dtype=np.float64, y_numeric=True)
        if np.any(y < 0):
            raise ValueError("EscalationDetector: y must be counts of deaths (>= 0)")
        Z = _log_features(X)
        self.scaler_ = StandardScaler().fit(Z)
        offset = self._offset(X)
        self.coef_, self.intercept_ = _poisson_newton(
            self.scaler_.transform(Z), y, offset, self.alpha
        )
        mean = self._rate(X) * offset
        excess = float(np.sum((y - mean) ** 2 - mean))
        spread = excess / max(float(np.sum(mean**2)), 1e-12)
        self.r_ = 1.0 / max(spread, 1e-3)
        return self

    def _rate(self, X: np.ndarray) -> np.ndarray:
        z = self.scaler_.transform(_log_features(X))
        return np.asarray(np.exp(z @ self.coef_ + self.intercept_))

    def predict(self, X: Any) -> np.ndarray:
        """Expected one-sided civilian deaths in the next 4 weeks, one per row."""
        check_is_fitted(self)
        X = validate_data(self, X, dtype=np.float64, reset=False)
        return np.asarray(self._rate(X) * self._offset(X))

    def surge_risk(self, X: Any) -> np.ndarray:
        """Chance (0–1) that the next 4 weeks reach the surge threshold, one per row."""
        X = validate_data(self, X, dtype=np.float64, reset=False)
        mean = self.predict(X)
        threshold = np.ceil(np.maximum(self.min_deaths, self.ratio * np.maximum(X[:, -1], 0)))
        # P(N >= k) of a negative binomial (shape r, mean m) is the regularised incomplete
        # beta I_{m/(r+m)}(k, r); scipy.stats would cost seconds of import for this one line
        tail = betainc(np.maximum(threshold, 1.0), self.r_, mean / (self.r_ + mean))
        return np.asarray(np.where(threshold <= 0, 1.0, tail))

    def score(self, X: Any, y: Any, sample_weight: Any = None) -> float:
        """Share of the Poisson deviance explained (D²) on the counts ``y``."""
        return float(d2_tweedie_score(y, self.predict(X), sample_weight=sample_weight, power=1))

    def to_dict(self) -> dict[str, Any]:
        """The fitted state as plain numbers (to package a default model)."""
        check_is_fitted(self)
        return {
            "alpha": self.alpha,
            "min_deaths": self.min_deaths,
            "ratio": self.ratio,
            "features": FEATURES[: self.n_features_in_],
            "mean": self.scaler_.mean_.tolist(),
            "scale": self.scaler_.scale_.tolist(),
            "coef": self.coef_.tolist(),
            "intercept": self.intercept_,
            "r": self.r_,
        }

    @classmethod
    def from_dict(cls, state: dict[str, Any]) -> EscalationDetector:
        """Rebuild a fitted detector from :meth:`to_dict` (its features must be
        the first of :data:`FEATURES`, which is how the panel's rows are given to it)."""
        names = list(state.get("features", FEATURES[: len(state["mean"])]))
        if names != FEATURES[: len(state["mean"])]:
            raise ValueError(
                f"EscalationDetector: a detector fitted on {names} cannot read {FEATURES}"
            )
        detector = cls(alpha=state["alpha"], min_deaths=state["min_deaths"], ratio=state["ratio"])
        detector.scaler_ = StandardScaler()
        detector.scaler_.mean_ = np.asarray(state["mean"])
        detector.scaler_.scale_ = np.asarray(state["scale"])
        detector.scaler_.var_ = detector.scaler_.scale_**2
        detector.scaler_.n_features_in_ = len(state["mean"])
        detector.coef_ = np.asarray(state["coef"], dtype=float)
        detector.intercept_ = float(state["intercept"])
        detector.r_ = float(state["r"])
        detector.n_features_in_ = len(state["mean"])
        return detector

    @classmethod
    def default(cls) -> EscalationDetector:
        """The packaged detector (design R, α = 1), fitted on UCDP GED for the Central
        African Republic 1991–2022 (see docs/methodology/escalation.md for how it was made)."""
        return cls.from_dict(_packaged_detector_state())


@cache
def _packaged_detector_state() -> dict[str, Any]:
    # read once per process: `monitor run` asks for the detector and for its alarm level
    path = resources.files("tocsin.events") / "data" / "escalation_default.json"
    state: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return state


def default_alarm_risk() -> float:
    """The packaged detector's alarm level: the surge risk above which it raised one false
    alarm per area-year on its own training rows (``bench/events_fit_default_detector.py``
    stores it; see docs/methodology/escalation.md). `monitor run` emits escalation Signals
    from this risk up unless told another."""
    return float(_packaged_detector_state()["alarm_risk"])


class TwoPartEscalationDetector(RegressorMixin, BaseEstimator):  # type: ignore[misc]
    """Design N of the third pass: one count model for areas with recent one-sided
    deaths and a second, the new-area component, for areas quiet in the last 12 weeks.

    Rows whose column ``quiet_column`` of ``X`` (``osv_deaths_12`` in
    :data:`TWO_PART_FEATURES`) is 0 are *quiet*: persistence says nothing there, and the
    quiet part, an :class:`EscalationDetector` fitted on the quiet rows only, can learn
    how neighbours' violence, battles, new actors and the country's trend precede an
    onset. The other rows go to the active part, an :class:`EscalationDetector` fitted on
    them (persistence its offset, as before). Each row takes the expected deaths and the
    surge risk of its own part, both calibrated on rows like it. With fewer than two rows
    of either kind one model fitted on all rows serves both.

    Parameters
    ----------
    alpha : float, default=100.0
        L2 penalty of both count models.
    quiet_column : int, default=1
        The column whose 0 marks a quiet row (the last column if ``X`` has fewer).
    min_deaths, ratio : float
        The surge definition (as :func:`surge_labels`).

    Attributes
    ----------
    active_, quiet_ : EscalationDetector
        The two fitted parts (the same object when one model serves both).
    n_features_in_ : int
        Number of features seen in ``fit``.

    Examples
    --------
    >>> import numpy as np
    >>> X = np.c_[np.r_[np.zeros(20), np.full(20, 30.0)], np.r_[np.zeros(20), np.full(20, 60.0)]]
    >>> y = np.r_[np.zeros(20), np.full(20, 40.0)]
    >>> detector = TwoPartEscalationDetector(alpha=1.0).fit(X, y)
    >>> detector.quiet_ is detector.active_
    False
    """

    _parameter_constraints: dict[str, list[Any]] = {
        "alpha": [float, int],
        "quiet_column": [int],
        "min_deaths": [float, int],
        "ratio": [float, int],
    }

    def __init__(
        self,
        *,
        alpha: float = 100.0,
        quiet_column: int = 1,
        min_deaths: float = 25.0,
        ratio: float = 2.0,
    ) -> None:
        self.alpha = alpha
        self.quiet_column = quiet_column
        self.min_deaths = min_deaths
        self.ratio = ratio

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.target_tags.positive_only = True  # counts of deaths
        tags.regressor_tags.poor_score = True  # a rate model of rare, bursty counts
        return tags

    def _part(self) -> EscalationDetector:
        return EscalationDetector(alpha=self.alpha, min_deaths=self.min_deaths, ratio=self.ratio)

    def _quiet(self, X: np.ndarray) -> np.ndarray:
        column = min(self.quiet_column, X.shape[1] - 1)
        return np.asarray(X[:, column] <= 0)

    def fit(self, X: Any, y: Any) -> Self:
        """Fit both parts on feature rows ``X`` and the next 4 weeks' deaths ``y``."""
        if not isinstance(self.quiet_column, int) or self.quiet_column < 0:
            raise ValueError(
                f"TwoPartEscalationDetector: quiet_column must be an int >= 0, "
                f"got {self.quiet_column!r}"
            )
        X, y = validate_data(self, X, y, dtype=np.float64, y_numeric=True)
        quiet = self._quiet(X)
        if quiet.sum() < 2 or (~quiet).sum() < 2:
            self.active_ = self.quiet_ = self._part().fit(X, y)
        else:
            self.active_ = self._part().fit(X[~quiet], y[~quiet])
            self.quiet_ = self._part().fit(X[quiet], y[quiet])
        return self

    def _by_part(self, X: Any, method: str) -> np.ndarray:
        check_is_fitted(self)
        X = validate_data(self, X, dtype=np.float64, reset=False)
        quiet = self._quiet(X)
        out = np.empty(len(X))
        if (~quiet).any():
            out[~quiet] = getattr(self.active_, method)(X[~quiet])
        if quiet.any():
            out[quiet] = getattr(self.quiet_, method)(X[quiet])
        return out

    def predict(self, X: Any) -> np.ndarray:
        """Expected one-sided civilian deaths in the next 4 weeks, one per row."""
        return self._by_part(X, "predict")

    def surge_risk(self, X: Any) -> np.ndarray:
        """Chance (0–1) that the next 4 weeks reach the surge threshold, one per row."""
        return self._by_part(X, "surge_risk")

    def score(self, X: Any, y: Any, sample_weight: Any = None) -> float:
        """Share of the Poisson deviance explained (D²) on the counts ``y``."""
        return float(d2_tweedie_score(y, self.predict(X), sample_weight=sample_weight, power=1))


def surge_targets(X: np.ndarray, y: np.ndarray, *, min_deaths: float, ratio: float) -> np.ndarray:
    """The 0/1 surge label of rows whose next 4 weeks' deaths are ``y`` and whose last
    column of ``X`` is the trailing mean (as :func:`surge_labels`)."""
    return np.asarray((y >= min_deaths) & (y >= ratio * X[:, -1]), dtype=float)


def out_of_fold_risks(make: Any, X: np.ndarray, y: np.ndarray, n_folds: int) -> np.ndarray:
    """Each row's surge risk from a model (``make()``, fitted on counts) that never saw it.

    The rows are cut into ``n_folds`` contiguous blocks; each block is scored by a model
    fitted on the other blocks. With fewer rows than two per fold the risks are in-sample.
    """
    n = len(X)
    if n_folds < 2 or n < 2 * n_folds:
        return np.asarray(make().fit(X, y).surge_risk(X))
    risks = np.empty(n)
    for block in np.array_split(np.arange(n), n_folds):
        rest = np.ones(n, dtype=bool)
        rest[block] = False
        risks[block] = make().fit(X[rest], y[rest]).surge_risk(X[block])
    return risks


def _logit(p: np.ndarray) -> np.ndarray:
    p = np.clip(p, 1e-12, 1.0 - 1e-12)
    return np.asarray(np.log(p) - np.log1p(-p))


def fit_logit_calibration(
    risks: np.ndarray, labels: np.ndarray, *, penalty: float
) -> tuple[float, float]:
    """``(a, b)`` of the map p = σ(a + b · logit(risk)) that fits the 0/1 ``labels``.

    Penalised maximum likelihood with a prior at the identity (a = 0, b = 1): the
    log-likelihood minus ``penalty`` · (a² + (b − 1)²). Rows without a single surge pull
    ``a`` down but leave the order of the risks as it was. Newton's method on two numbers.
    """
    design = np.c_[np.ones(len(risks)), _logit(np.asarray(risks, dtype=float))]
    prior = np.array([0.0, 1.0])

    def objective(b: np.ndarray) -> float:
        eta = design @ b
        # -log-likelihood: log(1 + e^eta) - label * eta, written to stay finite
        return float(
            (np.logaddexp(0.0, eta) - labels * eta).sum() + penalty * ((b - prior) ** 2).sum()
        )

    beta = prior.copy()
    current = objective(beta)
    for _ in range(200):
        p = expit(design @ beta)
        gradient = design.T @ (p - labels) + 2.0 * penalty * (beta - prior)
        hessian = (design * (p * (1.0 - p))[:, None]).T @ design + 2.0 * penalty * np.eye(2)
        step = np.linalg.solve(hessian, gradient)
        size = 1.0
        while size > 1e-10:  # step halving: plain Newton overshoots on logits of ±27
            trial = beta - size * step
            value = objective(trial)
            if value <= current:
                break
            size /= 2
        else:
            break
        beta, previous, current = trial, current, value
        if previous - current < 1e-12 * max(1.0, abs(current)):
            break
    return float(beta[0]), float(beta[1])


def apply_logit_calibration(risks: np.ndarray, a: float, b: float) -> np.ndarray:
    """The calibrated probabilities σ(a + b · logit(risk))."""
    return np.asarray(expit(a + b * _logit(np.asarray(risks, dtype=float))))


class CalibratedTwoPartDetector(TwoPartEscalationDetector):
    """Design C of the fourth pass: design N with each part's surge risk calibrated on
    that part's own training rows, so that quiet and active areas are ranked on one scale.

    For each part (quiet rows: column ``quiet_column`` is 0; active rows: the others) the
    surge risks of its training rows are computed out of fold (:func:`out_of_fold_risks`,
    ``n_folds`` contiguous blocks), and a logistic map of their logit is fitted to the
    rows' surge labels (:func:`fit_logit_calibration`, pulled to the identity by
    ``calibration_penalty``). The parts are then fitted on all their rows, and
    :meth:`surge_risk` is each row's calibrated probability under its own part. Only the
    rows given to :meth:`fit` enter the calibration.

    Parameters
    ----------
    alpha : float, default=1.0
        L2 penalty of both count models.
    quiet_column : int, default=1
        The column whose 0 marks a quiet row (the last column if ``X`` has fewer).
    n_folds : int, default=5
        Blocks of the out-of-fold risks.
    calibration_penalty : float, default=1.0
        Strength of the calibration's prior at the identity map.
    min_deaths, ratio : float
        The surge definition (as :func:`surge_labels`).

    Attributes
    ----------
    active_, quiet_ : EscalationDetector
        The two fitted parts (the same object when one model serves both).
    active_calibration_, quiet_calibration_ : tuple of float
        ``(a, b)`` of each part's calibration map.

    Examples
    --------
    >>> import numpy as np
    >>> recent = np.r_[np.zeros(20), np.full(20, 30.0)]
    >>> X = np.c_[recent, 2 * recent, np.ones(40)]  # the last column: the trailing mean
    >>> y = np.r_[np.zeros(20), np.full(20, 40.0)]
    >>> risk = CalibratedTwoPartDetector(alpha=1.0).fit(X, y).surge_risk(X)
    >>> bool(risk[-1] > risk[0])
    True
    """

    _parameter_constraints: dict[str, list[Any]] = {
        **TwoPartEscalationDetector._parameter_constraints,
        "n_folds": [int],
        "calibration_penalty": [float, int],
    }

    def __init__(
        self,
        *,
        alpha: float = 1.0,
        quiet_column: int = 1,
        n_folds: int = 5,
        calibration_penalty: float = 1.0,
        min_deaths: float = 25.0,
        ratio: float = 2.0,
    ) -> None:
        super().__init__(alpha=alpha, quiet_column=quiet_column, min_deaths=min_deaths, ratio=ratio)
        self.n_folds = n_folds
        self.calibration_penalty = calibration_penalty

    def _calibration(self, X: np.ndarray, y: np.ndarray) -> tuple[float, float]:
        risks = out_of_fold_risks(self._part, X, y, self.n_folds)
        labels = surge_targets(X, y, min_deaths=self.min_deaths, ratio=self.ratio)
        return fit_logit_calibration(risks, labels, penalty=float(self.calibration_penalty))

    def fit(self, X: Any, y: Any) -> Self:
        """Fit and calibrate both parts on feature rows ``X`` and the next 4 weeks' deaths."""
        if not isinstance(self.n_folds, int) or self.n_folds < 0:
            raise ValueError(
                f"CalibratedTwoPartDetector: n_folds must be an int >= 0, got {self.n_folds!r}"
            )
        if not isinstance(self.calibration_penalty, int | float) or self.calibration_penalty <= 0:
            raise ValueError(
                "CalibratedTwoPartDetector: calibration_penalty must be > 0, "
                f"got {self.calibration_penalty!r}"
            )
        super().fit(X, y)
        X, y = validate_data(self, X, y, dtype=np.float64, y_numeric=True, reset=False)
        if self.quiet_ is self.active_:
            self.active_calibration_ = self.quiet_calibration_ = self._calibration(X, y)
        else:
            quiet = self._quiet(X)
            self.active_calibration_ = self._calibration(X[~quiet], y[~quiet])
            self.quiet_calibration_ = self._calibration(X[quiet], y[quiet])
        return self

    def surge_risk(self, X: Any) -> np.ndarray:
        """Calibrated chance (0–1) that the next 4 weeks reach the surge threshold."""
        check_is_fitted(self)
        X = validate_data(self, X, dtype=np.float64, reset=False)
        quiet = self._quiet(X)
        out = np.empty(len(X))
        for rows, part, (a, b) in (
            (~quiet, self.active_, self.active_calibration_),
            (quiet, self.quiet_, self.quiet_calibration_),
        ):
            if rows.any():
                out[rows] = apply_logit_calibration(part.surge_risk(X[rows]), a, b)
        return out


class LogisticSurgeDetector(ClassifierMixin, BaseEstimator):  # type: ignore[misc]
    """The first detector (issue 5): L2 logistic regression of the 0/1 surge label on the
    signed log of the features, balanced class weights. Kept to compare designs (L and
    T-logistic in docs/methodology/escalation.md); not shipped.
    """

    _parameter_constraints: dict[str, list[Any]] = {"C": [float, int]}

    def __init__(self, *, C: float = 0.01) -> None:  # noqa: N803 - scikit-learn's name
        self.C = C

    def fit(self, X: Any, y: Any) -> Self:
        if not isinstance(self.C, int | float) or self.C <= 0:
            raise ValueError(f"LogisticSurgeDetector: C must be a positive number, got {self.C!r}")
        X, y = validate_data(self, X, y, dtype=np.float64)
        Z = _log_features(X)
        self.scaler_ = StandardScaler().fit(Z)
        self.model_ = LogisticRegression(C=self.C, class_weight="balanced", max_iter=1000)
        self.model_.fit(self.scaler_.transform(Z), y)
        self.classes_ = self.model_.classes_
        return self

    def predict_proba(self, X: Any) -> np.ndarray:
        check_is_fitted(self)
        X = validate_data(self, X, dtype=np.float64, reset=False)
        return np.asarray(self.model_.predict_proba(self.scaler_.transform(_log_features(X))))

    def predict(self, X: Any) -> np.ndarray:
        return np.asarray(self.classes_[np.argmax(self.predict_proba(X), axis=1)])


class PersistenceBaseline(ClassifierMixin, BaseEstimator):  # type: ignore[misc]
    """Baseline: the risk is the area's one-sided civilian deaths of the last 4 weeks.

    Reads column 0 of ``X`` (``osv_deaths_4``, the first of :data:`FEATURES`); learns
    nothing.
    """

    def fit(self, X: Any, y: Any) -> Self:
        X, y = validate_data(self, X, y, dtype=np.float64)
        check_classification_targets(y)
        if type_of_target(y) == "multiclass":
            raise ValueError(
                "Only binary classification is supported (surge or not); "
                "the type of the target is multiclass"
            )
        self.classes_ = np.unique(y)
        return self

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_class = False  # surge or not
        return tags

    def predict(self, X: Any) -> np.ndarray:
        """The last class (a surge) where the rule's score is above 0, else the first."""
        above = self.decision_function(X) > 0  # raises first if not fitted
        return np.asarray(self.classes_[np.where(above, -1, 0)])

    def decision_function(self, X: Any) -> np.ndarray:
        check_is_fitted(self)
        X = validate_data(self, X, dtype=np.float64, reset=False)
        return np.asarray(X[:, 0])

    def score(self, X: Any, y: Any, sample_weight: Any = None) -> float:
        return float(
            average_precision_score(y, self.decision_function(X), sample_weight=sample_weight)
        )


class TrailingMeanBaseline(ClassifierMixin, BaseEstimator):  # type: ignore[misc]
    """Baseline: the last 4 weeks' deaths against the area's trailing 52-week mean.

    The risk is ``osv_deaths_4 / (trailing 4-week mean + 1)``; an alarm at a threshold of
    2 is the classic "twice the usual" rule. Reads ``osv_deaths_4`` from column 0 of ``X``
    and ``osv_deaths_52`` from the last column of a two-column ``X`` (the evaluation passes
    those two), or from the third column of an ``X`` with :data:`TRANSFER_FEATURES`.
    """

    def fit(self, X: Any, y: Any) -> Self:
        X, y = validate_data(self, X, y, dtype=np.float64)
        check_classification_targets(y)
        if type_of_target(y) == "multiclass":
            raise ValueError(
                "Only binary classification is supported (surge or not); "
                "the type of the target is multiclass"
            )
        self.classes_ = np.unique(y)
        return self

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_class = False  # surge or not
        return tags

    def predict(self, X: Any) -> np.ndarray:
        """The last class (a surge) where the rule's score is above 0, else the first."""
        above = self.decision_function(X) > 0  # raises first if not fitted
        return np.asarray(self.classes_[np.where(above, -1, 0)])

    def decision_function(self, X: Any) -> np.ndarray:
        check_is_fitted(self)
        X = validate_data(self, X, dtype=np.float64, reset=False)
        recent = X[:, 0]
        wide = X.shape[1] == len(TRANSFER_FEATURES)
        usual = X[:, TRANSFER_FEATURES.index("osv_deaths_52") if wide else -1] / 13.0
        return np.asarray(recent / (usual + 1.0))

    def score(self, X: Any, y: Any, sample_weight: Any = None) -> float:
        return float(
            average_precision_score(y, self.decision_function(X), sample_weight=sample_weight)
        )
