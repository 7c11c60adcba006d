"""The bundled countries.csv is exactly what scripts/build_countries.py writes."""

from __future__ import annotations

import csv
import importlib.util
from pathlib import Path

from tocsin.countries._table import bundled_table_path

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "build_countries.py"


def test_bundled_table_is_up_to_date() -> None:
    spec = importlib.util.spec_from_file_location("build_countries", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    built = [
        {k: "" if v is None else str(v) for k, v in row.items()} for row in module.build_rows()
    ]
    with bundled_table_path().open(encoding="utf-8", newline="") as handle:
        bundled = list(csv.DictReader(handle))
    assert bundled == built, "run `uv run python scripts/build_countries.py`"
