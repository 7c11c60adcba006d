"""Country-name matching: exact match on normalised variants, then regexes.

Names are compared after :func:`normalise_name` folds case, accents and
punctuation. When no variant matches exactly, the regular expressions that
country_converter maintains for each country are tried; a name is accepted
only if exactly one country's expression matches it, so an ambiguous name
is reported as unknown rather than guessed.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping

__all__ = ["RegexMatcher", "normalise_name"]

_NON_ALNUM = re.compile(r"[^0-9a-z]+")
_LEADING_THE = re.compile(r"^the ")


def normalise_name(name: str) -> str:
    """Fold a country name to a comparison key.

    Accents, case, punctuation and a leading "the" are dropped and ``&``
    becomes ``and``, so spellings that differ only in those collide.

    Parameters
    ----------
    name : str
        A country name as written in some source.

    Returns
    -------
    str
        The comparison key (may be empty for a name with no letters).

    Examples
    --------
    >>> normalise_name("Côte d'Ivoire")
    'cote d ivoire'
    >>> normalise_name("  The Gambia ")
    'gambia'
    >>> normalise_name("Trinidad & Tobago")
    'trinidad and tobago'
    """
    decomposed = unicodedata.normalize("NFKD", name)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    # ß and similar have no decomposition; casefold expands them.
    folded = stripped.casefold().replace("&", " and ").replace("’", "'")
    key = _NON_ALNUM.sub(" ", folded).strip()
    return _LEADING_THE.sub("", key)


class RegexMatcher:
    """Match free-text names with one regular expression per country.

    Parameters
    ----------
    patterns : mapping of str to str
        ``iso3 -> regex``; matched case-insensitively with :func:`re.search`.

    Examples
    --------
    >>> matcher = RegexMatcher({"CIV": r"ivoire|ivory", "CZE": r"czech"})
    >>> matcher.match("Republic of Ivory Coast")
    'CIV'
    >>> matcher.match("Czech and Ivory union") is None
    True
    """

    def __init__(self, patterns: Mapping[str, str]) -> None:
        self._compiled = [(iso3, re.compile(p, re.IGNORECASE)) for iso3, p in patterns.items()]

    def matches(self, name: str) -> list[str]:
        """Every iso3 whose expression matches ``name``."""
        return [iso3 for iso3, rx in self._compiled if rx.search(name)]

    def match(self, name: str) -> str | None:
        """The single iso3 whose expression matches, or ``None`` if none or several do."""
        found = self.matches(name)
        return found[0] if len(found) == 1 else None

    @property
    def iso3s(self) -> Iterable[str]:
        """The countries this matcher knows."""
        return (iso3 for iso3, _ in self._compiled)
