"""Read the bundled country table and code aliases into records.

The table (``countries.csv``) has one row per country or former state; the
aliases (``code_aliases.csv``, beside it) add codes that a source uses for a
country besides the record's own, each optionally limited to a span of years.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from tocsin.countries._records import CODE_SCHEMES, CodeScheme, CountryRecord
from tocsin.errors import DataFileError, RowProblem

__all__ = [
    "Alias",
    "bundled_table_path",
    "read_aliases",
    "read_countries",
    "read_not_carried",
    "read_regexes",
]

_LIST_SEPARATOR = "|"


@dataclass(frozen=True)
class Alias:
    """A code a source uses for a country, valid from ``start_year`` to ``end_year``."""

    scheme: CodeScheme
    code: str
    iso3: str
    start_year: int | None
    end_year: int | None
    note: str


def bundled_table_path() -> Path:
    """Path of the ``countries.csv`` shipped inside the package."""
    return Path(str(resources.files("tocsin.countries") / "data" / "countries.csv"))


def _optional_int(
    row: dict[str, str], name: str, line: int, problems: list[RowProblem]
) -> int | None:
    text = (row.get(name) or "").strip()
    if not text:
        return None
    try:
        return int(text)
    except ValueError:
        problems.append(RowProblem(line, name, "not a whole number", text))
        return None


def _optional_str(row: dict[str, str], name: str) -> str | None:
    text = (row.get(name) or "").strip()
    return text or None


def read_countries(path: Path) -> list[CountryRecord]:
    """Read ``countries.csv`` into records, refusing the file if any row is bad.

    Raises
    ------
    DataFileError
        Naming the line and field of every bad value.
    """
    problems: list[RowProblem] = []
    records: list[CountryRecord] = []
    with path.open(encoding="utf-8", newline="") as handle:
        for line, row in enumerate(csv.DictReader(handle), start=2):
            iso3 = (row.get("iso3") or "").strip()
            name = (row.get("name") or "").strip()
            if len(iso3) != 3 or not iso3.isupper():
                problems.append(RowProblem(line, "iso3", "not a 3-letter upper-case code", iso3))
                continue
            if not name:
                problems.append(RowProblem(line, "name", "empty"))
                continue
            variants = tuple(
                v.strip() for v in (row.get("variants") or "").split(_LIST_SEPARATOR) if v.strip()
            )
            records.append(
                CountryRecord(
                    iso3=iso3,
                    iso2=_optional_str(row, "iso2"),
                    isonum=_optional_int(row, "isonum", line, problems),
                    name=name,
                    official_name=_optional_str(row, "official_name"),
                    un_region=_optional_str(row, "un_region"),
                    un_subregion=_optional_str(row, "un_subregion"),
                    gw=_optional_int(row, "gw", line, problems),
                    cow=_optional_int(row, "cow", line, problems),
                    cow_letter=_optional_str(row, "cow_letter"),
                    fips=_optional_str(row, "fips"),
                    variants=variants,
                    is_historical=(row.get("is_historical") or "").strip().lower() == "true",
                    start_year=_optional_int(row, "start_year", line, problems),
                    end_year=_optional_int(row, "end_year", line, problems),
                    predecessor=_optional_str(row, "predecessor"),
                )
            )
    if problems:
        raise DataFileError(path, problems)
    return records


def read_aliases(path: Path) -> list[Alias]:
    """Read ``code_aliases.csv`` (``scheme,code,iso3,start_year,end_year,note``).

    A missing file means no aliases.

    Raises
    ------
    DataFileError
        Naming the line and field of every bad value.
    """
    if not path.exists():
        return []
    problems: list[RowProblem] = []
    aliases: list[Alias] = []
    with path.open(encoding="utf-8", newline="") as handle:
        for line, row in enumerate(csv.DictReader(handle), start=2):
            scheme = (row.get("scheme") or "").strip()
            code = (row.get("code") or "").strip()
            iso3 = (row.get("iso3") or "").strip()
            if scheme not in CODE_SCHEMES:
                problems.append(RowProblem(line, "scheme", "not a known code scheme", scheme))
                continue
            if not code or not iso3:
                problems.append(RowProblem(line, "code" if not code else "iso3", "empty"))
                continue
            aliases.append(
                Alias(
                    scheme=scheme,
                    code=code,
                    iso3=iso3,
                    start_year=_optional_int(row, "start_year", line, problems),
                    end_year=_optional_int(row, "end_year", line, problems),
                    note=(row.get("note") or "").strip(),
                )
            )
    if problems:
        raise DataFileError(path, problems)
    return aliases


def read_not_carried(path: Path) -> list[tuple[CodeScheme, str, str]]:
    """Read ``not_carried.csv``: ``(scheme, code, reason)`` of values refused on purpose.

    These are units some sources rate that are not countries in Tocsin
    (Somaliland, Gaza-only units, Kashmir …); a regex would otherwise file
    them under a country. A missing file means none.

    Raises
    ------
    DataFileError
        Naming the line and field of every bad value.
    """
    if not path.exists():
        return []
    problems: list[RowProblem] = []
    refused: list[tuple[CodeScheme, str, str]] = []
    with path.open(encoding="utf-8", newline="") as handle:
        for line, row in enumerate(csv.DictReader(handle), start=2):
            scheme = (row.get("scheme") or "").strip()
            code = (row.get("code") or "").strip()
            if scheme not in CODE_SCHEMES:
                problems.append(RowProblem(line, "scheme", "not a known code scheme", scheme))
            elif not code:
                problems.append(RowProblem(line, "code", "empty"))
            else:
                reason = (row.get("reason") or "").strip()
                refused.append((scheme, code, reason))
    if problems:
        raise DataFileError(path, problems)
    return refused


def read_regexes() -> dict[str, str]:
    """The name regexes maintained by country_converter, as ``iso3 -> regex``.

    Read straight from the package's data file (its converter class is not
    needed for this and does not load under every pandas version).
    """
    source = resources.files("country_converter") / "country_data.tsv"
    patterns: dict[str, str] = {}
    with source.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle, delimiter="\t"):
            iso3, regex = (row.get("ISO3") or "").strip(), (row.get("regex") or "").strip()
            if iso3 and regex:
                patterns[iso3] = regex
    return patterns
