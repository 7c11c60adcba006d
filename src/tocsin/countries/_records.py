"""The country record, the code schemes Tocsin reads, and the lookup error."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal, get_args

from tocsin.errors import TocsinError

__all__ = ["CODE_SCHEMES", "CodeScheme", "CountryRecord", "UnknownCountryError"]

CodeScheme = Literal[
    "iso3",
    "iso2",
    "isonum",
    "cow",
    "cow_letter",
    "gw",
    "ewp_ccode",
    "fips",
    "wb",
    "name",
    "cameo",
    "polity",
    "pitf",
]
"""A system of country identifiers found in Tocsin's source data sets.

``iso3``/``iso2``/``isonum``: ISO 3166-1 alpha-3, alpha-2 and numeric (numeric
equals UN M49 for countries), plus the ISO 3166-3 codes of former states.
``cow``: Correlates of War state number; ``cow_letter``: its three-letter
abbreviation. ``gw``: Gleditsch–Ward state number. ``ewp_ccode``: the Early
Warning Project's COW variant. ``fips``: FIPS 10-4 (GDELT geography).
``wb``: World Bank country codes (ISO alpha-3 plus a few of its own).
``name``: a country name in any spelling Tocsin knows. ``cameo``: CAMEO actor
country codes (GDELT ``Actor1CountryCode``): ISO alpha-3 plus CAMEO's own.
``polity``: Polity IV/5 ``ccode`` (COW with Polity's own numbers for some
states). ``pitf``: PITF/Polity letter codes (EWP ``sftgcode``, Polity ``scode``),
COW abbreviations with their own exceptions.
"""

CODE_SCHEMES: tuple[CodeScheme, ...] = get_args(CodeScheme)
"""Every :data:`CodeScheme`, in a stable order."""


@dataclass(frozen=True)
class CountryRecord:
    """One country (or former state) as Tocsin identifies it.

    Attributes
    ----------
    iso3 : str
        Tocsin's country id: ISO 3166-1 alpha-3, ISO 3166-3 for former states,
        or a documented customary code (``XKX`` Kosovo, ``RVN`` South Vietnam).
    iso2, isonum : str or None, int or None
        ISO 3166-1 alpha-2 and numeric codes.
    name, official_name : str, str or None
        Short English name and full official name.
    un_region, un_subregion : str or None
        UN M49 region (e.g. ``"Africa"``) and sub-region (``"Eastern Africa"``).
    gw, cow, cow_letter : int or None, int or None, str or None
        Gleditsch–Ward number, Correlates of War number and abbreviation of the
        state in its latest form (older codes are in the year-aware aliases).
    fips : str or None
        FIPS 10-4 code.
    variants : tuple of str
        Other names the country goes by in Tocsin's sources.
    is_historical : bool
        True for states that no longer exist (USSR, Yugoslavia, …).
    start_year, end_year : int or None
        First and last year the code stands for this entity, where a change
        of state matters to Tocsin (``None``: no such break).
    predecessor : str or None
        iso3 of the state this one continues (``RUS`` continues ``SUN``): data
        for a year before ``start_year`` is filed under the predecessor.
    """

    iso3: str
    iso2: str | None
    isonum: int | None
    name: str
    official_name: str | None
    un_region: str | None
    un_subregion: str | None
    gw: int | None
    cow: int | None
    cow_letter: str | None
    fips: str | None
    variants: tuple[str, ...]
    is_historical: bool
    start_year: int | None
    end_year: int | None
    predecessor: str | None = None

    def covers(self, year: int) -> bool:
        """Whether ``year`` lies within the record's years (open ends cover all).

        >>> from tocsin.countries import get_crosswalk
        >>> get_crosswalk().country("SUN").covers(1995)
        False
        """
        if self.start_year is not None and year < self.start_year:
            return False
        return self.end_year is None or year <= self.end_year


class UnknownCountryError(TocsinError):
    """A country code or name did not match any country Tocsin knows.

    Parameters
    ----------
    value : str or int
        The value looked up.
    scheme : CodeScheme
        The scheme it was read as.
    close_matches : sequence of str
        Nearby names or codes, as ``"name (ISO3)"``, to suggest to the user.
    year : int, optional
        The year given with the lookup.

    Examples
    --------
    >>> error = UnknownCountryError("Narnia", "name", ["Namibia (NAM)"])
    >>> error.message
    "no country with name 'Narnia'"
    >>> error.fix
    'did you mean Namibia (NAM)? Run `tocsin countries list` to see every country'
    """

    def __init__(
        self,
        value: str | int,
        scheme: CodeScheme,
        close_matches: Sequence[str] = (),
        *,
        year: int | None = None,
    ) -> None:
        self.value = value
        self.scheme = scheme
        self.year = year
        self.close_matches = tuple(close_matches)
        when = f" in {year}" if year is not None else ""
        hint = "run `tocsin countries list` to see every country"
        if self.close_matches:
            hint = f"did you mean {', '.join(self.close_matches)}? R{hint[1:]}"
        super().__init__(f"no country with {scheme} {value!r}{when}", fix=hint)
