"""Translate any country code or name our sources use into Tocsin's ``iso3``.

Some codes stand for different states over time (COW 365 is the USSR until
1991 and Russia after; COW/GW 345 is Yugoslavia, then Serbia and Montenegro,
then Serbia). Every code therefore maps to one or more *candidates*, each with
the years it is valid; a lookup with a year picks the candidate covering it,
and then files years before a successor's start under its predecessor (data
for "Russia" in 1980 belongs to ``SUN``). Without a year the current (or
latest) meaning wins.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Hashable, Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pandas as pd

from tocsin.countries._names import RegexMatcher, normalise_name
from tocsin.countries._records import CODE_SCHEMES, CodeScheme, CountryRecord, UnknownCountryError
from tocsin.countries._table import (
    Alias,
    bundled_table_path,
    read_aliases,
    read_countries,
    read_not_carried,
    read_regexes,
)

__all__ = ["Crosswalk", "get_crosswalk"]

_NUMERIC: frozenset[CodeScheme] = frozenset({"isonum", "cow", "gw", "ewp_ccode", "polity"})
# A scheme whose own aliases are tried first, then the scheme it is a variant of.
_FALLBACK: dict[CodeScheme, CodeScheme] = {
    "ewp_ccode": "cow",
    "polity": "cow",
    "pitf": "cow_letter",
    "wb": "iso3",
    "cameo": "iso3",
}


@dataclass(frozen=True)
class _Candidate:
    iso3: str
    start_year: int | None
    end_year: int | None
    # The record's own code or name, rather than an alias; wins when no year is given.
    primary: bool

    def distance(self, year: int) -> int:
        if self.start_year is not None and year < self.start_year:
            return self.start_year - year
        if self.end_year is not None and year > self.end_year:
            return year - self.end_year
        return 0


def _key(value: object, scheme: CodeScheme) -> Hashable | None:
    """The index key of ``value`` read as ``scheme``, or ``None`` if it cannot be one."""
    if value is None or value is pd.NA:
        return None
    if isinstance(value, float):
        if math.isnan(value) or not value.is_integer():
            return None
        value = int(value)
    if scheme in _NUMERIC:
        if isinstance(value, int):
            return value
        text = str(value).strip()
        if text.endswith(".0"):
            text = text[:-2]
        return int(text) if text.isdigit() else None
    text = str(value).strip()
    if not text:
        return None
    return normalise_name(text) if scheme == "name" else text.upper()


class Crosswalk:
    """Look up countries by any code or name; map whole columns at once.

    Build it with :func:`get_crosswalk` rather than directly.

    Parameters
    ----------
    records : iterable of CountryRecord
        The country table.
    aliases : iterable of Alias
        Extra codes, each valid for a span of years.
    regexes : dict of str to str, optional
        ``iso3 -> regex`` tried on names that match no variant exactly.
    not_carried : iterable of (scheme, code, reason), optional
        Values refused on purpose (units that are not countries in Tocsin).

    Examples
    --------
    >>> cw = get_crosswalk()
    >>> cw.to_iso3("Ivory Coast", "name")
    'CIV'
    >>> cw.to_iso3(365, "cow", year=1980), cw.to_iso3(365, "cow", year=2000)
    ('SUN', 'RUS')
    >>> cw.to_iso3("Atlantis", "name") is None
    True
    """

    def __init__(
        self,
        records: Iterable[CountryRecord],
        aliases: Iterable[Alias] = (),
        regexes: dict[str, str] | None = None,
        not_carried: Iterable[tuple[CodeScheme, str, str]] = (),
    ) -> None:
        self._records = {r.iso3: r for r in records}
        self._refused: dict[tuple[CodeScheme, Hashable], str] = {}
        for scheme, code, reason in not_carried:
            refused_key = _key(code, scheme)
            if refused_key is not None:
                self._refused[(scheme, refused_key)] = reason
        self._index: dict[CodeScheme, dict[Hashable, list[_Candidate]]] = {
            s: {} for s in CODE_SCHEMES
        }
        for record in self._records.values():
            self._add_record(record)
        for alias in aliases:
            self._add(alias.scheme, alias.code, alias.iso3, alias.start_year, alias.end_year, False)
        known = {iso3: rx for iso3, rx in (regexes or {}).items() if iso3 in self._records}
        self._regex = RegexMatcher(known)
        self._regex_cache: dict[str, str | None] = {}

    def _add(
        self,
        scheme: CodeScheme,
        code: object,
        iso3: str,
        start: int | None,
        end: int | None,
        primary: bool,
    ) -> None:
        key = _key(code, scheme)
        if key is None:
            return
        entries = self._index[scheme].setdefault(key, [])
        candidate = _Candidate(iso3, start, end, primary)
        if candidate not in entries:
            entries.append(candidate)

    def _add_record(self, r: CountryRecord) -> None:
        codes: list[tuple[CodeScheme, object]] = [
            ("iso3", r.iso3),
            ("iso2", r.iso2),
            ("isonum", r.isonum),
            ("cow", r.cow),
            ("cow_letter", r.cow_letter),
            ("gw", r.gw),
            ("fips", r.fips),
            ("name", r.name),
            ("name", r.official_name),
            ("name", r.iso3),
        ]
        codes += [("name", v) for v in r.variants]
        for scheme, code in codes:
            self._add(scheme, code, r.iso3, r.start_year, r.end_year, True)

    # -- lookups -------------------------------------------------------------

    def _candidates(self, key: Hashable, scheme: CodeScheme) -> list[_Candidate]:
        found = self._index[scheme].get(key, [])
        fallback = _FALLBACK.get(scheme)
        if not found and fallback is not None:
            found = self._index[fallback].get(key, [])
        return found

    def _ended_before(self, candidate: _Candidate, year: int) -> bool:
        # A former state cannot stand for a year after it ended: sources that keep
        # empty rows for it (PTS, WGI) must not put data under it.
        record = self._records.get(candidate.iso3)
        return (
            record is not None
            and record.is_historical
            and candidate.end_year is not None
            and year > candidate.end_year
        )

    def _choose(self, candidates: list[_Candidate], year: int | None) -> str | None:
        if year is not None:
            candidates = [c for c in candidates if not self._ended_before(c, year)]
            if not candidates:
                return None
        if len(candidates) == 1:
            chosen = candidates[0]
        elif year is None:
            # The current meaning of a record's own code: open-ended first, then latest.
            pool = [c for c in candidates if c.primary] or candidates
            chosen = max(pool, key=lambda c: math.inf if c.end_year is None else c.end_year)
        else:
            chosen = min(candidates, key=lambda c: c.distance(year))
        return self._file_under_predecessor(chosen.iso3, year)

    def _file_under_predecessor(self, iso3: str, year: int | None) -> str:
        if year is None:
            return iso3
        seen = {iso3}
        record = self._records.get(iso3)
        while (
            record is not None
            and record.predecessor is not None
            and record.start_year is not None
            and year < record.start_year
        ):
            iso3 = record.predecessor
            if iso3 in seen:  # a cycle in the table; stop rather than loop
                break
            seen.add(iso3)
            record = self._records.get(iso3)
        return iso3

    def _match_regex(self, text: str) -> str | None:
        if text not in self._regex_cache:
            self._regex_cache[text] = self._regex.match(text)
        return self._regex_cache[text]

    def to_iso3(
        self, value: str | int, scheme: CodeScheme, *, year: int | None = None
    ) -> str | None:
        """Tocsin's iso3 for ``value`` read as ``scheme``, or ``None`` if unknown.

        Parameters
        ----------
        value : str or int
            A code or name; numeric schemes accept ``260``, ``"260"``, ``260.0``.
        scheme : CodeScheme
            How to read ``value``.
        year : int, optional
            The year the value refers to; picks among states that shared a code.

        Returns
        -------
        str or None

        Examples
        --------
        >>> cw = get_crosswalk()
        >>> cw.to_iso3("Congo, Dem. Rep.", "name"), cw.to_iso3(345, "gw", year=1999)
        ('COD', 'SCG')
        >>> cw.to_iso3("ROM", "wb"), cw.to_iso3("260", "cow", year=1970)
        ('ROU', 'DEU')
        """
        if scheme not in self._index:
            raise ValueError(f"unknown code scheme {scheme!r}; use one of {CODE_SCHEMES}")
        key = _key(value, scheme)
        if key is None or (scheme, key) in self._refused:
            return None
        candidates = self._candidates(key, scheme)
        if candidates:
            return self._choose(candidates, year)
        if scheme == "name":
            found = self._match_regex(str(value).strip())
            if found is None:
                return None
            record = self._records[found]
            if year is not None and self._ended_before(
                _Candidate(found, record.start_year, record.end_year, True), year
            ):
                return None
            return self._file_under_predecessor(found, year)
        return None

    def require_iso3(self, value: str | int, scheme: CodeScheme, *, year: int | None = None) -> str:
        """Like :meth:`to_iso3`, but raise if the value is unknown.

        Raises
        ------
        UnknownCountryError
            Naming the value, the scheme and the closest names or codes.

        Examples
        --------
        >>> get_crosswalk().require_iso3("Swaziland", "name")
        'SWZ'
        """
        found = self.to_iso3(value, scheme, year=year)
        if found is None:
            raise UnknownCountryError(value, scheme, self.close_matches(value, scheme), year=year)
        return found

    def close_matches(self, value: str | int, scheme: CodeScheme, n: int = 3) -> list[str]:
        """Up to ``n`` known names or codes near ``value``, as ``"name (ISO3)"``.

        >>> get_crosswalk().close_matches("Tunesia", "name")[0]
        'Tunisia (TUN)'
        """
        key = _key(value, scheme)
        if key is None:
            return []
        index = self._index[scheme]
        keys = {str(k): k for k in index}
        near = difflib.get_close_matches(str(key), list(keys), n=n * 3, cutoff=0.75)
        seen: list[str] = []
        for text in near:
            iso3 = self._choose(index[keys[text]], None)
            if iso3 is None:  # pragma: no cover - without a year a code always resolves
                continue
            label = f"{self._records[iso3].name} ({iso3})" if scheme == "name" else text
            if scheme != "name":
                label = f"{text} = {self._records[iso3].name} ({iso3})"
            if label not in seen:
                seen.append(label)
        return seen[:n]

    def not_carried_reason(self, value: str | int, scheme: CodeScheme) -> str | None:
        """Why ``value`` is refused on purpose, or ``None`` if it is not.

        >>> get_crosswalk().not_carried_reason("Somaliland", "name")[:25]
        'self-declared state insid'
        """
        key = _key(value, scheme)
        return None if key is None else self._refused.get((scheme, key))

    def is_known_spelling(self, name: str) -> bool:
        """Whether ``name`` matches a listed variant exactly (after normalising).

        Names that are not known spellings can still match through a
        country_converter regex; :func:`crosswalk_report` lists those for review.

        >>> cw = get_crosswalk()
        >>> cw.is_known_spelling("Cote d'Ivoire"), cw.is_known_spelling("Rep. of Ivory Coast")
        (True, False)
        """
        return _key(name, "name") in self._index["name"]

    def regex_matches(self, name: str) -> list[str]:
        """Every iso3 whose country_converter regex matches ``name`` (to explain misses).

        >>> get_crosswalk().regex_matches("Republic of Ivory Coast")
        ['CIV']
        """
        return sorted(self._regex.matches(name))

    def to_iso3_series(
        self, values: pd.Series, scheme: CodeScheme, *, years: pd.Series | None = None
    ) -> pd.Series:
        """Map a column of codes or names to iso3, ``<NA>`` where unknown.

        Each distinct (value, year) pair is looked up once.

        Parameters
        ----------
        values : pandas.Series
            Codes or names.
        scheme : CodeScheme
            How to read them.
        years : pandas.Series, optional
            Year of each value, aligned with ``values``.

        Returns
        -------
        pandas.Series
            String dtype, same index as ``values``.

        Examples
        --------
        >>> import pandas as pd
        >>> cw = get_crosswalk()
        >>> cw.to_iso3_series(pd.Series([678, 679, 999]), "cow",
        ...                   years=pd.Series([1985, 1995, 1995])).tolist()
        ['YEM', 'YEM', <NA>]
        """
        year_values = pd.Series(pd.NA, index=values.index) if years is None else years
        year_list = [None if pd.isna(y) else int(y) for y in year_values.tolist()]
        mapping: dict[tuple[object, int | None], str | None] = {}
        mapped: list[str | None] = []
        for value, year in zip(values.tolist(), year_list, strict=True):
            if value is None or pd.isna(value):
                mapped.append(None)
                continue
            pair = (value, year)
            if pair not in mapping:
                mapping[pair] = self.to_iso3(value, scheme, year=year)
            mapped.append(mapping[pair])
        return pd.Series(mapped, index=values.index, dtype="string", name=values.name)

    def country(self, iso3: str) -> CountryRecord:
        """The record of ``iso3``.

        Raises
        ------
        UnknownCountryError
            If no record has that code.

        Examples
        --------
        >>> get_crosswalk().country("DDR").name
        'East Germany'
        """
        record = self._records.get(iso3.strip().upper())
        if record is None:
            raise UnknownCountryError(iso3, "iso3", self.close_matches(iso3, "iso3"))
        return record

    def records(self) -> list[CountryRecord]:
        """Every record, sorted by iso3.

        >>> len(get_crosswalk().records()) > 240
        True
        """
        return [self._records[k] for k in sorted(self._records)]


@lru_cache(maxsize=8)
def get_crosswalk(path: Path | None = None) -> Crosswalk:
    """Load the country table (the bundled one by default) into a cached crosswalk.

    Parameters
    ----------
    path : Path, optional
        A ``countries.csv``; ``code_aliases.csv`` and ``not_carried.csv``
        beside it are read too when present.

    Returns
    -------
    Crosswalk

    Examples
    --------
    >>> get_crosswalk() is get_crosswalk()
    True
    """
    table = bundled_table_path() if path is None else Path(path)
    records = read_countries(table)
    aliases = read_aliases(table.with_name("code_aliases.csv"))
    refused = read_not_carried(table.with_name("not_carried.csv"))
    return Crosswalk(records, aliases, read_regexes(), refused)
