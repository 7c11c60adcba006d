"""Official release formats are rewritten into the bundled layout."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from tocsin.datasets import BUNDLED_DIR, check_file, get_dataset
from tocsin.datasets._convert import freedom_house_xlsx_to_csv


def test_freedom_house_workbook_matches_bundled_copy(shared_dir: Path, tmp_path: Path) -> None:
    name = "Country_and_Territory_Ratings_and_Statuses_FIW_1973-2024.xlsx"
    workbook = shared_dir / "data" / "resilience" / "freedom_house" / name
    target = tmp_path / "fh.csv"
    freedom_house_xlsx_to_csv(workbook, target)
    spec = get_dataset("freedom_house").files[0]
    assert check_file(target, spec) > 9000
    converted = pd.read_csv(target).set_index(["country", "year"])
    bundled = pd.read_csv(BUNDLED_DIR / "freedom_house" / spec.name).set_index(["country", "year"])
    common = converted.index.intersection(bundled.index)
    assert len(common) > 0.95 * len(bundled)
    same = (
        converted.loc[common, "political_rights"] == bundled.loc[common, "political_rights"]
    ).mean()
    assert same > 0.99
    assert converted.loc[("Norway", 2023), "status"] == "Free"
