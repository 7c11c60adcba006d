"""Rewrite official release files (xlsx workbooks, zips) into the bundled CSV layout.

Each converter takes the downloaded file and the path to write. A download that is
already a CSV is copied unchanged, so ``--url`` may point at a file in the bundled layout.
"""

from __future__ import annotations

import io
import re
import shutil
import zipfile
from pathlib import Path

import pandas as pd

from tocsin.errors import DataFileError, RowProblem

__all__ = ["VDEM_INDICES", "freedom_house_xlsx_to_csv", "is_zip", "vdem_to_subset", "xlsx_to_csv"]

_ZIP_MAGIC = b"PK\x03\x04"


def is_zip(path: Path) -> bool:
    """Whether ``path`` is a zip archive (xlsx workbooks are zips too)."""
    with path.open("rb") as handle:
        return handle.read(4) == _ZIP_MAGIC


def _read_excel(path: Path, sheet: str | int = 0, header: int | None = 0) -> pd.DataFrame:
    try:
        return pd.read_excel(path, sheet_name=sheet, header=header, dtype=str)
    except (ValueError, KeyError, zipfile.BadZipFile, OSError) as error:
        problem = RowProblem(None, None, f"not a readable workbook: {error}")
        raise DataFileError(path, [problem]) from error


def xlsx_to_csv(source: Path, target: Path) -> None:
    """Write the first sheet of a workbook as UTF-8 CSV (a CSV source is copied as is)."""
    if not is_zip(source):
        shutil.copyfile(source, target)
        return
    frame = _read_excel(source)
    frame.to_csv(target, index=False, na_rep="NA")


_PERIOD_YEAR = re.compile(r"(1[89]\d\d|20\d\d)")


def _review_year(period: str) -> int | None:
    """Year under review of a Freedom House edition column.

    Most editions cover one calendar year. Between 1981 and 1989 the survey periods
    straddled years ("Aug.1982-Nov.1983"); they are given their last year, except the
    first one ("Jan.1981-Aug. 1982") which starts in January and is given 1981.
    """
    years = _PERIOD_YEAR.findall(period)
    if not years:
        return None
    return int(years[0] if period.strip().startswith("Jan") else years[-1])


def _leading(value: object) -> str:
    # "2(5)" and "F (NF)" mark a rating that differs for part of the territory;
    # the leading value is the country rating.
    text = "" if value is None or (isinstance(value, float) and pd.isna(value)) else str(value)
    return text.split("(")[0].strip().rstrip("*")


_STATUS = {"F": "Free", "PF": "Partly Free", "NF": "Not Free"}


def freedom_house_xlsx_to_csv(source: Path, target: Path) -> None:
    """Reshape Freedom House's ratings workbook (wide by edition) to one row per country-year.

    Reads the sheet whose name starts with "Country"; row 2 gives the year(s) under review
    of each edition, row 3 the PR / CL / Status labels. "-" (not rated) rows are dropped.
    """
    if not is_zip(source):
        shutil.copyfile(source, target)
        return
    with pd.ExcelFile(source) as workbook:
        names = [str(name) for name in workbook.sheet_names]
    sheet = next((name for name in names if name.startswith("Country")), None)
    if sheet is None:
        problem = RowProblem(None, None, "no sheet named 'Country Ratings, Statuses'")
        raise DataFileError(source, [problem])
    grid = _read_excel(source, sheet=sheet, header=None)
    periods, labels = grid.iloc[1], grid.iloc[2]
    rows: list[dict[str, object]] = []
    for col in range(1, grid.shape[1] - 2):
        if str(labels.iloc[col]).strip() != "PR":
            continue
        year = _review_year(str(periods.iloc[col]))
        if year is None:
            continue
        for index in range(3, grid.shape[0]):
            cell = grid.iat[index, 0]
            country = cell.strip() if isinstance(cell, str) else ""
            pr, cl = _leading(grid.iat[index, col]), _leading(grid.iat[index, col + 1])
            status = _leading(grid.iat[index, col + 2])
            if not country or (pr in ("", "-") and cl in ("", "-")):
                continue
            rows.append(
                {
                    "year": year,
                    "country": country,
                    "political_rights": pr if pr != "-" else "",
                    "civil_liberties": cl if cl != "-" else "",
                    "status": _STATUS.get(status, status),
                }
            )
    pd.DataFrame(rows).to_csv(target, index=False)


VDEM_INDICES = (
    "v2x_polyarchy v2x_libdem v2x_rule v2xcl_rol v2x_jucon v2xlg_legcon v2juhcind v2juncind "
    "v2jucomp v2x_civlib v2x_clphy v2x_clpol v2x_clpriv v2clkill v2cltort v2xcs_ccsi "
    "v2cseeorgs v2csreprss v2x_freexp_altinf v2x_frassoc_thick v2mecenefm v2cldiscm v2cldiscw "
    "v2clsocgrp v2clrelig v2pepwrsoc v2pepwrses v2xeg_eqprotec v2clacjust v2x_egal v2x_partip "
    "v2x_corr v2x_execorr v2x_pubcorr"
).split()
"""V-Dem tags kept in the bundled subset (indices 0–1 start with ``v2x``; the rest are
measurement-model scores, roughly −5…5)."""

VDEM_FIRST_YEAR = 1970
_VDEM_IDS = ["country_name", "country_text_id", "country_id", "year"]


def vdem_to_subset(source: Path, target: Path) -> None:
    """Pick the bundled columns from a V-Dem country-year CSV (or a zip holding one).

    Keeps years from 1970 and rounds to 4 significant digits, as the bundled copy does.
    """
    wanted = set(_VDEM_IDS) | set(VDEM_INDICES)
    if is_zip(source):
        with zipfile.ZipFile(source) as archive:
            members = [n for n in archive.namelist() if n.lower().endswith(".csv")]
            if not members:
                raise DataFileError(source, [RowProblem(None, None, "zip holds no CSV file")])
            # The country-year table is by far the largest CSV in V-Dem's zips.
            member = max(members, key=lambda n: archive.getinfo(n).file_size)
            data = archive.read(member)
    else:
        data = source.read_bytes()
    frame = pd.read_csv(io.BytesIO(data), usecols=lambda c: c in wanted, low_memory=False)
    if "year" in frame:
        frame = frame[pd.to_numeric(frame["year"], errors="coerce") >= VDEM_FIRST_YEAR]
    order = [c for c in [*_VDEM_IDS, *VDEM_INDICES] if c in frame.columns]
    frame[order].to_csv(target, index=False, float_format="%.4g")
