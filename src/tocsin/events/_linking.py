"""Cross-source linking: several reports of one incident become one incident.

The rule is explicit so an analyst can check every link (each carries its reason):

* **Across data sets** (UCDP and ACLED, a field report and ACLED, …) two reports are the
  same incident when they are in the same country and of the same family of event
  (political violence, or unrest), their date spans overlap once each is widened by
  ``day_tolerance`` days, their points are within ``radius_km`` (``coarse_radius_km`` if
  either place is only known to admin-2/admin-1 level), and their death counts are
  compatible (both under ``fatality_floor``, or the smaller at least ``fatality_ratio``
  of the larger). Each report links to at most one report of each other data set: the
  closest in time, then in space, and only if the choice is mutual.
* **Within GDELT** (the same story coded twice) two records are duplicates when they have
  the same day, CAMEO root code and place of action, and either the same source URL or an
  actor in common (in either role).
* Nothing else is linked: two records of one curated data set (UCDP, ACLED) are two
  incidents by that data set's own rules.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from tocsin.events._taxonomy import EventType

_UNREST = {EventType.PROTEST.value, EventType.RIOT.value}
_NOT_LINKED = {
    EventType.OTHER.value,
    EventType.THREAT.value,
    EventType.FORCE_MOBILISATION.value,
    EventType.ARREST.value,
}
_COARSE = {"admin2", "admin1"}
#: Which report stands for an incident in statistics (lower first).
DATASET_PREFERENCE = {"ucdp_ged": 0, "acled": 1, "field": 2, "gdelt2": 8, "gdelt1": 9}


@dataclass(frozen=True)
class LinkRule:
    """The thresholds of the linking rule (see the module's description)."""

    day_tolerance: int = 1
    radius_km: float = 25.0
    coarse_radius_km: float = 100.0
    fatality_floor: int = 5
    fatality_ratio: float = 0.5


def _family(types: pd.Series) -> pd.Series:
    family = pd.Series("violence", index=types.index, dtype="object")
    family[types.isin(_UNREST)] = "unrest"
    family[types.isin(_NOT_LINKED)] = None
    return family


def _haversine_km(
    lat1: np.ndarray, lon1: np.ndarray, lat2: np.ndarray, lon2: np.ndarray
) -> np.ndarray:
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dlat, dlon = p2 - p1, np.radians(lon2 - lon1)
    a = np.sin(dlat / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dlon / 2) ** 2
    return np.asarray(2 * 6371.0 * np.arcsin(np.sqrt(np.clip(a, 0, 1))))


def _expanded(frame: pd.DataFrame, tolerance: int) -> pd.DataFrame:
    """One row per (event, day) over its span widened by ``tolerance`` (at most 40 days)."""
    start = frame["start_date"] - pd.Timedelta(days=tolerance)
    days = (frame["end_date"] - frame["start_date"]).dt.days.clip(0, 38) + 2 * tolerance + 1
    repeated = frame.loc[frame.index.repeat(days)]
    offsets = repeated.groupby(level=0).cumcount().to_numpy()
    repeated = repeated.assign(
        day=start.loc[repeated.index].to_numpy() + pd.to_timedelta(offsets, "D")
    )
    return repeated.reset_index(names="row")


def candidate_links(frame: pd.DataFrame, rule: LinkRule | None = None) -> pd.DataFrame:
    """Pairs of reports judged to be one incident, with the reason for each.

    Returns a frame with ``uid_a``, ``uid_b`` and ``reason`` (``uid_a < uid_b``).
    """
    rule = rule or LinkRule()
    columns = ["uid_a", "uid_b", "reason"]
    base = frame.assign(family=_family(frame["event_type"]))
    base = base[base["family"].notna() & base["iso3"].notna()]
    if base.empty:
        return pd.DataFrame(columns=columns)
    cross = _cross_source(base, rule)
    gdelt = _gdelt_duplicates(base[base["dataset"].str.startswith("gdelt")])
    return pd.concat([cross, gdelt], ignore_index=True)[columns]


def _cross_source(base: pd.DataFrame, rule: LinkRule) -> pd.DataFrame:
    keep = [
        "uid",
        "dataset",
        "iso3",
        "family",
        "latitude",
        "longitude",
        "geo_precision",
        "fatalities_best",
        "start_date",
        "end_date",
    ]
    left = _expanded(base[keep], rule.day_tolerance)
    right = base[keep].assign(day=base["start_date"])
    pairs = left.merge(right, on=["iso3", "family", "day"], suffixes=("_a", "_b"))
    pairs = pairs[pairs["dataset_a"] != pairs["dataset_b"]]
    pairs = pairs.drop_duplicates(["uid_a", "uid_b"])
    if pairs.empty:
        return pd.DataFrame(columns=["uid_a", "uid_b", "reason"])
    distance = _haversine_km(
        pairs["latitude_a"].to_numpy(),
        pairs["longitude_a"].to_numpy(),
        pairs["latitude_b"].to_numpy(),
        pairs["longitude_b"].to_numpy(),
    )
    coarse = pairs["geo_precision_a"].isin(_COARSE) | pairs["geo_precision_b"].isin(_COARSE)
    radius = np.where(coarse, rule.coarse_radius_km, rule.radius_km)
    near = ~np.isnan(distance) & (distance <= radius)
    a = pairs["fatalities_best_a"].astype("Float64")
    b = pairs["fatalities_best_b"].astype("Float64")
    high, low = (
        np.fmax(a.to_numpy(float, na_value=np.nan), b.to_numpy(float, na_value=np.nan)),
        np.fmin(a.to_numpy(float, na_value=np.nan), b.to_numpy(float, na_value=np.nan)),
    )
    unknown = np.isnan(high) | np.isnan(low)
    compatible = unknown | (high < rule.fatality_floor) | (low >= rule.fatality_ratio * high)
    pairs = pairs.assign(
        distance_km=distance, gap_days=(pairs["start_date_a"] - pairs["start_date_b"]).abs().dt.days
    )
    pairs = pairs[near & compatible]
    # Mutual best: for each report and other data set, the closest in time then space.
    order = ["gap_days", "distance_km"]
    best_ab = pairs.sort_values(order).drop_duplicates(["uid_a", "dataset_b"])
    best_ba = pairs.sort_values(order).drop_duplicates(["uid_b", "dataset_a"])
    mutual = best_ab.merge(best_ba[["uid_a", "uid_b"]], on=["uid_a", "uid_b"])
    mutual = mutual[mutual["uid_a"] < mutual["uid_b"]]
    reason = (
        mutual["gap_days"].astype(str)
        + " day(s) apart, "
        + mutual["distance_km"].round(1).astype(str)
        + " km apart, deaths "
        + mutual["fatalities_best_a"].astype("string").fillna("?")
        + " vs "
        + mutual["fatalities_best_b"].astype("string").fillna("?")
    )
    result: pd.DataFrame = mutual.assign(reason=reason)[["uid_a", "uid_b", "reason"]]
    return result


def _gdelt_duplicates(gdelt: pd.DataFrame) -> pd.DataFrame:
    columns = ["uid_a", "uid_b", "reason"]
    if gdelt.empty:
        return pd.DataFrame(columns=columns)
    keyed = gdelt.assign(root=gdelt["source_type"].fillna("").str.slice(6, 8))
    keyed = keyed[keyed["location"].notna()]
    keep = [
        "uid",
        "dataset",
        "start_date",
        "root",
        "location",
        "source_url",
        "perpetrator",
        "target",
    ]
    pairs = keyed[keep].merge(
        keyed[keep], on=["dataset", "start_date", "root", "location"], suffixes=("_a", "_b")
    )
    pairs = pairs[pairs["uid_a"] < pairs["uid_b"]]
    same_url = pairs["source_url_a"].notna() & (pairs["source_url_a"] == pairs["source_url_b"])
    actors_a = pairs[["perpetrator_a", "target_a"]].to_numpy()
    actors_b = pairs[["perpetrator_b", "target_b"]].to_numpy()
    shared = np.array(
        [
            bool({x for x in r if x} & {y for y in s if y})
            for r, s in zip(actors_a, actors_b, strict=True)
        ],
        dtype=bool,
    )
    pairs = pairs[same_url.to_numpy() | shared]
    reason = np.where(
        pairs["source_url_a"].notna() & (pairs["source_url_a"] == pairs["source_url_b"]),
        "GDELT duplicate: same day, CAMEO root, place and source URL",
        "GDELT duplicate: same day, CAMEO root, place and a shared actor",
    )
    result: pd.DataFrame = pairs.assign(reason=reason)[columns]
    return result


def incident_ids(uids: pd.Series, datasets: pd.Series, links: pd.DataFrame) -> pd.Series:
    """The incident of each report: linked reports share the id of their preferred report.

    The preferred report is UCDP's, then ACLED's, then a field report, … GDELT last.
    """
    parent = {u: u for u in uids}

    def find(u: str) -> str:
        while parent[u] != u:
            parent[u] = parent[parent[u]]
            u = parent[u]
        return u

    for a, b in zip(links["uid_a"], links["uid_b"], strict=True):
        if a in parent and b in parent:
            parent[find(a)] = find(b)
    rank = {u: (DATASET_PREFERENCE.get(d, 5), u) for u, d in zip(uids, datasets, strict=True)}
    groups: dict[str, list[str]] = {}
    for u in uids:
        groups.setdefault(find(u), []).append(u)
    chosen = {root: min(members, key=rank.__getitem__) for root, members in groups.items()}
    return pd.Series([chosen[find(u)] for u in uids], index=uids.index, dtype="object")


def link_events(
    frame: pd.DataFrame, rule: LinkRule | None = None
) -> tuple[pd.Series, pd.DataFrame]:
    """Link reports of one incident: ``(incident id per row, the links with reasons)``.

    Examples
    --------
    >>> import pandas as pd
    >>> frame = pd.DataFrame({
    ...     "uid": ["ucdp_ged:1", "acled:X1"], "dataset": ["ucdp_ged", "acled"],
    ...     "iso3": ["CAF", "CAF"], "event_type": ["battle", "killing"],
    ...     "start_date": pd.to_datetime(["2022-05-09", "2022-05-09"]),
    ...     "end_date": pd.to_datetime(["2022-05-10", "2022-05-09"]),
    ...     "latitude": [5.4188, 5.4188], "longitude": [20.948, 20.948],
    ...     "geo_precision": ["point", "point"], "fatalities_best": [25, 23],
    ...     "source_type": [None, None], "location": [None, None], "source_url": [None, None],
    ...     "perpetrator": [None, None], "target": [None, None]})
    >>> incidents, links = link_events(frame)
    >>> incidents.tolist(), links["reason"].tolist()
    (['ucdp_ged:1', 'ucdp_ged:1'], ['0 day(s) apart, 0.0 km apart, deaths 23 vs 25'])
    """
    links = candidate_links(frame, rule)
    return incident_ids(frame["uid"], frame["dataset"], links), links


def score_links(links: pd.DataFrame, labels: pd.DataFrame) -> dict[str, float]:
    """Precision and recall of ``links`` against hand labels of report pairs.

    ``labels`` has ``uid_a``, ``uid_b`` and ``same_incident`` (1/0). A predicted link
    between two labelled reports that is not in ``labels`` counts as a false link.
    """

    def key(a: str, b: str) -> tuple[str, str]:
        return (a, b) if a < b else (b, a)

    truth = {
        key(a, b): bool(y)
        for a, b, y in zip(labels["uid_a"], labels["uid_b"], labels["same_incident"], strict=True)
    }
    reports = set(labels["uid_a"]) | set(labels["uid_b"])
    predicted = {
        key(a, b)
        for a, b in zip(links["uid_a"], links["uid_b"], strict=True)
        if a in reports and b in reports
    }
    positives = {k for k, v in truth.items() if v}
    tp = len(predicted & positives)
    fp = len(predicted - positives)
    fn = len(positives - predicted)
    return {
        "precision": tp / (tp + fp) if tp + fp else float("nan"),
        "recall": tp / (tp + fn) if tp + fn else float("nan"),
        "true_links": float(tp),
        "false_links": float(fp),
        "missed_links": float(fn),
    }
