"""Where a data set gives a country twice (code and name), both must map to the same iso3.

This catches silent mistakes that a match count cannot: a code read as the
wrong state, or a regex that files a name under the wrong country.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.countries.shared_sources import COLUMNS, Column
from tocsin.countries import get_crosswalk

# Same file, same reader: every pair of its country columns is compared.
_BY_FILE: dict[tuple[str, str], list[Column]] = {}
for _column in COLUMNS:
    _BY_FILE.setdefault((_column.path, _column.reader), []).append(_column)
# GDELT columns describe different actors and places, so they are not partners.
GROUPS = {key: cols for key, cols in _BY_FILE.items() if len(cols) > 1 and "gdelt" not in key[0]}

# Explained disagreements: (file, value of first column, value of second column).
_FH = "resilience/freedom_house/fh_country_rating_status_1972-2023.csv"
_MK = "events/mass_killing/ewp_mk_events_2025.csv"
ALLOWED: set[tuple[str, str, str]] = {
    # The FH csv's ISO columns were filled in by name and give the former states
    # (East Germany, South Vietnam, South Yemen) their successors' codes; the names are right.
    (_FH, "Germany, E.", "DE"), (_FH, "Germany, E.", "DEU"),
    (_FH, "Vietnam, S.", "VN"), (_FH, "Vietnam, S.", "VNM"),
    (_FH, "Yemen, S.", "YE"), (_FH, "Yemen, S.", "YEM"),
    # EWP episodes: `country` is the responsible state, `mk_location_cow` where the
    # killing happened (Pakistan in East Pakistan/Bangladesh 1971, Yemen in the South,
    # and one Guatemala row located in El Salvador, as in the source).
    (_MK, "Pakistan", "771"), (_MK, "Yemen", "680"), (_MK, "Guatemala", "92"),
}  # fmt: skip


@pytest.mark.parametrize("key", list(GROUPS), ids=[k[0] for k in GROUPS])
def test_columns_agree(shared_dir: Path, key: tuple[str, str]) -> None:
    columns = GROUPS[key]
    root = shared_dir / "data"
    frame = columns[0].load(root)
    cw = get_crosswalk()
    mapped = {}
    for column in columns:
        years = frame[column.year_column] if column.year_column else None
        values = frame[column.column]
        if column.list_separator:
            continue  # lists of codes have no one-to-one partner column
        mapped[column.column] = cw.to_iso3_series(values, column.scheme, years=years)
    names = list(mapped)
    problems = set()
    for i, first in enumerate(names):
        for second in names[i + 1 :]:
            a, b = mapped[first], mapped[second]
            both = a.notna() & b.notna() & (a != b)
            for row in frame[both.fillna(False).to_numpy()].itertuples():
                index = row.Index
                value_a, value_b = str(frame.at[index, first]), str(frame.at[index, second])
                problems.add((key[0], value_a, value_b, str(a[index]), str(b[index])))
    unexplained = {p for p in problems if p[:3] not in ALLOWED}
    assert not unexplained, sorted(unexplained)[:20]
